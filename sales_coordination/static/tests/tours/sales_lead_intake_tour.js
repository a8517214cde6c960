/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A coordinator takes a new caller: who, why, how they heard of us, urgency.
registry.category("web_tour.tours").add("sales_coordination_lead_intake", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Coordination app",
            trigger: ".o_app[data-menu-xmlid='sales_coordination.sales_coordination_menu_root']",
            run: "click",
        },
        {
            content: "Take a call: New Lead",
            trigger: ".o_menu_sections [data-menu-xmlid='sales_coordination.sales_lead_intake_menu']",
            run: "click",
        },
        {
            content: "The caller's name",
            trigger: ".modal .o_field_widget[name=contact_name] input",
            run: "edit Tara Tour",
        },
        {
            content: "The caller's phone",
            trigger: ".modal .o_field_widget[name=phone] input",
            run: "edit +1 217 555 9911",
        },
        {
            content: "Why they called",
            trigger: ".modal .o_field_widget[name=perceived_need] textarea",
            run: "edit Cold upstairs bedrooms",
        },
        {
            content: "How they heard of us",
            trigger: ".modal .o_field_widget[name=source_id] input",
            run: "edit Yard sign (tour)",
        },
        {
            content: "Pick the source",
            trigger: ".o-autocomplete--dropdown-item a:contains('Yard sign (tour)')",
            run: "click",
        },
        {
            content: "They want someone right now",
            trigger: ".modal .o_field_widget[name=urgency] input[data-value='now']",
            run: "click",
        },
        {
            content: "Save the lead",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The new lead opens, named after the caller and their need",
            trigger: ".o_breadcrumb .active:contains('Tara Tour: Cold upstairs bedrooms')",
        },
    ],
});
