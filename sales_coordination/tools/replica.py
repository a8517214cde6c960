"""Which requests of the web client Odoo may serve from a read replica.

Odoo 18 sends a JSON-RPC call to the replica named by ``db_replica_host`` when the
model method is read-only (``@api.readonly``: ``web_read``, ``web_search_read``,
``read_group``...), looking up the method's ``_readonly`` along the model's
classes, the most derived first (web/controllers/dataset.py). A replica may be a
moment behind the primary: a screen that opens right after a write (the
appointment just booked, the queue after Next call) is served from the primary.
"""


def on_primary(method):
    """Serve this model method from the primary, even where Odoo would send it
    to a replica."""
    method._readonly = False
    return method
