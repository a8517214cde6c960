/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// The coordinator presses Next call, gets the most urgent call, nobody answers.
registry.category("web_tour.tours").add("sales_coordination_next_call", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Coordination app",
            trigger: ".o_app[data-menu-xmlid='sales_coordination.sales_coordination_menu_root']",
            run: "click",
        },
        {
            content: "Press Next Call",
            trigger: ".o_menu_sections [data-menu-xmlid='sales_coordination.sales_followup_menu_next_call']",
            run: "click",
        },
        {
            content: "The call screen shows the customer and why they called",
            trigger: ".modal .o_field_widget[name=perceived_need]:contains('Cold rooms upstairs')",
        },
        {
            content: "The window agreed with the customer, as they said it",
            trigger: ".modal .o_field_widget[name=window_label]:contains('evening or'):contains('all day')",
        },
        {
            content: "Nobody answers",
            trigger: ".modal .o_field_widget[name=choice] input[data-value='no_answer']",
            run: "click",
        },
        {
            content: "Log the call",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The call screen closes",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "and Next call runs at once (the coordinator's setting): nothing else is due",
            trigger: ".o_notification:contains('Nothing due')",
        },
        {
            content: "Open the call queue",
            trigger: ".o_menu_sections [data-menu-xmlid='sales_coordination.sales_followup_menu']",
            run: "click",
        },
        {
            content: "The call waits for its next window, read as a day and its parts",
            trigger: ".o_list_view .o_data_row:contains('Heat pump for Carla') .o_data_cell[name=window_label]:contains('evening or')",
        },
        {
            content: "with why it comes where it does",
            trigger: ".o_list_view .o_data_row:contains('Heat pump for Carla') .o_data_cell[name=priority_reason]:contains('asked to be called back; 1 unanswered')",
        },
        {
            content: "No error on the way",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ],
});
