from odoo import Command
from odoo.exceptions import AccessDenied, AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import COORDINATOR_GROUPS, SalesCoordinationCommon

INTEGRATION_GROUP = "sales_coordination.group_inbound_integration"


class InboundUserCommon(SalesCoordinationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Source = cls.env["sales.inbound.source"]
        cls.integration = cls.Source.create({"name": "Call tracking"})
        cls.bot = cls.integration.user_id


@tagged("post_install", "-at_install")
class TestInboundTechnicalUser(InboundUserCommon):
    """An integration records its events with a user of its own, made for it, that
    can do nothing else."""

    def test_saving_the_form_creates_the_technical_user(self):
        form = Form(self.Source.with_user(self.manager))
        form.name = "Website form"
        integration = form.save()
        user = integration.user_id
        self.assertTrue(user.is_inbound_integration)
        self.assertIn("Website form", user.name)
        self.assertEqual(user.company_ids, self.company)
        self.assertFalse(user.share)
        self.assertTrue(user.has_group(INTEGRATION_GROUP))
        for xmlid in (
            "sales_coordination.group_coordinator",
            "sales_coordination.group_manager",
            "sales_team.group_sale_salesman",
            "base.group_partner_manager",
        ):
            self.assertFalse(user.has_group(xmlid), xmlid)
        self.assertFalse(user._is_admin())
        self.assertFalse(integration.user_problem)
        # Nobody logs in with it: it has no password.
        for password in ("", "admin", user.login):
            with self.assertRaises(AccessDenied):
                user.with_user(user)._check_credentials(
                    {"type": "password", "password": password}, {"interactive": True}
                )

    def test_only_managers_set_up_integrations(self):
        with self.assertRefused(AccessError, "coordination manager"):
            self.Source.with_user(self.coordinator).create({"name": "Sneaky"})

    def test_refuses_people_and_administrators(self):
        for user, fragment in (
            (self.env.ref("base.user_admin"), "administrator"),
            (self.env.ref("base.user_root"), "administrator"),
            (self.manager, "not a technical user"),
            (self.coordinator, "not a technical user"),
            (self.advisor, "not a technical user"),
        ):
            with self.subTest(user=user.login):
                with self.assertRefused(ValidationError, fragment):
                    self.Source.with_user(self.manager).create(
                        {"name": "Bad", "user_id": user.id}
                    )
                with self.assertRefused(ValidationError, "New Technical User"):
                    self.integration.with_user(self.manager).user_id = user

    def test_refuses_another_integrations_user(self):
        with self.assertRefused(ValidationError, "already records the events of"):
            self.Source.create({"name": "Second", "user_id": self.bot.id})

    def test_refuses_another_companys_user(self):
        other = self.Source.create({"name": "C2", "company_id": self.company_2.id})
        bot_c2 = other.user_id
        other.unlink()
        with self.assertRefused(ValidationError, "must work for"):
            self.Source.create({"name": "Misfit", "user_id": bot_c2.id})
        # Nor may the technical user work for a second company.
        self.bot.company_ids = [Command.link(self.company_2.id)]
        self.assertIn("must work for", self.integration.user_problem)

    def test_button_replaces_a_user_with_more_rights(self):
        self.bot.groups_id = [Command.link(self.env.ref(COORDINATOR_GROUPS).id)]
        self.assertIn("more rights", self.integration.user_problem)
        with self.assertRefused(AccessError, "coordination manager"):
            self.integration.with_user(self.coordinator).action_create_technical_user()
        self.integration.with_user(self.manager).action_create_technical_user()
        new = self.integration.user_id
        self.assertNotEqual(new, self.bot)
        self.assertTrue(new.is_inbound_integration)
        self.assertFalse(self.bot.active)
        self.assertFalse(self.integration.user_problem)

    def test_copy_gets_its_own_user(self):
        copy = self.integration.copy()
        self.assertTrue(copy.user_id.is_inbound_integration)
        self.assertNotEqual(copy.user_id, self.bot)

    def test_technical_user_rights(self):
        """The company's leads and contacts, its own integration and events, and
        nothing of the rest."""
        other = self.Source.create({"name": "Other"})
        Lead = self.env["crm.lead"].with_user(self.bot)
        self.assertIn(self.lead_2, Lead.search([]), "any lead of the company")
        self.assertNotIn(self.lead_c2, Lead.search([]))
        self.assertEqual(self.Source.with_user(self.bot).search([]), self.integration)
        self.assertFalse(
            self.env["sales.inbound.event"]
            .with_user(self.bot)
            .search([("source_id", "=", other.id)])
        )
        for model, operation in (
            ("sales.debrief", "read"),
            ("sales.source.cost", "read"),
            ("sales.call", "unlink"),
            ("crm.lead", "unlink"),
            ("sales.inbound.source", "write"),
            ("sales.inbound.event", "unlink"),
            ("res.users", "write"),
        ):
            with self.subTest(model=model, operation=operation):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(self.bot).check_access(operation)
        # It updates the calls it logged and withdraws the callbacks it queued,
        # and changes no other.
        followup = self.env["sales.followup"]._sales_queue(
            [
                {
                    "lead_id": self.lead_2.id,
                    "kind": "callback",
                    "window_start": "2026-03-02 08:00:00",
                    "window_end": "2026-03-02 12:00:00",
                }
            ]
        )
        call = self.env["sales.call"].create(
            {"lead_id": self.lead_2.id, "user_id": self.coordinator.id}
        )
        for record in (followup, call):
            with self.subTest(record=record._name):
                with self.assertRaises(AccessError):
                    record.with_user(self.bot).check_access("write")


@tagged("post_install", "-at_install")
class TestInboundEventAccess(InboundUserCommon):
    """Only the endpoint writes the events: everyone else reads them."""

    def test_events_are_read_only_for_coordinators_and_managers(self):
        event = (
            self.env["sales.inbound.event"]
            .with_user(self.bot)
            .create(
                {
                    "source_id": self.integration.id,
                    "state": "refused",
                    "status": 400,
                    "error": "malformed JSON",
                }
            )
        )
        for user in (self.coordinator, self.manager):
            with self.subTest(user=user.login):
                as_user = event.with_user(user)
                self.assertEqual(as_user.error, "malformed JSON")
                with self.assertRaises(AccessError):
                    as_user.write({"state": "done"})
                with self.assertRaises(AccessError):
                    as_user.unlink()
                with self.assertRaises(AccessError):
                    as_user.create({"source_id": self.integration.id, "state": "done"})
