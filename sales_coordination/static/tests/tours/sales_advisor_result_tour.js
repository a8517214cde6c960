/** @odoo-module **/

import { registry } from "@web/core/registry";

// An advisor on a phone, at the customer's: the visit has started, they record
// its result from My Day (a draft their coordinator confirms with them).
registry.category("web_tour.tours").add("sales_coordination_advisor_result", {
    url: "/odoo/my-day",
    steps: () => [
        {
            content: "The visit under way, with its Debrief button",
            trigger: ".o_sales_advisor_day .o_kanban_record:contains('Heat pump for Carla') button[name=action_open_debrief]",
            run: "click",
        },
        {
            content: "The advisor's form, for that visit",
            trigger: ".o_form_view:has(.o_field_widget[name=outcome]):contains('Heat pump for Carla')",
        },
        {
            content: "Outcome: advance to the next step",
            trigger: ".o_form_view .o_field_widget[name=outcome] input[data-value='advance']",
            run: "click",
        },
        {
            content: "The product the customer leans to",
            trigger: ".o_form_view .o_field_widget[name=product_interest] input",
            run: "edit Heat pump 9 kW",
        },
        {
            content: "The value of the quote before taxes",
            trigger: ".o_form_view .o_field_widget[name=amount_untaxed] input",
            run: "edit 9500",
        },
        {
            content: "The chance to close",
            trigger: ".o_form_view .o_field_widget[name=probability] input",
            run: "edit 60",
        },
        {
            content: "The next step agreed",
            trigger: ".o_form_view .o_field_widget[name=next_step] textarea",
            run: "edit Compare with the neighbour's quote",
        },
        {
            content: "The customer wants a call in the evening",
            trigger: ".o_form_view .o_field_widget[name=followup_daypart] input[data-value='evening']",
            run: "click",
        },
        {
            content: "Save the draft",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved, a draft",
            trigger: ".o_form_view .o_form_saved .o_statusbar_status button.o_arrow_button_current:contains('Draft')",
        },
        {
            content: "No error on the way",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ],
});

// The coordinator opens the visit's debrief: it starts from the advisor's
// draft, and their confirmation is what moves the opportunity.
registry.category("web_tour.tours").add("sales_coordination_debrief_from_draft", {
    steps: () => [
        {
            content: "Open the debrief",
            trigger: ".o_form_view .o_form_statusbar button[name=action_open_debrief]:contains('Debrief')",
            run: "click",
        },
        {
            content: "The advisor's product is there",
            trigger: ".o_form_view .o_field_widget[name=product_interest] input:value('Heat pump 9 kW')",
        },
        {
            content: "and the value of the quote",
            trigger: ".o_form_view .o_field_widget[name=amount_untaxed] input:value('9,500.00')",
        },
        {
            content: "and the chance to close, in percent",
            trigger: ".o_form_view .o_field_widget[name=probability] input:value('60.00')",
        },
        {
            content: "Confirm the debrief",
            trigger: ".o_form_view .o_form_statusbar button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The debrief is confirmed",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Confirmed')",
        },
        {
            content: "No error on the way",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ],
});
