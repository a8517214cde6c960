"""The demo's generated data, for demo installs alone: nothing imports this module
but the two entry points of ``sales.source.cost`` that demo/sales_source_cost_demo.xml
calls (a database without demo data never loads it). Plain functions of an
environment: a year of history once, and the demo alive on the day it is loaded
(again on every update)."""

import random
from collections import Counter
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tools import SQL

from ..models.sales_followup import OPEN_STATES

# source xml id: (spend a month, or {month number: spend}; leads a month; chance
# to be set; chance of a sale once demoed; average sale)
DEMO_SOURCES = {
    "sales_coordination.utm_source_radio_demo": (2400, 9, 0.55, 0.30, 11000),
    "sales_coordination.utm_source_yard_sign_demo": (350, 4, 0.65, 0.35, 9000),
    "sales_coordination.utm_source_referral_demo": (150, 3, 0.85, 0.55, 13000),
    "sales_coordination.utm_source_home_show_demo": (
        {3: 3200, 9: 3200},
        0,
        0.45,
        0.25,
        10000,
    ),
    "utm.utm_source_search_engine": (1100, 7, 0.40, 0.25, 9500),
}
# Leads a home show brings, in the month it runs.
HOME_SHOW_LEADS = 18
CONTACTS = (
    "Baker Carter Evans Fischer Garcia Hughes Ito Jensen Khan Lopez Moreau Novak "
    "Okafor Patel Quinn Rossi Schmidt Tanaka Usman Vogel Walsh Young Zimmer"
).split()
PRODUCTS = ("Heat pump", "Windows", "Roof", "Insulation", "Solar panels")
# A coordinator's floor, for the demo's days: calls an hour, and the share that
# reaches the customer (seed 002: about one in eight).
DEMO_CALLS_AN_HOUR = 12
DEMO_CONNECTION_RATIO = 0.12
DEMO_CALL_DAYS = 7
DEMO_FLOOR_OPENS = 8
DEMO_FLOOR_HOURS = 10
# The last visit waiting for its debrief: of the last days (a long weekend).
DEMO_DEBRIEF_DAYS = 4


def load_history(env, months=12, seed=18):
    """Demo data only: a year of leads from five sources, with their visits
    (no-shows and resets among them), debriefs, sales and what each source
    cost, so that the source funnel and its ROI mean something in `make demo`.
    Runs through the same code as a coordinator would (booking, no-show,
    debrief), as the superuser, then backdates the leads to their month."""
    rng = random.Random(seed)
    env = env(
        context=dict(
            env.context,
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
            no_mail_to_attendees=True,
        )
    )
    advisors = [
        env.ref(f"sales_coordination.user_{name}_demo")
        for name in ("adam", "alice", "andrew", "anna")
    ]
    reasons = env["crm.lost.reason"].search([("sales_is_final", "=", False)])
    final_no = env.ref("sales_coordination.crm_lost_reason_definitive_no")
    company = env.ref("base.main_company")
    first = (date.today() - relativedelta(months=months)).replace(day=1)
    # (advisor, day): one visit a day each keeps the demo simple.
    taken = {
        (event.advisor_id.id, event.start.date())
        for event in env["calendar.event"].search(
            [("advisor_id", "in", [advisor.id for advisor in advisors])]
        )
    }
    created_leads = env["crm.lead"]
    for offset in range(months):
        month = first + relativedelta(months=offset)
        for xmlid, (
            spend,
            per_month,
            p_set,
            p_sale,
            ticket,
        ) in DEMO_SOURCES.items():
            source = env.ref(xmlid)
            amount = spend.get(month.month, 0) if isinstance(spend, dict) else spend
            count = per_month or (HOME_SHOW_LEADS if amount else 0)
            if amount:
                env["sales.source.cost"].create(
                    {
                        "source_id": source.id,
                        "month": month,
                        "amount": amount,
                        "company_id": company.id,
                    }
                )
            for number in range(max(count + rng.randint(-1, 2), 0)):
                lead = _lead(env, rng, source, month, number)
                created_leads |= lead
                if rng.random() < p_set:
                    _visits(
                        env,
                        rng,
                        lead,
                        advisors,
                        taken,
                        month,
                        p_sale,
                        ticket,
                        reasons,
                        final_no,
                    )
    # The history is over: nobody calls these customers back now.
    env["sales.followup"].search(
        [("lead_id", "in", created_leads.ids), ("state", "in", OPEN_STATES)]
    )._sales_close("done")
    created_leads.activity_ids.unlink()
    # Owned by the addon like the rest of its demo data: uninstalling it
    # removes them (and their calls, follow-ups and debriefs with them).
    events = (
        env["calendar.event"]
        .with_context(active_test=False)
        .search([("opportunity_id", "in", created_leads.ids)])
    )
    env["ir.model.data"].create(
        [
            {
                "module": "sales_coordination",
                "name": f"{record._table}_history_{record.id}_demo",
                "model": record._name,
                "res_id": record.id,
                "noupdate": True,
            }
            for record in (*created_leads, *events)
        ]
    )
    return True


