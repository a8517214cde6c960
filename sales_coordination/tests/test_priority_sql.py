import itertools
from datetime import datetime

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..tools import priority


@tagged("post_install", "-at_install")
class TestPrioritySql(TransactionCase):
    """Each rule of tools/priority.py gives the same figure in Python and in SQL
    (the upkeep's and the bulk fills' form), for every case of its inputs."""

    def _select(self, expressions):
        self.env.cr.execute(SQL("SELECT %s", SQL(", ").join(expressions)))
        return self.env.cr.fetchone()

    def test_tier(self):
        cases = list(itertools.product([*priority.KIND_TIER, "unknown"], (False, True)))
        got = self._select(
            priority.tier_sql(SQL("%s", kind), SQL("%s", inbound))
            for kind, inbound in cases
        )
        self.assertEqual(
            list(got), [priority.tier(kind, inbound) for kind, inbound in cases]
        )

    def test_base_points(self):
        cases = list(
            itertools.product(
                (None, -5.0, 0.0, 1.0, 999.0, 25_000.0, 10**7, 10**12),
                (None, -10.0, 0.0, 35.5, 100.0, 250.0),
                (*priority.URGENCY_WEIGHT, None, "unknown"),
            )
        )
        got = self._select(
            priority.base_points_sql(
                SQL("%s::float8", value),
                SQL("%s::float8", probability),
                SQL("%s::varchar", urgency),
            )
            for value, probability, urgency in cases
        )
        for (value, probability, urgency), sql in zip(cases, got, strict=True):
            with self.subTest(value=value, probability=probability, urgency=urgency):
                self.assertAlmostEqual(
                    sql, priority.base_points(value, probability, urgency), places=9
                )

    def test_day_number_and_ordering_key(self):
        moments = (
            datetime(1970, 1, 1),
            datetime(2026, 3, 29, 1, 30),
            datetime(2026, 12, 7, 23, 59, 59),
        )
        got = self._select(
            priority.day_number_sql(SQL("%s::timestamp", moment)) for moment in moments
        )
        for moment, sql in zip(moments, got, strict=True):
            self.assertAlmostEqual(float(sql), priority.day_number(moment), places=9)
        cases = list(
            itertools.product((0.0, 12.5, 999.0), (0.0, 20_000.25), (1e-6, 2.3))
        )
        got = self._select(
            priority.ordering_key_sql(
                SQL("%s::float8", base), SQL("%s::float8", day), SQL("%s::float8", rate)
            )
            for base, day, rate in cases
        )
        for (base, day, rate), sql in zip(cases, got, strict=True):
            self.assertAlmostEqual(
                sql, priority.ordering_key(base, day, rate), places=6
            )

    def test_score_on(self):
        cases = list(
            itertools.product(
                (0, 1, 2, 3),
                (20_000.0, 20_400.5),
                (1e-6, 0.5, 2.3, 40.0),
                (19_990.0, 20_100.25, 20_500.0),
            )
        )
        got = self._select(
            priority.score_on_sql(
                SQL("%s", tier),
                SQL("%s::float8", key),
                SQL("%s::float8", rate),
                SQL("%s::float8", day),
            )
            for tier, key, rate, day in cases
        )
        for (tier, key, rate, day), sql in zip(cases, got, strict=True):
            with self.subTest(tier=tier, key=key, rate=rate, day=day):
                self.assertAlmostEqual(
                    float(sql), priority.score_on(tier, key, rate, day), places=4
                )
