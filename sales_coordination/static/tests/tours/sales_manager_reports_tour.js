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
            content: "The board opens as a card per coordinator, with full labels",
            trigger: ".o_sales_board .o_kanban_record:contains('Cody'):contains('Calls today against the daily target')",
        },
        {
            content: "Cody's two calls today, against the target",
            trigger: ".o_sales_board .o_kanban_record:contains('Cody') .o_progressbar:contains('2')",
        },
        {
            content: "The managers themselves are not on it without calls of their own",
            trigger: ".o_sales_board:not(:has(.o_kanban_record:contains('Mona Manager')))",
        },
        {
            content: "Put the board on the wall screen",
            trigger: "button.o_sales_wall_toggle",
            run: "click",
        },
        {
            content: "Full screen: no menu bar, the cards alone",
            trigger: "body.o_sales_wall:not(:has(.o_main_navbar:visible)) .o_sales_board .o_kanban_record:contains('Cody')",
        },
        {
            content: "And back",
            trigger: "button.o_sales_wall_toggle:contains('Leave Wall Screen')",
            run: "click",
        },
        {
            content: "The list, to slice",
            trigger: "body:not(.o_sales_wall) .o_switch_view.o_list",
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
