"""Fill a benchmark database with realistic, seeded-random data.

At --scale 1: 1,000,000 leads (and their customers, with coordinates clustered in
a few metropolitan areas), 5,000,000 logged calls (connection ratio about 12%),
200,000 sales appointments inside working hours, 1,000,000 follow-up calls (a
tenth of them due), 200 field advisors and 100 coordinators. Reference data
goes through the ORM, volume through bulk SQL (odoo.tools.SQL, parameters).

Usage: python bench/generate.py --config CONF --database DB [--scale S] [--seed N]
"""

import time

from common import environment, parse_args

from odoo.tools import SQL

SIZES = {
    "leads": 1_000_000,
    "calls": 5_000_000,
    "followups": 1_000_000,
    "appointments": 200_000,
    "advisors": 200,
    "coordinators": 100,
}
# Metropolitan areas: name, latitude, longitude, postcode prefix.
METROS = [
    ("Chicago", 41.8781, -87.6298, "606"),
    ("Springfield", 39.7817, -89.6501, "627"),
    ("St. Louis", 38.6270, -90.1994, "631"),
    ("Indianapolis", 39.7684, -86.1581, "462"),
    ("Milwaukee", 43.0389, -87.9065, "532"),
]
# Callers' numbers: real ones (the exchange of a North American number never
# starts with 0 or 1), so that the intake's phone look-ups run as in production.
PHONE_PREFIX = "+1217"
PHONE_BASE = 2_000_000
# Lead sources, skewed as marketing mixes are (weights in percent).
SOURCES = [
    ("Search engine", 34),
    ("Radio ad", 20),
    ("Customer referral", 14),
    ("Yard sign", 10),
    ("Facebook", 10),
    ("Home show", 7),
    ("Direct mail", 5),
]


def sizes_for(scale):
    sized = {key: max(1, int(value * scale)) for key, value in SIZES.items()}
    sized["advisors"] = max(4, sized["advisors"])
    sized["coordinators"] = max(2, sized["coordinators"])
    return sized


