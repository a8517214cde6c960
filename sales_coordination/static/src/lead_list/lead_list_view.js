/** @odoo-module **/

import { user } from "@web/core/user";
import { registry } from "@web/core/registry";
import { ListController } from "@web/views/list/list_controller";
import { listView } from "@web/views/list/list_view";

// The Coordination app's Leads list: a coordinator's New takes the call through
// the intake (source asked for, known callers matched), as New Lead does.
export class SalesLeadListController extends ListController {
    async createRecord() {
        if (await user.hasGroup("sales_coordination.group_coordinator")) {
            return this.actionService.doAction("sales_coordination.sales_lead_intake_action");
        }
        return super.createRecord(...arguments);
    }
}

registry.category("views").add("sales_lead_list", {
    ...listView,
    Controller: SalesLeadListController,
});
