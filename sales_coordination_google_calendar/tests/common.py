from datetime import datetime, timedelta, timezone
from unittest.mock import patch

from odoo.addons.google_calendar.models.google_sync import GoogleSync
from odoo.addons.google_calendar.utils.google_calendar import GoogleEvent
from odoo.addons.sales_coordination.tests.common import SalesCoordinationCommon


class GoogleSyncCommon(SalesCoordinationCommon):
    """The cast with Google Calendar connected for the advisor, and Google's
    side replaced: what Odoo would send to Google is recorded (who sends it,
    what), and what Google sends back is given to the sync as Google's API
    returns it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("google_calendar_sync_paused", False)
        # Distinct addresses: Google knows people by their e-mail.
        cls.advisor.email = "ada.advisor@example.com"
        cls.coordinator.email = "cody.coordinator@example.com"
        cls.advisor.res_users_settings_id.sudo().write(
            {
                "google_calendar_rtoken": "advisor-refresh-token",
                "google_calendar_token": "advisor-token",
                "google_calendar_token_validity": datetime.now() + timedelta(days=1),
            }
        )
        # The common cast's appointments are years ahead: Google's sync range
        # (a year around today by default) is a setting.
        cls.env["ir.config_parameter"].set_param(
            "google_calendar.sync.range_days", 3650
        )

    def setUp(self):
        super().setUp()
        self.sent = []  # (method, user, google id, values)

        def record(method):
            def recorded(event, service, *args, **kwargs):
                google_id = args[0] if method != "insert" else None
                values = args[-1] if method != "delete" else None
                self.sent.append((method, event.env.user, google_id, values))

            return recorded

        for method in ("insert", "patch", "delete"):
            patcher = patch.object(
                GoogleSync,
                f"_google_{method}",
                autospec=True,
                side_effect=record(method),
            )
            patcher.start()
            self.addCleanup(patcher.stop)

    def _sent(self, method):
        return [entry for entry in self.sent if entry[0] == method]

    @classmethod
    def _iso(cls, moment):
        return moment.replace(tzinfo=timezone.utc).isoformat()

    def _google_copy(self, event, **changes):
        """The event as the advisor's Google calendar holds it (what Odoo sent
        it), with ``changes``, updated on Google's side after Odoo's last write."""
        values = event.with_user(self.advisor)._google_values()
        values.update(
            updated=self._iso(event.write_date + timedelta(minutes=5)),
            organizer={"email": self.advisor.email, "self": True},
            status="confirmed",
        )
        values.update(changes)
        return values

    def _sync(self, *google_values, user=None, sudo=True):
        """Google's changes through the sync of ``user`` (default: the advisor),
        as Odoo's cron runs it (as that user, with sudo)."""
        events = GoogleEvent(list(google_values))
        env = self.env(user=user or self.advisor, su=sudo)
        events.clear_type_ambiguity(env)
        return env["calendar.event"]._sync_google2odoo(events)

    def _book_synced(self, user=None, **kwargs):
        """A sales appointment booked by ``user`` (default: the coordinator),
        with the customer invited, already in the advisor's Google calendar."""
        start = kwargs.get("start", self.start)
        event = (
            self.env["sales.appointment.scheduler"]
            .with_user(user or self.coordinator)
            .book(
                self.lead, self.advisor, start, start + timedelta(hours=1, minutes=30)
            )
        )
        event.write({"google_id": f"sales{event.id}", "need_sync": False})
        self.sent.clear()
        return event

    def _refusals(self, lead=None):
        return (lead or self.lead).activity_ids.filtered(
            lambda activity: activity.activity_type_id
            == self.env.ref(
                "sales_coordination_calendar_sync.mail_activity_type_calendar_refused"
            )
        )
