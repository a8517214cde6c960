"""The dialer's figures on the coordinator board and in the coordinator report
(docs/figures.md): dials, connects, conversations over a minute, voicemails
dropped, dials per hour of dialer time, and the connect ratio against the
company's target.

A dial is a call the dialer placed (``sales.call`` with a dial token); a
connect, a dial a person answered (``answered_by`` human, as Twilio's
answering-machine detection told). Dialer time is the time between a
coordinator's consecutive dials less than ``SESSION_GAP`` apart: a dialer
session runs from its first dial to its last, and a longer gap (a break, a
meeting, a long conversation's notes) ends it. Dials per hour divides the dials
that came within such a gap after the previous one by that time, so that a
session's first dial, which no time precedes, does not count."""

from odoo import fields, models
from odoo.tools import SQL

from ..tools import clock
from .sales_coordinator_board import MIN_RATIO_BASE

# A coordinator's dials further apart than this are two dialer sessions.
SESSION_GAP = 15 * 60
# A conversation: a person answered and the call lasted longer than this.
CONVERSATION_SECONDS = 60

DIAL_DEPENDS = [
    "dial_token",
    "answered_by",
    "duration",
    "dial_voicemail_dropped",
    "user_id",
    "call_date",
    "company_id",
]


def dials_sql(since=None):
    """The dialled calls (since ``since``, an SQL moment, when given), each with
    the seconds since the coordinator's previous dial (NULL for their first).
    The gap of the first dial since ``since`` is to the dial before it, when
    that one is within a session's gap: the board's month and the report's
    days count the same dialer time across the first of the month."""
    gaps = SQL(
        """
        SELECT call.user_id, call.company_id, call.call_date,
               call.answered_by, call.duration, call.dial_voicemail_dropped,
               EXTRACT(EPOCH FROM call.call_date - lag(call.call_date) OVER (
                   PARTITION BY call.user_id ORDER BY call.call_date, call.id
               )) AS gap
          FROM sales_call call
         WHERE call.dial_token IS NOT NULL %s
        """,
        SQL("AND call.call_date >= %s - make_interval(secs => %s)", since, SESSION_GAP)
        if since is not None
        else SQL(),
    )
    if since is None:
        return gaps
    return SQL("SELECT * FROM (%s) gaps WHERE gaps.call_date >= %s", gaps, since)


def dial_counts_sql():
    """The figures' sums over a group of rows of ``dials_sql`` (as ``dial``)."""
    return SQL(
        """
        count(*) AS dials,
        count(*) FILTER (WHERE dial.answered_by = 'human') AS connects,
        count(*) FILTER (WHERE dial.answered_by = 'human'
                           AND dial.duration > %(conversation)s) AS conversations,
        count(*) FILTER (WHERE dial.dial_voicemail_dropped) AS voicemails,
        count(*) FILTER (WHERE dial.gap <= %(gap)s) AS paced,
        COALESCE(sum(dial.gap) FILTER (WHERE dial.gap <= %(gap)s), 0) AS seconds
        """,
        conversation=CONVERSATION_SECONDS,
        gap=SESSION_GAP,
    )


