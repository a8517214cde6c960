/** @odoo-module **/

import { registry } from "@web/core/registry";

// From the lead, the coordinator books the best proposed slot.
registry.category("web_tour.tours").add("sales_coordination_booking", {
    steps: () => [
        {
            content: "Open the booking proposals from the lead",
            trigger: ".o_form_view .o_form_statusbar button:contains('Book Appointment')",
            run: "click",
        },
        {
            content: "The proposals list the advisor, the day and the added travel",
            trigger: ".modal .o_field_widget[name=proposal_ids] .o_data_row .o_data_cell[name=advisor_id]:contains('Ada Advisor')",
        },
        {
            content: "Book the best one",
            trigger: ".modal .o_field_widget[name=proposal_ids] .o_data_row:first-child button[name=action_book]",
            run: "click",
        },
        {
            content: "The appointment opens, run by the advisor",
            trigger: ".o_breadcrumb .active:contains('Visit: Carla Customer')",
        },
    ],
});
