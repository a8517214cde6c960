from odoo import api, fields, models
from odoo.tools import SQL


class SalesClaimLock(models.Model):
    """One row per coordinator who has pressed Next call or dialled: each claim
    and each dial writes it first, so that two presses of one coordinator (two
    tabs, a double click) conflict in PostgreSQL. Odoo's REPEATABLE READ lets a
    lock that is only waited for pass the second press with a snapshot taken
    before the first one committed, blind to the call it claimed or dialled; an
    update of this row instead makes the second fail to serialize, and its next
    attempt, on a fresh snapshot, sees what the first did."""

    _name = "sales.claim.lock"
    _description = "Coordinator Claim Lock"
    _log_access = False

    user_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", readonly=True
    )
    locked_at = fields.Datetime(
        readonly=True, help="When the coordinator last claimed or dialled a call."
    )

    _sql_constraints = [("user_uniq", "unique(user_id)", "One row per coordinator.")]

    @api.model
    def _lock_sql(self, uid, now):
        """The statement that writes the row of the coordinator ``uid`` (made on
        their first press), waiting while another transaction holds it."""
        return SQL(
            """INSERT INTO sales_claim_lock (user_id, locked_at)
               VALUES (%(uid)s, %(now)s)
               ON CONFLICT (user_id) DO UPDATE SET locked_at = EXCLUDED.locked_at""",
            uid=uid,
            now=now,
        )
