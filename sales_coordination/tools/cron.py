"""The scheduled actions' batches: one short batch per call, each company in a
savepoint of its own, progress told to ir.cron (which commits after each call
and calls again while some remain)."""

import logging

from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

_logger = logging.getLogger(__name__)


def run_batch(env, what, companies, work, size):
    """Run ``work(company, limit)`` for each of ``companies`` until ``size``
    records are done in all; ``work`` returns how many it did (``limit`` when
    more may wait). A company whose work fails is rolled back alone (its
    savepoint) and logged, the others' work stands; it is tried again at the
    job's next run, not at once. Tells ir.cron how many were done and whether
    some remain (``_notify_progress``), so that it commits this batch and calls
    again. Returns the number done."""
    done = remaining = 0
    for company in companies:
        limit = size - done
        if limit <= 0:
            remaining += 1
            continue
        try:
            with env.cr.savepoint():
                count = work(company, limit)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:
            _logger.exception("%s failed for %s", what, company.name)
            continue
        done += count
        if count >= limit:
            remaining += 1
    env["ir.cron"]._notify_progress(done=done, remaining=remaining)
    if done:
        _logger.info("%s: %d done%s", what, done, ", more to do" if remaining else "")
    return done
