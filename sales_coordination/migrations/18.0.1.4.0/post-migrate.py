"""18.0.1.4.0, after the update: nothing may hide a sales appointment from the
advisor's coordinators, and the integrations keep recording their events.

- Sales appointments without a privacy of their own (or a private one) become
  public: an advisor's default privacy no longer decides whether their
  coordinator sees them.
- An integration whose technical user is not one made for it (before this
  version: a coordination manager) gets a dedicated one, as its form's button
  gives; the endpoint refuses the other kind from now on."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            """UPDATE calendar_event SET privacy = 'public'
                WHERE is_sales_appointment
                  AND (privacy IS NULL OR privacy = 'private')"""
        )
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    sources = (
        env["sales.inbound.source"]
        .with_context(active_test=False)
        .search([("user_id.is_inbound_integration", "=", False)])
    )
    for source in sources:
        source.action_create_technical_user()