class SalesCoordinatorBoard(models.Model):
    _inherit = "sales.coordinator.board"
    _depends = {
        "sales.call": DIAL_DEPENDS,
        "res.company": ["sales_dialer_connect_target"],
    }

    dials_month = fields.Integer(
        string="Dials This Month",
        readonly=True,
        help="Calls the dialer placed for them this month.",
    )
    connects_month = fields.Integer(
        string="Connects This Month",
        readonly=True,
        help="Their dials this month that a person answered.",
    )
    conversations_month = fields.Integer(
        string="Conversations This Month",
        readonly=True,
        help="Their dials this month that a person answered and that lasted "
        "over a minute.",
    )
    voicemails_month = fields.Integer(
        string="Voicemails Dropped This Month",
        readonly=True,
        help="Their dials this month where the company's recorded message was "
        "left on the customer's voicemail.",
    )
    dialer_hours_month = fields.Float(
        string="Dialer Time This Month (h)",
        readonly=True,
        help="This month's time from the first to the last dial of each of their "
        "dialer sessions (a gap of over 15 minutes between two dials ends one).",
    )
    dials_per_hour = fields.Float(
        string="Dials per Hour",
        readonly=True,
        aggregator="avg",
        help="This month's dials per hour of dialer time; empty under five dials "
        "in dialer time.",
    )
    has_dials_per_hour = fields.Boolean(
        string="Dials per Hour Shown",
        readonly=True,
        help="Enough dials in dialer time this month for the rate to mean something.",
    )
    dial_connect_ratio = fields.Float(
        string="Connect Ratio",
        readonly=True,
        aggregator="avg",
        help="This month's connects per dial; empty under five dials.",
    )
    has_dial_connect_ratio = fields.Boolean(
        string="Connect Ratio Shown",
        readonly=True,
        help="Enough dials this month for the connect ratio to mean something.",
    )
    dial_connect_target = fields.Float(
        string="Connect Target",
        readonly=True,
        aggregator="avg",
        help="The company's connect target (Settings: Dialer).",
    )

    @property
    def _table_query(self):
        # This month is each coordinator's own (tools/clock.py), as on the rest
        # of the board.
        now = SQL("%s::timestamp", fields.Datetime.now())
        return SQL(
            """
            WITH dial AS MATERIALIZED (
                SELECT dial.user_id,
                       COALESCE(dial.company_id, users.company_id) AS company_id,
                       %(counts)s
                  FROM (%(dials)s) dial
                  JOIN res_users users ON users.id = dial.user_id
                  JOIN res_partner partner ON partner.id = users.partner_id
                 WHERE dial.call_date >= %(month)s
              GROUP BY 1, 2
            )
            SELECT board.*,
                   COALESCE(dial.dials, 0) AS dials_month,
                   COALESCE(dial.connects, 0) AS connects_month,
                   COALESCE(dial.conversations, 0) AS conversations_month,
                   COALESCE(dial.voicemails, 0) AS voicemails_month,
                   COALESCE(dial.seconds, 0) / 3600.0 AS dialer_hours_month,
                   CASE WHEN dial.paced >= %(min_base)s AND dial.seconds > 0
                        THEN dial.paced * 3600.0 / dial.seconds
                   END AS dials_per_hour,
                   COALESCE(dial.paced >= %(min_base)s AND dial.seconds > 0, FALSE)
                       AS has_dials_per_hour,
                   CASE WHEN dial.dials >= %(min_base)s
                        THEN dial.connects::float / dial.dials
                   END AS dial_connect_ratio,
                   COALESCE(dial.dials >= %(min_base)s, FALSE)
                       AS has_dial_connect_ratio,
                   company.sales_dialer_connect_target / 100.0
                       AS dial_connect_target
              FROM (%(board)s) board
              LEFT JOIN dial USING (user_id, company_id)
              JOIN res_company company ON company.id = board.company_id
            """,
            counts=dial_counts_sql(),
            dials=dials_sql(clock.earliest_start_sql("month", now)),
            month=clock.start_sql("month", now, clock.user_tz_sql(SQL("partner"))),
            board=super()._table_query,
            min_base=MIN_RATIO_BASE,
        )


# The report's ratios, each the ratio of the sums of the rows it covers:
# (numerator, denominator, factor, the base that must reach MIN_RATIO_BASE).
REPORT_RATIOS = {
    "dials_per_hour": ("dialer_paced_count", "dialer_hours", 1.0, "dialer_paced_count"),
    "dial_connect_ratio": ("connect_count", "dial_count", 1.0, "dial_count"),
}


