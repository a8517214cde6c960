"""Who may move a workflow field: only the addon's own method that owns it.

A workflow field (a state, a claim, a flag a rule sets, a date the rules keep) is
written by one method of the addon. That method says so by running its write inside
``owning(model, *fields)``. The mark lives in a context variable of the running code,
not in Odoo's context, so no RPC client can send it: a context key is never a
permission. The variable is reset when the block ends, so nothing outlives the call.
"""

import contextvars
from contextlib import contextmanager

_OWNED = contextvars.ContextVar("sales_coordination_owned_fields", default=frozenset())


@contextmanager
def owning(model_name, *field_names):
    """Run the block as the rule that owns ``field_names`` of ``model_name``."""
    token = _OWNED.set(_OWNED.get() | {(model_name, name) for name in field_names})
    try:
        yield
    finally:
        _OWNED.reset(token)


def is_owned(model_name, field_name):
    """Whether the running code is inside the block of the rule owning the field."""
    return (model_name, field_name) in _OWNED.get()
