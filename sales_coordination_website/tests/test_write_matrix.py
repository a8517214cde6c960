from odoo.tests import tagged

from odoo.addons.sales_coordination.tests.common import SalesCoordinationCommon
from odoo.addons.sales_coordination.tests.write_matrix import WriteMatrixMixin

# Who may change each stored field the bridge adds (see the letters in
# sales_coordination/tests/test_write_matrix.py): a company setting, the
# administrator's (through the settings).
WRITE = {("res.company", "sales_web_coordinator_id"): ""}


@tagged("post_install", "-at_install")
class TestWriteMatrixWebsite(WriteMatrixMixin, SalesCoordinationCommon):
    """The bridge's part of the write matrix: who takes the website's leads."""

    _matrix_module = "sales_coordination_website"
    WRITE = WRITE

    def test_who_may_change_what(self):
        self._check_matrix({"res.company": self.company}, {})
