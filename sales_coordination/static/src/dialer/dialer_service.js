/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";

// The dialer's news of the coordinator's own calls (sales.call._dialer_notify,
// on their partner's bus channel): the line's progress as a notification and,
// once a call was logged by itself with the dialer on, the next call: placed
// by the server at once when the coordinator's pause is 0 s (its screen comes
// as news.next, or why there is none as news.refused), pressed here after a
// pause of their own. news.skipped: why Next call skipped the calls it could
// not dial (their customers' hours or numbers).
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
            if (news.next) {
                clearTimeout(next);
                action.doAction(news.next);
                return;
            }
            for (const why of news.skipped || []) {
                notification.add(why, { type: "warning", title: _t("Skipped") });
            }
            if (news.refused) {
                notification.add(news.refused, { type: "danger", sticky: true });
            }
            if (news.skipped || news.refused) {
                return;
            }
            const message = describeDialerNews(news);
            if (message) {
                notification.add(message, { type: news.logged ? "success" : "info" });
            }
            if (news.logged && news.dialer_on && news.pause > 0) {
                clearTimeout(next);
                next = setTimeout(
                    () => action.doAction(NEXT_CALL),
                    1000 * Math.min(news.pause, 30)
                );
            }
        });
    },
};

registry.category("services").add("sales_coordination_dialer", salesDialerService);
