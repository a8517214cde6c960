/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A coordination manager changes the daily call target from the app's own
// Configuration > Settings.
registry.category("web_tour.tours").add("sales_coordination_manager_settings", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Coordination app",
            trigger: ".o_app[data-menu-xmlid='sales_coordination.sales_coordination_menu_root']",
            run: "click",
        },
        {
            content: "Open Configuration",
            trigger: ".o_menu_sections [data-menu-xmlid='sales_coordination.sales_coordination_menu_config']",
            run: "click",
        },
        {
            content: "The coordination settings",
            trigger: ".dropdown-item[data-menu-xmlid='sales_coordination.sales_coordination_settings_menu']",
            run: "click",
        },
        {
            content: "The form shows the company's daily call target",
            trigger: ".o_sales_coordination_settings .o_field_widget[name='sales_daily_call_target'] input:value(120)",
        },
        {
            content: "Change it",
            trigger: ".o_sales_coordination_settings .o_field_widget[name='sales_daily_call_target'] input",
            run: "edit 95",
        },
        {
            content: "Save",
            trigger: ".o_sales_coordination_settings button[name='action_sales_save']",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_notification:contains('The coordination settings are saved')",
        },
        {
            content: "No error dialog",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ],
});
