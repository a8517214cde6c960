from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize

from ..models.crm_lead import DAYPARTS, URGENCY, WEEKDAYS
from ..tools.side_effect import side_effect

# A lead's title: the customer and this much of their need.
TITLE_WORDS = 6
TITLE_NEED_CHARS = 40


class SalesLeadIntake(models.TransientModel):
    _name = "sales.lead.intake"
    _description = "Lead Intake"

    contact_name = fields.Char(string="Name", required=True)
    phone = fields.Char()
    email = fields.Char()
    street = fields.Char()
    city = fields.Char()
    zip = fields.Char()
    country_id = fields.Many2one(
        "res.country", default=lambda self: self.env.company.country_id
    )
    perceived_need = fields.Text(string="Why They Called")
    dialled_number = fields.Char(
        string="Number Dialled", help="The call-tracking number the customer dialled."
    )
    tracking_number_id = fields.Many2one(
        "sales.tracking.number",
        compute="_compute_tracking_number_id",
        store=True,
        readonly=False,
    )
    source_id = fields.Many2one(
        "utm.source",
        string="How They Heard of Us",
        compute="_compute_utm",
        store=True,
        readonly=False,
    )
    medium_id = fields.Many2one(
        "utm.medium", compute="_compute_utm", store=True, readonly=False
    )
    campaign_id = fields.Many2one(
        "utm.campaign", compute="_compute_utm", store=True, readonly=False
    )
    referred_by_id = fields.Many2one("res.partner")
    urgency = fields.Selection(URGENCY, required=True, default="week")
    reach_weekday = fields.Selection(WEEKDAYS, string="Best Day to Call")
    reach_daypart = fields.Selection(DAYPARTS, string="Best Time to Call")
    note = fields.Html(string="Notes")
    call_duration = fields.Integer(string="Call Length (s)")
    match_lead_ids = fields.Many2many(
        "crm.lead", string="Open Leads Found", compute="_compute_matches"
    )
    match_partner_ids = fields.Many2many(
        "res.partner", string="Contacts Found", compute="_compute_matches"
    )
    # The view's expressions cannot call len(): the merge offer reads this count.
    match_lead_count = fields.Integer(compute="_compute_matches")
    lead_id = fields.Many2one(
        "crm.lead",
        string="Add to Lead",
        help="Update this open lead instead of creating a new one.",
    )
    merge_duplicates = fields.Boolean(
        string="Merge the Other Leads Found",
        help="The same customer's other open leads found here are merged into the "
        "lead chosen, with crm's merge: their calls, follow-ups, appointments and "
        "debriefs move to the lead kept.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Existing Contact",
        help="Link the new lead to this contact instead of creating one.",
    )

    @api.depends("dialled_number")
    def _compute_tracking_number_id(self):
        Tracking = self.env["sales.tracking.number"]
        for intake in self:
            intake.tracking_number_id = Tracking._find(intake.dialled_number)

    @api.depends("tracking_number_id")
    def _compute_utm(self):
        # The number fills the source in; the coordinator still asks and may change
        # it: a yard sign can send people to the website's number.
        for intake in self:
            tracking = intake.tracking_number_id
            if tracking:
                intake.source_id = tracking.source_id
                intake.medium_id = tracking.medium_id
                intake.campaign_id = tracking.campaign_id

    @api.depends("phone", "email")
    def _compute_matches(self):
        Lead = self.env["crm.lead"]
        for intake in self:
            leads, partners = Lead._sales_find_matches(intake.phone, intake.email)
            intake.match_lead_ids = leads
            intake.match_partner_ids = partners
            intake.match_lead_count = len(leads)

    @api.onchange("match_lead_ids", "match_partner_ids")
    def _onchange_matches(self):
        if len(self.match_lead_ids) == 1 and not self.lead_id:
            self.lead_id = self.match_lead_ids
        if len(self.match_partner_ids) == 1 and not self.partner_id:
            self.partner_id = self.match_partner_ids

    def _check_intake(self):
        """Refuse what the coordinator must fix before anything is written."""
        self.ensure_one()
        if not (self.source_id or self.lead_id.source_id):
            raise ValidationError(
                self.env._(
                    "Ask how %(name)s heard of us and choose the source: every lead "
                    "records it, even when they dialled a tracking number.",
                    name=self.contact_name,
                )
            )
        if self.dialled_number and not self.tracking_number_id:
            raise ValidationError(
                self.env._(
                    "%(number)s is not one of our tracking numbers: check the number "
                    "they dialled, or clear it.",
                    number=self.dialled_number,
                )
            )
        if not (self.phone or self.email or self.lead_id or self.partner_id):
            raise ValidationError(
                self.env._(
                    "Take a phone number or an e-mail address so we can call back."
                )
            )
        Lead = self.env["crm.lead"]
        if self.phone and not Lead._sales_phone_e164(self.phone, self.country_id):
            raise ValidationError(
                self.env._(
                    "“%(phone)s” is not a phone number we can call: check the digits "
                    "(with the country code for a foreign number).",
                    phone=self.phone,
                )
            )
        if self.email and not email_normalize(self.email):
            raise ValidationError(
                self.env._(
                    "“%(email)s” is not an e-mail address: check it with the customer.",
                    email=self.email,
                )
            )
        customer = self.partner_id or self.lead_id.partner_id
        referrer = self.referred_by_id
        if referrer and (
            referrer == customer
            or (self.email and referrer.email_normalized == email_normalize(self.email))
            or (
                self.phone
                and Lead._sales_phone_e164(referrer.phone, referrer.country_id or None)
                == Lead._sales_phone_e164(self.phone, self.country_id)
            )
        ):
            raise ValidationError(
                self.env._(
                    "%(name)s cannot have referred themselves: choose who told them "
                    "about us, or leave “Referred By” empty.",
                    name=referrer.name,
                )
            )

    def action_confirm(self):
        """Create or update the lead, log the inbound call; open the lead."""
        self.ensure_one()
        self._check_intake()
        partner = self.partner_id or self.lead_id.partner_id
        if not partner:
            partner = self.env["res.partner"].create(self._partner_values())
        lead = self.lead_id
        if lead and self.merge_duplicates:
            duplicates = self.match_lead_ids - lead
            if duplicates:
                lead = lead._sales_merge_duplicates(duplicates)
        if lead:
            lead.write(self._lead_update_values(lead, partner))
        else:
            # The intake is the rule that says when the lead arrived.
            lead = self.env["crm.lead"]._sales_create_workflow(
                [self._lead_values(partner)]
            )
        self.env["sales.call"].create(
            {
                "lead_id": lead.id,
                "direction": "in",
                "result": "connected",
                "duration": self.call_duration,
            }
        )
        return lead._get_records_action(context={"sales_coordination_reading": True})

    def _partner_values(self):
        return {
            "name": self.contact_name,
            "phone": self.phone,
            "email": self.email,
            "street": self.street,
            "city": self.city,
            "zip": self.zip,
            "country_id": self.country_id.id,
            "company_id": self.env.company.id,
        }

    def _intake_values(self):
        return {
            "perceived_need": self.perceived_need,
            "urgency": self.urgency,
            "reach_weekday": self.reach_weekday,
            "reach_daypart": self.reach_daypart,
            "referred_by_id": self.referred_by_id.id,
            "tracking_number_id": self.tracking_number_id.id,
        }

    def _lead_title(self):
        """The customer and the first few words of their need, as a list reads
        it ("Carla Customer: cold rooms upstairs, old boiler…"), from the need's
        first line; the whole need stays in its own field."""
        lines = (self.perceived_need or "").strip().splitlines()
        words = lines[0].split() if lines else []
        if not words:
            return self.contact_name
        need = " ".join(words[:TITLE_WORDS])
        if len(need) > TITLE_NEED_CHARS:
            need = need[:TITLE_NEED_CHARS].rsplit(" ", 1)[0]
        if need != " ".join(words):
            need = f"{need.rstrip(' ,.;:')}…"
        return f"{self.contact_name}: {need}"

    def _lead_values(self, partner):
        return {
            **self._intake_values(),
            "name": self._lead_title(),
            "type": "opportunity",
            "partner_id": partner.id,
            "contact_name": self.contact_name,
            "phone": self.phone or partner.phone,
            "email_from": self.email or partner.email,
            "source_id": self.source_id.id,
            "medium_id": self.medium_id.id,
            "campaign_id": self.campaign_id.id,
            "description": self.note,
            "coordinator_id": self.env.user.id,
            "user_id": False,
            "arrival_date": fields.Datetime.now(),
        }

    def _lead_update_values(self, lead, partner):
        values = {key: value for key, value in self._intake_values().items() if value}
        # A lead from elsewhere keeps the source it came with; fill in what it lacks.
        for field in ("source_id", "medium_id", "campaign_id"):
            if not lead[field] and self[field]:
                values[field] = self[field].id
        if not lead.partner_id:
            values["partner_id"] = partner.id
        if not lead.coordinator_id:
            values["coordinator_id"] = self.env.user.id
        if self.note:
            with side_effect(self.env, "The intake's note on the lead"):
                lead.message_post(body=self.note)
        return values
