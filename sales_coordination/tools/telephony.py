"""What Twilio and CallRail post about a call, read into one shape ("facts"), and
how the facts of several events for one call merge. Plain Python, no ORM.

A provider posts several events for one call (CallRail: pre-call, post-call, call
modified; Twilio: each status, then the recording), in any order, each perhaps
more than once. Each event is read into facts; the call's facts are the merge of
all its events' facts, and the merge gives the same result whatever the order and
however often an event repeats (it is commutative, associative and idempotent):
ranks and flags only go up, the start only goes down, and a text comes from the
most advanced event that gave one.
"""

import base64
import hashlib
import hmac
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

MAX_ID = 64
MAX_NUMBER = 32
MAX_NAME = 128
MAX_URL = 1024
MAX_TEXT = 4000
MAX_DURATION = 24 * 60 * 60

# How far an event says the call went: what is known of it by then.
RANK_RINGING = 0  # the call is arriving (pre-call, Twilio's first statuses)
RANK_LIVE = 1  # answered, still going on
RANK_ENDED = 2  # ended: answered or not, its duration (post-call, final status)
RANK_MODIFIED = 3  # changed after it ended (CallRail's call modified)

# Twilio's documented call statuses, and what each says of the call.
TWILIO_CALL_STATUSES = {
    "queued": (RANK_RINGING, None),
    "initiated": (RANK_RINGING, None),
    "ringing": (RANK_RINGING, None),
    "in-progress": (RANK_LIVE, True),
    "completed": (RANK_ENDED, True),
    "busy": (RANK_ENDED, False),
    "no-answer": (RANK_ENDED, False),
    "failed": (RANK_ENDED, False),
    "canceled": (RANK_ENDED, False),
}
TWILIO_RECORDING_STATUSES = ("in-progress", "completed", "absent", "failed")
TWILIO_DIRECTIONS = {
    "inbound": "in",
    "outbound-api": "out",
    "outbound-dial": "out",
    "trunking-originating": "in",
    "trunking-terminating": "out",
}
# CallRail's call webhooks, named by the endpoint's ``event`` parameter (one
# endpoint address per webhook in CallRail's settings).
CALLRAIL_EVENTS = {
    "pre_call": RANK_RINGING,
    "post_call": RANK_ENDED,
    "call_modified": RANK_MODIFIED,
}
CALLRAIL_DIRECTIONS = {"inbound": "in", "outbound": "out"}

# How each fact merges (see merge()); the others are texts.
HIGHEST = ("rank", "answered", "voicemail", "duration", "recording_duration")
LOWEST = ("started_at",)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class PayloadError(ValueError):
    """A payload the provider would not send: the message names the field."""


# ----------------------------------------------------------------------
# Merging
# ----------------------------------------------------------------------


def merge(old, new):
    """The facts of a call that ``old`` and ``new`` (facts dicts, or None) both
    describe. Texts keep, for each fact, the rank of the event that gave them
    (``ranks``), so that an earlier event arriving late changes nothing."""
    old = old or {}
    result = {"ranks": dict(old.get("ranks", {}))}
    for name in set(old) | set(new):
        if name == "ranks":
            continue
        mine, theirs = old.get(name), new.get(name)
        if name in HIGHEST or name in LOWEST:
            values = [value for value in (mine, theirs) if value is not None]
            if values:
                result[name] = (max if name in HIGHEST else min)(values)
            continue
        if theirs in (None, ""):
            if mine not in (None, ""):
                result[name] = mine
            continue
        rank = new.get("rank", RANK_RINGING)
        held = result["ranks"].get(name, -1)
        if mine in (None, "") or (rank, str(theirs)) > (held, str(mine)):
            result[name] = theirs
            result["ranks"][name] = rank
        else:
            result[name] = mine
    return result


def is_ended(facts):
    return facts.get("rank", RANK_RINGING) >= RANK_ENDED


# ----------------------------------------------------------------------
# Reading the providers' fields
# ----------------------------------------------------------------------


def _text(payload, name, limit, required=False):
    value = payload.get(name)
    if value is None or value == "":
        if required:
            raise PayloadError(f"missing field '{name}'")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadError(f"field '{name}' must be a string")
    value = str(value)
    if "\x00" in value:
        raise PayloadError(f"field '{name}' is not valid text")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise PayloadError(f"field '{name}' is not valid text") from None
    return value.strip()[:limit]


