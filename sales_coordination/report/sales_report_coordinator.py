from odoo import fields, models
from odoo.tools import SQL


class SalesReportCoordinator(models.Model):
    """One row per coordinator and day (UTC) with activity: calls logged (both
    directions), connections, sales appointments booked that day."""

    _name = "sales.report.coordinator"
    _description = "Coordinator Activity by Day"
    _auto = False
    _order = "date desc, user_id"
    _rec_name = "user_id"
    _depends = {
        "sales.call": ["user_id", "call_date", "result"],
        "calendar.event": [
            "booked_by_id",
            "create_date",
            "is_sales_appointment",
            "active",
        ],
        "res.users": ["company_id"],
    }

    user_id = fields.Many2one("res.users", string="Coordinator", readonly=True)
    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    call_count = fields.Integer(string="Calls", readonly=True)
    connected_count = fields.Integer(string="Connections", readonly=True)
    appointment_set_count = fields.Integer(string="Appointments Set", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            WITH calls AS (
                SELECT user_id, call_date::date AS day,
                       count(*) AS calls,
                       count(*) FILTER (WHERE result = 'connected') AS connected
                  FROM sales_call
              GROUP BY 1, 2
            ), booked AS (
                SELECT booked_by_id AS user_id,
                       create_date::date AS day,
                       count(*) AS booked
                  FROM calendar_event
                 WHERE is_sales_appointment AND active AND booked_by_id IS NOT NULL
              GROUP BY 1, 2
            )
            SELECT user_id::bigint * 100000 + (day - DATE '2000-01-01') AS id,
                   user_id, day AS date, users.company_id,
                   COALESCE(calls.calls, 0) AS call_count,
                   COALESCE(calls.connected, 0) AS connected_count,
                   COALESCE(booked.booked, 0) AS appointment_set_count
              FROM calls FULL JOIN booked USING (user_id, day)
              JOIN res_users users ON users.id = user_id
            """
        )
