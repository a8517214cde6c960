import re

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import SalesCoordinationCommon


@tagged("post_install", "-at_install")
class TestAdvisorLogin(SalesCoordinationCommon, HttpCase):
    """An advisor's first login: Odoo gives a user the browser's time zone then
    (its `tz` cookie), a write of the advisor's own time zone that the working
    hours' rule refused, so that no field advisor could ever log in through the
    login page (found by the menu walk's screenshots of `make demo`)."""

    def _log_in(self, user, tz):
        page = self.url_open("/web/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        self.opener.cookies["tz"] = tz
        return self.url_open(
            "/web/login",
            data={"login": user.login, "password": user.login, "csrf_token": csrf},
            allow_redirects=False,
        )

    def test_first_login_in_their_own_time_zone(self):
        self.advisor.sudo().tz = "America/Chicago"
        self.assertFalse(self.advisor.login_date)
        response = self._log_in(self.advisor, "America/Chicago")
        self.assertEqual(response.status_code, 303, response.text[:300])
        self.assertEqual(self.advisor.tz, "America/Chicago")

    def test_first_login_elsewhere_keeps_the_managers_time_zone(self):
        # Their manager set Chicago; the advisor's browser says Paris.
        self.advisor.sudo().tz = "America/Chicago"
        response = self._log_in(self.advisor, "Europe/Paris")
        self.assertEqual(response.status_code, 303, response.text[:300])
        self.assertEqual(self.advisor.tz, "America/Chicago")
        self.assertTrue(self.advisor.login_date)
        # Once logged in, changing it is still their manager's to do.
        with self.assertRaises(AccessError):
            self.advisor.with_user(self.advisor).write({"tz": "Europe/Paris"})

    def test_own_time_zone_written_back_changes_nothing(self):
        advisor = self.advisor.with_user(self.advisor)
        advisor.write({"tz": self.advisor.tz})
        advisor.write({"resource_calendar_id": self.advisor.resource_calendar_id.id})
        # Another time zone is still their coordination manager's to give.
        with self.assertRaises(AccessError):
            advisor.write({"tz": "Asia/Tokyo"})
        self.assertEqual(self.advisor.tz, "UTC")
