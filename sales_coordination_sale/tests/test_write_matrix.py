from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.sales_coordination.tests.write_matrix import NOW, WriteMatrixMixin

from .common import AFTER, SalesCoordinationSaleCommon

# Who may change each stored field the Sales bridge adds (see the addon's own
# table in sales_coordination/tests/test_write_matrix.py for the letters).
WRITE = {
    ("sale.order", "sales_lapse_called"): "",
    ("sale.order", "sales_lapse_note"): "",
    ("sales.debrief", "amount_untaxed"): "",
    ("sales.debrief", "product_interest"): "M",
    ("sales.debrief", "sale_order_id"): "M",
    ("sales.followup", "sale_order_id"): "",
}
CREATE = {("sales.followup", "sale_order_id"): ""}
CREATORS = {"sales.followup": "CM"}


@tagged("post_install", "-at_install")
class TestWriteMatrixSale(WriteMatrixMixin, SalesCoordinationSaleCommon):
    """The Sales bridge's part of the write matrix: the quotation of a queued
    call and of a confirmed debrief, the lapse of a quotation."""

    _matrix_module = "sales_coordination_sale"
    WRITE = WRITE
    CREATE = CREATE
    # The value before taxes is the linked quotation's.
    FOLLOWS = frozenset({("sales.debrief", "amount_untaxed")})

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.event = cls._book()
        cls.order = cls._quotation()
        cls.other_order = cls._quotation()
        with freeze_time(AFTER):
            cls.followup = cls.env["sales.followup"]._sales_queue(
                [
                    {
                        "lead_id": cls.lead.id,
                        "kind": "quote",
                        "window_start": NOW + timedelta(days=1),
                        "window_end": NOW + timedelta(days=1, hours=4),
                        "sale_order_id": cls.order.id,
                    }
                ]
            )

    def _create_values(self, model):
        return {
            "lead_id": self.lead.id,
            "kind": "callback",
            "window_start": NOW + timedelta(hours=1),
            "window_end": NOW + timedelta(hours=3),
        }

    def test_who_may_change_what(self):
        debrief = self._debrief_form(self.event, order=self.order)
        with freeze_time(AFTER):
            debrief.with_user(self.coordinator).action_confirm()
        records = {
            "sale.order": self.order,
            "sales.debrief": debrief,
            "sales.followup": self.followup,
        }
        with freeze_time(AFTER):
            self._check_matrix(records, CREATORS)
