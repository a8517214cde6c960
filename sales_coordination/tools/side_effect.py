"""What an action tells others (a chatter line, an activity, an e-mail) never
undoes the action: a coordinator's call, booking or debrief is done even when
the note about it cannot be written."""

import logging
from contextlib import contextmanager

from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

_logger = logging.getLogger(__name__)


@contextmanager
def side_effect(env, what):
    """Run the block as a side effect of the action around it, in a savepoint
    of ``env``'s cursor. If it fails (the author has no e-mail address, a mail
    server is down, the user may not post there), only the block is rolled
    back, the failure is logged with ``what`` (what was not written, for the
    log) and the action goes on.

    A concurrency error still ends the request: Odoo retries the whole request,
    side effect included, and the savepoint would not outlive the transaction
    anyway."""
    # The action's own pending writes are flushed first, as ``env`` (the
    # savepoint would flush them as the request's first user, a public one on
    # the portal): their errors are the action's, not the side effect's.
    env.flush_all()
    try:
        with env.cr.savepoint():
            yield
            env.flush_all()
    except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
        raise
    except Exception as error:
        _logger.warning(
            "%s was not written (the action it reports is done): %s",
            what,
            error,
        )
