/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A coordinator records a no-show from the appointment; a manager reads the source
// funnel with its spend and ROI, then draws it from the coordinator board.
registry.category("web_tour.tours").add("sales_coordination_no_show", {
    steps: () => [
        {
            content: "The visit's form offers No-show",
            trigger: ".o_form_view button[name=action_mark_no_show]",
            run: "click",
        },
        {
            content: "Confirm that nobody was there",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The visit shows as a no-show",
            trigger: ".o_form_view .ribbon:contains('No-show')",
        },
        {
            content: "The button is gone",
            trigger: ".o_form_view:not(:has(button[name=action_mark_no_show]))",
        },
    ],
});

registry.category("web_tour.tours").add("sales_coordination_source_funnel", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Coordination app",
            trigger: ".o_app[data-menu-xmlid='sales_coordination.sales_coordination_menu_root']",
            run: "click",
        },
        {
            content: "Open Reporting",
            trigger: ".o_menu_sections [data-menu-xmlid='sales_coordination.sales_coordination_menu_reporting']",
            run: "click",
        },
        {
            content: "The source funnel",
            trigger: ".dropdown-item[data-menu-xmlid='sales_coordination.sales_report_funnel_menu']",
            run: "click",
        },
        {
            content: "The funnel's steps and the ROI are columns",
            trigger: ".o_pivot th:contains('Issued') ~ th:contains('Demoed') ~ th:contains('ROI')",
        },
        {
            content: "The tour's source spent 1,000 for 18,000 of sales: ROI 18.0x",
            trigger: ".o_pivot tr:has(th:contains('Radio (tour)')) td:contains('18.0x')",
        },
        {
            content: "Open Reporting again",
            trigger: ".o_menu_sections [data-menu-xmlid='sales_coordination.sales_coordination_menu_reporting']",
            run: "click",
        },
        {
            content: "The coordinator board",
            trigger: ".dropdown-item[data-menu-xmlid='sales_coordination.sales_coordinator_board_menu']",
            run: "click",
        },
        {
            content: "Draw the funnel from the board",
            trigger: ".o_control_panel button:contains('Source Funnel')",
            run: "click",
        },
        {
            content: "The funnel is drawn as bars per step",
            trigger: ".o_graph_view .o_graph_canvas_container canvas",
        },
    ],
});
