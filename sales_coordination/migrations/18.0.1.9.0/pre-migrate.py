"""18.0.1.9.0, before the update: the columns the addon added over its versions to
tables holding data (the appointments' company, customer, answer and visit type;
the leads' arrival and funnel; the follow-ups' priority, visit start and queue
owner), created and filled in SQL where a database from an older version misses
them, rather than computed record by record by the update. Until this version
the models did it themselves at each update; nothing changes on a database that
has them all."""

from odoo import SUPERUSER_ID, api

from odoo.addons.sales_coordination.tools.backfill import add_columns


def migrate(cr, version):
    if not version:
        return
    # The company of the follow-ups without one, as the models had it.
    add_columns(cr, api.Environment(cr, SUPERUSER_ID, {}).company.id)
