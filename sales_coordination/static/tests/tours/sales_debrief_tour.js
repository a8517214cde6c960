/** @odoo-module **/

import { registry } from "@web/core/registry";

// Right after the visit, the coordinator records the advisor's debrief: the
// customer leans to a product, the quote, and a call-back window.
registry.category("web_tour.tours").add("sales_coordination_debrief", {
    steps: () => [
        {
            content: "The appointment waits for its debrief",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Due')",
        },
        {
            content: "Open the debrief",
            trigger: ".o_form_view .o_form_statusbar button[name=action_open_debrief]:contains('Debrief')",
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
            content: "The advisor's chance to close",
            trigger: ".o_form_view .o_field_widget[name=probability] input",
            run: "edit 60",
        },
        {
            content: "Outcome: advance to the next step",
            trigger: ".o_form_view .o_field_widget[name=outcome] input[data-value='advance']",
            run: "click",
        },
        {
            content: "The customer wants a call in the evening",
            trigger: ".o_form_view .o_field_widget[name=followup_daypart] input[data-value='evening']",
            run: "click",
        },
        {
            content: "Confirm the debrief",
            trigger: ".o_form_view .o_form_statusbar button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The debrief is confirmed and the follow-up call queued",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Confirmed')",
        },
        {
            content: "The queued call is linked",
            trigger: ".o_form_view .o_field_widget[name=followup_id] a, .o_form_view .o_field_widget[name=followup_id] span:not(:empty)",
        },
    ],
});
