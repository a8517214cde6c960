/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// The coordinator turns the dialer on; Next call claims and dials in one
// request and opens the call screen as the line rings, a machine answers the
// simulated line, the voicemail is logged by itself and the next call is placed
// (with a pause of 0 s by the callback itself, else by the call screen after
// the pause), skipping a customer who asked not to be called, and its screen
// opens (a person answers it); the coordinator's board counts both dials.
registry.category("web_tour.tours").add("sales_coordination_dialer", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the user menu",
            trigger: ".o_user_menu button",
            run: "click",
        },
        {
            content: "Open the preferences",
            trigger: "[data-menu=settings]",
            run: "click",
        },
        {
            content: "The Dialer tab",
            trigger: ".modal .nav-link:contains('Dialer')",
            run: "click",
        },
        {
            content: "Turn the dialer on",
            trigger: ".modal div[name=sales_dialer_on] input",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".modal button[name=preference_save]",
            run: "click",
        },
        {
            content: "The preferences close",
            trigger: "body:not(.modal-open)",
        },
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Coordination app",
            trigger: ".o_app[data-menu-xmlid='sales_coordination.sales_coordination_menu_root']",
            run: "click",
        },
        {
            content: "Press Next Call: it dials",
            trigger: ".o_menu_sections [data-menu-xmlid='sales_coordination.sales_followup_menu_next_call']",
            run: "click",
        },
        {
            content: "The call screen opens with the line's progress",
            trigger: ".modal .o_field_widget[name=dial_status]:contains('agent queued')",
        },
        {
            content: "The call screen says the line is the local stand-in's",
            trigger: ".modal .o_sales_dial_simulated:contains('Simulated line')",
        },
        {
            content: "A machine answers: the voicemail is logged by itself",
            trigger: ".o_notification:contains('Logged by itself: voicemail')",
        },
        {
            content: "The next customer asked not to be called: skipped, and why",
            trigger: ".o_notification:contains('asked not to be called')",
        },
        {
            content: "and the next call is placed: a person answers it",
            trigger: ".o_notification:contains('A person answered')",
        },
        {
            content: "The call screen of the next call is open",
            trigger: ".modal .modal-title:contains('Solar tiles for Dora')",
        },
        {
            content: "The coordinator closes it to read their board",
            trigger: ".modal .btn-close",
            run: "click",
        },
        {
            content: "Open Reporting",
            trigger: "body:not(:has(.modal)) .o_menu_sections [data-menu-xmlid='sales_coordination.sales_coordination_menu_reporting']",
            run: "click",
        },
        {
            content: "The coordinator board",
            trigger: ".dropdown-item[data-menu-xmlid='sales_coordination.sales_coordinator_board_menu']",
            run: "click",
        },
        {
            content: "Two dials this month",
            trigger: ".o_kanban_record:contains('Cody') .o_sales_board_dialer .col-4:has(.o_sales_board_label:contains('Dials'):not(:contains('hour'))) .o_sales_board_figure:contains('2')",
        },
        {
            content: "one of them a person answered",
            trigger: ".o_kanban_record:contains('Cody') .o_sales_board_dialer .col-4:has(.o_sales_board_label:contains('Connects')) .o_sales_board_figure:contains('1')",
        },
        {
            content: "Two dials are too few for a connect ratio: a dash",
            trigger: ".o_kanban_record:contains('Cody') div[name=dial_connect_ratio] .o_sales_ratio_none:contains('—')",
        },
        {
            content: "No error on the way",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ],
});