def _seconds(payload, name, required=False):
    """A whole number of seconds, given as a number or as digits (form fields are
    text): None when absent."""
    value = payload.get(name)
    if value is None or value == "":
        if required:
            raise PayloadError(f"missing field '{name}'")
        return None
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(f"field '{name}' must be a whole number of seconds")
    if not 0 <= value <= MAX_DURATION:
        raise PayloadError(f"field '{name}' must be between 0 and a day")
    return value


def _flag(payload, name, required=False):
    value = payload.get(name)
    if value is None:
        if required:
            raise PayloadError(f"missing field '{name}'")
        return None
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if not isinstance(value, bool):
        raise PayloadError(f"field '{name}' must be true or false")
    return value


def _url(payload, name):
    url = _text(payload, name, MAX_URL)
    if url and not url.lower().startswith("https://"):
        raise PayloadError(f"field '{name}' must be an https:// address")
    return url


def _utc(moment, name, now):
    if moment.tzinfo:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    if not 1900 <= moment.year <= 2100:
        raise PayloadError(f"field '{name}' must be between 1900 and 2100")
    if moment > now + timedelta(minutes=5):
        raise PayloadError(f"field '{name}' is in the future")
    return moment.replace(microsecond=0)


def _iso_time(payload, name, now, required=False):
    value = payload.get(name)
    if value in (None, ""):
        if required:
            raise PayloadError(f"missing field '{name}'")
        return None
    if not isinstance(value, str):
        raise PayloadError(f"field '{name}' is not ISO 8601")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(f"field '{name}' is not ISO 8601") from None
    return _utc(moment, name, now)


def _rfc2822_time(payload, name, now):
    value = payload.get(name)
    if value in (None, ""):
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        raise PayloadError(f"field '{name}' is not an RFC 2822 date") from None
    return _utc(moment, name, now)


def _stamp(moment):
    return moment.strftime(TIME_FORMAT) if moment else None


def _choice(payload, name, choices, required=True):
    value = payload.get(name)
    if value in (None, ""):
        if required:
            raise PayloadError(f"missing field '{name}'")
        return None
    if not isinstance(value, str) or value not in choices:
        raise PayloadError(
            f"field '{name}' is {str(value)[:40]!r}, which the provider does not "
            f"document (expected one of: {', '.join(choices)})"
        )
    return value


def _drop_empty(facts):
    return {name: value for name, value in facts.items() if value not in (None, "", [])}


# ----------------------------------------------------------------------
# Twilio
# ----------------------------------------------------------------------


def read_twilio(params, now):
    """Facts of a Twilio voice status callback or recording status callback
    (``params``: the form's fields as a dict of strings). ``now``: naive UTC."""
    call_id = _text(params, "CallSid", MAX_ID, required=True)
    if "RecordingSid" in params or "RecordingStatus" in params:
        _text(params, "RecordingSid", MAX_ID, required=True)
        status = _choice(params, "RecordingStatus", TWILIO_RECORDING_STATUSES)
        facts = {"call_id": call_id, "recording_status": status}
        if status == "completed":
            url = _url(params, "RecordingUrl")
            if not url:
                raise PayloadError("missing field 'RecordingUrl'")
            facts["recording_url"] = url
            facts["recording_duration"] = _seconds(params, "RecordingDuration")
        return _drop_empty(facts)
    status = _choice(params, "CallStatus", tuple(TWILIO_CALL_STATUSES))
    rank, answered = TWILIO_CALL_STATUSES[status]
    direction = TWILIO_DIRECTIONS[
        _choice(params, "Direction", tuple(TWILIO_DIRECTIONS), required=False)
        or "inbound"
    ]
    caller = _text(params, "From", MAX_NUMBER, required=True)
    called = _text(params, "To", MAX_NUMBER, required=True)
    duration = _seconds(params, "CallDuration")
    moment = _rfc2822_time(params, "Timestamp", now) or now
    if rank >= RANK_ENDED and duration:
        # The status callback of an ended call comes when it ends.
        moment -= timedelta(seconds=duration)
    facts = {
        "call_id": call_id,
        "rank": rank,
        "status": status,
        "direction": direction,
        # Inbound, the caller is the customer and the number they dialled ours;
        # outbound, the other way round.
        "caller_number": caller if direction == "in" else called,
        "tracking_number": called if direction == "in" else caller,
        "caller_name": _text(params, "CallerName", MAX_NAME),
        "started_at": _stamp(moment),
    }
    if answered is not None:
        facts["answered"] = answered
    if rank >= RANK_ENDED:
        facts["duration"] = duration if answered else 0
    return _drop_empty(facts)


