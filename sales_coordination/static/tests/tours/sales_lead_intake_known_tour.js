/** @odoo-module **/

import { registry } from "@web/core/registry";

// A returning caller: the coordinator types a phone or an e-mail we know, sees the
// customer's open leads and contact, and saves the call onto the lead they choose.
// `several`: the customer has two open leads and the coordinator merges them.
function knownCallerSteps(value, field, several) {
    const steps = [
        {
            content: "Take a call: New Lead",
            trigger: ".o_menu_sections [data-menu-xmlid='sales_coordination.sales_lead_intake_menu']",
            run: "click",
        },
        {
            content: "The caller's name",
            trigger: ".modal .o_field_widget[name=contact_name] input",
            run: "edit Returning Caller",
        },
        {
            content: "The phone or e-mail we already know",
            trigger: `.modal .o_field_widget[name=${field}] input`,
            run: `edit ${value}`,
        },
        {
            content: "Why they called",
            trigger: ".modal .o_field_widget[name=perceived_need] textarea",
            run: "edit Calling back about the quote",
        },
        {
            content: "The customer's open leads show",
            trigger: `.modal .o_field_widget[name=match_lead_ids] .o_data_row:nth-child(${several ? 2 : 1})`,
        },
    ];
    if (several) {
        steps.push(
            {
                content: "Choose the lead to add the call to",
                trigger: ".modal .o_field_widget[name=lead_id] input",
                run: "edit Known caller: first",
            },
            {
                content: "Pick it",
                trigger: ".o-autocomplete--dropdown-item a:contains('Known caller: first')",
                run: "click",
            },
            {
                content: "Merge the other lead into it",
                trigger: ".modal .o_field_widget[name=merge_duplicates] input",
                run: "click",
            }
        );
    } else {
        steps.push({
            content: "The one lead found is chosen already",
            trigger: ".modal .o_field_widget[name=lead_id] input:value(Known caller: first)",
        });
    }
    steps.push(
        {
            content: "Save the call onto it",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The customer's lead opens",
            trigger: ".o_breadcrumb .active:contains('Known caller: first')",
        },
        {
            content: "No error on the way",
            trigger: "body:not(:has(.o_error_dialog))",
        }
    );
    return steps;
}

registry.category("web_tour.tours").add("sales_coordination_lead_intake_known_one", {
    steps: () => knownCallerSteps("(217) 555-3777", "phone", false),
});

registry.category("web_tour.tours").add("sales_coordination_lead_intake_known_several", {
    steps: () => knownCallerSteps("zoe.known@example.com", "email", true),
});
