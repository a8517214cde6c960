from datetime import datetime, timedelta, timezone

from odoo import fields, models
from odoo.tools import SQL, email_normalize

from ..tools import telephony
from ..tools.workflow import owning
from .sales_call import PROVIDER_FIELDS

MAX_TEXT = 4000
MAX_NAME = 128
MAX_DURATION = 24 * 60 * 60
# Bounds of a sane started_at (the future is refused anyway); outside them, the
# conversion to UTC can overflow.
YEARS = (1900, 2100)


def _storable(text):
    """Whether PostgreSQL can store ``text``: JSON can carry NUL characters and lone
    surrogates (which do not encode to UTF-8), PostgreSQL refuses both."""
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


class InboundError(Exception):
    """A refused event: HTTP status and a message naming the problem (and, for
    the log only, the ``reason`` behind a message that must not tell it)."""

    def __init__(self, status, message, reason=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason or message


class SalesInboundEvent(models.Model):
    """One event an integration posted: accepted (with what it became) or refused
    (with why). The sender's event id makes a repeat answer the first result."""

    _name = "sales.inbound.event"
    _description = "Inbound Event"
    _order = "id desc"
    _rec_name = "event_id"

    source_id = fields.Many2one(
        "sales.inbound.source",
        string="Integration",
        required=True,
        index=True,
        # What an integration brought stays: it is archived, not deleted.
        ondelete="restrict",
    )
    company_id = fields.Many2one(related="source_id.company_id", store=True)
    event_id = fields.Char(string="Sender's Event Id", readonly=True)
    kind = fields.Selection([("call", "Call"), ("form", "Form")], readonly=True)
    state = fields.Selection(
        [("done", "Recorded"), ("refused", "Refused")], required=True, readonly=True
    )
    error = fields.Char(readonly=True)
    status = fields.Integer(string="HTTP Status", readonly=True)
    lead_id = fields.Many2one("crm.lead", readonly=True, ondelete="set null")
    call_id = fields.Many2one("sales.call", readonly=True, ondelete="set null")
    followup_id = fields.Many2one("sales.followup", readonly=True, ondelete="set null")
    started_at = fields.Datetime(readonly=True)
    # A telephone service's call (Twilio, CallRail): everything its events said,
    # merged (tools/telephony.py), and how many events there were.
    facts = fields.Json(readonly=True)
    update_count = fields.Integer(string="Events", readonly=True)
    is_visible = fields.Boolean(
        compute="_compute_is_visible",
        search="_search_is_visible",
        help="Whether the current user may see what the event is about: its lead "
        "(without a lead, its logged call). A coordinator reads the events "
        "(callers' numbers, recordings) of those only.",
    )

    _sql_constraints = [
        (
            "event_uniq",
            "unique(source_id, event_id)",
            "The sender posted this event already.",
        )
    ]

    def _compute_is_visible(self):
        visible = self.search([("id", "in", self.ids), ("is_visible", "=", True)])
        for event in self:
            event.is_visible = event in visible

    def _search_is_visible(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Operation not supported."))
        # Record rules are applied as superuser: the leads and calls are
        # searched as the user themselves, under their own rules on them.
        env = self.sudo(False).with_context(active_test=False).env
        domain = [
            "|",
            ("lead_id", "in", env["crm.lead"]._search([])),
            "&",
            ("lead_id", "=", False),
            ("call_id", "in", env["sales.call"]._search([])),
        ]
        return domain if (operator == "=") == value else ["!", *domain]

    # ------------------------------------------------------------------
    # Reading the payload
    # ------------------------------------------------------------------

    def _parse(self, payload):
        """Check the payload's fields; return the clean values or raise an
        InboundError naming the first problem."""
        if not isinstance(payload, dict):
            raise InboundError(400, "the body must be a JSON object")
        kind = payload.get("type")
        if kind not in ("call", "form"):
            raise InboundError(400, "field 'type' must be 'call' or 'form'")
        event_id = payload.get("event_id")
        if isinstance(event_id, bool) or not isinstance(event_id, str | int | None):
            raise InboundError(400, "field 'event_id' must be a string or a number")
        event_id = self._parse_text("event_id", event_id and str(event_id), MAX_NAME)
        if not event_id:
            raise InboundError(400, "missing field 'event_id'")
        values = {"kind": kind, "event_id": event_id}
        for name, limit in (
            ("tracking_number", 32),
            ("caller_number", 32),
            ("caller_name", MAX_NAME),
            ("email", 254),
            ("message", MAX_TEXT),
            ("utm_source", MAX_NAME),
            ("utm_medium", MAX_NAME),
            ("utm_campaign", MAX_NAME),
        ):
            values[name] = self._parse_text(name, payload.get(name), limit)
        values["started_at"] = self._parse_time(payload.get("started_at"), kind)
        duration = payload.get("duration", 0)
        if (
            isinstance(duration, bool)
            or not isinstance(duration, int)
            or not 0 <= duration <= MAX_DURATION
        ):
            raise InboundError(
                400, "field 'duration' must be a whole number of seconds, at most a day"
            )
        values["duration"] = duration
        if kind == "call":
            for name in ("tracking_number", "caller_number"):
                if not values[name]:
                    raise InboundError(400, f"missing field '{name}'")
            if not isinstance(payload.get("answered"), bool):
                raise InboundError(400, "field 'answered' must be true or false")
            values["answered"] = payload["answered"]
        elif not (values["email"] or values["caller_number"]):
            raise InboundError(400, "a form needs 'email' or 'caller_number'")
        return values

    def _parse_text(self, name, value, limit):
        """``value`` stripped and cut to ``limit`` characters ("" for none)."""
        if value is None:
            return ""
        if not isinstance(value, str):
            raise InboundError(400, f"field '{name}' must be a string")
        if not _storable(value):
            raise InboundError(400, f"field '{name}' is not valid text")
        return value.strip()[:limit]

    def _parse_time(self, value, kind):
        if value is None and kind == "form":
            return fields.Datetime.now()
        if not isinstance(value, str):
            raise InboundError(400, "missing field 'started_at'")
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InboundError(400, "field 'started_at' is not ISO 8601") from None
        if not YEARS[0] <= moment.year <= YEARS[1]:
            raise InboundError(
                400, f"field 'started_at' must be between {YEARS[0]} and {YEARS[1]}"
            )
        if moment.tzinfo:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        if moment > fields.Datetime.now() + timedelta(minutes=5):
            raise InboundError(400, "field 'started_at' is in the future")
        return moment.replace(microsecond=0)

    # ------------------------------------------------------------------
    # Recording
    # ------------------------------------------------------------------

    def _record(self, source, values):
        """Record an accepted event, once: returns the answer's ids. Runs with the
        integration's technical user (``self.env``)."""
        existing = self._existing(source, values["event_id"])
        if existing:
            return existing._answer()
        # The raw INSERT below skips the ORM's access check: make it here.
        self.check_access("create")
        # Claim the sender's id first: a concurrent duplicate waits here on the
        # unique index, then fails to serialize and is retried by Odoo's request
        # handler, which then finds this event and answers with its ids.
        self.env.cr.execute(
            SQL(
                """INSERT INTO sales_inbound_event
                       (source_id, company_id, event_id, kind, state, status,
                        started_at, create_uid, write_uid, create_date, write_date)
                   VALUES (%(source)s, %(company)s, %(event)s, %(kind)s, 'done',
                           200, %(started)s, %(uid)s, %(uid)s,
                           now() at time zone 'UTC', now() at time zone 'UTC')
                   ON CONFLICT (source_id, event_id) DO NOTHING
                   RETURNING id""",
                source=source.id,
                company=source.company_id.id,
                event=values["event_id"],
                kind=values["kind"],
                started=values["started_at"],
                uid=self.env.uid,
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return self._existing(source, values["event_id"])._answer()
        event = self.browse(row[0])
        if values["kind"] == "call":
            event._apply_call(source, self._generic_call_facts(values))
        else:
            event._apply_form(source, values)
        return event._answer()

    def _generic_call_facts(self, values):
        """A generic call event's values as the facts of a telephone service's
        call (``_call_facts``): an inbound call, without a recording, a
        voicemail or tags."""
        return {
            "direction": "in",
            "voicemail": False,
            "recording_url": False,
            "recording_duration": 0,
            "tags": "",
            **values,
        }

    def _apply_form(self, source, values):
        """A web form: the sender's lead (or a new one) and a callback at the
        top of the queue."""
        self.ensure_one()
        lead, _created = self._lead_for(source, values)
        followup = self.env["sales.followup"]._queue_callback(lead, values)
        self.write({"lead_id": lead.id, "followup_id": followup.id})

    def _record_provider(self, source, facts):
        """Record one event of a telephone service about a call (``facts`` from
        tools/telephony.py): all the events about one call, whatever their order
        and however often repeated, update this one record, one logged call and
        at most one lead and one callback. Returns the answer's ids. Runs with the
        integration's technical user (``self.env``)."""
        # The raw statements below skip the ORM's access check: make it here.
        self.check_access("create")
        cr = self.env.cr
        key = {"source": source.id, "event": facts["call_id"]}
        cr.execute(
            SQL(
                """INSERT INTO sales_inbound_event
                       (source_id, company_id, event_id, kind, state, status,
                        update_count, create_uid, write_uid, create_date,
                        write_date)
                   VALUES (%(source)s, %(company)s, %(event)s, 'call', 'done', 200,
                           0, %(uid)s, %(uid)s, now() at time zone 'UTC',
                           now() at time zone 'UTC')
                   ON CONFLICT (source_id, event_id) DO NOTHING""",
                **key,
                company=source.company_id.id,
                uid=self.env.uid,
            )
        )
        # One event of a call at a time. A concurrent one waits here (or on the
        # unique index above), then, its snapshot older than this commit, fails
        # to serialize and is retried by Odoo's request handler: it then merges
        # its facts into these.
        cr.execute(
            SQL(
                """SELECT id FROM sales_inbound_event
                    WHERE source_id = %(source)s AND event_id = %(event)s
                      FOR NO KEY UPDATE""",
                **key,
            )
        )
        event = self.browse(cr.fetchone()[0])
        merged = telephony.merge(event.facts, facts)
        if merged == event.facts:
            # A retry of an event already recorded: nothing new.
            return event._answer()
        event.write({"facts": merged, "update_count": event.update_count + 1})
        if telephony.is_ended(merged):
            event._apply_call(source, self._call_facts(merged))
        return event._answer()

    def _call_facts(self, facts):
        """The merged facts as the values the rest of the recording reads (those
        of a generic call event, and the provider's own)."""
        started = facts.get("started_at")
        return {
            "kind": "call",
            "event_id": facts["call_id"],
            "direction": facts.get("direction", "in"),
            "tracking_number": facts.get("tracking_number", ""),
            "caller_number": facts.get("caller_number", ""),
            "caller_name": facts.get("caller_name", ""),
            "email": "",
            "message": facts.get("note", ""),
            "utm_source": facts.get("utm_source", ""),
            "utm_medium": facts.get("utm_medium", ""),
            "utm_campaign": facts.get("utm_campaign", ""),
            "started_at": fields.Datetime.to_datetime(started)
            if started
            else fields.Datetime.now(),
            "duration": facts.get("duration") or 0,
            "answered": bool(facts.get("answered")),
            "voicemail": bool(facts.get("voicemail")),
            "recording_url": facts.get("recording_url") or False,
            "recording_duration": facts.get("recording_duration") or 0,
            "tags": facts.get("tags", ""),
        }

    def _apply_call(self, source, values):
        """Bring the logged call, its lead and its callback in line with what
        the sender said of the call so far (``values`` as ``_call_facts`` makes
        them): the one road of every call an integration posts, generic or a
        telephone service's."""
        self.ensure_one()
        call = self.call_id
        if values["answered"]:
            result = "connected"
        elif values["voicemail"]:
            result = "voicemail"
        else:
            result = "no_answer"
        provider = {
            "caller_name": values["caller_name"] or False,
            "recording_url": values["recording_url"],
            "recording_duration": values["recording_duration"],
        }
        note = "\n".join(
            part
            for part in (
                values["message"],
                values["tags"] and self.env._("Tags: %(tags)s", tags=values["tags"]),
            )
            if part
        )
        if call:
            missed_before = call.result != "connected"
            with owning("sales.call", "call_date", "result", "duration", *provider):
                call.write(
                    {
                        **provider,
                        "result": result,
                        "duration": values["duration"],
                        "call_date": values["started_at"],
                        **({"note": note} if note else {}),
                    }
                )
            if missed_before and values["answered"]:
                self._withdraw_callback()
            return
        lead, created, reason = self._lead_and_reason(source, values)
        with owning("sales.call", "user_id", *PROVIDER_FIELDS):
            call = self.env["sales.call"].create(
                {
                    **provider,
                    "lead_id": lead.id,
                    "user_id": (source.coordinator_id or self.env.user).id,
                    "direction": values["direction"],
                    "result": result,
                    "call_date": values["started_at"],
                    "duration": values["duration"],
                    "note": note or False,
                    "integration_id": source.id,
                    "provider_call_id": values["event_id"],
                    "caller_number": values["caller_number"] or False,
                    "reason_id": reason.id,
                    "brought_lead": created,
                }
            )
        followup = self.env["sales.followup"]
        if (
            lead
            and not reason
            and values["direction"] == "in"
            and not values["answered"]
        ):
            followup = followup._queue_callback(lead, values)
        self.write({"lead_id": lead.id, "call_id": call.id, "followup_id": followup.id})

    def _lead_and_reason(self, source, values):
        """The lead a provider's call is logged on, whether it was created for
        the call, and the reason that excuses the call (an empty recordset when
        none does): a call from an ignored number, an answered call shorter than
        the integration's minimum, an outbound call to nobody we know create no
        lead; the short call of a known customer is logged on their lead."""
        Reason = self.env["sales.call.reason"]
        lead = self.env["crm.lead"]
        if source._sales_is_ignored(values["caller_number"]):
            return (
                lead,
                False,
                self.env.ref("sales_coordination.sales_call_reason_ignored"),
            )
        short = values["answered"] and values["duration"] < source.min_lead_duration
        if values["direction"] == "out" or short:
            lead = self._open_lead(source, values)
            if values["direction"] == "out":
                reason = (
                    Reason
                    if lead
                    else self.env.ref("sales_coordination.sales_call_reason_outbound")
                )
            else:
                reason = self.env.ref("sales_coordination.sales_call_reason_short")
            return lead, False, reason
        lead, created = self._lead_for(source, values)
        return lead, created, Reason

    def _withdraw_callback(self):
        """The missed call was answered after all: its callback is withdrawn
        while Next call could hand it out (queued, or its claim ran out),
        unless a coordinator holds it (they make the call)."""
        followup = self.followup_id
        if not followup:
            return
        # Against a concurrent Next call: the row is claimed, or locked here
        # (Next call skips it), or the claim committed after this transaction's
        # snapshot and this fails to serialize, to be retried.
        claimable = followup._claimable_sql(fields.Datetime.now(), due=False)
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM sales_followup WHERE id = %s FOR NO KEY UPDATE",
                claimable,
                followup.id,
            )
        )
        if self.env.cr.fetchone()[0]:
            followup._sales_close("cancelled")

    def _existing(self, source, event_id):
        return self.search(
            [("source_id", "=", source.id), ("event_id", "=", event_id)], limit=1
        )

    def _answer(self):
        self.ensure_one()
        return {
            "lead_id": self.lead_id.id or None,
            "call_id": self.call_id.id or None,
            "followup_id": self.followup_id.id or None,
        }

    def _lead_for(self, source, values):
        """The open lead this caller already has (same matching as the intake
        form), or a new one with the source the tracking number advertises."""
        Lead = self.env["crm.lead"]
        leads, partners = Lead._sales_find_matches(
            values["caller_number"], values["email"]
        )
        leads = leads.filtered(lambda lead: lead.company_id == source.company_id)
        if leads:
            lead = leads[0]
            lead._message_log(body=self._summary(values))
            return lead, False
        caller = Lead._sales_phone_e164(values["caller_number"]) or email_normalize(
            values["email"] or ""
        )
        if caller:
            # The raw statement skips the ORM's access check: the rights to
            # create the lead are checked when it is created, below.
            self.env["sales.inbound.caller"]._claim(source.company_id, caller)
        partner = partners.filtered(
            lambda p: p.company_id in (source.company_id, self.env["res.company"])
        )[:1]
        if not partner:
            partner = (
                self.env["res.partner"]
                .with_context(mail_create_nolog=True)
                .create(
                    {
                        "name": values["caller_name"]
                        or values["caller_number"]
                        or values["email"],
                        "phone": values["caller_number"] or False,
                        "email": values["email"] or False,
                        "company_id": source.company_id.id,
                    }
                )
            )
        utm = self._utm(source, values)
        who = values["caller_name"] or values["caller_number"] or values["email"]
        need = (values["message"] or "").strip().splitlines()
        if need:
            title = need[0]
        elif values["kind"] == "form":
            title = self.env._("Web form")
        elif values["answered"]:
            title = self.env._("Call")
        else:
            title = self.env._("Missed call")
        # The integration is the rule that says when the lead arrived.
        lead = Lead._sales_create_workflow(
            [
                {
                    **utm,
                    "name": f"{who}: {title}"[:120],
                    "type": "opportunity",
                    "partner_id": partner.id,
                    "contact_name": values["caller_name"] or False,
                    "phone": values["caller_number"] or False,
                    "email_from": values["email"] or False,
                    "perceived_need": values["message"] or False,
                    "company_id": source.company_id.id,
                    "coordinator_id": source.coordinator_id.id,
                    "user_id": False,
                    "arrival_date": values["started_at"],
                    # A customer who just reached out wants an answer now.
                    "urgency": "now",
                }
            ]
        )
        lead._message_log(body=self._summary(values))
        return lead, True

    def _open_lead(self, source, values):
        """The caller's open lead in the integration's company, if any."""
        leads, _partners = self.env["crm.lead"]._sales_find_matches(
            values["caller_number"], values["email"]
        )
        return leads.filtered(lambda lead: lead.company_id == source.company_id)[:1]

    def _utm(self, source, values):
        """Source, medium and campaign: the tracking number's mapping for a call,
        the form's own UTM values (when they name existing ones) for a form."""
        if values["kind"] == "call":
            number = self.env["sales.tracking.number"]._find(
                values["tracking_number"], source.company_id
            )
            if number or not values["utm_source"]:
                return {
                    "tracking_number_id": number.id,
                    "source_id": number.source_id.id,
                    "medium_id": number.medium_id.id,
                    "campaign_id": number.campaign_id.id,
                }
            # A number the company has not mapped: what the call-tracking
            # service attributed the call to, when it names a known source.
        result = {}
        for field, model, name in (
            ("source_id", "utm.source", "utm_source"),
            ("medium_id", "utm.medium", "utm_medium"),
            ("campaign_id", "utm.campaign", "utm_campaign"),
        ):
            if values[name]:
                record = self.env[model].search(
                    [("name", "=ilike", values[name])], limit=1
                )
                result[field] = record.id
        return result

    def _summary(self, values):
        """Chatter text: plain strings, escaped by message_post."""
        if values["kind"] == "form":
            head = self.env._("Web form received.")
        elif values["answered"]:
            head = self.env._(
                "Inbound call to %(number)s.", number=values["tracking_number"]
            )
        else:
            head = self.env._(
                "Missed call to %(number)s.", number=values["tracking_number"]
            )
        parts = [head]
        if values["message"]:
            parts.append(values["message"])
        if values["kind"] == "form" and values["utm_source"]:
            parts.append(
                self.env._(
                    "UTM: %(utm_source)s / %(medium)s / %(campaign)s",
                    utm_source=values["utm_source"],
                    medium=values["utm_medium"] or "-",
                    campaign=values["utm_campaign"] or "-",
                )
            )
        return "\n".join(parts)
