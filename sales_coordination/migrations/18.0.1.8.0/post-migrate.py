"""18.0.1.8.0, after the update: what the rules now refuse, put right on the data
written before them.

- A lead's coordinator is a coordinator of its company: the open leads (and those
  with calls still queued) of users who do not coordinate for the lead's company
  (never did, archived, the role or the company taken away) go to their stand-in, as
  when a coordinator leaves now; their advisors lose them as coordinator or backup,
  their running claims end. Closed leads keep who worked them.
- Speed to lead counts from the lead's arrival: a first contact before it (a call
  logged on a lead merged into it, days of calls before it was entered) is replaced
  by the first call at or after the arrival, or left empty.
"""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

BATCH = 1000


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    hand_over_strays(env)
    recount_first_contacts(env)


def hand_over_strays(env):
    """Every user named as a coordinator somewhere is handed over from every
    company they do not coordinate for (a legitimate coordinator keeps their
    own companies' queues)."""
    env.cr.execute(
        SQL(
            """SELECT coordinator_id FROM crm_lead WHERE coordinator_id IS NOT NULL
               UNION SELECT coordinator_id FROM res_users
                      WHERE coordinator_id IS NOT NULL
               UNION SELECT backup_coordinator_id FROM res_users
                      WHERE backup_coordinator_id IS NOT NULL
               UNION SELECT claimed_by_id FROM sales_followup
                      WHERE state = 'claimed' AND claimed_by_id IS NOT NULL"""
        )
    )
    users = (
        env["res.users"]
        .with_context(active_test=False)
        .browse([row[0] for row in env.cr.fetchall()])
    )
    every_company = env["res.company"].search([])
    users._sales_hand_over_queues(dict.fromkeys(users, every_company))


def recount_first_contacts(env):
    env.cr.execute(
        SQL(
            """SELECT id FROM crm_lead
                WHERE first_contact_date IS NOT NULL AND arrival_date IS NOT NULL
                  AND first_contact_date < arrival_date"""
        )
    )
    lead_ids = [row[0] for row in env.cr.fetchall()]
    Lead = env["crm.lead"].with_context(active_test=False)
    for start in range(0, len(lead_ids), BATCH):
        leads = Lead.browse(lead_ids[start : start + BATCH])
        leads._sales_write_workflow({"first_contact_date": False})
        calls = env["sales.call"].search([("lead_id", "in", leads.ids)])
        calls.filtered(lambda call: call._is_contact())._record_contact()
        env.flush_all()
        env.invalidate_all()
