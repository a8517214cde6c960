/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A manager reads the numbers: the by-source pivot on its last three months
// with totals by source, and a board whose booking rate over one answered lead
// call is "—", not a rate; the wall screen's tiles share the screen; the
// advisors' board gives each advisor's week its planned driving.
registry.category("web_tour.tours").add("sales_coordination_board_numbers", {
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
            content: "It opens on the last three months",
            trigger: ".o_searchview_facet:contains('Last Three Months')",
        },
        {
            content: "Rows by source, and a single column of totals (no month expanded)",
            trigger: ".o_pivot:has(th:contains('Radio ad')) thead:not(:has(.o_pivot_header_cell_opened))",
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
            content: "One answered lead call: no booking rate, a dash",
            trigger: ".o_kanban_record:contains('Cody') div[name=booking_rate] .o_sales_ratio_none:contains('—')",
        },
        {
            content: "Nothing like a rate of hundreds of percent",
            trigger: ".o_kanban_record:contains('Cody'):not(:has(div[name=booking_rate]:contains('%')))",
        },
        {
            content: "Put the board on the wall screen",
            trigger: "button.o_sales_wall_toggle",
            run: "click",
        },
        {
            content: "Large tiles: each card takes its share of the screen",
            trigger: "body.o_sales_wall .o_sales_board .o_kanban_record:contains('Cody')",
            run() {
                const card = this.anchor.getBoundingClientRect();
                const view = document.documentElement.clientWidth;
                if (card.width < Math.min(576, view / 3)) {
                    throw new Error(`The wall screen's card is ${card.width}px wide.`);
                }
            },
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
            content: "The list shows the dash too",
            trigger: ".o_list_view .o_data_row:has(.o_data_cell[name=user_id]:contains('Cody')) .o_data_cell[name=booking_rate]:contains('—')",
        },
        {
            content: "Open Reporting for the advisors' board",
            trigger: ".o_menu_sections [data-menu-xmlid='sales_coordination.sales_coordination_menu_reporting']",
            run: "click",
        },
        {
            content: "Advisor Performance",
            trigger: ".dropdown-item[data-menu-xmlid='sales_coordination.sales_report_advisor_menu']",
            run: "click",
        },
        {
            content: "Its list, week by week",
            trigger: ".o_pivot_view .o_switch_view.o_list",
            run: "click",
        },
        {
            content: "A column of the weeks' planned driving",
            trigger: ".o_list_view th[data-name=drive_minutes]:contains('Planned Drive')",
        },
        {
            content: "Ada's week of 10 March 2031: 117 minutes of driving",
            trigger: ".o_list_view .o_data_row:has(.o_data_cell[name=advisor_id]:contains('Ada Advisor')):has(.o_data_cell[name=week_start]:contains('03/10/2031')) .o_data_cell[name=drive_minutes]:contains('117')",
        },
        {
            content: "No error dialog on the way",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ],
});
