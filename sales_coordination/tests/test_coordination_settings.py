from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from .common import SalesCoordinationCommon

# The company's settings that stay administrators' (Odoo's Settings): a server
# the addon calls, a recording the telephone service fetches, who may enter
# leads, and the addon's own upkeep flag.
ADMIN_ONLY = {
    "sales_routing_url": "http://127.0.0.1:1",
    "sales_dialer_voicemail_url": "https://example.com/message.mp3",
    "sales_lead_entry_restricted": False,
    "sales_priority_rate_pending": True,
}


@tagged("post_install", "-at_install")
class TestCoordinationSettings(SalesCoordinationCommon):
    """A coordination manager changes the company's coordination settings from
    Coordination > Configuration > Settings, and nobody else does; tried as a
    JSON-RPC client would."""

    def _settings(self, user, **context):
        return (
            self.env["sales.coordination.settings"]
            .with_user(user)
            .with_context(**context)
        )

    def test_manager_saves_the_company_settings(self):
        Settings = self._settings(self.manager)
        # The form opens on the company's values.
        self.company.sales_daily_call_target = 120
        self.assertEqual(Settings.new({}).sales_daily_call_target, 120)
        result = Settings.web_save(
            {"sales_daily_call_target": 90, "sales_morning_start": 7.5},
            specification={"sales_daily_call_target": {}, "company_id": {}},
        )
        self.assertEqual(result[0]["sales_daily_call_target"], 90)
        self.assertEqual(result[0]["company_id"], self.company.id)
        self.assertEqual(self.company.sales_daily_call_target, 90)
        self.assertEqual(self.company.sales_morning_start, 7.5)
        # Saved again, from the same record (the form's second save).
        record = Settings.browse(result[0]["id"])
        record.write({"sales_claim_minutes": 20, "sales_shared_queue": True})
        self.assertEqual(self.company.sales_claim_minutes, 20)
        self.assertTrue(self.company.sales_shared_queue)
        self.assertEqual(record.action_sales_save()["tag"], "display_notification")
        # The other company keeps its own values.
        self.assertEqual(self.company_2.sales_daily_call_target, 120)
        self.assertEqual(self.company_2.sales_claim_minutes, 15)

    def test_coordinators_and_advisors_are_refused(self):
        self.company.sales_daily_call_target = 120
        for user in (self.coordinator, self.other_coordinator, self.advisor):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self._settings(user).create({"sales_daily_call_target": 1})
                with self.assertRaises(AccessError):
                    self._settings(user).web_save(
                        {"sales_daily_call_target": 1}, specification={}
                    )
        self.assertEqual(self.company.sales_daily_call_target, 120)
        # ... and they are not offered the menu.
        menu = self.env.ref("sales_coordination.sales_coordination_settings_menu")
        Menu = self.env["ir.ui.menu"]
        for user in (self.coordinator, self.advisor):
            self.assertNotIn(menu.id, Menu.with_user(user)._visible_menu_ids())
        self.assertIn(menu.id, Menu.with_user(self.manager)._visible_menu_ids())

    def test_other_company_manager_is_refused(self):
        self.company.sales_daily_call_target = 120
        with self.assertRaises(AccessError):
            self._settings(self.manager_c2).create(
                {"company_id": self.company.id, "sales_daily_call_target": 1}
            )
        with self.assertRaises(AccessError):
            self._settings(
                self.manager_c2, allowed_company_ids=self.company.ids
            ).create({"sales_daily_call_target": 1})
        # Nor through a record of their own company, moved to the other.
        record = self._settings(self.manager_c2).create({})
        self.assertEqual(record.company_id, self.company_2)
        with self.assertRaises(AccessError):
            record.write({"company_id": self.company.id, "sales_daily_call_target": 1})
        self.assertEqual(self.company.sales_daily_call_target, 120)
        # Their own company: theirs to set.
        record.write({"sales_daily_call_target": 60})
        self.assertEqual(self.company_2.sales_daily_call_target, 60)
        self.assertEqual(self.company.sales_daily_call_target, 120)

    def test_manager_of_two_companies_sets_the_current_one(self):
        self.manager.company_ids = self.company | self.company_2
        self._settings(
            self.manager, allowed_company_ids=[self.company_2.id, self.company.id]
        ).create({"sales_daily_call_target": 44})
        self.assertEqual(self.company_2.sales_daily_call_target, 44)
        self.assertEqual(self.company.sales_daily_call_target, 120)
        # Not the one it is not working in.
        with self.assertRaises(AccessError):
            self._settings(
                self.manager, allowed_company_ids=[self.company_2.id, self.company.id]
            ).create({"company_id": self.company.id, "sales_daily_call_target": 45})
        self.assertEqual(self.company.sales_daily_call_target, 120)

    def test_bad_values_are_refused_with_nothing_written(self):
        self.company.write({"sales_daily_call_target": 120, "sales_claim_minutes": 15})
        Settings = self._settings(self.manager)
        bad = [
            {"sales_daily_call_target": 90, "sales_claim_minutes": 0},
            {"sales_daily_call_target": 90, "sales_morning_start": 13.0},
            {"sales_daily_call_target": 90, "sales_travel_speed": 0.0},
            {"sales_daily_call_target": 90, "sales_priority_decay": 100.0},
            {"sales_daily_call_target": 90, "sales_dialer_hour_end": 25.0},
            {"sales_daily_call_target": 90, "sales_not_contacted_days": 0},
        ]
        for values in bad:
            with self.subTest(values=values):
                with self.assertRaises(ValidationError):
                    Settings.create(values)
                self.assertEqual(self.company.sales_daily_call_target, 120)
        record = Settings.create({})
        with self.assertRaises(ValidationError):
            record.write({"sales_daily_call_target": 90, "sales_max_attempts": 0})
        self.assertEqual(self.company.sales_daily_call_target, 120)
        self.assertEqual(self.company.sales_max_attempts, 5)

    def test_admin_only_settings_cannot_be_reached(self):
        before = {name: self.company[name] for name in ADMIN_ONLY}
        Settings = self._settings(self.manager)
        for name, value in ADMIN_ONLY.items():
            with self.subTest(field=name):
                self.assertNotIn(name, Settings._fields)
                with self.assertRaises(ValueError):
                    Settings.create({name: value})
                with self.assertRaises(ValueError):
                    Settings.create({}).write({name: value})
                # Nor straight on the company (an AccessError; the upkeep flag:
                # UserError, as any other hand-written workflow field).
                with self.assertRaises(UserError):
                    self.company.with_user(self.manager).write({name: value})
        self.assertEqual({name: self.company[name] for name in ADMIN_ONLY}, before)

    def test_administrators_settings_still_work(self):
        admin = self.env.ref("base.user_admin")
        config = (
            self.env["res.config.settings"]
            .with_user(admin)
            .create(
                {
                    "sales_daily_call_target": 77,
                    "sales_routing_url": "http://127.0.0.1:5000",
                }
            )
        )
        config.execute()
        self.assertEqual(self.company.sales_daily_call_target, 77)
        self.assertEqual(self.company.sales_routing_url, "http://127.0.0.1:5000")


@tagged("post_install", "-at_install")
class TestCoordinationSettingsUi(SalesCoordinationCommon, HttpCase):
    browser_size = "1400x900"

    def test_manager_settings_tour(self):
        self.company.sales_daily_call_target = 120
        self.start_tour(
            "/odoo", "sales_coordination_manager_settings", login="sc_manager"
        )
        self.assertEqual(self.company.sales_daily_call_target, 95)