def _lead(env, rng, source, month, number):
    name = rng.choice(CONTACTS)
    lead = env["crm.lead"].create(
        {
            "name": f"{rng.choice(PRODUCTS)} – {name}",
            "contact_name": f"{name} household",
            "type": "opportunity",
            "source_id": source.id,
            "urgency": rng.choice(("now", "week", "month", "later")),
        }
    )
    day = min(1 + number * 2 + rng.randint(0, 2), 27)
    created = datetime.combine(month.replace(day=day), time(10))
    env.cr.execute(
        SQL(
            "UPDATE crm_lead SET create_date = %s, arrival_date = %s WHERE id = %s",
            created,
            created,
            lead.id,
        )
    )
    lead.invalidate_recordset(["create_date", "arrival_date"])
    return lead


def _slot(rng, advisors, taken, after):
    """A free morning (Tuesday to Friday, 9:00 UTC, both demo calendars work
    then) of some advisor, a few days after ``after``, before yesterday."""
    day = after.date() + timedelta(days=rng.randint(2, 6))
    limit = date.today() - timedelta(days=2)
    while day <= limit:
        if day.weekday() in (1, 2, 3, 4):
            for advisor in rng.sample(advisors, len(advisors)):
                if (advisor.id, day) not in taken:
                    taken.add((advisor.id, day))
                    start = datetime.combine(day, time(9))
                    return advisor, start
        day += timedelta(days=1)
    return None, None


def _visits(env, rng, lead, advisors, taken, month, p_sale, ticket, reasons, final_no):
    Scheduler = env["sales.appointment.scheduler"]
    after = datetime.combine(month, time(9)) + timedelta(days=rng.randint(0, 20))
    for _visit in range(3):
        advisor, start = _slot(rng, advisors, taken, after)
        if not advisor:
            return
        event = Scheduler.book(lead, advisor, start, start + timedelta(minutes=90))
        event.booked_by_id = advisor.coordinator_id
        after = start
        if rng.random() < 0.12:
            event.action_mark_no_show()
            if rng.random() < 0.6:
                continue  # rebooked: a reset
            return
        won = rng.random() < p_sale
        outcome = "won" if won else rng.choice(("lost", "lost", "abandon"))
        reason = final_no if rng.random() < 0.3 else rng.choice(reasons)
        debrief = env["sales.debrief"].create(
            {
                "event_id": event.id,
                "product_interest": lead.name.split(" – ")[0],
                "amount_untaxed": round(ticket * rng.uniform(0.6, 1.5), -2),
                "probability": 100 if won else 10,
                "outcome": outcome,
                "lost_reason_id": reason.id if outcome == "lost" else False,
            }
        )
        debrief.action_confirm()
        if won or outcome == "lost" and reason == final_no or rng.random() < 0.8:
            return
        # A rehash: the advisor's manager goes back with them.
        lead.toggle_active()


