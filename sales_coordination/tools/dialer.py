"""The dialer's plain logic: calling hours in the customer's time zones, what
Twilio's callbacks of a dialled call mean, the TwiML that bridges the
coordinator to the customer, and Twilio's REST client pointed at the
integration's base URL. No ORM.

A dialled call has three legs of callbacks, each posted to the integration's
dialer endpoint with ``leg`` in the (signed) address: ``agent``, the call Twilio
places to the coordinator's own phone (its CallSid is the call's
``provider_call_id``); ``customer``, the ``<Dial><Number>`` leg to the customer;
``amd``, the answering-machine detection of the customer leg; and
``recording``, the bridged conversation's recording.
"""

import functools
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_timezone
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import Dial, VoiceResponse

TWILIO_API = "https://api.twilio.com"
TIMEOUT = 10
LEGS = ("agent", "customer", "amd", "recording")
# How far a leg went, so that a late callback never moves the progress back.
PROGRESS = {
    "queued": 0,
    "initiated": 0,
    "ringing": 1,
    "in-progress": 2,
    "answered": 2,
    "completed": 3,
    "busy": 3,
    "no-answer": 3,
    "failed": 3,
    "canceled": 3,
}
UNANSWERED = frozenset({"busy", "no-answer", "failed", "canceled"})
# Twilio's AnsweredBy values (asynchronous answering-machine detection).
MACHINE = frozenset(
    {
        "machine_start",
        "machine_end_beep",
        "machine_end_silence",
        "machine_end_other",
        "fax",
    }
)
# The greeting has ended: a recorded message dropped now is heard whole.
GREETING_ENDED = frozenset(
    {"machine_end_beep", "machine_end_silence", "machine_end_other"}
)
ANSWERED_BY = {
    "human": "human",
    "unknown": "unknown",
    **dict.fromkeys(MACHINE, "machine"),
}
# A failed call to a number that does not exist: Twilio's error codes (13223:
# invalid format, 13224: not a valid number, 21211: invalid 'To', 21614: not a
# mobile/valid number, 21217: not a valid number) and SIP answers (404 not
# found, 484 address incomplete, 604 does not exist anywhere).
NUMBER_ERRORS = frozenset({"13223", "13224", "21211", "21217", "21614"})
NUMBER_SIP = frozenset({"404", "484", "604"})


class DialerClient(TwilioHttpClient):
    """Twilio's HTTP client, sending its requests to ``base_url`` instead of
    api.twilio.com (a regional edge, or the local stand-in of tests and demos)."""

    def __init__(self, base_url, **kwargs):
        super().__init__(timeout=TIMEOUT, **kwargs)
        self.sales_base_url = (base_url or "").rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if self.sales_base_url and url.startswith(TWILIO_API):
            url = self.sales_base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


def rest_client(account_sid, auth_token, base_url=None):
    """Twilio's REST client for the account, at ``base_url`` when given."""
    return Client(
        account_sid,
        auth_token,
        http_client=DialerClient(base_url),
    )


def bridge_twiml(customer, caller_id, callback, record=False):
    """The TwiML run once the coordinator answers: dial the customer showing
    ``caller_id``, with the customer leg's progress, its answering-machine
    detection and (``record``) the conversation's recording posted to
    ``callback(leg)``, an absolute URL."""
    response = VoiceResponse()
    dial = Dial(
        caller_id=caller_id,
        answer_on_bridge=True,
        **(
            {
                "record": "record-from-answer-dual",
                "recording_status_callback": callback("recording"),
            }
            if record
            else {}
        ),
    )
    dial.number(
        customer,
        status_callback=callback("customer"),
        status_callback_event="initiated ringing answered completed",
        machine_detection="DetectMessageEnd",
        amd_status_callback=callback("amd"),
    )
    response.append(dial)
    return str(response)


def voicemail_twiml(message_url):
    """The TwiML that plays the recorded message to the customer's voicemail."""
    response = VoiceResponse()
    response.play(message_url)
    response.hangup()
    return str(response)


def moves_forward(old, new):
    """Whether the status ``new`` says more of a leg than ``old`` did."""
    return PROGRESS.get(new, -1) > PROGRESS.get(old or "", -1)


def is_invalid_number(params):
    """Whether a failed leg's callback says the number does not exist."""
    return (
        params.get("ErrorCode", "") in NUMBER_ERRORS
        or params.get("SipResponseCode", "") in NUMBER_SIP
    )


@functools.lru_cache(maxsize=1024)
def number_time_zones(e164):
    """The time zones of a phone number's region (empty when unknown); the
    same number is parsed once per process."""
    try:
        parsed = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return ()
    return tuple(
        zone
        for zone in phone_timezone.time_zones_for_number(parsed)
        if zone != "Etc/Unknown"
    )


def outside_hours(now, zones, start, end):
    """The first of ``zones`` (names) where ``now`` (naive UTC) falls outside
    ``start``-``end`` (hours of the day, as floats), or None when it is inside
    calling hours in all of them. An unknown zone counts as outside: a call
    whose local time cannot be told is not made."""
    moment = now.replace(tzinfo=timezone.utc)
    for name in zones:
        try:
            local = moment.astimezone(ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError):
            return name
        hour = local.hour + local.minute / 60 + local.second / 3600
        if not start <= hour < end:
            return name
    return None


def next_opening(now, zones, start, end, step_minutes=15, horizon_hours=48):
    """The first moment from ``now`` (naive UTC, on a quarter of an hour) when
    every one of ``zones`` is inside calling hours ``start``-``end``; None when
    none comes within ``horizon_hours`` (an unknown zone, hours that never
    meet)."""
    moment = now.replace(second=0, microsecond=0)
    moment += timedelta(minutes=-moment.minute % step_minutes)
    for _step in range(horizon_hours * 60 // step_minutes + 1):
        if not outside_hours(moment, zones, start, end):
            return moment
        moment += timedelta(minutes=step_minutes)
    return None


def local_time(now, zone):
    """``now`` (naive UTC) on the clock of ``zone``, naive."""
    return (
        now.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    )


def hour_label(hours):
    """8.5 as "08:30"."""
    minutes = round(hours * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
