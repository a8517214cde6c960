from contextlib import contextmanager

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import clock

# A ratio over fewer than this many (calls, lead calls) says nothing: one
# answered lead call and 131 appointments is no booking rate of 13100%. Below
# it the ratio is empty (NULL) and the board shows "—".
MIN_RATIO_BASE = 5


class SalesCoordinatorBoard(models.Model):
    """One row per coordinator and company they work for, as of now (UTC days):
    the screen a coordinator keeps open and each company's manager reads side by
    side for all of its coordinators."""

    _name = "sales.coordinator.board"
    _description = "Coordinator Board"
    _auto = False
    _order = "user_id, company_id"
    _rec_name = "user_id"
    _depends = {
        "res.partner": ["tz"],
        "sales.call": [
            "user_id",
            "call_date",
            "result",
            "company_id",
            "direction",
            "reason_id",
        ],
        "sales.call.reason": ["is_lead"],
        "sales.followup": [
            "queue_coordinator_id",
            "company_id",
            "state",
            "claim_expires_at",
            "window_start",
            "kind",
            "visit_start",
        ],
        "calendar.event": [
            "advisor_id",
            "start",
            "stop",
            "debrief_state",
            "is_sales_appointment",
            "is_no_show",
            "active",
            "sales_company_id",
            "booked_by_id",
            "create_date",
        ],
        "crm.lead": [
            "company_id",
            "coordinator_id",
            "active",
            "type",
            "probability",
            "last_contact_date",
            "arrival_date",
            "first_contact_date",
            "response_hours",
        ],
        "res.users": [
            "coordinator_id",
            "is_field_advisor",
            "weekly_appointment_capacity",
            "company_id",
            "company_ids",
            "active",
        ],
        "sales.inbound.source": ["user_id"],
        "res.company": [
            "sales_daily_call_target",
            "sales_debrief_overdue_hours",
            "sales_not_contacted_days",
        ],
    }

    user_id = fields.Many2one("res.users", string="Coordinator", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    call_target = fields.Integer(string="Daily Target", readonly=True)
    calls_today = fields.Integer(readonly=True)
    calls_yesterday = fields.Integer(readonly=True)
    calls_month = fields.Integer(string="Calls This Month", readonly=True)
    connected_month = fields.Integer(string="Connections This Month", readonly=True)
    connection_ratio = fields.Float(
        readonly=True,
        aggregator="avg",
        help="Connections this month per call made this month; empty under five calls.",
    )
    has_connection_ratio = fields.Boolean(
        string="Connection Ratio Shown",
        readonly=True,
        help="Enough calls this month for the connection ratio to mean something.",
    )
    target_today = fields.Float(
        string="Today vs Target",
        readonly=True,
        aggregator="avg",
        help="Calls today as a share of the daily target.",
    )
    queue_due = fields.Integer(string="Calls Due Now", readonly=True)
    unowned_due = fields.Integer(
        string="Nobody's Calls Due",
        readonly=True,
        aggregator="max",
        help="Due calls of the company that belong to no coordinator (no advisor's "
        "coordinator, none on the lead), and of leads without a company: the next "
        "free coordinator's Next call takes them.",
    )
    unowned_waiting_hours = fields.Float(
        string="Oldest Nobody's Call Waiting (h)",
        readonly=True,
        aggregator="max",
        help="Hours since the window of the oldest of those calls opened.",
    )
    debriefs_due = fields.Integer(readonly=True)
    debriefs_overdue = fields.Integer(readonly=True)
    leads_not_contacted = fields.Integer(readonly=True)
    appointments_set_week = fields.Integer(
        string="Appointments Set This Week",
        readonly=True,
        help="Sales appointments they booked this week (by the day of booking).",
    )
    lead_calls_week = fields.Integer(
        string="Lead Calls Answered This Week",
        readonly=True,
        help="Inbound calls they answered this week that count as leads (no "
        "reason excuses them).",
    )
    booking_rate = fields.Float(
        readonly=True,
        aggregator="avg",
        help="Appointments they set this week per lead call they answered this "
        "week; empty under five answered lead calls.",
    )
    has_booking_rate = fields.Boolean(
        string="Booking Rate Shown",
        readonly=True,
        help="Enough answered lead calls this week for the booking rate to mean "
        "something.",
    )
    speed_to_lead_hours = fields.Float(
        string="Speed to Lead This Week (h)",
        readonly=True,
        aggregator="avg",
        help="Median hours from a lead's arrival to its first contact, of the leads "
        "of theirs that arrived this week and were contacted.",
    )
    speed_to_lead_count = fields.Integer(
        string="Leads Contacted This Week",
        readonly=True,
        help="The leads the speed to lead is the median of.",
    )
    appointments_week = fields.Integer(
        string="Booked This Week",
        readonly=True,
        help="Sales appointments of their advisors starting this week.",
    )
    capacity_week = fields.Integer(
        string="Weekly Capacity",
        readonly=True,
        help="Of the advisors they coordinate who work for the company.",
    )

    @api.model
    def search_fetch(self, domain, field_names, offset=0, limit=None, order=None):
        with self._no_jit():
            return super().search_fetch(domain, field_names, offset, limit, order)

    @api.model
    def _read_group(self, *args, **kwargs):
        with self._no_jit():
            return super()._read_group(*args, **kwargs)

    @contextmanager
    def _no_jit(self):
        # A hundred rows from millions: PostgreSQL's JIT compiles this query for
        # longer (about 3 s) than the query runs; off for it, back to the default
        # after.
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        try:
            yield
        finally:
            self.env.cr.execute(SQL("SET LOCAL jit TO DEFAULT"))

    @api.model
    def _clock_sql(self):
        """Each person's day, week and month (tools/clock.py) on the clock
        ``clock.now``; the coordinator's from ``partner`` and ``clock`` in the
        coordinator CTE, the advisor's in the advisor CTE; with the bounds that
        hold in every time zone, for the indexes."""
        now, tz = SQL("clock.now"), clock.user_tz_sql(SQL("partner"))
        yesterday, week = SQL("interval '-1 day'"), SQL("interval '7 days'")
        return {
            "day": clock.start_sql("day", now, tz),
            "yesterday": clock.start_sql("day", now, tz, yesterday),
            "week": clock.start_sql("week", now, tz),
            "month": clock.start_sql("month", now, tz),
            "advisor_week": clock.start_sql("week", now, tz),
            "advisor_week_end": clock.start_sql("week", now, tz, week),
            "earliest_yesterday": clock.earliest_start_sql("day", now, yesterday),
            "earliest_week": clock.earliest_start_sql("week", now),
            "latest_week_end": clock.latest_end_sql("week", now, week),
            "earliest_month": clock.earliest_start_sql("month", now),
        }

    @property
    def _table_query(self):
        now = fields.Datetime.now()
        # A row per coordinator and company they work for, with that company's
        # targets; each figure counts the records of that company (a call's, a
        # follow-up's, a lead's, an appointment's own), and those without a
        # company in the row of the coordinator's main company.
        return SQL(
            """
            -- Each figure's CTE is MATERIALIZED: computed once for all rows, rather
            -- than again for each row when a record rule's condition on the
            -- company reaches into it (101 rescans of the queue's calls).
            -- The clock is not: inlined where it is read, it lets the planner
            -- see today's date and estimate each figure's rows. Materialized (a
            -- CTE read more than once is, by default), it hid the date: a third
            -- of the 5M calls taken for today's, the plan costed over the JIT's
            -- thresholds, seconds of compiling at each opening of the board.
            -- It is the server's clock, as for the due calls below and the rest
            -- of the addon (not the database's transaction time).
            WITH clock AS NOT MATERIALIZED (
                SELECT %(now)s::timestamp AS now
            ), coordinator AS (
                SELECT users.id AS user_id, users.company_id AS main_company_id,
                       -- managers and administrators are coordinators too, but
                       -- on the board only while they work the queue
                       users.id IN (SELECT uid FROM res_groups_users_rel
                                     WHERE gid IN %(overseers)s) AS overseer,
                       -- their today, yesterday, week and month, in their own
                       -- time zone (tools/clock.py)
                       %(day)s AS day_start, %(yesterday)s AS yesterday_start,
                       %(week)s AS week_start, %(month)s AS month_start
                  FROM res_users users
                  JOIN res_partner partner ON partner.id = users.partner_id, clock
                 WHERE users.active AND users.id IN (
                       SELECT uid FROM res_groups_users_rel WHERE gid = %(group)s)
                   -- the technical users of inbound integrations make no calls
                   AND users.id NOT IN (SELECT user_id FROM sales_inbound_source)
            ), board AS (
                SELECT coordinator.user_id, company.id AS company_id,
                       coordinator.overseer,
                       company.id = coordinator.main_company_id AS is_main,
                       company.sales_daily_call_target AS target
                  FROM coordinator
                  JOIN res_company_users_rel rel ON rel.user_id = coordinator.user_id
                  JOIN res_company company ON company.id = rel.cid
            ), calls AS MATERIALIZED (
                SELECT call.user_id,
                       COALESCE(call.company_id, coordinator.main_company_id)
                           AS company_id,
                       count(*) FILTER (
                           WHERE call.call_date >= coordinator.day_start) AS today,
                       count(*) FILTER (
                           WHERE call.call_date < coordinator.day_start) AS yesterday
                  FROM sales_call call
                  JOIN coordinator ON coordinator.user_id = call.user_id, clock
                 WHERE call.call_date >= %(earliest_yesterday)s
                   AND call.call_date >= coordinator.yesterday_start
              GROUP BY 1, 2
            ), month_calls AS MATERIALIZED (
                SELECT call.user_id,
                       COALESCE(call.company_id, coordinator.main_company_id)
                           AS company_id,
                       count(*) AS month,
                       count(*) FILTER (WHERE call.result = 'connected') AS connected
                  FROM sales_call call
                  JOIN coordinator ON coordinator.user_id = call.user_id, clock
                 WHERE call.call_date >= %(earliest_month)s
                   AND call.call_date >= coordinator.month_start
              GROUP BY 1, 2
            ), queue AS MATERIALIZED (
                SELECT sales_followup.queue_coordinator_id AS user_id,
                       COALESCE(sales_followup.company_id,
                                coordinator.main_company_id) AS company_id,
                       count(*) AS due
                  FROM sales_followup
                  JOIN coordinator
                    ON coordinator.user_id = sales_followup.queue_coordinator_id
                 WHERE %(due)s
              GROUP BY 1, 2
            ), unowned AS MATERIALIZED (
                -- nobody's calls, those without a company in every company's
                SELECT company.id AS company_id, count(*) AS due,
                       min(sales_followup.window_start) AS oldest
                  FROM sales_followup
                  JOIN res_company company
                    ON company.id = sales_followup.company_id
                       OR sales_followup.company_id IS NULL
                 WHERE %(due)s AND sales_followup.queue_coordinator_id IS NULL
              GROUP BY 1
            ), advisor AS (
                -- an advisor's week is theirs, as the booking's capacity check
                -- counts it
                SELECT users.id, users.coordinator_id AS user_id,
                       users.weekly_appointment_capacity,
                       %(advisor_week)s AS week_start,
                       %(advisor_week_end)s AS week_end
                  FROM res_users users
                  JOIN res_partner partner ON partner.id = users.partner_id, clock
                 WHERE users.active AND users.is_field_advisor
                   AND users.coordinator_id IS NOT NULL
            ), appointment AS NOT MATERIALIZED (
                -- read twice, filtered apart: each filter goes down to an index
                SELECT advisor.user_id,
                       COALESCE(event.sales_company_id, coordinator.main_company_id)
                           AS company_id,
                       event.start, event.stop, event.debrief_state,
                       advisor.week_start, advisor.week_end,
                       %(overdue)s AS debrief_overdue
                  FROM calendar_event event
                  JOIN advisor ON advisor.id = event.advisor_id
                  JOIN coordinator ON coordinator.user_id = advisor.user_id
                 WHERE event.is_sales_appointment AND event.active
            ), debriefs AS MATERIALIZED (
                -- overdue as the appointment's form says (calendar.event's
                -- _debrief_overdue_sql): after its company's delay
                SELECT appointment.user_id, appointment.company_id, count(*) AS due,
                       count(*) FILTER (WHERE appointment.debrief_overdue) AS overdue
                  FROM appointment
                 WHERE appointment.debrief_state = 'due'
              GROUP BY 1, 2
            ), week AS MATERIALIZED (
                SELECT appointment.user_id, appointment.company_id, count(*) AS booked
                  FROM appointment, clock
                 WHERE appointment.start >= %(earliest_week)s
                   AND appointment.start < %(latest_week_end)s
                   AND appointment.start >= appointment.week_start
                   AND appointment.start < appointment.week_end
              GROUP BY 1, 2
            ), capacity AS MATERIALIZED (
                -- an advisor's capacity counts in every company they work for
                SELECT advisor.user_id, rel.cid AS company_id,
                       sum(advisor.weekly_appointment_capacity) AS capacity
                  FROM advisor
                  JOIN res_company_users_rel rel ON rel.user_id = advisor.id
              GROUP BY 1, 2
            ), booked AS MATERIALIZED (
                SELECT event.booked_by_id AS user_id,
                       COALESCE(event.sales_company_id, coordinator.main_company_id)
                           AS company_id,
                       count(*) AS booked
                  FROM calendar_event event
                  JOIN coordinator ON coordinator.user_id = event.booked_by_id, clock
                 WHERE event.is_sales_appointment
                   AND event.create_date >= %(earliest_week)s
                   AND event.create_date >= coordinator.week_start
              GROUP BY 1, 2
            ), lead_calls AS MATERIALIZED (
                -- lead calls as the call's flag says (sales.call's
                -- _lead_call_sql)
                SELECT sales_call.user_id,
                       COALESCE(sales_call.company_id, coordinator.main_company_id)
                           AS company_id,
                       count(*) AS answered
                  FROM sales_call
                  JOIN coordinator ON coordinator.user_id = sales_call.user_id,
                       clock
                 WHERE sales_call.call_date >= %(earliest_week)s
                   AND sales_call.call_date >= coordinator.week_start
                   AND sales_call.result = 'connected' AND %(lead_call)s
              GROUP BY 1, 2
            ), speed AS MATERIALIZED (
                SELECT lead.coordinator_id AS user_id,
                       COALESCE(lead.company_id, coordinator.main_company_id)
                           AS company_id,
                       -- each lead's speed as its own field has it
                       percentile_cont(0.5) WITHIN GROUP (
                           ORDER BY lead.response_hours) AS hours,
                       count(*) AS leads
                  FROM crm_lead lead
                  JOIN coordinator ON coordinator.user_id = lead.coordinator_id, clock
                 WHERE lead.arrival_date >= %(earliest_week)s
                   AND lead.arrival_date >= coordinator.week_start
                   AND lead.first_contact_date IS NOT NULL
              GROUP BY 1, 2
            ), silent AS MATERIALIZED (
                SELECT board.user_id, board.company_id, silent.leads
                  FROM board, LATERAL (
                      -- not contacted as the lead's form says (crm.lead's
                      -- _not_contacted_sql): after its company's delay, the
                      -- row's company's by the condition below
                      SELECT count(*) AS leads FROM crm_lead lead
                       WHERE %(silent)s
                         AND lead.coordinator_id = board.user_id
                         -- the lead's company, or none in the coordinator's
                         -- main company's row; in one expression, so that
                         -- PostgreSQL reads the coordinator's leads by their
                         -- own index, not every lead of the company by its
                         -- (a plan of 4.6 s at 1M leads, against 0.4 s)
                         AND COALESCE(lead.company_id,
                                      CASE WHEN board.is_main
                                           THEN board.company_id END)
                             = board.company_id
                  ) silent
            )
            SELECT board.user_id::bigint * 100000 + board.company_id AS id,
                   board.user_id, board.company_id,
                   board.target AS call_target,
                   COALESCE(calls.today, 0) AS calls_today,
                   COALESCE(calls.yesterday, 0) AS calls_yesterday,
                   COALESCE(month_calls.month, 0) AS calls_month,
                   COALESCE(month_calls.connected, 0) AS connected_month,
                   CASE WHEN month_calls.month >= %(min_base)s
                        THEN month_calls.connected::float / month_calls.month
                   END AS connection_ratio,
                   COALESCE(month_calls.month >= %(min_base)s, FALSE)
                       AS has_connection_ratio,
                   COALESCE(calls.today, 0)::float / NULLIF(board.target, 0)
                       AS target_today,
                   COALESCE(queue.due, 0) AS queue_due,
                   COALESCE(unowned.due, 0) AS unowned_due,
                   EXTRACT(EPOCH FROM clock.now - unowned.oldest) / 3600
                       AS unowned_waiting_hours,
                   COALESCE(debriefs.due, 0) AS debriefs_due,
                   COALESCE(debriefs.overdue, 0) AS debriefs_overdue,
                   COALESCE(silent.leads, 0) AS leads_not_contacted,
                   COALESCE(week.booked, 0) AS appointments_week,
                   COALESCE(booked.booked, 0) AS appointments_set_week,
                   COALESCE(lead_calls.answered, 0) AS lead_calls_week,
                   CASE WHEN lead_calls.answered >= %(min_base)s
                        THEN COALESCE(booked.booked, 0)::float / lead_calls.answered
                   END AS booking_rate,
                   COALESCE(lead_calls.answered >= %(min_base)s, FALSE)
                       AS has_booking_rate,
                   -- empty, not 0, without a lead contacted
                   speed.hours AS speed_to_lead_hours,
                   COALESCE(speed.leads, 0) AS speed_to_lead_count,
                   COALESCE(capacity.capacity, 0) AS capacity_week
              FROM board
              LEFT JOIN calls USING (user_id, company_id)
              LEFT JOIN month_calls USING (user_id, company_id)
              LEFT JOIN queue USING (user_id, company_id)
              LEFT JOIN unowned USING (company_id)
              LEFT JOIN debriefs USING (user_id, company_id)
              LEFT JOIN week USING (user_id, company_id)
              LEFT JOIN capacity USING (user_id, company_id)
              LEFT JOIN silent USING (user_id, company_id)
              LEFT JOIN booked USING (user_id, company_id)
              LEFT JOIN lead_calls USING (user_id, company_id)
              LEFT JOIN speed USING (user_id, company_id)
             CROSS JOIN clock
             WHERE NOT board.overseer OR calls.today > 0
                OR month_calls.month > 0 OR queue.due > 0
            """,
            now=now,
            **self._clock_sql(),
            min_base=MIN_RATIO_BASE,
            due=self.env["sales.followup"]._claimable_sql(now),
            overdue=self.env["calendar.event"]._debrief_overdue_sql(
                SQL.identifier("event"), now
            ),
            lead_call=self.env["sales.call"]._lead_call_sql(),
            silent=self.env["crm.lead"]._not_contacted_sql(
                SQL.identifier("lead"), now, SQL("board.company_id")
            ),
            # cached, unlike env.ref(), which reads the group to see it exists
            group=self.env["ir.model.data"]._xmlid_to_res_id(
                "sales_coordination.group_coordinator"
            ),
            overseers=tuple(
                self.env["ir.model.data"]._xmlid_to_res_id(xmlid)
                for xmlid in ("sales_coordination.group_manager", "base.group_system")
            ),
        )
