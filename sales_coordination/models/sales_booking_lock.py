from odoo import fields, models
from odoo.tools import SQL


class SalesBookingLock(models.Model):
    """One row per advisor and week that has been booked: booking writes it, so
    that concurrent bookings of the same advisor's week conflict in PostgreSQL
    instead of both passing a read-only check. No company in the key: an
    advisor working for several companies has one week, whichever books it."""

    _name = "sales.booking.lock"
    _description = "Advisor Week Booking Lock"
    _log_access = False

    advisor_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", readonly=True
    )
    week = fields.Date(required=True, readonly=True)
    bookings = fields.Integer(readonly=True)

    _sql_constraints = [
        ("advisor_week_uniq", "unique(advisor_id, week)", "One row per advisor week.")
    ]

    def _claim(self, keys):
        """Insert or update the rows of ``keys`` [(advisor id, week start)]."""
        if not keys:
            return
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO sales_booking_lock (advisor_id, week, bookings)
                VALUES %s
                ON CONFLICT (advisor_id, week)
                DO UPDATE SET bookings = sales_booking_lock.bookings + 1
                """,
                SQL(", ").join(
                    SQL("(%s, %s, 1)", advisor, week) for advisor, week in keys
                ),
            )
        )
