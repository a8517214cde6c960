/** @odoo-module **/

import { registry } from "@web/core/registry";

// A coordinator merges two leads of one caller with crm's own Merge: the lead kept
// shows the calls logged on both.
registry.category("web_tour.tours").add("sales_coordination_lead_merge", {
    steps: () => [
        {
            content: "Select the first lead of the caller",
            trigger: ".o_data_row:contains('Merge tour: first call') .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Select the second lead of the same caller",
            trigger: ".o_data_row:contains('Merge tour: second call') .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Open the actions",
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Merge them, with crm's own Merge",
            trigger: ".o-dropdown-item:contains('Merge')",
            run: "click",
        },
        {
            content: "Confirm the merge",
            trigger: ".modal button[name=action_merge]",
            run: "click",
        },
        {
            content: "The lead kept counts the calls of both",
            trigger: ".o_form_view button[name=action_view_calls] .o_stat_value:contains('3')",
            run: "click",
        },
        {
            content: "All three calls are listed on it",
            trigger: ".o_list_view .o_data_row:nth-child(3)",
        },
    ],
});
