"""Odoo's own sale_crm tests, run again once every addon is loaded.

sale_crm's tests run at install, as Odoo installs sale_crm: this bridge, which
depends on it, is not loaded yet then. Subclassed here and tagged post_install,
the very same tests run with sales_coordination and this bridge in the registry.
Odoo's loader runs only the methods a class defines itself, unless it says
``allow_inherited_tests_method``.
"""

from odoo.tests import tagged

from odoo.addons.sale_crm.tests import (
    test_crm_lead_convert_quotation,
    test_crm_lead_merge,
    test_sale_crm,
)


@tagged("post_install", "-at_install")
class TestSaleCrmBeside(test_sale_crm.TestSaleCrm):
    allow_inherited_tests_method = True


@tagged("post_install", "-at_install")
class TestLeadConvertToQuotationBeside(
    test_crm_lead_convert_quotation.TestLeadConvertToTicket
):
    allow_inherited_tests_method = True


@tagged("post_install", "-at_install")
class TestLeadSaleMergeBeside(test_crm_lead_merge.TestLeadSaleMerge):
    allow_inherited_tests_method = True
