/** @odoo-module **/

import { registry } from "@web/core/registry";

// An advisor on a phone: today's visits in order, the address with its map, the
// customer's phone, then the debrief of the visit just made.
registry.category("web_tour.tours").add("sales_coordination_advisor_day", {
    url: "/odoo/my-day",
    steps: () => [
        {
            content: "Today's visits, the earlier one first",
            trigger: ".o_sales_advisor_day .o_kanban_record:first:contains('Morning visit tour')",
        },
        {
            content: "then the later one",
            trigger: ".o_sales_advisor_day .o_kanban_record:eq(1):contains('Late visit tour')",
        },
        {
            content: "Tomorrow's visit is not today's",
            trigger: ".o_sales_advisor_day:not(:has(.o_kanban_record:contains('Tomorrow visit tour')))",
        },
        {
            content: "The address opens a map",
            trigger: ".o_kanban_record:first .o_sales_map_link a[href*='openstreetmap.org/search?query=12%20Elm%20Street']",
        },
        {
            content: "The customer's phone can be called from the phone",
            trigger: ".o_kanban_record:first a[href^='tel:']",
        },
        {
            content: "Start the debrief of the morning's visit",
            trigger: ".o_kanban_record:first button[name=action_open_debrief]",
            run: "click",
        },
        {
            content: "The debrief form, for that visit",
            trigger: ".o_form_view:has(.o_field_widget[name=product_interest]):contains('Morning visit tour')",
        },
    ],
});
