from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import html2plaintext, is_html_empty, plaintext2html

# A visitor who sends the form again within this time (a second click, a flood)
# adds to the lead they made rather than making another.
FLOOD_WINDOW = timedelta(hours=1)
# What the website's form may not choose: the company's settings decide who
# takes a web lead (crm's form accepts these two from any visitor).
ROUTING_FIELDS = ("user_id", "team_id")


class CrmLead(models.Model):
    _inherit = "crm.lead"

    sales_match_lead_ids = fields.Many2many(
        "crm.lead",
        string="Same Customer's Open Leads",
        compute="_compute_sales_matches",
        help="The other open leads of the company with this lead's phone or "
        "e-mail, among those you may see: merge them into one when they are the "
        "same customer's.",
    )
    sales_match_partner_ids = fields.Many2many(
        "res.partner",
        string="Contacts Found",
        compute="_compute_sales_matches",
        help="The contacts with this lead's phone or e-mail, found as the intake "
        "finds them.",
    )

    @api.depends("phone", "email_from", "partner_id", "company_id")
    def _compute_sales_matches(self):
        for lead in self:
            if not lead.id or not (lead.phone or lead.email_from):
                lead.sales_match_lead_ids = False
                lead.sales_match_partner_ids = False
                continue
            leads, partners = self._sales_find_matches(lead.phone, lead.email_from)
            lead.sales_match_lead_ids = leads.filtered(
                lambda other, lead=lead: other != lead
                and other.company_id == lead.company_id
            )
            lead.sales_match_partner_ids = (partners - lead.partner_id).filtered(
                lambda partner, lead=lead: partner.company_id
                in (lead.company_id, self.env["res.company"])
            )

    def action_sales_merge_matches(self):
        """The coordinator merges this lead and the same customer's open leads
        found (crm's merge, with their own rights: it keeps the most advanced
        lead). Returns the kept lead's form."""
        self.ensure_one()
        if not self.env.user.has_group("sales_coordination.group_coordinator"):
            raise AccessError(
                self.env._(
                    "Only a sales coordinator merges a customer's leads: ask yours "
                    "to merge “%(lead)s”.",
                    lead=self.display_name,
                )
            )
        matches = self.sales_match_lead_ids
        if not matches:
            return self._get_records_action(context={})
        return (self | matches).merge_opportunity()._get_records_action(context={})

    def action_sales_link_contact(self):
        """The coordinator links this lead to the one contact found."""
        self.ensure_one()
        partner = self.sales_match_partner_ids
        if len(partner) == 1 and not self.partner_id:
            self.partner_id = partner
        return True

    def website_form_input_filter(self, request, values):
        """A lead from the website's form: the company's settings decide who
        takes it (the visitor's user_id and team_id are dropped; the company's
        coordinator of new web leads calls back), and a customer who just wrote
        wants an answer now."""
        values = {
            key: value for key, value in values.items() if key not in ROUTING_FIELDS
        }
        values = super().website_form_input_filter(request, values)
        coordinator = request.website.company_id.sales_web_coordinator_id
        if coordinator and not values.get("coordinator_id"):
            values["coordinator_id"] = coordinator.id
        values["urgency"] = "now"
        return values

    @api.model
    def _sales_web_form_repeat(self, visitor, company, message):
        """The lead this browser (``visitor``) made in the last hour with the
        same ``message`` (what the visitor wrote, as ``_message`` reads it),
        whatever name or address it gives; an empty recordset if none."""
        if not visitor or not message:
            return self.browse()
        since = fields.Datetime.now() - FLOOD_WINDOW
        return visitor.lead_ids.filtered(
            lambda other: other.active
            and other.company_id == company
            and other.create_date >= since
            and not other.stage_id.is_won
            and message in _message(other.description)
        )[:1]

    def _sales_web_form_repeated(self, values):
        """The visitor sent the form again: what they typed this time is noted on
        their own lead (escaped, as any text from a visitor) and its callback is
        brought forward; nothing else changes."""
        self.ensure_one()
        typed = [
            values.get(name)
            for name in ("contact_name", "partner_name", "phone", "email_from")
            if values.get(name)
        ]
        self._message_log(
            body=self.env._(
                "The visitor sent the website's form again (%(details)s).",
                details=", ".join(typed) or "-",
            )
        )
        self._sales_web_form_callback()

    def _sales_web_form_received(self):
        """What the website's form does after creating this lead (as superuser,
        like the form itself): its need read from the message and a callback at
        the top of the queue, due at once. The lead stays the visitor's own: the
        customer's contact and open leads it matches are only shown to the
        coordinator (``sales_match_*``), who links or merges them."""
        self.ensure_one()
        if not self.perceived_need and not is_html_empty(self.description):
            self.perceived_need = html2plaintext(self.description)
        self._sales_web_form_callback()
        self._sales_web_form_check_contact()

    def _sales_web_form_callback(self):
        """One callback, due now, at the top of the queue: a second form of the
        same visitor brings their open callback forward rather than queue
        another (one being made is left to its coordinator)."""
        return self.env["sales.followup"]._queue_callback(
            self,
            {"kind": "form", "started_at": fields.Datetime.now()},
            bring_forward=True,
        )

    def _sales_web_form_check_contact(self):
        """A phone or e-mail address that is not one is kept as the visitor typed
        it (they are not refused) and marked for the coordinator to fix."""
        wrong = []
        if self.phone and not self.phone_sanitized:
            wrong.append(self.env._("phone “%(phone)s”", phone=self.phone))
        if self.email_from and not self.email_normalized:
            wrong.append(self.env._("e-mail “%(email)s”", email=self.email_from))
        if not wrong:
            return
        user = (
            self.coordinator_id
            or self.company_id.sales_web_coordinator_id
            or self.user_id
        )
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=user.id or self.env.uid,
            summary=self.env._("Fix the contact details"),
            # The visitor's text, escaped: the note is HTML.
            note=plaintext2html(
                self.env._(
                    "The website form gave a %(details)s that cannot be used: ask "
                    "the customer when you call them back.",
                    details=self.env._(" and ").join(wrong),
                )
            ),
        )


def _message(description):
    """What the visitor wrote (``description``, HTML or text), the way they
    would write it again."""
    return " ".join(html2plaintext(description or "").split()).lower()
