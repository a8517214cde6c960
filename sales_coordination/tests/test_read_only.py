"""What Odoo may serve from a read replica: the boards and reports are read-only
requests that write nothing (Odoo's test cursor for a read-only request refuses
writes, as a replica does, and Odoo then logs a warning and retries on the
primary); the screens that open right after a write are served by the primary."""

from odoo.tests import HttpCase, tagged

from .common import SalesCoordinationCommon


def readonly(model_class, method):
    """Whether Odoo's web client routes ``method`` of the model to a replica (the
    lookup of web/controllers/dataset.py)."""
    for cls in model_class.mro():
        found = getattr(cls, method, None)
        if found is not None and hasattr(found, "_readonly"):
            return found._readonly
    return False


@tagged("post_install", "-at_install")
class TestReadOnlyRequests(SalesCoordinationCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self.env["sales.call"].create(
            {"user_id": self.coordinator.id, "lead_id": self.lead.id}
        )
        self._book()

    def _call(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def test_reports_are_read_only_and_write_nothing(self):
        self.authenticate("sc_manager", "sc_manager")
        context = {"lang": "en_US", "tz": "UTC"}
        funnel_measures = [
            "lead_count:sum",
            "set_count:sum",
            "sold_count:sum",
            "spend:sum",
            "conversion_rate:sum",
            "cost_per_lead:sum",
        ]
        requests = [
            (
                "sales.coordinator.board",
                "web_search_read",
                [[]],
                {
                    "specification": {
                        "user_id": {"fields": {"display_name": {}}},
                        "calls_today": {},
                        "booking_rate": {},
                        "speed_to_lead_hours": {},
                        "debriefs_overdue": {},
                    },
                    "context": context,
                },
            ),
            (
                "sales.report.source",
                "read_group",
                [[], ["lead_count:sum", "revenue:sum"], ["source_id"]],
                {"lazy": False, "context": context},
            ),
            (
                "sales.report.source",
                "web_read_group",
                [[], ["lead_count:sum"], ["date:month"]],
                {"context": context},
            ),
            (
                "sales.report.funnel",
                "read_group",
                [[], funnel_measures, ["source_id"]],
                {"lazy": False, "context": context},
            ),
            (
                "sales.report.funnel.step",
                "read_group",
                [[], ["count:sum"], ["step"]],
                {"lazy": False, "context": context},
            ),
            (
                "sales.report.advisor",
                "read_group",
                [[], ["appointment_count:sum"], ["advisor_id"]],
                {"lazy": False, "context": context},
            ),
            (
                "sales.report.coordinator",
                "read_group",
                [[], ["call_count:sum"], ["user_id"]],
                {"lazy": False, "context": context},
            ),
        ]
        for model, method, args, kwargs in requests:
            with self.subTest(model=model, method=method):
                self.assertTrue(readonly(type(self.env[model]), method))
                # A write would make Odoo warn and retry on a read/write cursor.
                with self.assertNoLogs("odoo.http", "WARNING"):
                    result = self._call(model, method, *args, **kwargs)
                self.assertTrue(result)

    def test_screens_right_after_a_write_are_served_by_the_primary(self):
        for model, method in (
            ("calendar.event", "web_read"),
            ("sales.followup", "web_search_read"),
            ("sales.followup", "web_read"),
            ("crm.lead", "web_read"),
        ):
            with self.subTest(model=model, method=method):
                self.assertFalse(readonly(type(self.env[model]), method))
        # And the web client still calls them as before.
        self.authenticate("sc_coordinator", "sc_coordinator")
        spec = {"display_name": {}, "state": {}}
        queue = self._call("sales.followup", "web_search_read", [], spec)
        self.assertIn("records", queue)
        event = self.env["calendar.event"].search([], limit=1)
        for model, record in (("calendar.event", event), ("crm.lead", self.lead)):
            with self.subTest(model=model):
                read = self._call(model, "web_read", record.ids, {"display_name": {}})
                self.assertEqual(read[0]["id"], record.id)
        # Next call, bookings, debriefs: not read-only methods.
        for model, method in (
            ("sales.followup", "claim_next"),
            ("sales.followup", "action_next_call"),
            ("calendar.event", "create"),
            ("sales.debrief", "action_confirm"),
        ):
            with self.subTest(model=model, method=method):
                self.assertFalse(readonly(type(self.env[model]), method))
