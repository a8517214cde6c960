/** @odoo-module **/

import { registry } from "@web/core/registry";

// The coordinator reads the advisors' day side by side, moves to the next day
// and books a lead into an advisor's free slot.
registry.category("web_tour.tours").add("sales_coordination_dispatch_board", {
    steps: () => [
        {
            content: "The advisor the coordinator books is a column, with capacity left",
            trigger: ".o_sales_dispatch_header[data-advisor='Ada Advisor'] .o_sales_dispatch_day_left:contains('3 / 4')",
        },
        {
            content: "Monday's visit shows its customer, town and status",
            trigger: ".o_sales_dispatch_visit[data-status='awaiting']:contains('Carla Customer'):contains('Springfield')",
        },
        {
            content: "Move to the next day",
            trigger: ".o_sales_dispatch_next",
            run: "click",
        },
        {
            content: "Tuesday is shown, the advisor free",
            trigger: ".o_sales_dispatch_title:contains('Tuesday'):not(:has(.modal))",
        },
        {
            content: "A free slot right after the morning's visit, nearby",
            trigger: ".o_sales_dispatch_free[data-advisor='Ada Advisor'][data-time='10:00']",
            run: "click",
        },
        {
            content: "Look up a customer far away",
            trigger: ".modal .o_sales_dispatch_dialog .o_record_selector input",
            run: "edit Far Barn",
        },
        {
            content: "Pick the lead",
            trigger: ".o-autocomplete--dropdown-item:contains('Far Barn')",
            run: "click",
        },
        {
            content: "Try to book",
            trigger: ".modal .o_sales_dispatch_book",
            run: "click",
        },
        {
            content: "Refused for the drive, as the wizard refuses it, in the dialog",
            trigger: ".modal .o_sales_dispatch_refusal:contains('travel included')",
        },
        {
            content: "Close the dialog",
            trigger: ".modal .o_sales_dispatch_cancel",
            run: "click",
        },
        {
            content: "Book from the advisor's free slot at 14:00",
            trigger: ".o_sales_dispatch_free[data-advisor='Ada Advisor'][data-time='14:00']",
            run: "click",
        },
        {
            content: "Look the lead up",
            trigger: ".modal .o_sales_dispatch_dialog .o_record_selector input",
            run: "edit Tour Boiler",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-item:contains('Tour Boiler')",
            run: "click",
        },
        {
            content: "Book",
            trigger: ".modal .o_sales_dispatch_book",
            run: "click",
        },
        {
            content: "The visit appears in the advisor's column",
            trigger: ".o_sales_dispatch_visit:contains('Tina Tour'):contains('Shelbyville'):contains('14:00-15:30')",
        },
        {
            content: "The dialog closed, no error on the way",
            trigger: "body:not(:has(.modal)):not(:has(.o_error_dialog))",
        },
    ],
});
