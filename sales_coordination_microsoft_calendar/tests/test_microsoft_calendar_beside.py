"""Odoo's own Outlook sync tests, run again once every addon is loaded.

microsoft_calendar's tests run at install, before this bridge and
sales_coordination are loaded. Subclassed here and tagged post_install, the same
tests run with the rules on attendees' answers and on sales appointments in the
registry (Odoo's loader runs inherited test methods only when a class says
``allow_inherited_tests_method``).
"""

from odoo.tests import tagged

from odoo.addons.microsoft_calendar.tests import test_answer_events, test_update_events


@tagged("post_install", "-at_install")
class TestAnswerEventsBeside(test_answer_events.TestAnswerEvents):
    allow_inherited_tests_method = True


@tagged("post_install", "-at_install")
class TestUpdateEventsBeside(test_update_events.TestUpdateEvents):
    allow_inherited_tests_method = True
