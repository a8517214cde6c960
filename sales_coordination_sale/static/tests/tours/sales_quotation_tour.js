/** @odoo-module **/

import { registry } from "@web/core/registry";

// After the visit, the coordinator records the debrief from the quotation the
// advisor gave: its value and product come from it.
registry.category("web_tour.tours").add("sales_coordination_sale_debrief_quotation", {
    steps: () => [
        {
            content: "Open the debrief of the visit",
            trigger: ".o_form_view .o_form_statusbar button[name=action_open_debrief]:contains('Debrief')",
            run: "click",
        },
        {
            content: "What the advisor said, before any quotation",
            trigger: ".o_form_view .o_field_widget[name=product_interest] input",
            run: "edit Heat pump",
        },
        {
            content: "Outcome: advance to the next step",
            trigger: ".o_form_view .o_field_widget[name=outcome] input[data-value='advance']",
            run: "click",
        },
        {
            content: "Without a quotation, New Quotation is offered",
            trigger: ".o_form_view .o_form_statusbar button[name=action_new_quotation]",
            run: "click",
        },
        {
            content: "Sales' own quotation form, for the customer",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value(Carla Customer)",
        },
        {
            content: "The quotation was given at the visit already: discard this one",
            trigger: ".o_form_view .o_form_button_cancel",
            run: "click",
        },
        {
            content: "Back on the debrief",
            trigger: ".o_form_view .o_form_statusbar button[name=action_new_quotation]",
        },
        {
            content: "Look for the customer's quotations",
            trigger: ".o_form_view .o_field_widget[name=sale_order_id] input",
            run: "edit S",
        },
        {
            content: "Pick the quotation given at the visit",
            trigger: ".o_field_widget[name=sale_order_id] .o-autocomplete--dropdown-item a:contains('S0')",
            run: "click",
        },
        {
            content: "The value before taxes comes from the quotation",
            trigger: ".o_form_view .o_field_widget[name=amount_untaxed]:contains('10,500.00')",
        },
        {
            content: "So does the product of its main line",
            trigger: ".o_form_view .o_field_widget[name=product_interest]:contains('Heat pump 12 kW')",
        },
        {
            content: "And its state",
            trigger: ".o_form_view .o_field_widget[name=sale_order_state]:contains('Quotation Sent')",
        },
        {
            content: "The advisor's chance to close",
            trigger: ".o_form_view .o_field_widget[name=probability] input",
            run: "edit 70",
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
            content: "The debrief is confirmed",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Confirmed')",
        },
    ],
});

// The customer, logged in to the portal, signs the quotation.
registry.category("web_tour.tours").add("sales_coordination_sale_portal_sign", {
    steps: () => [
        {
            content: "Open the quotation among the customer's quotes",
            trigger: "table a:contains('S0')",
            run: "click",
        },
        {
            content: "Sign it",
            trigger: ".o_portal_sale_sidebar a:contains('Sign')",
            run: "click",
        },
        {
            content: "The name is filled in from the customer",
            trigger: ".modal .o_web_sign_name_and_signature input:value(Carla Customer)",
        },
        {
            content: "Pick a handwriting style",
            trigger: ".modal .o_web_sign_auto_select_style button",
            run: "click",
        },
        {
            content: "The second style",
            trigger: ".o-dropdown-item:eq(1)",
            run: "click",
        },
        {
            // A style clears the pad and draws the name once its image has
            // loaded; the button stays enabled meanwhile, and a signature sent
            // before is an empty one ("Signature is missing").
            content: "The signature is drawn on the pad",
            trigger: ".modal canvas.o_web_sign_signature",
            async run() {
                const canvas = this.anchor;
                const drawn = () =>
                    canvas
                        .getContext("2d")
                        .getImageData(0, 0, canvas.width, canvas.height)
                        .data.some((value, index) => index % 4 === 3 && value > 0);
                for (let wait = 0; wait < 100 && !drawn(); wait++) {
                    await new Promise((resolve) => setTimeout(resolve, 50));
                }
                if (!drawn()) {
                    throw new Error("The signature was not drawn on the pad in 5 s.");
                }
            },
        },
        {
            content: "Accept and sign",
            trigger: ".modal .o_portal_sign_submit:enabled",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger: "#quote_content:contains('Thank You')",
        },
        {
            // The page's last requests: the tour ends after them, not while the
            // browser still fetches (Odoo logs an error for a fetch cut short).
            content: "The order's history has loaded",
            trigger: "#chatterRoot:shadow .o-mail-Message",
        },
    ],
});

// Back in the queue: the quote call is gone, the happy call waits.
registry.category("web_tour.tours").add("sales_coordination_sale_queue_without_quote", {
    steps: () => [
        {
            content: "The happy call after the sale is queued",
            trigger: ".o_list_view .o_data_row:contains('Heat pump for Carla'):contains('Happy Call')",
        },
        {
            content: "No quote follow-up is left for the customer who signed",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Heat pump for Carla'):contains('Quote Follow-up')))",
        },
    ],
});
