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
    ],
});
