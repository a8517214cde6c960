/** @odoo-module **/

import { registry } from "@web/core/registry";

// Every menu of the Coordination app a role sees, opened as a click on it
// opens it (the menu service's selectMenu), then every view its switcher
// offers; after each, no error dialog. The menus come from the server's
// load_menus read as that user (tests/test_menu_walk.py), handed over in
// sessionStorage so that the plan survives a reload of the page.
export const MENU_WALK_KEY = "sales_coordination.menu_walk";

const NO_ERROR = "body:not(:has(.o_error_dialog))";

function services() {
    return odoo.__WOWL_DEBUG__.root.env.services;
}

async function closeDialogs() {
    if (document.querySelector(".modal")) {
        services().dialog.closeAll();
        await new Promise((resolve) => setTimeout(resolve, 0));
    }
}

function menuSteps(menu) {
    const steps = [
        {
            content: `Open ${menu.path}`,
            trigger: `${NO_ERROR} .o_main_navbar`,
            async run() {
                await closeDialogs();
                await services().menu.selectMenu(menu.id);
            },
        },
        {
            content: `${menu.path} shows, without an error`,
            trigger: `${NO_ERROR}:has(.o_action_manager > .o_action, .modal-content, .o_notification)`,
        },
    ];
    for (const viewType of menu.views) {
        steps.push(
            {
                content: `${menu.path}: switch to the ${viewType} view`,
                trigger: `${NO_ERROR} .o_action_manager .o_view_controller`,
                async run() {
                    const button = document.querySelector(`.o_switch_view.o_${viewType}`);
                    if (button) {
                        button.click();
                    } else {
                        // On a phone the switcher is a dropdown of the same entries.
                        await services().action.switchView(viewType);
                    }
                },
            },
            {
                content: `${menu.path}: the ${viewType} view shows, without an error`,
                trigger: `${NO_ERROR} .o_action_manager .o_${viewType}_view`,
            }
        );
    }
    return steps;
}

registry.category("web_tour.tours").add("sales_coordination_menu_walk", {
    steps: () => {
        const plan = JSON.parse(window.sessionStorage.getItem(MENU_WALK_KEY) || "[]");
        return [
            {
                content: `The plan holds the role's menus (${plan.length})`,
                trigger: "body",
                run() {
                    if (!plan.length) {
                        throw new Error("No menu to walk: the test hands them over.");
                    }
                },
            },
            ...plan.flatMap(menuSteps),
            {
                content: "The walk ends without an error dialog",
                trigger: NO_ERROR,
                async run() {
                    await closeDialogs();
                },
            },
            {
                content: "and none appeared on closing the last one",
                trigger: NO_ERROR,
            },
        ];
    },
});
