from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    sales_reminder_sms = fields.Boolean(
        string="SMS Reminder the Day Before",
        default=True,
        help="Sales appointments booked from now on carry Odoo's SMS calendar "
        "reminder: a text to the customer a day before the visit, unless they "
        "declined it (IAP credits).",
    )
