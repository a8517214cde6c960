from odoo import fields, models
from odoo.tools import SQL

from ..tools import clock


class SalesReportCoordinator(models.Model):
    """One row per coordinator, day (theirs: in their time zone, tools/clock.py)
    and company with activity: calls logged
    (both directions), connections, sales appointments booked that day (set,
    even if cancelled afterwards, as the funnel's Set and the board count
    them). The
    company is the record's: the call's (its lead's), the appointment's (its
    opportunity's), so that each company's manager sees the work done for it."""

    _name = "sales.report.coordinator"
    _description = "Coordinator Activity by Day"
    _auto = False
    _order = "date desc, user_id"
    _rec_name = "user_id"
    _depends = {
        "res.partner": ["tz"],
        "sales.call": ["user_id", "call_date", "result", "company_id"],
        "calendar.event": [
            "booked_by_id",
            "create_date",
            "is_sales_appointment",
            "sales_company_id",
        ],
    }

    user_id = fields.Many2one("res.users", string="Coordinator", readonly=True)
    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    call_count = fields.Integer(string="Calls", readonly=True)
    connected_count = fields.Integer(string="Connections", readonly=True)
    appointment_set_count = fields.Integer(string="Appointments Set", readonly=True)

    @property
    def _table_query(self):
        tz = clock.user_tz_sql(SQL("partner"))
        # Calls and bookings counted apart, then added up per coordinator, day and
        # company: a full join on the company would never match a lead without one.
        return SQL(
            """
            SELECT (user_id::bigint * 100000 + (day - DATE '2000-01-01')) * 100000
                       + COALESCE(company_id, 0) AS id,
                   user_id, day AS date, company_id,
                   sum(calls)::int AS call_count,
                   sum(connected)::int AS connected_count,
                   sum(booked)::int AS appointment_set_count
              FROM (
                SELECT call.user_id, %(call_day)s AS day, call.company_id,
                       count(*) AS calls,
                       count(*) FILTER (WHERE call.result = 'connected') AS connected,
                       0 AS booked
                  FROM sales_call call
                  LEFT JOIN res_users users ON users.id = call.user_id
                  LEFT JOIN res_partner partner ON partner.id = users.partner_id
              GROUP BY 1, 2, 3
             UNION ALL
                SELECT event.booked_by_id, %(booking_day)s, event.sales_company_id,
                       0, 0, count(*)
                  FROM calendar_event event
                  JOIN res_users users ON users.id = event.booked_by_id
                  JOIN res_partner partner ON partner.id = users.partner_id
                 WHERE event.is_sales_appointment AND event.booked_by_id IS NOT NULL
              GROUP BY 1, 2, 3
              ) activity
          GROUP BY user_id, day, company_id
            """,
            call_day=clock.local_date_sql(SQL("call.call_date"), tz),
            booking_day=clock.local_date_sql(SQL("event.create_date"), tz),
        )
