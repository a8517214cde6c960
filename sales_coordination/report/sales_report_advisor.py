from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL

from ..tools import clock


class SalesReportAdvisor(models.Model):
    """One row per advisor, week (from Monday, in the advisor's time zone) and
    company with sales
    appointments: how many ran, how many were debriefed and won, the revenue,
    against capacity. The company is the appointment's (its opportunity's): an
    advisor working for two companies has a row in each, each company's manager
    sees their own."""

    _name = "sales.report.advisor"
    _description = "Advisor Performance by Week"
    _auto = False
    _order = "week_start desc, advisor_id"
    _rec_name = "advisor_id"
    _depends = {
        "calendar.event": [
            "advisor_id",
            "start",
            "is_sales_appointment",
            "active",
            "sales_company_id",
        ],
        "sales.debrief": ["event_id", "state", "outcome", "amount_untaxed"],
        "res.users": ["weekly_appointment_capacity", "partner_id"],
        "res.partner": ["tz"],
    }

    advisor_id = fields.Many2one("res.users", readonly=True)
    week_start = fields.Date(string="Week", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    appointment_count = fields.Integer(string="Appointments", readonly=True)
    debrief_count = fields.Integer(string="Debriefs", readonly=True)
    won_count = fields.Integer(string="Won", readonly=True)
    revenue = fields.Monetary(readonly=True, currency_field="company_currency_id")
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Currency", readonly=True
    )
    weekly_capacity = fields.Integer(
        string="Capacity",
        readonly=True,
        help="The advisor's weekly capacity, shared by the companies they work for.",
    )

    drive_minutes = fields.Integer(
        string="Planned Drive (min)",
        compute="_compute_drive_minutes",
        help="The advisor's planned driving that week, each day from home through "
        "the visits and back, as My Day shows it: from the company's routing "
        "server when it has one, else estimated. Measured when read (the road's "
        "minutes are not in the database), so not a measure of the pivot.",
    )

    @property
    def _table_query(self):
        # The advisor's own week, as the booking's capacity check counts it
        # (tools/clock.py).
        week = SQL(
            "date_trunc('week', %s)::date",
            clock.local_sql(SQL("event.start"), clock.user_tz_sql(SQL("partner"))),
        )
        return SQL(
            """
            SELECT (event.advisor_id::bigint * 100000
                       + (%(week)s - DATE '2000-01-03'))
                       * 100000 + COALESCE(event.sales_company_id, 0) AS id,
                   event.advisor_id,
                   %(week)s AS week_start,
                   event.sales_company_id AS company_id,
                   count(*) AS appointment_count,
                   count(debrief.id) FILTER (WHERE debrief.state = 'done')
                       AS debrief_count,
                   count(debrief.id) FILTER (
                       WHERE debrief.state = 'done' AND debrief.outcome = 'won'
                   ) AS won_count,
                   COALESCE(sum(debrief.amount_untaxed) FILTER (
                       WHERE debrief.state = 'done' AND debrief.outcome = 'won'
                   ), 0) AS revenue,
                   max(advisor.weekly_appointment_capacity) AS weekly_capacity
              FROM calendar_event event
              JOIN res_users advisor ON advisor.id = event.advisor_id
              JOIN res_partner partner ON partner.id = advisor.partner_id
              LEFT JOIN sales_debrief debrief ON debrief.event_id = event.id
             WHERE event.is_sales_appointment AND event.active
          GROUP BY event.advisor_id, %(week)s, event.sales_company_id
            """,
            week=week,
        )

    def _compute_drive_minutes(self):
        """The week's driving of each row: its advisor's days as routes, through
        the visits the reader may see (one matrix request for all the rows)."""
        self.drive_minutes = 0
        rows = self.filtered(lambda row: row.advisor_id and row.week_start)
        if not rows:
            return
        weeks = rows.mapped("week_start")
        # The reader's own rights: the rows they read are theirs to read.
        events = self.env["calendar.event"].search_fetch(
            [
                ("is_sales_appointment", "=", True),
                ("advisor_id", "in", rows.advisor_id.ids),
                # a day either side: the weeks are the advisors' own
                ("start", ">=", min(weeks) - timedelta(days=1)),
                ("start", "<", max(weeks) + timedelta(days=8)),
            ],
            ["start", "stop", "advisor_id", "opportunity_id", "sales_company_id"],
        )
        Scheduler = self.env["sales.appointment.scheduler"]
        routes = Scheduler._day_routes(events)
        # {(advisor, week as the view counts it, company): {local day: minutes}}
        days = {}
        for event in events:
            if event.id not in routes:
                continue
            day = Scheduler._local_day(event)
            week = day - timedelta(days=day.weekday())
            key = (event.advisor_id.id, week, event.sales_company_id.id)
            days.setdefault(key, {})[day] = routes[event.id][1]
        for row in rows:
            key = (row.advisor_id.id, row.week_start, row.company_id.id)
            row.drive_minutes = round(sum(days.get(key, {}).values()))
