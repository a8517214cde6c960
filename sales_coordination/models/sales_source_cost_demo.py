import random
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

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
OPEN_FOLLOWUP = ("queued", "claimed")
# A coordinator's floor, for the demo's days: calls an hour, and the share that
# reaches the customer (seed 002: about one in eight).
DEMO_CALLS_AN_HOUR = 12
DEMO_CONNECTION_RATIO = 0.12
DEMO_CALL_DAYS = 7


class SalesSourceCost(models.Model):
    _inherit = "sales.source.cost"

    @api.model
    def _demo_history(self, months=12, seed=18):
        """Demo data only: a year of leads from five sources, with their visits
        (no-shows and resets among them), debriefs, sales and what each source
        cost, so that the source funnel and its ROI mean something in `make demo`.
        Runs through the same code as a coordinator would (booking, no-show,
        debrief), as the superuser, then backdates the leads to their month."""
        rng = random.Random(seed)
        env = self.env(
            context=dict(
                self.env.context,
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
                    self.create(
                        {
                            "source_id": source.id,
                            "month": month,
                            "amount": amount,
                            "company_id": company.id,
                        }
                    )
                for number in range(max(count + rng.randint(-1, 2), 0)):
                    lead = self._demo_lead(env, rng, source, month, number)
                    created_leads |= lead
                    if rng.random() < p_set:
                        self._demo_visits(
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
            [("lead_id", "in", created_leads.ids), ("state", "in", OPEN_FOLLOWUP)]
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

    def _demo_lead(self, env, rng, source, month, number):
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

    def _demo_slot(self, rng, advisors, taken, after):
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

    def _demo_visits(
        self, env, rng, lead, advisors, taken, month, p_sale, ticket, reasons, final_no
    ):
        Scheduler = env["sales.appointment.scheduler"]
        after = datetime.combine(month, time(9)) + timedelta(days=rng.randint(0, 20))
        for _visit in range(3):
            advisor, start = self._demo_slot(rng, advisors, taken, after)
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

    @api.model
    def _demo_today(self, seed=None):
        """Demo data only: the demo alive on the day it is loaded (on install and
        on every update of the addon, so a database reused a week later is alive
        again): each coordinator's calls logged today so far, yesterday and on
        the earlier days of the month at about the seeds' connection ratio; a few
        callbacks due now and later today; a visit that ended an hour or so ago
        waiting for its debrief; tomorrow's visits, with their confirmation
        calls. Tops up what a day lacks, so running it twice adds nothing."""
        now = datetime.now().replace(microsecond=0)
        today = datetime.combine(now.date(), time())
        rng = random.Random(seed if seed is not None else now.toordinal())
        env = self.env(
            context=dict(
                self.env.context,
                tracking_disable=True,
                mail_create_nolog=True,
                mail_notrack=True,
                no_mail_to_attendees=True,
            )
        )
        Call = env["sales.call"]
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
            # Calls at a coordinator's pace on the floor, today pro rata: the
            # last week's days (this month and yesterday, whatever the month).
            first = max(today.replace(day=1), today - timedelta(days=DEMO_CALL_DAYS))
            first = min(first, today - timedelta(days=1))
            day = first
            while day <= today:
                end = now if day == today else day + timedelta(days=1)
                count = Call.search_count(
                    [
                        ("user_id", "=", coordinator.id),
                        ("call_date", ">=", day),
                        ("call_date", "<", end),
                    ]
                )
                hours = min(max((end - day).total_seconds() / 3600 - 8, 1), 10)
                wanted = int(DEMO_CALLS_AN_HOUR * hours)
                values = []
                for _i in range(max(wanted - count, 0)):
                    at = day + timedelta(
                        hours=8, seconds=rng.randint(0, int(hours * 3600) - 1)
                    )
                    connected = rng.random() < DEMO_CONNECTION_RATIO
                    values.append(
                        {
                            "lead_id": rng.choice(leads).id,
                            "user_id": coordinator.id,
                            "direction": "out",
                            "call_date": min(at, now),
                            "result": "connected"
                            if connected
                            else rng.choice(("no_answer", "no_answer", "voicemail")),
                            "duration": rng.randint(120, 600) if connected else 0,
                        }
                    )
                Call.create(values)
                day += timedelta(days=1)
            # Callbacks due now and later today.
            open_today = Followup.search_count(
                [
                    ("queue_coordinator_id", "=", coordinator.id),
                    ("state", "=", "queued"),
                    ("kind", "=", "callback"),
                    ("window_start", ">=", today),
                    ("window_start", "<", today + timedelta(days=1)),
                ]
            )
            starts = [now - timedelta(minutes=40), now - timedelta(minutes=10)]
            starts += [now + timedelta(hours=2), now + timedelta(hours=4)]
            starts = starts[open_today:]
            # Last days' callbacks nobody made come round again first.
            stale = Followup.search(
                [
                    ("queue_coordinator_id", "=", coordinator.id),
                    ("state", "=", "queued"),
                    ("kind", "=", "callback"),
                    ("window_start", "<", today),
                ],
                limit=len(starts),
            )
            for followup, start in zip(stale, starts, strict=False):
                followup._sales_requeue(start, start + timedelta(hours=3))
            starts = starts[len(stale) :]
            waiting = leads.filtered(
                lambda lead: not lead.followup_ids.filtered(
                    lambda f: f.state in OPEN_FOLLOWUP
                )
            )
            Followup._sales_queue(
                [
                    {
                        "lead_id": lead.id,
                        "kind": "callback",
                        "window_start": start,
                        "window_end": start + timedelta(hours=3),
                        "note": "Asked to be called back today",
                    }
                    for lead, start in zip(waiting, starts, strict=False)
                ]
            )
            self._demo_visits_around_today(env, rng, coordinator, advisors, leads, now)
        return True

    def _demo_visits_around_today(self, env, rng, coordinator, advisors, leads, now):
        """A visit of this coordinator's advisors that ended an hour or so ago,
        waiting for its debrief, and visits tomorrow, waiting for their
        confirmation call: booked as the coordinator books them, where the
        advisors' working hours allow."""
        Event = env["calendar.event"]
        Scheduler = env["sales.appointment.scheduler"]
        Event._cron_debrief_states()
        recent = Event.search_count(
            [
                ("advisor_id", "in", advisors.ids),
                ("is_sales_appointment", "=", True),
                ("debrief_state", "=", "due"),
                ("stop", ">=", now - timedelta(days=1)),
                ("stop", "<=", now),
            ]
        )
        free = leads.filtered(lambda lead: not lead.calendar_event_ids)
        if not recent and free:
            # Back from an hour ago in half hours, until the advisor worked then.
            for advisor in advisors:
                start = now.replace(minute=0, second=0) - timedelta(hours=2, minutes=30)
                for _step in range(48):
                    try:
                        with env.cr.savepoint():
                            event = Scheduler.book(
                                free[0], advisor, start, start + timedelta(minutes=90)
                            )
                    except (UserError, ValidationError):
                        start -= timedelta(minutes=30)
                        continue
                    event.booked_by_id = coordinator
                    free -= free[0]
                    break
                else:
                    continue
                break
            env["calendar.event"]._cron_debrief_states()
        tomorrow = datetime.combine(now.date() + timedelta(days=1), time())
        booked = Event.search_count(
            [
                ("advisor_id", "in", advisors.ids),
                ("is_sales_appointment", "=", True),
                ("start", ">=", tomorrow),
                ("start", "<", tomorrow + timedelta(days=1)),
            ]
        )
        for advisor in advisors[: max(len(advisors) - booked, 0)]:
            if not free:
                break
            lead = free[0]
            slots = Scheduler.propose_slots(
                lead, advisors=advisor.ids, date_from=tomorrow, days=1, limit=1
            )
            if not slots:
                continue
            slot = slots[0]
            event = Scheduler.book(lead, advisor, slot["start"], slot["stop"])
            event.booked_by_id = coordinator
            free -= lead
