/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Forms and lists as a coordinator reads them (1400x900).

function headersFit(anchor) {
    const list = anchor.closest(".o_list_renderer");
    const cut = [...list.querySelectorAll("thead th[data-name]")].filter((th) => {
        const title = th.querySelector(".o_list_column_title, span.text-truncate") || th;
        return title.scrollWidth > title.clientWidth + 1;
    });
    if (cut.length) {
        throw new Error(`Cut headers: ${cut.map((th) => th.textContent.trim()).join(", ")}`);
    }
}

const noError = {
    content: "No error on the way",
    trigger: "body:not(:has(.o_error_dialog))",
};

// A coordinator logs in: the call queue with Next call, not Discuss; the Leads
// list's New takes the call through the intake.
registry.category("web_tour.tours").add("sales_coordination_coordinator_start", {
    steps: () => [
        {
            content: "The coordinator starts on the call queue",
            trigger: ".o_breadcrumb .active:contains('Follow-up Calls')",
        },
        {
            content: "with Next Call on it",
            trigger: ".o_list_view .o_control_panel button[name=action_next_call]:contains('Next Call')",
        },
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Coordination app",
            trigger: ".o_app[data-menu-xmlid='sales_coordination.sales_coordination_menu_root']",
            run: "click",
        },
        {
            content: "opens on the call queue too",
            trigger: ".o_breadcrumb .active:contains('Follow-up Calls')",
        },
        {
            content: "Open the leads",
            trigger: ".o_menu_sections [data-menu-xmlid='sales_coordination.crm_lead_menu_coordination']",
            run: "click",
        },
        {
            content: "All leads",
            trigger: ".o-dropdown-item[data-menu-xmlid='sales_coordination.crm_lead_menu_all']",
            run: "click",
        },
        {
            content: "The leads list",
            trigger: ".o_breadcrumb .active:contains('Leads')",
        },
        {
            content: "New on the list",
            trigger: ".o_list_view .o_list_button_add",
            run: "click",
        },
        {
            content: "opens the intake: who, why and how they heard of us",
            trigger: ".modal .o_field_widget[name=contact_name]",
        },
        {
            content: "with the source asked for",
            trigger: ".modal .o_field_widget[name=source_id].o_required_modifier",
        },
        noError,
    ],
});

// A coordination manager logs in: the board.
registry.category("web_tour.tours").add("sales_coordination_manager_start", {
    steps: () => [
        {
            content: "The manager starts on the coordinator board",
            trigger: ".o_breadcrumb .active:contains('Coordinator Board')",
        },
        noError,
    ],
});

// The lead made by the intake, and the booking proposals read from it.
registry.category("web_tour.tours").add("sales_coordination_lead_reading", {
    steps: () => [
        {
            content: "The lead's title is short",
            trigger: ".o_form_view .oe_title .o_field_widget[name=name] textarea:value('Carla Customer: Cold rooms upstairs, the old boiler…')",
        },
        {
            content: "No probability before the first visit",
            trigger: ".o_form_view .oe_title:not(:has(.o_field_widget[name=probability]))",
        },
        {
            content: "The source on the first tab",
            trigger: ".o_notebook .nav-link.active:contains('Coordination')",
        },
        {
            content: "the source",
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name=source_id] input:value('Radio ad')",
        },
        {
            content: "and the address",
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name=street] input:value('12 Elm Street')",
        },
        {
            content: "Open the booking proposals",
            trigger: ".o_form_view .o_form_statusbar button:contains('Book Appointment')",
            run: "click",
        },
        {
            content: "Each proposal's day reads with its weekday, without seconds",
            trigger: ".modal .o_field_widget[name=proposal_ids] .o_data_row:first-child .o_data_cell[name=when_label]",
            run() {
                const rows = this.anchor.closest("tbody").querySelectorAll(".o_data_row");
                for (const row of rows) {
                    const when = row.querySelector(".o_data_cell[name=when_label]").textContent.trim();
                    const travel = row.querySelector(".o_data_cell[name=travel_label]").textContent.trim();
                    if (!/^[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{2}:\d{2}$/.test(when)) {
                        throw new Error(`A proposal reads "${when}".`);
                    }
                    if (!/^\d+ min$/.test(travel)) {
                        throw new Error(`A proposal's travel reads "${travel}".`);
                    }
                }
            },
        },
        {
            content: "The headers fit",
            trigger: ".modal .o_field_widget[name=proposal_ids] thead th[data-name=travel_label]",
            run() {
                headersFit(this.anchor);
            },
        },
        noError,
    ],
});