class Generator:
    def __init__(self, env, scale, seed):
        self.env = env
        self.cr = env.cr
        self.sizes = sizes_for(scale)
        self.scale = scale
        self.seed = seed
        self.timings = []

    def step(self, name, func):
        start = time.perf_counter()
        count = func()
        self.env.cr.commit()
        seconds = time.perf_counter() - start
        self.timings.append((name, count, seconds))
        print(f"  {name:<28} {count:>10,} rows  {seconds:7.1f} s", flush=True)

    def run(self):
        self.cr.execute(SQL("SELECT setseed(%s)", (self.seed % 1000) / 1000))
        self.step("coordinators and advisors", self.make_users)
        self.step("sources", self.make_sources)
        self.step("customers", self.make_partners)
        self.step("leads", self.make_leads)
        self.step("calls", self.make_calls)
        self.step("appointments", self.make_appointments)
        self.step("follow-ups", self.make_followups)
        self.step("funnel columns", self.fill_funnel)
        self.step("marketing spend", self.make_spend)
        self.step("queue check", self.check_queue)
        self.step("analyze", self.analyze)
        self.env["ir.config_parameter"].set_param(
            "sales_coordination.bench_scale", str(self.scale)
        )
        # Which build the figures come from: run.py compares builds.
        self.env["ir.config_parameter"].set_param(
            "sales_coordination.bench_built",
            f"{self.cr.now():%Y-%m-%d %H:%M} UTC",
        )
        self.cr.commit()

    # Reference data, through the ORM

    def make_users(self):
        env = self.env
        company = env.company
        calendar = env.ref("resource.resource_calendar_std")
        calendar.tz = "UTC"
        coordinator_group = env.ref("sales_coordination.group_coordinator")
        salesman_group = env.ref("sales_team.group_sale_salesman")
        Users = env["res.users"].with_context(
            no_reset_password=True, tracking_disable=True
        )
        self.coordinators = Users.create(
            [
                {
                    "name": f"Coordinator {i:03d}",
                    "login": f"bench_coordinator_{i:03d}",
                    "tz": "UTC",
                    "groups_id": [(6, 0, coordinator_group.ids)],
                    "company_id": company.id,
                    "company_ids": [(6, 0, company.ids)],
                }
                for i in range(self.sizes["coordinators"])
            ]
        )
        count = len(self.coordinators)
        self.advisors = Users.create(
            [
                {
                    "name": f"Advisor {i:03d}",
                    "login": f"bench_advisor_{i:03d}",
                    "tz": "UTC",
                    "groups_id": [(6, 0, salesman_group.ids)],
                    "is_field_advisor": True,
                    "coordinator_id": self.coordinators[(i // 2) % count].id,
                    "backup_coordinator_id": self.coordinators[(i // 2 + 1) % count].id,
                    "resource_calendar_id": calendar.id,
                    "company_id": company.id,
                    "company_ids": [(6, 0, company.ids)],
                }
                for i in range(self.sizes["advisors"])
            ]
        )
        return len(self.coordinators) + len(self.advisors)

    def make_sources(self):
        Source = self.env["utm.source"]
        self.sources = [
            (Source.create({"name": f"{name} (bench)"}), weight)
            for name, weight in SOURCES
        ]
        self.medium = self.env.ref("utm.utm_medium_phone")
        return len(self.sources)

    # Volume, through bulk SQL

    def _source_case(self, random_column):
        """A CASE picking a source id with the skewed weights from ``random_column``
        (uniform in [0, 1))."""
        parts, bound = [], 0.0
        for source, weight in self.sources:
            bound += weight / 100
            parts.append(SQL("WHEN %s < %s THEN %s", random_column, bound, source.id))
        return SQL("CASE %s ELSE %s END", SQL(" ").join(parts), self.sources[0][0].id)

    def make_partners(self):
        metros = SQL(", ").join(
            SQL("(%s, %s, %s, %s, %s)", i, name, lat, lon, prefix)
            for i, (name, lat, lon, prefix) in enumerate(METROS)
        )
        self.cr.execute(
            SQL(
                """
                WITH metro(i, city, lat, lon, prefix) AS (VALUES %(metros)s),
                numbered AS (
                    SELECT nextval('res_partner_id_seq') AS id, g
                      FROM generate_series(1, %(count)s) g
                )
                INSERT INTO res_partner (
                    id, commercial_partner_id,
                    name, complete_name, active, type, is_company, company_id,
                    city, zip, partner_latitude, partner_longitude, phone,
                    phone_sanitized, email, email_normalized,
                    lang, create_uid, write_uid, create_date, write_date)
                SELECT numbered.id, numbered.id,
                       'Customer ' || g, 'Customer ' || g, TRUE, 'contact', FALSE,
                       %(company)s, metro.city,
                       metro.prefix || lpad(mod(g, 100)::text, 2, '0'),
                       metro.lat + (random() - 0.5) * 0.5,
                       metro.lon + (random() - 0.5) * 0.6,
                       %(phone_prefix)s || (%(phone_base)s + g),
                       %(phone_prefix)s || (%(phone_base)s + g),
                       'customer' || g || '@bench.example.com',
                       'customer' || g || '@bench.example.com',
                       'en_US', 1, 1, now(), now()
                  FROM numbered
                  JOIN metro ON metro.i = mod(g, %(metro_count)s)
                """,
                metros=metros,
                company=self.env.company.id,
                count=self.sizes["leads"],
                metro_count=len(METROS),
                phone_prefix=PHONE_PREFIX,
                phone_base=PHONE_BASE,
            )
        )
        count = self.cr.rowcount
        self.cr.execute(
            SQL(
                "SELECT min(id), max(id) FROM res_partner WHERE email LIKE %s",
                "%@bench.example.com",
            )
        )
        self.partner_range = self.cr.fetchone()
        return count

    def make_leads(self):
        # Importable once the configuration has set the addons path.
        from odoo.addons.sales_coordination.tools.funnel import FUNNEL_COLUMNS

        env = self.env
        stages = env["crm.stage"].search([], order="sequence")
        won = stages.filtered("is_won")[:1]
        open_stages = (stages - won).ids or stages.ids
        lost_reason = env["crm.lost.reason"].search([], limit=1)
        advisors = self.advisors.ids
        coordinators = {a.id: a.coordinator_id.id for a in self.advisors}
        first_partner = self.partner_range[0]
        self.cr.execute(
            SQL(
                """
                WITH advisor(no, id, coordinator) AS (VALUES %(pairs)s),
                base AS (
                    SELECT g,
                           random() AS r_source, random() AS r_outcome,
                           random() AS r_user, random() AS r_age,
                           random() AS r_contact
                      FROM generate_series(1, %(count)s) g
                ), shaped AS (
                    SELECT g, r_source, r_outcome, r_contact,
                           advisor.id AS advisor, advisor.coordinator,
                           now() - make_interval(secs => r_age * 730 * 86400) AS arrived
                      FROM base
                      JOIN advisor
                        ON advisor.no = floor(r_user * %(n_advisors)s)::int
                )
                INSERT INTO crm_lead (
                    name, type, active, stage_id, probability, expected_revenue,
                    company_id, user_id, coordinator_id, partner_id, contact_name,
                    phone,
                    phone_sanitized, email_from, email_normalized, source_id,
                    medium_id, priority, arrival_date, first_contact_date,
                    last_contact_date, date_open, date_closed, lost_reason_id,
                    %(funnel_names)s,
                    create_uid, write_uid, create_date, write_date)
                SELECT 'Lead ' || g, 'opportunity',
                       -- won leads stay active; lost ones are archived
                       NOT (r_outcome >= 0.12 AND r_outcome < 0.30),
                       CASE WHEN r_outcome < 0.12 THEN %(won)s
                            ELSE (%(open)s::int[])[1 + mod(g, %(n_open)s)] END,
                       CASE WHEN r_outcome < 0.12 THEN 100
                            WHEN r_outcome < 0.30 THEN 0 ELSE 30 END,
                       2000 + floor(r_contact * 18000),
                       %(company)s,
                       CASE WHEN r_outcome < 0.95 THEN advisor END,
                       CASE WHEN r_outcome < 0.95 THEN coordinator END,
                       %(first_partner)s + g - 1,
                       'Customer ' || g,
                       %(phone_prefix)s || (%(phone_base)s + g),
                       %(phone_prefix)s || (%(phone_base)s + g),
                       'customer' || g || '@bench.example.com',
                       'customer' || g || '@bench.example.com',
                       %(source_case)s, %(medium)s, '0',
                       arrived,
                       CASE WHEN r_contact < 0.97
                            THEN arrived + make_interval(secs => r_contact * 86400) END,
                       CASE WHEN r_contact < 0.97
                            THEN arrived + make_interval(secs => r_contact * 20 * 86400)
                            END,
                       arrived,
                       CASE WHEN r_outcome < 0.30
                            THEN arrived + interval '20 days' END,
                       CASE WHEN r_outcome >= 0.12 AND r_outcome < 0.30
                            THEN %(lost_reason)s END,
                       %(funnel_empty)s,
                       1, 1, arrived, arrived
                  FROM shaped
                  -- in the order they arrived, as a live table holds them
                 ORDER BY arrived
                """,
                count=self.sizes["leads"],
                pairs=SQL(", ").join(
                    SQL("(%s, %s, %s)", no, advisor, coordinators[advisor])
                    for no, advisor in enumerate(advisors)
                ),
                n_advisors=len(advisors),
                won=won.id,
                open=open_stages,
                n_open=len(open_stages),
                company=env.company.id,
                first_partner=first_partner,
                source_case=self._source_case(SQL("r_source")),
                medium=self.medium.id,
                lost_reason=lost_reason.id or None,
                phone_prefix=PHONE_PREFIX,
                phone_base=PHONE_BASE,
                funnel_names=SQL(", ").join(map(SQL.identifier, FUNNEL_COLUMNS)),
                funnel_empty=SQL(", ").join(
                    SQL("%s", empty) for _type, empty in FUNNEL_COLUMNS.values()
                ),
            )
        )
        count = self.cr.rowcount
        self.cr.execute(
            SQL(
                "SELECT min(id), max(id) FROM crm_lead WHERE email_from LIKE %s",
                "%@bench.example.com",
            )
        )
        self.lead_range = self.cr.fetchone()
        return count

    def make_calls(self):
        low, high = self.lead_range
        self.cr.execute(
            SQL(
                """
                INSERT INTO sales_call (
                    user_id, lead_id, company_id, direction, result, call_date,
                    duration, create_uid, write_uid, create_date, write_date)
                SELECT (%(coordinators)s::int[])[1 + floor(r1 * %(n)s)::int],
                       %(low)s + floor(r2 * %(span)s)::int,
                       %(company)s,
                       CASE WHEN r3 < 0.8 THEN 'out' ELSE 'in' END,
                       CASE WHEN r4 < 0.12 THEN 'connected'
                            WHEN r4 < 0.72 THEN 'no_answer'
                            WHEN r4 < 0.97 THEN 'voicemail'
                            ELSE 'wrong_number' END,
                       now() - make_interval(secs => r5 * 730 * 86400),
                       CASE WHEN r4 < 0.12 THEN 60 + floor(r3 * 600)::int
                            ELSE floor(r3 * 40)::int END,
                       1, 1, now(), now()
                  FROM (SELECT random() r1, random() r2, random() r3, random() r4,
                               random() r5
                          FROM generate_series(1, %(count)s)) r
                """,
                coordinators=self.coordinators.ids,
                n=len(self.coordinators),
                low=low,
                span=high - low + 1,
                company=self.env.company.id,
                count=self.sizes["calls"],
            )
        )
        return self.cr.rowcount

    def make_appointments(self):
        low, high = self.lead_range
        advisors = self.advisors
        booker = {a.id: a.coordinator_id.id for a in advisors}
        pairs = SQL(", ").join(
            SQL("(%s, %s, %s)", a.id, booker[a.id], a.partner_id.id) for a in advisors
        )
        # Each advisor gets about two visits a weekday, back from two weeks ahead,
        # at distinct slots inside the standard working hours (UTC): nobody is
        # double-booked, nobody exceeds 4 a day or 20 a week.
        self.cr.execute(
            SQL(
                """
                WITH advisor(id, coordinator, partner) AS (VALUES %(pairs)s),
                numbered_advisor AS (
                    SELECT advisor.*, row_number() OVER () - 1 AS no FROM advisor
                ), draw AS (
                    SELECT g, mod(g, %(n_advisors)s) AS advisor_no,
                           g / %(n_advisors)s AS j,
                           random() AS r_lead, random() AS r_active
                      FROM generate_series(0, %(count)s - 1) g
                ), placed AS (
                    SELECT draw.*,
                           date_trunc('week', now()) + interval '14 days'
                             - make_interval(days => ((j / 2) / 5 + 1) * 7)
                             + make_interval(days => mod(j / 2, 5)) AS day,
                           (ARRAY[interval '8 hours 30 minutes',
                                  interval '10 hours 30 minutes',
                                  interval '13 hours',
                                  interval '15 hours'])[1 + mod(j, 2) * 2 + mod(g, 2)]
                             AS at
                      FROM draw
                ), events AS (
                    INSERT INTO calendar_event (
                        name, start, stop, duration, allday, active, show_as,
                        user_id, advisor_id, booked_by_id, is_sales_appointment,
                        opportunity_id, sales_company_id, debrief_state,
                        create_uid, write_uid, create_date, write_date)
                    SELECT 'Home visit ' || g, day + at,
                           day + at + interval '90 minutes', 1.5, FALSE,
                           r_active > 0.03, 'busy',
                           a.id, a.id, a.coordinator, TRUE,
                           %(low)s + floor(r_lead * %(span)s)::int, %(company)s,
                           CASE WHEN day + at < now() THEN 'done' ELSE 'none' END,
                           1, 1, day + at - interval '5 days',
                           day + at - interval '5 days'
                      FROM placed
                      JOIN numbered_advisor a ON a.no = placed.advisor_no
                    RETURNING id, user_id
                )
                INSERT INTO calendar_event_res_partner_rel
                       (calendar_event_id, res_partner_id)
                SELECT events.id, advisor.partner
                  FROM events JOIN advisor ON advisor.id = events.user_id
                """,
                pairs=pairs,
                count=self.sizes["appointments"],
                n_advisors=len(advisors),
                low=low,
                company=self.env.company.id,
                span=high - low + 1,
            )
        )
        return self.cr.rowcount

    def make_followups(self):
        """Follow-up calls: a tenth due now (windows open), a fifth queued for
        later, the rest done or cancelled; spread over the leads. As the queue's
        own methods would make them (checked after the build): every call's
        queue owner, its priority filled by the model's own SQL (from its lead's
        value, probability and urgency); no confirmation, which needs a visit of
        its own."""
        low, high = self.lead_range
        self.cr.execute(
            SQL(
                """
                WITH draw AS (
                    SELECT g, random() AS r_state, random() AS r_kind,
                           random() AS r_when, random() AS r_score,
                           %(low)s + mod(g::bigint * 7919, %(span)s)::int AS lead_id
                      FROM generate_series(1, %(count)s) g
                ), timed AS (
                    SELECT draw.*,
                           CASE WHEN r_state < 0.10
                                THEN now() - make_interval(secs => r_when * 3 * 86400)
                                WHEN r_state < 0.30
                                THEN now() + make_interval(secs => r_when * 14 * 86400)
                                ELSE now() - make_interval(secs => r_when * 700 * 86400)
                           END AS window_start
                      FROM draw
                )
                INSERT INTO sales_followup (
                    lead_id, company_id, advisor_id, coordinator_id,
                    queue_coordinator_id, kind, window_start, window_end,
                    quote_date, state,
                    attempt_count, create_uid, write_uid, create_date, write_date)
                SELECT lead.id, lead.company_id, lead.user_id, lead.coordinator_id,
                       COALESCE(advisor.coordinator_id, lead.coordinator_id),
                       CASE WHEN r_kind < 0.45 THEN 'quote'
                            WHEN r_kind < 0.90 THEN 'callback'
                            WHEN r_kind < 0.96 THEN 'happy_call'
                            ELSE 'reset' END,
                       window_start,
                       window_start + interval '4 hours',
                       window_start - interval '2 days',
                       CASE WHEN r_state < 0.30 THEN 'queued'
                            WHEN r_state < 0.95 THEN 'done'
                            ELSE 'cancelled' END,
                       floor(r_score * 4)::int,
                       1, 1, now(), now()
                  FROM timed
                  JOIN crm_lead lead ON lead.id = timed.lead_id
                  LEFT JOIN res_users advisor ON advisor.id = lead.user_id
                """,
                low=low,
                span=high - low + 1,
                count=self.sizes["followups"],
            )
        )
        made = self.cr.rowcount
        from odoo.addons.sales_coordination.tools.backfill import fill_priority

        fill_priority(self.cr, self.env.company.id, SQL("f.priority_key IS NULL"))
        return made

    def check_queue(self):
        """The follow-ups written in SQL hold the queue's rules, as its own
        methods would have made them."""
        from odoo.addons.sales_coordination.tools.queue_check import queue_problems

        problems = queue_problems(self.cr)
        if problems:
            raise RuntimeError(
                f"generated follow-ups break the queue's rules: {problems}"
            )
        return self.sizes["followups"]

    def fill_funnel(self):
        """What the ORM keeps on each lead and appointment (visit types, the
        lead's funnel), filled the way the addon fills them on an existing
        database."""
        from odoo.addons.sales_coordination.tools import backfill

        backfill.fill_appointment_types(self.cr)
        # The leads were inserted with an empty funnel, as the ORM creates them:
        # only those with appointments, debriefs or a win are written again.
        backfill.fill_funnel_columns(self.cr)
        return self.sizes["leads"]

    def make_spend(self):
        """Monthly spend over the two years the leads span, for every source but
        the last: the funnel shows sources with and without spend."""
        self.cr.execute(
            SQL(
                """
                INSERT INTO sales_source_cost (source_id, month, amount, company_id,
                                               create_uid, write_uid, create_date,
                                               write_date)
                SELECT source.id, month::date, 500 + floor(random() * 5000),
                       %(company)s, 1, 1, now(), now()
                  FROM utm_source source,
                       generate_series(
                           date_trunc('month', now()) - interval '24 months',
                           date_trunc('month', now()),
                           interval '1 month') month
                 WHERE source.id = ANY(%(sources)s)
                """,
                company=self.env.company.id,
                sources=[source.id for source, _weight in self.sources[:-1]],
            )
        )
        return self.cr.rowcount

    def analyze(self):
        for table in (
            "res_partner",
            "crm_lead",
            "sales_call",
            "calendar_event",
            "sales_followup",
        ):
            self.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
        return 0


def main():
    args = parse_args(
        __doc__.splitlines()[0],
        lambda parser: (
            parser.add_argument("--scale", type=float, default=1.0),
            parser.add_argument("--seed", type=int, default=42),
        ),
    )
    start = time.perf_counter()
    with environment(args.database) as env:
        print(f"generating at scale {args.scale} into {args.database}:")
        Generator(env, args.scale, args.seed).run()
    print(f"generated in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
