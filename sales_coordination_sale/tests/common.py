from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form

from odoo.addons.sales_coordination.models.sales_followup import OPEN_STATES
from odoo.addons.sales_coordination.tests.common import SalesCoordinationCommon

# The appointment of the cast: Monday 2031-03-03 09:00-10:30 UTC; the debrief is
# recorded right after it.
AFTER = datetime(2031, 3, 3, 11, 0)


class SalesCoordinationSaleCommon(SalesCoordinationCommon):
    """The sales_coordination cast, with products and quotations."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Prices before taxes are what the tests count: no taxes on the products.
        Product = cls.env["product.product"]
        cls.heat_pump = Product.create(
            {"name": "Heat pump 12 kW", "list_price": 9000.0, "taxes_id": False}
        )
        cls.install = Product.create(
            {
                "name": "Installation",
                "type": "service",
                "list_price": 1500.0,
                "taxes_id": False,
            }
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Oscar Other"})
        cls.customer.email = "carla@example.com"
        cls.customer_c2 = cls.env["res.partner"].create(
            {"name": "Cleo Company Two", "company_id": cls.company_2.id}
        )
        cls.lead_c2.partner_id = cls.customer_c2

    @classmethod
    def _quotation(cls, lead=None, partner=None, lines=None, user=None, **values):
        """A draft quotation of ``lead`` (its customer by default), made as
        ``user`` (default: the superuser)."""
        lead = lead or cls.lead
        env = cls.env(user=user) if user else cls.env
        lines = lines or [(cls.heat_pump, 1, 9000.0), (cls.install, 1, 1500.0)]
        return env["sale.order"].create(
            {
                "partner_id": (partner or lead.partner_id).id,
                "opportunity_id": lead.id,
                "company_id": (lead.company_id or cls.company).id,
                "user_id": lead.user_id.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "price_unit": price,
                        }
                    )
                    for product, qty, price in lines
                ],
                **values,
            }
        )

    def _open_followups(self, lead=None, kind=None):
        # sudo: what the queue holds, whoever the test's user is (accounting's
        # test cast runs as a user of its own).
        return (
            self.env["sales.followup"]
            .sudo()
            .search(
                [
                    ("lead_id", "=", (lead or self.lead).id),
                    ("state", "in", OPEN_STATES),
                    *([("kind", "=", kind)] if kind else []),
                ]
            )
        )

    def assertLogged(self, lead, fragment):
        """Some message of the lead's chatter says ``fragment``."""
        bodies = [str(body) for body in lead.message_ids.mapped("body")]
        self.assertTrue(any(fragment in body for body in bodies), bodies)

    def _debrief_form(self, event, user=None, order=None, **values):
        """Record the debrief of ``event`` in the form, as ``user`` (default: the
        coordinator), from ``order`` when given."""
        user = user or self.coordinator
        with (
            freeze_time(AFTER),
            Form(
                self.env["sales.debrief"]
                .with_user(user)
                .with_context(default_event_id=event.id)
            ) as form,
        ):
            if order:
                form.sale_order_id = order
            else:
                form.product_interest = values.pop("product_interest", "Heat pump")
                form.amount_untaxed = values.pop("amount_untaxed", 12000)
            form.probability = values.pop("probability", 60)
            form.outcome = values.pop("outcome", "advance")
            if form.outcome in ("advance", "repeat"):
                form.followup_daypart = values.pop("followup_daypart", "evening")
            for name, value in values.items():
                setattr(form, name, value)
        return form.record
