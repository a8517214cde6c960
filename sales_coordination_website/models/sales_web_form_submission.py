from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

# How many times one address may send the website's form in FLOOD_PERIOD; the
# system parameter sales_coordination_website.form_limit changes it.
FORM_LIMIT = 10
FLOOD_PERIOD = timedelta(minutes=10)
LIMIT_PARAMETER = "sales_coordination_website.form_limit"


class SalesWebFormSubmission(models.Model):
    """One accepted sending of the website's contact form, by network address:
    counted in the database (every Odoo worker sees the same count), kept a day."""

    _name = "sales.web.form.submission"
    _description = "Website Form Submission"
    _order = "id desc"
    _log_access = False

    address = fields.Char(required=True, index=True, readonly=True)
    submitted_at = fields.Datetime(required=True, readonly=True)

    @api.model
    def _sales_admit(self, address):
        """Count one more sending from ``address``, or refuse it (a UserError,
        which the form shows the visitor) when the address sent the form
        FORM_LIMIT times in the last ten minutes."""
        now = fields.Datetime.now()
        # sudo: the visitor is the public user; this is the form's own count of
        # its sendings, which nobody else reads or writes.
        limit = int(
            self.env["ir.config_parameter"].sudo().get_param(LIMIT_PARAMETER)
            or FORM_LIMIT
        )
        count = self.sudo().search_count(
            [("address", "=", address or ""), ("submitted_at", ">", now - FLOOD_PERIOD)]
        )
        if count >= limit:
            raise UserError(
                self.env._(
                    "We received too many messages from your network in the last "
                    "minutes. Please try again in ten minutes, or call us."
                )
            )
        self.sudo().create({"address": address or "", "submitted_at": now})

    @api.autovacuum
    def _gc_submissions(self):
        self.sudo().search(
            [("submitted_at", "<", fields.Datetime.now() - timedelta(days=1))]
        ).unlink()
