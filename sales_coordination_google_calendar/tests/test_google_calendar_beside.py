"""Odoo's own Google Calendar sync tests, run again once every addon is loaded.

google_calendar's tests run at install, before this bridge and
sales_coordination are loaded. Subclassed here and tagged post_install, the same
tests run with the rules on attendees' answers and on sales appointments in the
registry (Odoo's loader runs inherited test methods only when a class says
``allow_inherited_tests_method``).
"""

from odoo.tests import tagged

from odoo.addons.google_calendar.tests import (
    test_sync_google2odoo,
    test_sync_odoo2google,
)


@tagged("post_install", "-at_install")
class TestSyncGoogle2OdooBeside(test_sync_google2odoo.TestSyncGoogle2Odoo):
    allow_inherited_tests_method = True


@tagged("post_install", "-at_install")
class TestSyncOdoo2GoogleBeside(test_sync_odoo2google.TestSyncOdoo2Google):
    allow_inherited_tests_method = True
