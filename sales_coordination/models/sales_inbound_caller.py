from odoo import fields, models
from odoo.tools import SQL


class SalesInboundCaller(models.Model):
    """One row per company and caller (their number, or their e-mail) that an
    integration made a lead for: making a new caller's lead writes it, so that
    two events of the same new caller at once (two calls, Twilio and CallRail
    both reporting one) conflict in PostgreSQL instead of both finding no lead
    and making one each. The second waits, fails to serialize, and Odoo's request
    handler runs it again: it then finds the first one's lead."""

    _name = "sales.inbound.caller"
    _description = "Inbound Caller Lock"
    _log_access = False

    company_id = fields.Many2one(
        "res.company", required=True, ondelete="cascade", readonly=True
    )
    caller = fields.Char(required=True, readonly=True)
    leads = fields.Integer(readonly=True)

    _sql_constraints = [
        (
            "company_caller_uniq",
            "unique(company_id, caller)",
            "One row per company and caller.",
        )
    ]

    def _claim(self, company, caller):
        """Write the row of ``caller`` (E.164 number or normalized e-mail) in
        ``company``."""
        self.env.cr.execute(
            SQL(
                """INSERT INTO sales_inbound_caller (company_id, caller, leads)
                   VALUES (%s, %s, 1)
                   ON CONFLICT (company_id, caller)
                   DO UPDATE SET leads = sales_inbound_caller.leads + 1""",
                company.id,
                caller,
            )
        )
