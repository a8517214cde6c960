/** @odoo-module **/

import { registry } from "@web/core/registry";

// The coordinator sees the customers' answers in the advisors' calendar.
registry.category("web_tour.tours").add("sales_coordination_customer_answer", {
    steps: () => [
        {
            content: "Show the advisors' appointments as a list",
            trigger: ".o_control_panel .o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The visit the customer accepted is confirmed by the customer",
            trigger: ".o_list_view .o_data_row:contains('Visit: Accepting') .o_field_badge:contains('Confirmed by the Customer')",
        },
        {
            content: "The visit the customer declined shows the decline",
            trigger: ".o_list_view .o_data_row:contains('Visit: Declining') .o_field_badge:contains('Declined by the Customer')",
        },
        {
            content: "Open the declined visit",
            trigger: ".o_list_view .o_data_row .o_data_cell[name=name]:contains('Visit: Declining')",
            run: "click",
        },
        {
            content: "Its form says so in a ribbon, and it is not cancelled",
            trigger: ".o_form_view .ribbon:contains('Declined by the Customer'):not(:contains('Cancelled'))",
        },
    ],
});
