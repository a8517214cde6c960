/** @odoo-module **/

import { registry } from "@web/core/registry";

// After a call is logged: close the call screen, bring the screen behind it up
// to date (the queue), then open what comes next (Next call), in a request of
// its own.
async function afterCall(env, action) {
    const actionService = env.services.action;
    await actionService.doAction({ type: "ir.actions.act_window_close" });
    const controller = actionService.currentController;
    if (controller) {
        await actionService.restore(controller.jsId);
    }
    return action.params?.next;
}

registry.category("actions").add("sales_coordination_after_call", afterCall);
