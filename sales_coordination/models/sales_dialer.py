"""The dialer: Next call places the call through the company's Twilio account,
ringing the coordinator's own phone first and then bridging them to the
customer; Twilio's callbacks log what the line said through the queue's own
``action_log_call``, as the coordinator who dialled.

The fields the dialer adds to the users, the company, the integrations, the
leads and the calls are declared here, beside the rules that use them, so that
the dialer stays one piece."""

import logging
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from twilio.base.exceptions import TwilioException, TwilioRestException

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.web.controllers.utils import clean_action

from ..tools import dialer
from ..tools.workflow import owning
from .sales_call import PROVIDER_FIELDS
from .sales_workflow_mixin import EMPTY

_logger = logging.getLogger(__name__)

# How long a dial stays "in progress" for a second press of the same call.
RINGING_SECONDS = 60
# First key of the advisory lock that lines up the dials of one follow-up (the
# second key is its id): see SalesFollowup._dialer_record.
DIAL_LOCK = 0x5C_D1A1
# How long Next call leaves aside a call whose number must be fixed or must not
# be dialled (the coordinator reads why on the lead meanwhile).
HOLD_TO_FIX = timedelta(days=1)
# How many due calls one press of Next call tries, when their customers refuse
# the dial (see SalesFollowup.action_next_call).
TRIES = 5


class Logged(str):
    """What a callback did, when it logged what the line said on the
    follow-up by itself: the dialer may move on (see
    ``SalesCall._dialer_move_on``)."""


class DialRefused(UserError):
    """A refusal that is the customer's (their hours, their number): the call
    waits, out of Next call's reach, until ``hold_until``."""

    def __init__(self, message, hold_until):
        super().__init__(message)
        self.hold_until = hold_until


# What only the dialer writes on a call: the telephone network's facts.
DIAL_FIELDS = {
    "answered_by": EMPTY,
    "dial_token": EMPTY,
    "dial_status": EMPTY,
    "dial_leg_sid": EMPTY,
    "dial_invalid_number": EMPTY,
    "dial_events": EMPTY,
    "dial_voicemail_dropped": EMPTY,
}
# The call a running action_log_call fills instead of creating one: a variable
# of the running code, never Odoo's context, which any RPC client may send.
_FILLING = ContextVar("sales_coordination_dialled_call", default=None)
SELF_FIELDS = [
    "sales_dialer_phone",
    "sales_dialer_on",
    "sales_dialer_pause",
    "sales_dialer_voicemail_drop",
]


@contextmanager
def _filling(call):
    token = _FILLING.set(call)
    try:
        yield
    finally:
        _FILLING.reset(token)


