from odoo import fields, models


class SalesCallReason(models.Model):
    """Why a customer called: a reason either counts the call as a lead (a new
    customer asking for a visit) or excuses it (spam, an existing customer about
    service, a wrong number, a job applicant), as call-centre software does."""

    _name = "sales.call.reason"
    _description = "Call Reason"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    is_lead = fields.Boolean(
        string="Counts as a Lead",
        help="A call for this reason is a lead: it counts in the funnel, the "
        "sources' cost per lead and the booking rate. Otherwise it is listed under "
        "Not Leads and counts nowhere.",
    )
    description = fields.Text()

    _sql_constraints = [
        ("name_uniq", "unique(name)", "A call reason of this name exists already.")
    ]
