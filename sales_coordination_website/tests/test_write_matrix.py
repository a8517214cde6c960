from odoo.tests import tagged

from odoo.addons.sales_coordination.tests.common import SalesCoordinationCommon
from odoo.addons.sales_coordination.tests.write_matrix import WriteMatrixMixin

# Who may change each stored field the bridge adds (see the letters in
# sales_coordination/tests/test_write_matrix.py): a company setting, the
# administrator's (through the settings); the form's count of sendings, the
# form's own (nobody of the cast reads it).
WRITE = {
    ("res.company", "sales_web_coordinator_id"): "",
    ("sales.web.form.submission", "address"): "",
    ("sales.web.form.submission", "submitted_at"): "",
}


@tagged("post_install", "-at_install")
class TestWriteMatrixWebsite(WriteMatrixMixin, SalesCoordinationCommon):
    """The bridge's part of the write matrix: who takes the website's leads."""

    _matrix_module = "sales_coordination_website"
    WRITE = WRITE

    def test_who_may_change_what(self):
        submission = self.env["sales.web.form.submission"].create(
            {"address": "192.0.2.7", "submitted_at": "2026-03-02 09:00:00"}
        )
        self._check_matrix(
            {"res.company": self.company, "sales.web.form.submission": submission}, {}
        )