def load_today(env, seed=None):
    """Demo data only: the demo alive at the moment it is loaded (on install and
    on every update of the addon, so a database reused a week later is alive
    again), whatever the hour or the day: each coordinator's calls logged
    today so far, yesterday and on the earlier days of the month at about the
    seeds' connection ratio; callbacks due now and later today; the last
    visit that ended before now waiting for its debrief; the next working
    day's visits, with their confirmation calls. Tops up what the moment
    lacks, so running it twice adds nothing."""
    now = fields.Datetime.now()
    rng = random.Random(seed if seed is not None else now.toordinal())
    env = env(
        context=dict(
            env.context,
            tracking_disable=True,
            mail_create_nolog=True,
            mail_notrack=True,
            no_mail_to_attendees=True,
        )
    )
    Followup = env["sales.followup"]
    for login in ("coordinator_1", "coordinator_2"):
        coordinator = env.ref(f"sales_coordination.user_{login}_demo")
        advisors = coordinator.coordinated_advisor_ids
        leads = env["crm.lead"].search(
            [
                ("user_id", "in", advisors.ids),
                ("active", "=", True),
                ("probability", "<", 100),
            ],
            order="id",
        )
        if not leads:
            continue
        _calls(env, rng, coordinator, leads, now)
        # As agreed with customers: parts of the day (the coordinator's
        # time zone), two due now, two later today where a part is left.
        windows = day_windows(coordinator, now)
        queued = Followup.search(
            [
                ("queue_coordinator_id", "=", coordinator.id),
                ("state", "=", "queued"),
                ("kind", "=", "callback"),
            ],
            order="window_start, id",
        )
        have = Counter((f.window_start, f.window_end) for f in queued)
        missing = []
        for window in windows:
            if have[window]:
                have[window] -= 1
            else:
                missing.append(window)
        # Last days' callbacks nobody made come round again first.
        stale = queued.filtered(
            lambda f, windows=windows: f.window_end <= now
            and (f.window_start, f.window_end) not in windows
        )
        for followup, (start, end) in zip(stale, missing, strict=False):
            followup._sales_requeue(start, end)
        missing = missing[len(stale) :]
        waiting = (
            leads
            - Followup.search(
                [("lead_id", "in", leads.ids), ("state", "in", OPEN_STATES)]
            ).lead_id
        )
        Followup._queue_asked_callbacks(
            [
                (lead, window, "Asked to be called back today")
                for lead, window in zip(waiting, missing, strict=False)
            ]
        )
        _visits_around_today(env, coordinator, advisors, leads, now)
    return True


def _calls(env, rng, coordinator, leads, now):
    """The coordinator's calls at a coordinator's pace on the floor (from
    8:00 UTC, ten hours a day) on the last week's days (this month and
    yesterday, whatever the month), and today's so far: before the floor
    opens, the hour before now (the board has figures at any hour)."""
    Call = env["sales.call"]
    today = datetime.combine(now.date(), time())
    first = max(today.replace(day=1), today - timedelta(days=DEMO_CALL_DAYS))
    first = min(first, today - timedelta(days=1))
    day = first
    values = []
    while day <= today:
        opens = day + timedelta(hours=DEMO_FLOOR_OPENS)
        closes = opens + timedelta(hours=DEMO_FLOOR_HOURS)
        if day < today:
            low, high, counted = opens, closes, day + timedelta(days=1)
        else:
            low = min(opens, max(day, now - timedelta(hours=1)))
            high = min(now, closes)
            # today's calls reach now itself (a call logged at this second)
            counted = now + timedelta(seconds=1)
        count = Call.search_count(
            [
                ("user_id", "=", coordinator.id),
                ("call_date", ">=", day),
                ("call_date", "<", counted),
            ]
        )
        seconds = int((high - low).total_seconds())
        wanted = max(int(DEMO_CALLS_AN_HOUR * seconds / 3600), 1)
        for _i in range(max(wanted - count, 0)):
            connected = rng.random() < DEMO_CONNECTION_RATIO
            values.append(
                {
                    "lead_id": rng.choice(leads).id,
                    "user_id": coordinator.id,
                    "direction": "out",
                    "call_date": low + timedelta(seconds=rng.randint(0, seconds)),
                    "result": "connected"
                    if connected
                    else rng.choice(("no_answer", "no_answer", "voicemail")),
                    "duration": rng.randint(120, 600) if connected else 0,
                }
            )
        day += timedelta(days=1)
    Call.create(values)


