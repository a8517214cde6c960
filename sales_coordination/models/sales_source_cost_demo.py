import random
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, models
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
