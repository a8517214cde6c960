/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Whether these fields of the open call screen are in view, unscrolled.
function inView(anchor, names) {
    const body = anchor.closest(".modal-body");
    const box = body.getBoundingClientRect();
    if (body.scrollTop > 0) {
        throw new Error(`The call screen opened scrolled down by ${body.scrollTop}px.`);
    }
    for (const name of names) {
        const field = body.querySelector(`.o_field_widget[name=${name}]`);
        const rect = field.getBoundingClientRect();
        if (rect.top < box.top || rect.bottom > Math.min(box.bottom, window.innerHeight)) {
            throw new Error(`${name} is out of view on the call screen.`);
        }
    }
}

// At a coordinator's desk (1400x900): Next call opens on who to call and why;
// nobody answers; the next due call opens at once, a visit to confirm, with the
// visit's day, address and only the outcomes a confirmation can have.
registry.category("web_tour.tours").add("sales_coordination_call_screen", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Coordination app",
            trigger: ".o_app[data-menu-xmlid='sales_coordination.sales_coordination_menu_root']",
            run: "click",
        },
        {
            content: "Press Next Call",
            trigger: ".o_menu_sections [data-menu-xmlid='sales_coordination.sales_followup_menu_next_call']",
            run: "click",
        },
        {
            content: "The call screen opens on the customer, their phone and why now",
            trigger: ".modal .o_field_widget[name=partner_id]:contains('Carla Customer')",
            run() {
                inView(this.anchor, ["partner_id", "phone", "priority_reason"]);
            },
        },
        {
            content: "Why now",
            trigger: ".modal .o_field_widget[name=priority_reason]:contains('asked to be called back')",
        },
        {
            content: "The phone",
            trigger: ".modal .o_field_widget[name=phone]:contains('555 0142')",
        },
        {
            content: "The attempts agree with the history: ten tries, none answered",
            trigger: ".modal .o_field_widget[name=lead_attempt_count]:contains('10')",
        },
        {
            content: "Why now says the same streak",
            trigger: ".modal .o_field_widget[name=priority_reason]:contains('10 unanswered')",
        },
        {
            content: "Listen only where there is a recording: one of the ten",
            trigger: ".modal .o_field_widget[name=call_ids] a:contains('Listen')",
            run() {
                const history = this.anchor.closest(".o_field_widget[name=call_ids]");
                const rows = history.querySelectorAll(".o_data_row").length;
                const links = [...history.querySelectorAll("a")].filter((link) =>
                    link.textContent.includes("Listen")
                );
                if (rows !== 10 || links.length !== 1) {
                    throw new Error(`${links.length} Listen links on ${rows} calls.`);
                }
            },
        },
        {
            content: "Nobody answers",
            trigger: ".modal .o_field_widget[name=choice] input[data-value='no_answer']",
            run: "click",
        },
        {
            content: "Log the call",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The next due call opens at once: a visit to confirm",
            trigger: ".modal .o_field_widget[name=lead_id]:contains('Visit to confirm for Dora')",
            run() {
                inView(this.anchor, ["partner_id", "phone", "visit_start", "visit_location"]);
            },
        },
        {
            content: "with the visit's address",
            trigger: ".modal .o_field_widget[name=visit_location]:contains('12 Elm Street')",
        },
        {
            content: "and the outcomes of a confirmation only",
            trigger: ".modal .o_field_widget[name=choice]:has(input[data-value='confirmed']):has(input[data-value='move']):not(:has(input[data-value='won'])):not(:has(input[data-value='booked']))",
        },
        {
            content: "Close the call screen",
            trigger: ".modal .modal-footer button:contains('Close')",
            run: "click",
        },
        {
            content: "The call screen closes",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "Open the call queue",
            trigger: ".o_menu_sections [data-menu-xmlid='sales_coordination.sales_followup_menu']",
            run: "click",
        },
        {
            content: "Due now first: the visit to confirm above tomorrow's callback",
            trigger: ".o_list_view .o_data_row:first-child:contains('Visit to confirm for Dora')",
        },
        {
            content: "The callback waits for tomorrow, one more attempt made",
            trigger: ".o_list_view .o_data_row:contains('Heat pump for Carla') .o_data_cell[name=priority_reason]:contains('11 unanswered')",
        },
        {
            content: "No error on the way",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ],
});