def day_windows(coordinator, now):
    """Two windows due now (the part of the day under way, or the last one
    begun) and two later today (the next part of the day, if one is left),
    as (start, end) in naive UTC."""
    company = coordinator.company_id
    tz = coordinator.tz or "UTC"
    local_today = (
        fields.Datetime.context_timestamp(coordinator.with_context(tz=tz), now)
    ).date()
    parts = [
        company._sales_daypart_window(day, daypart, tz)
        for day in (local_today - timedelta(days=1), local_today)
        for daypart in ("morning", "afternoon", "evening")
    ]
    tomorrow = company._sales_local_span(local_today + timedelta(days=1), 0, 0, tz)[0]
    begun = [part for part in parts if part[0] <= now]
    ahead = [part for part in parts if now < part[0] < tomorrow]
    return [begun[-1]] * 2 + ahead[:1] * 2


def _visits_around_today(env, coordinator, advisors, leads, now):
    """The last visit of this coordinator's advisors that ended before now
    (an hour or so ago in working hours; after the weekend, the last working
    day's), waiting for its debrief, and visits on the next working day,
    waiting for their confirmation call: booked as the coordinator books
    them, where the advisors' working hours allow."""
    Event = env["calendar.event"]
    Scheduler = env["sales.appointment.scheduler"]
    Event._cron_debrief_states()
    since = now - timedelta(days=DEMO_DEBRIEF_DAYS)
    recent = Event.search_count(
        [
            ("advisor_id", "in", advisors.ids),
            ("is_sales_appointment", "=", True),
            ("debrief_state", "=", "due"),
            ("stop", ">=", since),
            ("stop", "<=", now),
        ]
    )
    free = leads.filtered(lambda lead: not lead.calendar_event_ids)
    if not recent and free:
        slots = Scheduler.propose_slots(
            free[0],
            advisors=advisors.ids,
            date_from=since,
            days=DEMO_DEBRIEF_DAYS + 1,
            limit=1000,
        )
        ended = [slot for slot in slots if slot["stop"] <= now]
        an_hour_ago = [
            slot for slot in ended if slot["stop"] <= now - timedelta(hours=1)
        ]
        if ended:
            slot = max(an_hour_ago or ended, key=lambda slot: slot["stop"])
            event = Scheduler.book(
                free[0], slot["advisor_id"], slot["start"], slot["stop"]
            )
            event.booked_by_id = coordinator
            free -= free[0]
            Event._cron_debrief_states()
    # The next working day of these advisors: the first day after today
    # with a visit booked or a free slot.
    for offset in range(1, 8):
        day = datetime.combine(now.date() + timedelta(days=offset), time())
        booked = Event.search(
            [
                ("advisor_id", "in", advisors.ids),
                ("is_sales_appointment", "=", True),
                ("start", ">=", day),
                ("start", "<", day + timedelta(days=1)),
            ]
        ).advisor_id
        slots = {}
        for advisor in advisors - booked:
            found = free and Scheduler.propose_slots(
                free[0], advisors=advisor.ids, date_from=day, days=1, limit=1
            )
            if found and found[0]["start"] < day + timedelta(days=1):
                slots[advisor] = found[0]
        if not booked and not slots:
            continue
        for advisor, slot in slots.items():
            if not free:
                break
            event = Scheduler.book(free[0], advisor, slot["start"], slot["stop"])
            event.booked_by_id = coordinator
            free -= free[0]
        break