# ----------------------------------------------------------------------
# CallRail
# ----------------------------------------------------------------------


def callrail_signature(key, body):
    """The Base64 HMAC-SHA1 of the raw ``body`` (bytes) with the company's
    signing key, as CallRail puts it in the ``Signature`` header."""
    digest = hmac.new(key.encode(), body, hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def read_callrail(payload, event, now):
    """Facts of a CallRail call webhook (``payload``: the JSON body, signed;
    ``event``: ``pre_call``, ``post_call`` or ``call_modified``, the address's,
    which nobody signs). ``now``: naive UTC.

    How far the call went comes from the signed body: a call that ended says
    whether it was answered (``answered``, true or false), a ringing one does
    not (null or absent). ``event`` can neither end a ringing call nor take an
    ended one back: it only tells a change made after the call (call modified)
    from the post-call webhook, which orders their texts."""
    if not isinstance(payload, dict):
        raise PayloadError("the body must be a JSON object")
    if payload.get("answered") is None:
        if CALLRAIL_EVENTS[event] >= RANK_ENDED:
            raise PayloadError(
                f"missing field 'answered' (the {event} webhook is of an ended call)"
            )
        rank = RANK_RINGING
    else:
        rank = max(CALLRAIL_EVENTS[event], RANK_ENDED)
    call_id = _text(payload, "resource_id", MAX_ID) or _text(payload, "id", MAX_ID)
    if not call_id:
        raise PayloadError("missing field 'resource_id'")
    direction = CALLRAIL_DIRECTIONS[
        _choice(payload, "direction", tuple(CALLRAIL_DIRECTIONS), required=False)
        or "inbound"
    ]
    facts = {
        "call_id": call_id,
        "rank": rank,
        "status": event,
        "direction": direction,
        "caller_number": _text(
            payload, "customer_phone_number", MAX_NUMBER, required=True
        ),
        "tracking_number": _text(
            payload, "tracking_phone_number", MAX_NUMBER, required=True
        ),
        "caller_name": _text(payload, "customer_name", MAX_NAME),
        "started_at": _stamp(_iso_time(payload, "start_time", now, required=True)),
        "utm_source": _text(payload, "utm_source", MAX_NAME)
        or _text(payload, "source", MAX_NAME),
        "utm_medium": _text(payload, "utm_medium", MAX_NAME)
        or _text(payload, "medium", MAX_NAME),
        "utm_campaign": _text(payload, "utm_campaign", MAX_NAME)
        or _text(payload, "campaign", MAX_NAME),
        "gclid": _text(payload, "gclid", MAX_NAME),
        "note": _text(payload, "note", MAX_TEXT),
        "tags": ", ".join(_tags(payload)),
        "value": _text(payload, "value", 32),
        # CallRail's player opens in the browser; the recording's own address
        # needs the API key.
        "recording_url": _url(payload, "recording_player")
        or _url(payload, "recording"),
        "recording_duration": _seconds(payload, "recording_duration"),
    }
    first_call = _flag(payload, "first_call")
    if first_call is not None:
        facts["first_call"] = first_call
    if rank >= RANK_ENDED:
        facts["answered"] = _flag(payload, "answered", required=True)
        facts["voicemail"] = bool(_flag(payload, "voicemail"))
        facts["duration"] = _seconds(payload, "duration") or 0
    return _drop_empty(facts)


def _tags(payload):
    tags = payload.get("tags")
    if tags in (None, ""):
        return []
    if not isinstance(tags, list):
        raise PayloadError("field 'tags' must be a list")
    names = []
    for tag in tags[:50]:
        # CallRail lists tags by name; some accounts send {"name": ..., "color": ...}.
        name = tag.get("name") if isinstance(tag, dict) else tag
        if not isinstance(name, str):
            raise PayloadError("field 'tags' must list tag names")
        names.append(name.strip()[:MAX_NAME])
    return [name for name in names if name]
