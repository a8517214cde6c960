/** @odoo-module **/

import { registry } from "@web/core/registry";

// A manager reviews what the telephone service brought: the answered lead call
// nobody booked, with its recording, then a call excused as too short, which they
// make a lead.
registry.category("web_tour.tours").add("sales_coordination_telephony", {
    url: "/odoo/calls-unbooked",
    steps: () => [
        {
            content: "The unbooked call, with a link to its recording",
            trigger: ".o_list_view .o_data_row:has(.o_data_cell[name=caller_number]:contains('+13125550142')) a[href='https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RECALONG']",
        },
        {
            content: "Open the calls that are not leads",
            trigger: ".o_main_navbar",
            run() {
                window.location.href = "/odoo/calls-not-leads";
            },
        },
        {
            content: "Grouped by reason: open the short calls",
            trigger: ".o_group_header:contains('Too Short to Be a Lead')",
            run: "click",
        },
        {
            content: "Give the short call a reason",
            trigger: ".o_data_row:has(.o_data_cell[name=caller_number]:contains('+13125550177')) .o_data_cell[name=reason_id]",
            run: "click",
        },
        {
            content: "It was a new customer after all",
            trigger: ".o_data_row.o_selected_row .o_field_widget[name=reason_id] input",
            run: "edit New Customer",
        },
        {
            content: "Pick the reason",
            trigger: ".o-autocomplete--dropdown-item:contains('New Customer Inquiry')",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_list_view:not(:has(.o_selected_row)) .o_data_row .o_data_cell[name=lead_id]:not(:empty)",
        },
    ],
});