class ResUsers(models.Model):
    _inherit = "res.users"

    sales_dialer_phone = fields.Char(
        string="Dialer Phone",
        help="Your own phone in international form (+1 312 555 0142): a desk "
        "phone, a mobile or a softphone. The dialer rings it first, then puts "
        "you through to the customer.",
    )
    sales_dialer_on = fields.Boolean(
        string="Dialer On",
        help="Next call places the call for you and logs what the line says.",
    )
    sales_dialer_pause = fields.Integer(
        string="Pause Between Calls (s)",
        default=5,
        help="After a call logged by itself, how long the dialer waits before the "
        "next one (0-30 seconds).",
    )
    sales_dialer_voicemail_drop = fields.Boolean(
        string="Drop the Recorded Voicemail",
        help="When a machine answers, the company's recorded message is left "
        "once the greeting ends.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + SELF_FIELDS

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + SELF_FIELDS

    @api.constrains("sales_dialer_phone", "sales_dialer_pause")
    def _check_sales_dialer(self):
        Lead = self.env["crm.lead"]
        for user in self:
            if not 0 <= user.sales_dialer_pause <= 30:
                raise ValidationError(
                    self.env._("The pause between calls is 0 to 30 seconds.")
                )
            if user.sales_dialer_phone and not Lead._sales_phone_e164(
                user.sales_dialer_phone
            ):
                raise ValidationError(
                    self.env._(
                        "“%(number)s” is not a phone number the dialer can ring: "
                        "write it with its country code (+1 312 555 0142).",
                        number=user.sales_dialer_phone,
                    )
                )


class ResCompany(models.Model):
    _inherit = "res.company"

    sales_dialer_hour_start = fields.Float(
        string="Calls From",
        default=8.0,
        help="The dialer calls nobody before this hour of their own day.",
    )
    sales_dialer_hour_end = fields.Float(
        string="Calls Until",
        default=21.0,
        help="The dialer calls nobody after this hour of their own day.",
    )
    sales_dialer_wrong_number_failures = fields.Integer(
        string="Failures Before Wrong Number",
        default=2,
        help="After this many calls to a number that Twilio says does not exist, "
        "the call is logged as a wrong number and the number is no longer dialled.",
    )
    sales_dialer_voicemail_url = fields.Char(
        string="Recorded Voicemail",
        help="The address of the recorded message (MP3 or WAV) the dialer leaves "
        "on the customers' voicemail, for the coordinators who choose so.",
    )
    sales_dialer_connect_target = fields.Float(
        string="Connect Target (%)",
        default=12.0,
        help="The share of dials a person should answer: the board shows each "
        "coordinator's connect ratio against it (the field's 11-14%).",
    )

    @api.constrains(
        "sales_dialer_hour_start",
        "sales_dialer_hour_end",
        "sales_dialer_wrong_number_failures",
        "sales_dialer_connect_target",
    )
    def _check_sales_dialer(self):
        for company in self:
            if not (
                0
                <= company.sales_dialer_hour_start
                < company.sales_dialer_hour_end
                <= 24
            ):
                raise ValidationError(
                    self.env._(
                        "Calling hours run from one hour of the day to a later one."
                    )
                )
            if company.sales_dialer_wrong_number_failures < 1:
                raise ValidationError(
                    self.env._("A number is a wrong number after one failure at least.")
                )
            if not 0 <= company.sales_dialer_connect_target <= 100:
                raise ValidationError(
                    self.env._("The connect target is a share of dials, 0 to 100%.")
                )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sales_dialer_hour_start = fields.Float(
        related="company_id.sales_dialer_hour_start", readonly=False
    )
    sales_dialer_hour_end = fields.Float(
        related="company_id.sales_dialer_hour_end", readonly=False
    )
    sales_dialer_wrong_number_failures = fields.Integer(
        related="company_id.sales_dialer_wrong_number_failures", readonly=False
    )
    sales_dialer_voicemail_url = fields.Char(
        related="company_id.sales_dialer_voicemail_url", readonly=False
    )
    sales_dialer_connect_target = fields.Float(
        related="company_id.sales_dialer_connect_target", readonly=False
    )


class CrmLead(models.Model):
    _inherit = "crm.lead"

    sales_do_not_call = fields.Boolean(
        string="Do Not Call",
        help="The customer asked not to be called: the dialer never calls them.",
    )


class SalesInboundSource(models.Model):
    _inherit = "sales.inbound.source"

    account_sid = fields.Char(
        string="Account SID",
        groups="sales_coordination.group_manager",
        help="Twilio's Account SID (AC...), which the dialer places calls with, "
        "the secret being the account's Auth Token.",
    )
    api_url = fields.Char(
        string="REST API Address",
        groups="sales_coordination.group_manager",
        help="Empty: Twilio's own (https://api.twilio.com). Set for a regional "
        "edge or a local stand-in.",
    )
    dialer_enabled = fields.Boolean(
        string="Dialer",
        help="The coordinators of the company place their Next calls through "
        "this Twilio account.",
    )
    dialer_caller_id = fields.Char(
        string="Dialer Caller ID",
        help="The number the customers see when the dialer calls them, unless the "
        "lead's source has a tracking number of its own.",
    )
    dialer_record = fields.Boolean(
        string="Record Dialled Calls",
        help="Twilio records the conversations the dialer bridges (mind the "
        "consent the law asks for).",
    )
    dialer_url = fields.Char(
        string="Dialer Callbacks",
        compute="_compute_dialer_url",
        help="Where Twilio posts the progress of dialled calls (set by the "
        "dialer on each call).",
    )

    def _compute_dialer_url(self):
        base = self.get_base_url()
        for source in self:
            source.dialer_url = (
                f"{base}/sales_coordination/dialer/twilio/{source.id}"
                if source.id
                else False
            )

    @api.constrains("dialer_enabled", "dialer_caller_id", "provider")
    def _check_dialer(self):
        Lead = self.env["crm.lead"]
        for source in self:
            if source.dialer_enabled and source.provider != "twilio":
                raise ValidationError(
                    self.env._("Only a Twilio integration places the dialer's calls.")
                )
            if source.dialer_caller_id and not Lead._sales_phone_e164(
                source.dialer_caller_id
            ):
                raise ValidationError(
                    self.env._(
                        "The dialer's caller ID “%(number)s” is not a phone number: "
                        "write it with its country code.",
                        number=source.dialer_caller_id,
                    )
                )


class SalesCall(models.Model):
    _inherit = "sales.call"
    _sales_workflow_fields = {**PROVIDER_FIELDS, "company_id": EMPTY, **DIAL_FIELDS}

    # Empty while a dialled call rings: the line has said nothing yet.
    result = fields.Selection(required=False)
    answered_by = fields.Selection(
        [("human", "A Person"), ("machine", "A Machine"), ("unknown", "Unknown")],
        readonly=True,
        help="Who answered the dialled call, as Twilio's answering-machine "
        "detection told. Empty while it rings.",
    )
    dial_token = fields.Char(readonly=True, copy=False, index="btree_not_null")
    dial_status = fields.Char(
        string="Line",
        readonly=True,
        help="How far the dialled call went: Twilio's last status of the "
        "customer's leg (of the coordinator's, before it).",
    )
    dial_leg_sid = fields.Char(readonly=True, copy=False)
    dial_invalid_number = fields.Boolean(
        readonly=True,
        help="Twilio said the number dialled does not exist.",
    )
    dial_events = fields.Char(
        readonly=True,
        copy=False,
        help="The callbacks of this call already taken, each once.",
    )
    dial_voicemail_dropped = fields.Boolean(
        string="Voicemail Dropped",
        readonly=True,
        copy=False,
        help="The company's recorded message was left on the customer's "
        "voicemail (Twilio took the request to play it).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        filling = _FILLING.get()
        if filling is None or len(vals_list) != 1:
            return super().create(vals_list)
        # action_log_call logs the attempt of a dialled call: the call the
        # dialer created at the dial takes its result, rather than a second one.
        vals = vals_list[0]
        if vals.get("followup_id") != filling.followup_id.id:
            return super().create(vals_list)
        logged = {
            name: vals[name] for name in ("result", "duration", "note") if name in vals
        }
        if filling.duration:
            # What Twilio measured rules.
            logged.pop("duration", None)
        with owning(self._name, *logged):
            filling.write(logged)
        filling._record_contact()
        return filling

    def _is_contact(self):
        # A dialled call that has not reached anybody yet is no contact.
        return bool(self.result) and super()._is_contact()

    @api.model
    def _dialer_fetched(self):
        """The fields of a call that reading one of them fetches (its columns),
        for a search that fetches them at once: one query, not two."""
        return [
            name
            for name, field in self._fields.items()
            if field.store and field.column_type and field.prefetch is True
        ]

    def _dialer_write(self, vals):
        """Write the telephone network's facts on this dialled call. The
        callback that brings them verified its signature; nobody is logged in,
        and the facts are the network's, whoever holds the call now."""
        # sudo: see above; only the dialer's and the provider's fields, and the
        # duration Twilio measured.
        return self.sudo()._sales_write_workflow(vals)

    def _dialer_notify(self, **payload):
        """Tell the coordinator's call screen how the call goes (Odoo's bus)."""
        self.ensure_one()
        self.user_id.partner_id._bus_send(
            "sales_coordination/dialer",
            {
                "call_id": self.id,
                "followup_id": self.followup_id.id,
                "status": self.dial_status or "",
                "answered_by": self.answered_by or "",
                "result": self.result or "",
                # The call screen moves on to the next call by itself after
                # the coordinator's pause, unless they paused the dialer.
                "dialer_on": self.user_id.sales_dialer_on,
                "pause": self.user_id.sales_dialer_pause,
                **payload,
            },
        )

    # ------------------------------------------------------------------
    # Twilio's callbacks (see controllers/dialer.py)
    # ------------------------------------------------------------------

    @api.model
    def _dialer_find(self, source, leg, params, token):
        """The dialled call a callback of ``source`` is about, or an empty
        recordset: each leg by the token of its (signed) address (the
        coordinator's leg by its CallSid when its address has none, as for the
        calls placed before it had), checked against the call's CallSid when
        Twilio sends it (the parent call's, for the customer's legs)."""
        Call = self.sudo().with_context(active_test=False)

        def find(domain):
            # The call with what its callback reads, in one query.
            return Call.search_fetch(domain, Call._dialer_fetched(), limit=1)

        if leg == "agent":
            sid = params.get("CallSid")
            if not sid:
                return Call.browse()
            if token:
                # The SID may not be recorded yet (see _dialer_place).
                call = find(
                    [("integration_id", "=", source.id), ("dial_token", "=", token)]
                )
                if call.provider_call_id and call.provider_call_id != sid:
                    return Call.browse()
                return call
            return find(
                [
                    ("integration_id", "=", source.id),
                    ("provider_call_id", "=", sid),
                    ("dial_token", "!=", False),
                ]
            )
        if not token:
            return Call.browse()
        call = find([("integration_id", "=", source.id), ("dial_token", "=", token)])
        parent = params.get("ParentCallSid")
        if call and parent and parent != call.provider_call_id:
            return Call.browse()
        return call

    def _dialer_callback(self, leg, params):
        """Take one callback of this dialled call, once: a repeat of the same
        leg and status changes nothing. Returns what was done, for the log."""
        self.ensure_one()
        # One callback of a call at a time: a repeat waits for the first, then
        # fails to serialize and Odoo runs it again, when it finds it taken.
        self.env.cr.execute(
            SQL("SELECT id FROM sales_call WHERE id = %s FOR NO KEY UPDATE", self.id)
        )
        key = self._dialer_event_key(leg, params)
        seen = set((self.dial_events or "").split())
        if key in seen:
            return "repeat"
        self._dialer_write({"dial_events": " ".join(sorted(seen | {key}))})
        done = getattr(self, f"_dialer_on_{leg}")(params)
        if isinstance(done, Logged):
            self._dialer_move_on()
        return done

    @api.model
    def _dialer_event_key(self, leg, params):
        if leg == "amd":
            return "amd"
        if leg == "recording":
            return "recording:" + params.get("RecordingSid", "")[:40]
        return f"{leg}:{params.get('CallStatus', '')[:20]}"

    def _dialer_on_agent(self, params):
        status = params.get("CallStatus", "")
        if self.dial_leg_sid or self.result:
            # The customer's leg started: it tells the rest.
            return "agent leg noted"
        if status in dialer.UNANSWERED:
            # The coordinator's phone did not answer: the customer was never
            # dialled, and this attempt is not one.
            self._dialer_notify(status="agent_" + status, dropped=True)
            # sudo: the dial in progress was the dialer's own record, and
            # nothing happened on the customer's line.
            self.sudo().unlink()
            return "coordinator did not answer"
        if dialer.moves_forward(
            (self.dial_status or "").removeprefix("agent "), status
        ):
            self._dialer_write({"dial_status": f"agent {status}"[:30]})
            self._dialer_notify(status="agent_" + status)
        return "agent progress"

    def _dialer_on_customer(self, params):
        status = params.get("CallStatus", "")
        vals = {}
        if not self.dial_leg_sid and params.get("CallSid"):
            vals["dial_leg_sid"] = params["CallSid"][:64]
        current = (self.dial_status or "").removeprefix("agent ")
        if (self.dial_status or "").startswith("agent ") or dialer.moves_forward(
            current, status
        ):
            vals["dial_status"] = status[:30]
        duration = params.get("CallDuration", "")
        if status == "completed" and duration.isdigit():
            vals["duration"] = min(int(duration), 24 * 3600)
        if status == "failed" and dialer.is_invalid_number(params):
            vals["dial_invalid_number"] = True
        if vals:
            self._dialer_write(vals)
        if status in dialer.UNANSWERED and not self.result:
            result = "no_answer"
            if self.dial_invalid_number and self._dialer_wrong_number_reached():
                result = "wrong_number"
            return self._dialer_log(result)
        if status == "completed" and self.answered_by == "machine" and not self.result:
            return self._dialer_log("voicemail")
        self._dialer_notify()
        return "customer progress"

    def _dialer_on_amd(self, params):
        answered = params.get("AnsweredBy", "")
        if answered not in dialer.ANSWERED_BY:
            return "unknown AnsweredBy"
        self._dialer_write({"answered_by": dialer.ANSWERED_BY[answered]})
        if dialer.ANSWERED_BY[answered] != "machine" or self.result:
            self._dialer_notify()
            return "answered by " + answered
        if answered in dialer.GREETING_ENDED and self._dialer_drop_voicemail(
            params.get("CallSid") or self.dial_leg_sid
        ):
            self._dialer_write({"dial_voicemail_dropped": True})
        return self._dialer_log("voicemail")

    def _dialer_on_recording(self, params):
        url = params.get("RecordingUrl", "")
        duration = params.get("RecordingDuration", "")
        if params.get("RecordingStatus", "completed") != "completed" or not url:
            return "recording not ready"
        self._dialer_write(
            {
                "recording_url": url[:1024],
                "recording_duration": int(duration) if duration.isdigit() else 0,
            }
        )
        return "recording stored"

    def _dialer_wrong_number_reached(self):
        """Whether the company's number of failures to a number that does not
        exist is reached with this call."""
        company = self.company_id or self.integration_id.company_id
        # sudo: a signed callback, nobody logged in; the failed dials to this
        # lead's number are counted whoever made them.
        failures = self.sudo().search_count(
            [("lead_id", "=", self.lead_id.id), ("dial_invalid_number", "=", True)]
        )
        return failures >= company.sales_dialer_wrong_number_failures

    def _dialer_log(self, result):
        """Log what the line said on the follow-up, through the queue's own
        method and as the coordinator who dialled: the queue's claim check
        keeps a late callback off a call another coordinator holds now (the
        call itself keeps the result: the attempt happened)."""
        followup = self.followup_id
        env = self._dialer_coordinator_env()
        outcome = "logged"
        try:
            # This call takes the result (see SalesCall.create), as the
            # coordinator: action_log_call need not look for it.
            with self.env.cr.savepoint(), _filling(self.with_env(env)):
                followup.with_env(env).action_log_call(result, duration=self.duration)
        except (UserError, AccessError) as error:
            _logger.info(
                "Dialled call %s: %s not logged on follow-up %s: %s",
                self.id,
                result,
                followup.id,
                error,
            )
            with owning(self._name, "result"):
                # sudo: the attempt happened whoever holds the call now (the
                # signed callback's fact, on the dialler's own record).
                self.sudo().write({"result": result})
            self._dialer_notify(logged=False)
            return f"{result} not logged on the follow-up"
        # The call screen hears of it from _dialer_move_on.
        return Logged(f"{result} {outcome}")

    def _dialer_coordinator_env(self):
        """The environment of the coordinator who dialled this call, in its
        company: what the line said is logged, and the next call placed, as
        them (a signed callback has nobody logged in)."""
        return self.env(
            user=self.user_id.id,
            su=False,
            context=dict(
                self.env.context,
                # what it writes and says (the chatter, the next call's
                # screen, a refusal), in their language
                lang=self.user_id.lang,
                allowed_company_ids=(self.company_id or self.env.company).ids,
            ),
        )

    def _dialer_move_on(self):
        """After a call this callback logged by itself, place the coordinator's
        next call at once when their pause is 0 s (a pause of their own is
        counted by their call screen, which then presses Next call): Next
        call's own claim and dial, as the coordinator, from this request,
        rather than in a round trip of the browser's after the news. The
        call screen hears of the next call, or of why there is none, on the
        bus.

        The log is committed first: the claim and the dial run on cursors of
        their own, which must see that the coordinator holds this call no
        more (a request Odoo runs again finds the callback taken and moves on
        no further). When the coordinator is not at their phone, it rings
        once: the dial stops there (see ``_dialer_on_agent``)."""
        user = self.user_id
        if not (user.active and user.sales_dialer_on and user.sales_dialer_pause == 0):
            self._dialer_notify(logged=True)
            return
        self.env.cr.commit()
        Followup = self.env["sales.followup"].with_env(self._dialer_coordinator_env())
        try:
            screen = Followup.action_next_call()
        except (UserError, AccessError) as error:
            _logger.info("Dialer of user %s did not move on: %s", user.id, error)
            news = {"refused": str(error.args[0]) if error.args else str(error)}
        else:
            # As the web client's own request would have it (its views listed).
            news = {"next": clean_action(screen, Followup.env)}
        # Both told at this request's end, after the next dial: a bus
        # message sent before it would cost the chain a connection of its
        # own (the bus's NOTIFY, after each commit that sent one).
        self._dialer_notify(logged=True)
        user.partner_id._bus_send("sales_coordination/dialer", news)

    def _dialer_drop_voicemail(self, leg_sid):
        """Leave the company's recorded message on the customer's voicemail,
        when the coordinator chose so: the customer's leg leaves the bridge
        and plays it. A refusal of Twilio costs the message, not the log."""
        company = self.company_id or self.integration_id.company_id
        url = company.sales_dialer_voicemail_url
        if not (url and leg_sid and self.user_id.sales_dialer_voicemail_drop):
            return False
        # sudo: the integration's credentials are the managers'; the company
        # chose to drop its message, and only Twilio's client reads them.
        source = self.integration_id.sudo()
        try:
            source._dialer_client().calls(leg_sid).update(
                twiml=dialer.voicemail_twiml(url)
            )
        except (TwilioException, OSError) as error:
            _logger.info("Dialled call %s: voicemail not dropped: %s", self.id, error)
            return False
        return True


class SalesInboundSourceDialer(models.Model):
    _inherit = "sales.inbound.source"

    def _dialer_client(self):
        """Twilio's REST client for this integration's account."""
        self.ensure_one()
        return dialer.rest_client(self.account_sid, self.secret, self.api_url or None)


class SalesFollowup(models.Model):
    _inherit = "sales.followup"

    @api.returns("sales.call", lambda call: call.id or False)
    def action_dial(self):
        """Place the call of this follow-up, which the current coordinator holds:
        Twilio rings their own phone, then bridges them to the customer. Returns
        the attempt's call (over RPC: its id), its result empty until the line
        says something. A refusal (outside the customer's calling hours, a
        number that must not be dialled, no phone of the coordinator's, Twilio
        unreachable or refusing) puts the follow-up back in the queue and says
        why."""
        self.ensure_one()
        self._check_coordinator()
        return self._dialer_dial(fields.Datetime.now())

    def _dialer_dial(self, now, screen=False):
        """Place the call of this follow-up (see ``action_dial``): on a cursor of
        its own, in READ COMMITTED (``_claim_cursor``), which sees the claim
        whenever it was committed (by Next call a moment ago, on a cursor of its
        own, or in an earlier request), the follow-up's dial lock, then whether
        it is held, whether it already rings, the rules, and the attempt, all in
        one transaction committed before Twilio is asked (see
        ``_dialer_place``). A refusal is committed on the same cursor: the
        claim released, or the call held (see ``_dialer_unclaim``). With
        ``screen``, returns the call screen (read on that cursor) rather than
        the attempt."""
        refusal = checked = action = None
        with self._claim_cursor() as cr:
            # The dials of one follow-up wait for each other here, so that the
            # second sees the attempt of the first (READ COMMITTED).
            cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", DIAL_LOCK, self.id))
            mine = self.with_env(self.env(cr=cr))
            # Raised before anything is written: nothing to commit.
            mine._dialer_check_held(now)
            ringing = mine._dialer_ringing(now)
            if not ringing:
                try:
                    checked = mine._dialer_checks(now)
                except DialRefused as error:
                    mine._dialer_unclaim(error.hold_until, error.args[0])
                    refusal = error
                except UserError as error:
                    mine._dialer_unclaim()
                    refusal = error
                else:
                    call_id, request = mine._dialer_record(now, *checked)
            if screen and not refusal:
                action = mine._action_open_call()
            # Written before the commit, while this environment is held: the
            # cursor's commit flushes only the environments still alive.
            mine.env.flush_all()
        # A refusal, raised once its cursor is committed (raised inside it,
        # the cursor would roll the release back).
        if refusal:
            raise refusal
        # What this transaction's cache holds of the follow-up's calls
        # predates the attempt, committed apart.
        self.invalidate_recordset(["call_ids"])
        if ringing:
            # A second press (a double click, two tabs) while the phone rings,
            # or this request run again by Odoo after it failed to serialize:
            # the same call, not a second one.
            call = self.env["sales.call"].browse(ringing.id)
        else:
            try:
                call = self._dialer_place(call_id, request)
            except UserError:
                self._dialer_release()
                raise
        return action if screen else call

    def _dialer_check_held(self, now):
        """Refuse the dial of a call the current coordinator does not hold
        (``_held_domain``, the one definition)."""
        if not self.filtered_domain(self._held_domain(self.env.uid, now)):
            raise UserError(
                self.env._(
                    "Take the call to %(who)s with Next call before dialling it.",
                    who=self.lead_id.display_name,
                )
            )

    def _dialer_ringing(self, now):
        """This coordinator's dial of this follow-up placed less than
        ``RINGING_SECONDS`` ago and still waiting for its result, if any (in
        SQL: the coordinator's own call, which their rules let them see, and
        a domain costs more to compose than the query to run)."""
        self.env["sales.call"].flush_model(
            ["followup_id", "user_id", "dial_token", "result"]
        )
        self.env.cr.execute(
            SQL(
                """SELECT id FROM sales_call
                    WHERE followup_id = %s AND user_id = %s
                      AND dial_token IS NOT NULL AND dial_token != ''
                      AND result IS NULL AND create_date > %s
                    ORDER BY id DESC LIMIT 1""",
                self.id,
                self.env.uid,
                now - timedelta(seconds=RINGING_SECONDS),
            )
        )
        return self.env["sales.call"].browse(row[0] for row in self.env.cr.fetchall())

    def _dialer_unclaim(self, hold_until=None, reason=None):
        """Put this follow-up back in the queue (a refusal of the dial). With
        ``hold_until`` (a refusal of the customer's), Next call hands out
        other calls until then, so that the next press does not meet the same
        refusal."""
        if hold_until:
            self._check_coordinator()
            self._check_mine()
            self._sales_hold(hold_until, reason)
        else:
            self.action_release()

    def _dialer_release(self, hold_until=None, reason=None):
        """``_dialer_unclaim``, for good, on a cursor of its own: the refusal
        that follows rolls back the request's own transaction."""
        with self.env.registry.cursor() as cr:
            mine = self.with_env(self.env(cr=cr))
            mine._dialer_unclaim(hold_until, reason)
            # Written before the commit, while this environment is held: the
            # cursor's commit flushes only the environments still alive.
            mine.env.flush_all()

    def _dialer_checks(self, now):
        """The integration to dial with, the customer's number and the caller ID,
        once every rule allows the call; a UserError says which does not."""
        user = self.env.user
        lead = self.lead_id
        Lead = self.env["crm.lead"]
        if not user.sales_dialer_phone:
            raise UserError(
                self.env._(
                    "Set your own phone number (Dialer Phone, in your preferences) "
                    "for the dialer to ring you first."
                )
            )
        company = self.company_id or self.env.company
        # sudo: the integrations are the managers' records; a coordinator dials
        # through their company's, and only this reads its settings.
        source = (
            self.env["sales.inbound.source"]
            .sudo()
            .search_fetch(
                [
                    ("provider", "=", "twilio"),
                    ("dialer_enabled", "=", True),
                    ("company_id", "=", company.id),
                ],
                [
                    "account_sid",
                    "secret",
                    "api_url",
                    "dialer_caller_id",
                    "dialer_record",
                    "company_id",
                ],
                order="id",
                limit=1,
            )
        )
        if not source or not source.account_sid:
            raise UserError(
                self.env._(
                    "%(company)s has no Twilio account set up for the dialer: ask "
                    "your manager to turn the dialer on in a Twilio integration.",
                    company=company.name,
                )
            )
        number = lead.phone or lead.partner_id.phone or lead.partner_id.mobile
        country = lead.country_id or lead.partner_id.country_id or None
        customer = Lead._sales_phone_e164(number, country) if number else False
        hold = now + HOLD_TO_FIX
        if not customer:
            raise DialRefused(
                self.env._(
                    "%(who)s has no phone number to dial.", who=lead.display_name
                ),
                hold,
            )
        if lead.sales_do_not_call:
            raise DialRefused(
                self.env._(
                    "%(who)s asked not to be called: the dialer skips them.",
                    who=lead.display_name,
                ),
                hold,
            )
        if lead.sales_wrong_number:
            raise DialRefused(
                self.env._(
                    "%(number)s is marked as a wrong number for %(who)s: fix the "
                    "number on the lead before dialling it.",
                    number=customer,
                    who=lead.display_name,
                ),
                hold,
            )
        # The blacklist is the marketing team's list; whether a number is on it
        # is all the dialer reads. Its numbers are stored in E.164 form (see
        # phone.blacklist's create and write), as ``customer`` is: compared as
        # they are, rather than through the ORM's domain, which would parse
        # the number again, twice.
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM phone_blacklist WHERE number = %s AND active LIMIT 1",
                customer,
            )
        )
        if self.env.cr.fetchone():
            raise DialRefused(
                self.env._(
                    "%(number)s is on the phone blacklist: the dialer never calls it.",
                    number=customer,
                ),
                hold,
            )
        zones = self._dialer_time_zones(customer, company)
        start, end = company.sales_dialer_hour_start, company.sales_dialer_hour_end
        outside = dialer.outside_hours(now, zones, start, end)
        if outside:
            local = dialer.local_time(now, outside) if outside in zones else None
            opening = dialer.next_opening(now, zones, start, end)
            raise DialRefused(
                self.env._(
                    "It is %(time)s for %(who)s (%(zone)s): the dialer calls from "
                    "%(start)s to %(end)s in the customer's time zone.",
                    time=local.strftime("%H:%M") if local else "?",
                    who=lead.display_name,
                    zone=outside,
                    start=dialer.hour_label(start),
                    end=dialer.hour_label(end),
                ),
                opening or hold,
            )
        caller_id = self._dialer_caller_id(source)
        if not caller_id:
            raise UserError(
                self.env._(
                    "The dialer has no number to show the customer: ask your "
                    "manager to set the caller ID of the Twilio integration."
                )
            )
        return source, customer, caller_id

    def _dialer_time_zones(self, customer, company):
        """The customer's time zones: their contact's, else their number's
        region's (every one of them, when it spans several), else the
        company's."""
        partner = self.lead_id.partner_id
        if partner.tz:
            return (partner.tz,)
        zones = dialer.number_time_zones(customer)
        if zones:
            return zones
        return (company.partner_id.tz or self.env.user.tz or "UTC",)

    def _dialer_caller_id(self, source):
        """The number the customer sees: the tracking number of the lead's
        source in the company, else the integration's caller ID."""
        lead = self.lead_id
        if lead.source_id:
            # sudo: which number is the source's is not secret, and coordinators
            # need not read the tracking numbers' screen.
            tracked = (
                self.env["sales.tracking.number"]
                .sudo()
                .search(
                    [
                        ("source_id", "=", lead.source_id.id),
                        ("company_id", "in", [source.company_id.id, False]),
                    ],
                    order="id",
                    limit=1,
                )
            )
            if tracked.number:
                return tracked.number
        return self.env["crm.lead"]._sales_phone_e164(source.dialer_caller_id or "")

    def _dialer_record(self, now, source, customer, caller_id):
        """Create the attempt of this follow-up's dial, on the cursor of
        ``_dialer_dial`` (the follow-up's dial lock held), which commits it
        before Twilio is asked. Returns its id, and Twilio's client and the
        call to ask it for, as plain values (that cursor is closed by then)."""
        token = secrets.token_urlsafe(24)
        base = source.dialer_url

        def callback(leg):
            return f"{base}?leg={leg}&dial={token}"

        twiml = dialer.bridge_twiml(
            customer, caller_id, callback, record=source.dialer_record
        )
        agent = self.env["crm.lead"]._sales_phone_e164(self.env.user.sales_dialer_phone)
        call = self.env["sales.call"]._sales_create_workflow(
            [
                {
                    "lead_id": self.lead_id.id,
                    "followup_id": self.id,
                    "direction": "out",
                    "result": False,
                    "integration_id": source.id,
                    # What its compute gives, in the INSERT rather than an
                    # UPDATE after it.
                    "company_id": (self.lead_id.company_id or source.company_id).id,
                    "dial_token": token,
                    "dial_status": "agent dialling",
                    "caller_number": customer,
                }
            ]
        )
        return call.id, {
            "client": (source.account_sid, source.secret, source.api_url or None),
            "call": {
                "to": agent,
                "from_": caller_id,
                "twiml": twiml,
                # The token too: the call is found by it even before its SID
                # is recorded.
                "status_callback": callback("agent"),
                "status_callback_event": ["ringing", "answered", "completed"],
                "timeout": 25,
            },
        }

    def _dialer_place(self, call_id, request):
        """Ask Twilio for the call of the attempt ``call_id`` (``request``, from
        ``_dialer_record``).

        Odoo runs a request again from the start when its transaction fails to
        serialize, and Twilio cannot take back a call it placed: the attempt is
        therefore committed on a cursor of its own before Twilio is asked (see
        ``_dialer_dial``), and the call's SID as soon as Twilio answers, so that
        a request run again finds the attempt (``_dialer_ringing``) instead of
        dialling the customer a second time, whatever becomes of its own
        transaction. When Twilio refuses or cannot be reached, the attempt is
        removed again: nothing is recorded that did not happen."""
        Call = self.env["sales.call"]
        try:
            placed = dialer.rest_client(*request["client"]).calls.create(
                **request["call"]
            )
        except TwilioRestException as error:
            _logger.info("Twilio refused a dialled call: %s", error)
            self._dialer_forget(call_id)
            raise UserError(
                self.env._(
                    "Twilio refused the call (%(code)s: %(message)s): nothing was "
                    "dialled, and the call is back in the queue.",
                    code=error.code or error.status,
                    message=(error.msg or "")[:200],
                )
            ) from None
        except (TwilioException, OSError) as error:
            _logger.info("Twilio could not be reached: %s", error)
            self._dialer_forget(call_id)
            raise UserError(
                self.env._(
                    "Twilio cannot be reached right now: nothing was dialled, and "
                    "the call is back in the queue. Try again in a moment."
                )
            ) from None
        # READ COMMITTED: a callback of the call may already be writing it. Its
        # row is locked first, so that what the callback wrote is read, and
        # never written over with the earlier status below.
        with self._claim_cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT id FROM sales_call WHERE id = %s FOR NO KEY UPDATE", call_id
                )
            )
            if not cr.fetchone():
                # gone when the coordinator's phone already failed: see
                # SalesCall._dialer_on_agent
                return Call.browse(call_id)
            # sudo: the dialer's own record of the call this request placed
            # a moment ago, written with the network's facts (see
            # SalesCall._dialer_write), read after its lock in one query.
            Mine = Call.with_env(self.env(cr=cr, su=True))
            call = Mine.search_fetch([("id", "=", call_id)], Mine._dialer_fetched())
            vals = {"provider_call_id": placed.sid}
            if call.dial_status == "agent dialling":
                vals["dial_status"] = "agent queued"
            call._dialer_write(vals)
            call._dialer_notify()
            call.env.flush_all()
        return Call.browse(call_id)

    def _dialer_forget(self, call_id):
        """Remove the attempt ``call_id`` that Twilio did not place, for good
        (the refusal that follows rolls back the request's own transaction)."""
        with self.env.registry.cursor() as cr:
            # sudo: the dialer's own record of a dial that did not happen,
            # created a moment ago by this request.
            self.env["sales.call"].with_env(self.env(cr=cr, su=True)).browse(
                call_id
            ).unlink()

    @api.model
    def action_next_call(self):
        """With the dialer on, Next call claims the call and dials it in the
        same request, then opens its call screen (see ``_dialer_dial_claimed``).
        A refusal of the customer's (their hours, a number that must not be
        dialled, see ``DialRefused``) has held that call aside: Next call skips
        to the next due call, trying ``TRIES`` of them in one press, and the
        call screen says why on the bus (``skipped``). Any other refusal (see
        ``action_dial``) has put the call back in the queue and fails Next
        call with its reason."""
        if not self.env.user.sales_dialer_on:
            return super().action_next_call()
        skipped = []
        try:
            for _try in range(TRIES):
                followup = self.claim_next()
                if not followup:
                    return self._action_nothing_due()
                try:
                    return followup._dialer_dial_claimed()
                except DialRefused as refusal:
                    skipped.append(str(refusal.args[0]))
            return self._dialer_too_many_skipped()
        finally:
            if skipped:
                self.env.user.partner_id._bus_send(
                    "sales_coordination/dialer", {"skipped": skipped}
                )

    @api.model
    def _dialer_too_many_skipped(self):
        return self._action_notice(
            "warning",
            self.env._("Nothing dialled"),
            self.env._(
                "The next %(count)s due calls could not be dialled (see why on "
                "their leads): they wait until they can be. Press Next Call again "
                "for the calls after them.",
                count=TRIES,
            ),
        )

    def _dialer_dial_claimed(self):
        """Dial this follow-up, which ``claim_next`` just claimed for the
        current coordinator in this request, and return its call screen.

        The claim is committed on a cursor of its own, which this request's
        REPEATABLE READ snapshot predates: here the follow-up still looks
        unclaimed, and writing it would fail to serialize. The dial runs on
        cursors of its own in READ COMMITTED (see ``_dialer_dial``), which see
        the claim (in test mode, Odoo's TestCursor inside the test's
        transaction, which sees it too), and this request writes nothing on
        its own cursor; the call screen is read there too. The dial is placed
        once however often this runs (a double click, a retried request): the
        attempt is committed before Twilio is asked, and found again."""
        self.ensure_one()
        return self._dialer_dial(fields.Datetime.now(), screen=True)

    @api.model
    def _dialer_held(self):
        """The call the current coordinator holds now (one at a time, see
        ``claim_next``), for the Dial action run without a record."""
        held = self.search(
            self._held_domain(self.env.uid, fields.Datetime.now()),
            order="claim_expires_at desc, id desc",
            limit=1,
        )
        if not held:
            raise UserError(
                self.env._("You hold no call to dial: press Next call to take one.")
            )
        return held

    def _dialer_dial_and_open(self):
        """Dial this follow-up (see ``action_dial``) and open its call screen:
        the Dial action, for a call already claimed in an earlier request (Next
        call itself dials, see ``_dialer_dial_claimed``)."""
        self.ensure_one()
        self.action_dial()
        return self.action_open_call()

    def action_log_call(self, result, *args, **kwargs):
        if _FILLING.get() is not None:
            # A callback of the line logs its own call (SalesCall._dialer_log).
            return super().action_log_call(result, *args, **kwargs)
        # A dialled call of this coordinator's still waiting for its result
        # takes it, rather than a second call for one attempt.
        dialled = self.env["sales.call"].search(
            [
                ("followup_id", "in", self.ids),
                ("user_id", "=", self.env.uid),
                ("dial_token", "!=", False),
                ("result", "=", False),
            ],
            order="id desc",
            limit=1,
        )
        if not dialled or len(self) != 1:
            return super().action_log_call(result, *args, **kwargs)
        with _filling(dialled):
            return super().action_log_call(result, *args, **kwargs)
