from datetime import timedelta

from odoo import fields, models
from odoo.tools import html2plaintext, is_html_empty

from odoo.addons.sales_coordination.models.sales_followup import OPEN_STATES

# A visitor who sends the form again within this time (a second click, a flood)
# adds to the lead they made rather than making another.
FLOOD_WINDOW = timedelta(hours=1)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def website_form_input_filter(self, request, values):
        """A lead from the website's form: the company's coordinator of new web
        leads takes it (the visitor cannot choose: the form accepts only Odoo's
        whitelisted fields), and a customer who just wrote wants an answer now."""
        values = super().website_form_input_filter(request, values)
        coordinator = request.website.company_id.sales_web_coordinator_id
        if coordinator and not values.get("coordinator_id"):
            values["coordinator_id"] = coordinator.id
        values.setdefault("urgency", "now")
        return values

    def _sales_web_form_received(self, visitor):
        """What the website's form does after creating this lead (as superuser,
        like the form itself): the contact found like an intake finds it, the
        same customer's open lead (or this visitor's lead of the last hour)
        merged with it by crm's merge, and a callback at the top of the queue,
        due at once. Returns the lead kept."""
        self.ensure_one()
        lead = self
        company = lead.company_id
        leads, partners = self._sales_find_matches(lead.phone, lead.email_from)
        same = leads.filtered(lambda other: other.company_id == company)
        if visitor:
            # A flood: the same message again from this browser, whatever name
            # or address it gives (another person writing from it is not one).
            since = fields.Datetime.now() - FLOOD_WINDOW
            message = _message(lead)
            same |= visitor.lead_ids.filtered(
                lambda other: other.active
                and other.company_id == company
                and other.create_date >= since
                and not other.stage_id.is_won
                # (a lead that merged earlier ones holds all their messages)
                and message
                and message in _message(other)
            )
        if not lead.partner_id:
            partner = partners.filtered(
                lambda p: p.company_id in (company, self.env["res.company"])
            )[:1]
            if partner:
                lead.partner_id = partner
        if not lead.perceived_need and not is_html_empty(lead.description):
            lead.perceived_need = html2plaintext(lead.description)
        others = same - lead
        if others:
            lead = (lead | others).merge_opportunity()
        lead._sales_web_form_callback()
        lead._sales_web_form_check_contact()
        return lead

    def _sales_web_form_callback(self):
        """One callback, due now, at the top of the queue: a second form of the
        same customer brings their open callback forward rather than queue
        another (one being made is left to its coordinator)."""
        Followup = self.env["sales.followup"]
        values = self.env["sales.inbound.event"]._callback_values(
            self, {"kind": "form", "started_at": fields.Datetime.now()}
        )
        callback = self.followup_ids.filtered(
            lambda f: f.kind == "callback" and f.state in OPEN_STATES
        )[:1]
        if not callback:
            return Followup._sales_queue([values])
        if callback.state == "queued":
            callback._sales_requeue(
                values["window_start"], values["window_end"], is_inbound=True
            )
        return callback

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
            note=self.env._(
                "The website form gave a %(details)s that cannot be used: ask the "
                "customer when you call them back.",
                details=self.env._(" and ").join(wrong),
            ),
        )


def _message(lead):
    """What the visitor wrote, the way they would write it again."""
    return " ".join(html2plaintext(lead.description or "").split()).lower()
