/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A manager reads leads and sales by source, then every coordinator's board row.
registry.category("web_tour.tours").add("sales_coordination_manager_reports", {
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
            content: "Leads and sales by source",
            trigger: ".dropdown-item[data-menu-xmlid='sales_coordination.sales_report_source_menu']",
            run: "click",
        },
        {
            content: "The pivot shows the source of the tour's lead",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Radio ad'), .o_pivot th:contains('Radio ad')",
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
            content: "Every coordinator has a row, with today's calls",
            trigger: ".o_list_view .o_data_row:has(.o_data_cell[name=user_id]:contains('Cody')) .o_data_cell[name=calls_today]:contains('2')",
        },
        {
            content: "A coordinator without calls this month has no connection ratio, not 0%",
            trigger: ".o_list_view .o_data_row:has(.o_data_cell[name=user_id]:contains('Bea Backup')) .o_data_cell[name=connection_ratio]:not(:contains('%'))",
        },
    ],
});
