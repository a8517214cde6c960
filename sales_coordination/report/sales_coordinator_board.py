from contextlib import contextmanager

from odoo import api, fields, models
from odoo.tools import SQL


class SalesCoordinatorBoard(models.Model):
    """One row per coordinator, as of now (UTC days): the screen a coordinator
    keeps open and the manager reads side by side for all of them."""

    _name = "sales.coordinator.board"
    _description = "Coordinator Board"
    _auto = False
    _order = "user_id"
    _rec_name = "user_id"
    _depends = {
        "sales.call": ["user_id", "call_date", "result"],
        "sales.followup": [
            "queue_coordinator_id",
            "state",
            "claim_expires_at",
            "window_start",
        ],
        "calendar.event": [
            "advisor_id",
            "start",
            "stop",
            "debrief_state",
            "is_sales_appointment",
            "active",
        ],
        "crm.lead": [
            "coordinator_id",
            "active",
            "type",
            "probability",
            "last_contact_date",
            "arrival_date",
        ],
        "res.users": [
            "coordinator_id",
            "is_field_advisor",
            "weekly_appointment_capacity",
            "company_id",
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
        help="Connections per call this month; empty without calls.",
    )
    target_today = fields.Float(
        string="Today vs Target",
        readonly=True,
        aggregator="avg",
        help="Calls today as a share of the daily target.",
    )
    queue_due = fields.Integer(string="Calls Due Now", readonly=True)
    debriefs_due = fields.Integer(readonly=True)
    debriefs_overdue = fields.Integer(readonly=True)
    leads_not_contacted = fields.Integer(readonly=True)
    appointments_week = fields.Integer(
        string="Booked This Week",
        readonly=True,
        help="Sales appointments of their advisors starting this week.",
    )
    capacity_week = fields.Integer(
        string="Weekly Capacity", readonly=True, help="Of the advisors they coordinate."
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

    @property
    def _table_query(self):
        return SQL(
            """
            WITH clock AS (
                SELECT (now() AT TIME ZONE 'UTC') AS now,
                       (now() AT TIME ZONE 'UTC')::date AS today
            ), coordinator AS (
                SELECT users.id AS user_id, users.company_id,
                       company.sales_daily_call_target AS target,
                       company.sales_debrief_overdue_hours AS overdue_hours,
                       company.sales_not_contacted_days AS silent_days
                  FROM res_users users
                  JOIN res_company company ON company.id = users.company_id
                 WHERE users.active AND users.id IN (
                       SELECT uid FROM res_groups_users_rel WHERE gid = %(group)s)
                   -- the technical users of inbound integrations make no calls
                   AND users.id NOT IN (SELECT user_id FROM sales_inbound_source)
            ), calls AS (
                SELECT call.user_id,
                       count(*) FILTER (WHERE call.call_date >= clock.today) AS today,
                       count(*) FILTER (WHERE call.call_date < clock.today)
                           AS yesterday
                  FROM sales_call call, clock
                 WHERE call.call_date >= clock.today - 1
                   AND call.user_id IN (SELECT user_id FROM coordinator)
              GROUP BY call.user_id
            ), month_calls AS (
                SELECT call.user_id, count(*) AS month,
                       count(*) FILTER (WHERE call.result = 'connected') AS connected
                  FROM sales_call call, clock
                 WHERE call.call_date >= date_trunc('month', clock.today)
                   AND call.user_id IN (SELECT user_id FROM coordinator)
              GROUP BY call.user_id
            ), queue AS (
                SELECT f.queue_coordinator_id AS user_id, count(*) AS due
                  FROM sales_followup f, clock
                 WHERE f.state IN ('queued', 'claimed')
                   AND (f.state = 'queued' OR f.claim_expires_at < clock.now)
                   AND f.window_start <= clock.now
                   AND f.queue_coordinator_id IN (SELECT user_id FROM coordinator)
              GROUP BY f.queue_coordinator_id
            ), advisor AS (
                SELECT id, coordinator_id AS user_id, weekly_appointment_capacity
                  FROM res_users
                 WHERE active AND is_field_advisor AND coordinator_id IS NOT NULL
            ), debriefs AS (
                SELECT advisor.user_id, count(*) AS due,
                       count(*) FILTER (
                           WHERE event.stop < clock.now - make_interval(
                               hours => coordinator.overdue_hours)
                       ) AS overdue
                  FROM calendar_event event
                  JOIN advisor ON advisor.id = event.advisor_id
                  JOIN coordinator ON coordinator.user_id = advisor.user_id, clock
                 WHERE event.is_sales_appointment AND event.active
                   AND event.debrief_state = 'due'
              GROUP BY advisor.user_id
            ), week AS (
                SELECT advisor.user_id, count(*) AS booked
                  FROM calendar_event event
                  JOIN advisor ON advisor.id = event.advisor_id, clock
                 WHERE event.is_sales_appointment AND event.active
                   AND event.start >= date_trunc('week', clock.today)
                   AND event.start < date_trunc('week', clock.today) + interval '7 days'
              GROUP BY advisor.user_id
            ), capacity AS (
                SELECT user_id, sum(weekly_appointment_capacity) AS capacity
                  FROM advisor GROUP BY user_id
            ), silent AS (
                SELECT coordinator.user_id, silent.leads
                  FROM coordinator, clock, LATERAL (
                      SELECT count(*) AS leads FROM crm_lead lead
                       WHERE lead.active AND lead.type IN ('lead', 'opportunity')
                         AND lead.probability < 100
                         AND lead.coordinator_id = coordinator.user_id
                         AND COALESCE(lead.last_contact_date, lead.arrival_date)
                             < clock.now
                               - make_interval(days => coordinator.silent_days)
                  ) silent
            )
            SELECT coordinator.user_id AS id, coordinator.user_id,
                   coordinator.company_id,
                   coordinator.target AS call_target,
                   COALESCE(calls.today, 0) AS calls_today,
                   COALESCE(calls.yesterday, 0) AS calls_yesterday,
                   COALESCE(month_calls.month, 0) AS calls_month,
                   COALESCE(month_calls.connected, 0) AS connected_month,
                   month_calls.connected::float / NULLIF(month_calls.month, 0)
                       AS connection_ratio,
                   COALESCE(calls.today, 0)::float / NULLIF(coordinator.target, 0)
                       AS target_today,
                   COALESCE(queue.due, 0) AS queue_due,
                   COALESCE(debriefs.due, 0) AS debriefs_due,
                   COALESCE(debriefs.overdue, 0) AS debriefs_overdue,
                   COALESCE(silent.leads, 0) AS leads_not_contacted,
                   COALESCE(week.booked, 0) AS appointments_week,
                   COALESCE(capacity.capacity, 0) AS capacity_week
              FROM coordinator
              LEFT JOIN calls USING (user_id)
              LEFT JOIN month_calls USING (user_id)
              LEFT JOIN queue USING (user_id)
              LEFT JOIN debriefs USING (user_id)
              LEFT JOIN week USING (user_id)
              LEFT JOIN capacity USING (user_id)
              LEFT JOIN silent USING (user_id)
            """,
            group=self.env.ref("sales_coordination.group_coordinator").id,
        )