class SalesReportCoordinator(models.Model):
    _inherit = "sales.report.coordinator"
    _depends = {
        "sales.call": DIAL_DEPENDS,
        "res.company": ["sales_dialer_connect_target"],
    }

    dial_count = fields.Integer(string="Dials", readonly=True)
    connect_count = fields.Integer(
        string="Connects", readonly=True, help="Dials a person answered."
    )
    conversation_count = fields.Integer(
        string="Conversations",
        readonly=True,
        help="Dials a person answered that lasted over a minute.",
    )
    voicemail_drop_count = fields.Integer(
        string="Voicemails Dropped",
        readonly=True,
        help="Dials where the company's recorded message was left.",
    )
    dialer_hours = fields.Float(
        string="Dialer Time (h)",
        readonly=True,
        help="Time between consecutive dials less than 15 minutes apart (the "
        "dialer sessions), counted on the day of the later dial.",
    )
    dialer_paced_count = fields.Integer(
        string="Dials in Dialer Time",
        readonly=True,
        help="Dials that came less than 15 minutes after the previous one: those "
        "the dialer time is the time of.",
    )
    dials_per_hour = fields.Float(
        string="Dials per Hour",
        readonly=True,
        aggregator="sum",
        help="Dials in dialer time per hour of dialer time; empty under five.",
    )
    dial_connect_ratio = fields.Float(
        string="Connect Ratio",
        readonly=True,
        aggregator="sum",
        help="Connects per dial; empty under five dials.",
    )
    dial_connect_target = fields.Float(
        string="Connect Target",
        readonly=True,
        aggregator="max",
        help="The company's connect target (over several companies, the highest).",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH dial AS MATERIALIZED (
                -- by the coordinator's own day, as the calls above (tools/clock.py)
                SELECT dial.user_id, %(day)s AS day, dial.company_id,
                       %(counts)s
                  FROM (%(dials)s) dial
                  JOIN res_users users ON users.id = dial.user_id
                  JOIN res_partner partner ON partner.id = users.partner_id
              GROUP BY 1, 2, 3
            )
            SELECT report.*,
                   COALESCE(dial.dials, 0) AS dial_count,
                   COALESCE(dial.connects, 0) AS connect_count,
                   COALESCE(dial.conversations, 0) AS conversation_count,
                   COALESCE(dial.voicemails, 0) AS voicemail_drop_count,
                   COALESCE(dial.seconds, 0) / 3600.0 AS dialer_hours,
                   COALESCE(dial.paced, 0) AS dialer_paced_count,
                   CASE WHEN dial.paced >= %(min_base)s AND dial.seconds > 0
                        THEN dial.paced * 3600.0 / dial.seconds
                   END AS dials_per_hour,
                   CASE WHEN dial.dials >= %(min_base)s
                        THEN dial.connects::float / dial.dials
                   END AS dial_connect_ratio,
                   company.sales_dialer_connect_target / 100.0
                       AS dial_connect_target
              FROM (%(report)s) report
              LEFT JOIN res_company company ON company.id = report.company_id
              LEFT JOIN dial
                ON dial.user_id = report.user_id AND dial.day = report.date
               AND dial.company_id IS NOT DISTINCT FROM report.company_id
            """,
            counts=dial_counts_sql(),
            dials=dials_sql(),
            day=clock.local_date_sql(
                SQL("dial.call_date"), clock.user_tz_sql(SQL("partner"))
            ),
            report=super()._table_query,
            min_base=MIN_RATIO_BASE,
        )

    def _read_group_select(self, aggregate_spec, query):
        # A ratio of the rows grouped is the ratio of their sums, never a sum
        # of ratios, and empty under the base that makes it mean something.
        fname = aggregate_spec.split(":")[0]
        if fname not in REPORT_RATIOS:
            return super()._read_group_select(aggregate_spec, query)
        numerator, denominator, factor, base = REPORT_RATIOS[fname]
        self.check_field_access_rights("read", [fname])

        def total(name):
            return SQL("SUM(%s)", self._field_to_sql(self._table, name, query))

        return SQL(
            "CASE WHEN %s >= %s AND %s > 0 THEN (%s * %s / %s)::float8 END",
            total(base),
            MIN_RATIO_BASE,
            total(denominator),
            factor,
            total(numerator),
            total(denominator),
        )
