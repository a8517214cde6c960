/** @odoo-module **/

import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { formatFloat, formatPercentage } from "@web/views/fields/formatters";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

// A ratio read on the board: with its unit, and "—" when the model says its
// base is too small to mean anything (the rule lives in the SQL, not here).
export class SalesRatioField extends Component {
    static template = "sales_coordination.SalesRatioField";
    static props = {
        ...standardFieldProps,
        shownField: { type: String, optional: true },
        unit: { type: String, optional: true },
    };

    get isShown() {
        const { shownField, record } = this.props;
        return !shownField || Boolean(record.data[shownField]);
    }

    get formattedValue() {
        const value = this.props.record.data[this.props.name];
        if (this.props.unit === "times") {
            return `${formatFloat(value, { digits: [false, 1] })}x`;
        }
        if (this.props.unit === "number") {
            return formatFloat(value, { digits: [false, 0] });
        }
        return formatPercentage(value, { digits: [false, 0] });
    }
}

export const salesRatioField = {
    component: SalesRatioField,
    displayName: _t("Ratio"),
    supportedTypes: ["float"],
    extractProps: ({ options }) => ({
        shownField: options.shown,
        unit: options.unit,
    }),
    fieldDependencies: ({ options }) =>
        options.shown ? [{ name: options.shown, type: "boolean" }] : [],
};

registry.category("fields").add("sales_ratio", salesRatioField);
