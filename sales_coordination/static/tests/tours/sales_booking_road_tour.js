/** @odoo-module **/

import { registry } from "@web/core/registry";

// With the company's routing server: the coordinator reads road drive times, the
// minutes added and the nearest upcoming visits while the customer is on the line.
registry.category("web_tour.tours").add("sales_coordination_booking_road", {
    steps: () => [
        {
            content: "Open the booking proposals from the lead",
            trigger: ".o_form_view .o_form_statusbar button:contains('Book Appointment')",
            run: "click",
        },
        {
            content: "The nearest upcoming visit: the advisor, the drive by road",
            trigger: ".modal .o_field_widget[name=nearest_ids] .o_data_row:first-child:has(.o_data_cell[name=advisor_id]:contains('Ari Advisor')):has(.o_data_cell[name=travel_source]:contains('Road'))",
        },
        {
            content: "The drive there and on are shown",
            trigger: ".modal .o_field_widget[name=proposal_ids] .o_data_row:first-child .o_data_cell[name=drive_before_minutes]",
        },
        {
            content: "The screen says where the figures come from",
            trigger: ".modal .o_field_widget[name=travel_note]:contains('From the road network')",
        },
        {
            content: "No error",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ],
});
