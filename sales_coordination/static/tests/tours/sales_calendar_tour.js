/** @odoo-module **/

import { registry } from "@web/core/registry";

// The coordinator finds the booked visit in the advisors' calendar.
registry.category("web_tour.tours").add("sales_coordination_calendar", {
    steps: () => [
        {
            content: "The advisor is listed among the coordinator's advisors",
            trigger: ".o_calendar_filter_item:contains('Ada Advisor')",
        },
        {
            content: "The visit booked this week is in the calendar",
            trigger: ".o_calendar_renderer .fc-event:contains('Visit: Heat pump for Carla')",
            run: "click",
        },
        {
            content: "Its popover opens on the visit",
            trigger: ".o_cw_popover:contains('Visit: Heat pump for Carla')",
        },
    ],
});
