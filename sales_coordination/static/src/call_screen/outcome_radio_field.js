/** @odoo-module **/

import { registry } from "@web/core/registry";
import { RadioField, radioField } from "@web/views/fields/radio/radio_field";

// The outcomes of the call screen that fit the kind of call: the record says
// which (allowed_choices, comma-separated); the follow-up refuses the others.
export class SalesOutcomeRadioField extends RadioField {
    get items() {
        const allowed = (this.props.record.data.allowed_choices || "").split(",");
        return super.items.filter(([value]) => allowed.includes(value));
    }
}

registry.category("fields").add("sales_outcome_radio", {
    ...radioField,
    component: SalesOutcomeRadioField,
});
