/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";

// The dialer's news of the coordinator's own calls (sales.call._dialer_notify,
// on their partner's bus channel): the line's progress as a notification and,
// once a call was logged by itself with the dialer on, the next call after the
// coordinator's pause.
export const NEXT_CALL = "sales_coordination.sales_followup_action_next_call";

export function describeDialerNews(news) {
    if (news.dropped) {
        return _t("Your phone did not answer: the customer was not called.");
    }
    if (news.result) {
        return _t("Logged by itself: %s.", news.result.replace("_", " "));
    }
    if (news.answered_by === "human") {
        return _t("A person answered: pick the outcome when you are done.");
    }
    if (news.status) {
        return _t("Line: %s", news.status);
    }
    return "";
}

export const salesDialerService = {
    dependencies: ["bus_service", "notification", "action"],
    start(env, { bus_service, notification, action }) {
        let next = null;
        bus_service.subscribe("sales_coordination/dialer", (news) => {
            const message = describeDialerNews(news);
            if (message) {
                notification.add(message, { type: news.logged ? "success" : "info" });
            }
            if (news.logged && news.dialer_on) {
                clearTimeout(next);
                next = setTimeout(
                    () => action.doAction(NEXT_CALL),
                    1000 * Math.min(Math.max(news.pause || 0, 0), 30)
                );
            }
        });
    },
};

registry.category("services").add("sales_coordination_dialer", salesDialerService);
