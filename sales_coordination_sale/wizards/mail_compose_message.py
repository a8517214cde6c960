from odoo import models

from ..models.sale_order import sending_quotations


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _action_send_mail_comment(self, res_ids):
        # Sale's Send by Email: the composer Sale opens on a quotation (with its
        # own ``mark_so_as_sent``), sent by a user of the company, is the step
        # that hands the customer the quotation and restarts its follow-up.
        if (
            self.model == "sale.order"
            and self.env.context.get("mark_so_as_sent")
            and not self.env.user.share
        ):
            with sending_quotations(res_ids):
                return super()._action_send_mail_comment(res_ids)
        return super()._action_send_mail_comment(res_ids)
