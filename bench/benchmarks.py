"""The project's benchmarks. Each states in its docstring what it measures and its
baseline: the same question answered by Odoo's own code, or the bare SQL, on the
same database in the same run."""

from odoo.tools import SQL

ALL = []


class Benchmark:
    name = ""
    # Calls per run, each run's time their mean: many for the benchmarks of a
    # millisecond, whose single calls the machine's noise swamps.
    calls = 1
    # Baseline and measured runs alternate, unless the baseline needs the data
    # changed (setup_baseline, rolled back before the measured runs).
    alternate = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        ALL.append(cls())

    def environment(self, env):
        """The environment the benchmark runs in: the administrator, who is a
        sales-coordination manager, with record rules applied (not the superuser)."""
        return env(user=env.ref("base.user_admin").id, su=False)

    def prepare(self, env):
        """Pick the data the runs use (not timed)."""

    def setup_baseline(self, env):
        """Change the data for the baseline runs (when ``alternate`` is False)."""

    def reset(self, env):
        """Undo what one run changed (not timed)."""

    def run(self, env):
        raise NotImplementedError

    def baseline(self, env):
        raise NotImplementedError


class ReportSourcePivot(Benchmark):
    """Leads and sales by source, grouped by source and month, as a manager opens
    the pivot (sales.report.source, all its measures). Baseline: Odoo's own
    crm.lead _read_group by source_id and create_date:month (a count) on the same
    leads. Goal (issue 7): ratio at most 1.0."""

    name = "report.source pivot source x month"

    def run(self, env):
        source_pivot(env)

    def baseline(self, env):
        env["crm.lead"]._read_group([], ["source_id", "create_date:month"], ["__count"])


def source_pivot(env):
    return env["sales.report.source"].read_group(
        [],
        [
            "lead_count:sum",
            "appointment_count:sum",
            "won_count:sum",
            "revenue:sum",
            "conversion_rate:avg",
        ],
        ["source_id", "date:month"],
        lazy=False,
    )


class FunnelPivot(Benchmark):
    """The source funnel as a manager opens it by source and month, with every
    measure: the steps, resets and rehashes, revenue, spend and the cost ratios
    (sales.report.funnel). Baseline: the plain by-source pivot above
    (sales.report.source by source and month) in the same run. Goal (issue 13):
    ratio at most 1.5."""

    name = "funnel pivot source x month"

    def run(self, env):
        funnel = env["sales.report.funnel"]
        measures = [
            f"{name}:sum"
            for name, field in funnel._fields.items()
            if field.type in ("integer", "float", "monetary") and name != "id"
        ]
        funnel.read_group([], measures, ["source_id", "date:month"], lazy=False)

    def baseline(self, env):
        source_pivot(env)


class IntakeMatch(Benchmark):
    """The intake form's duplicate check: open leads and contacts sharing a caller's
    phone or e-mail (crm.lead._sales_find_matches), for a known caller. Baseline:
    crm.lead.search on phone_sanitized alone, Odoo's indexed phone lookup. A run
    is the mean of 50 calls. Goal (issue 24): ratio at most 2."""

    name = "intake duplicate check"
    calls = 50

    def prepare(self, env):
        lead = env["crm.lead"].search(
            [("phone_sanitized", "!=", False)], limit=1, order="id desc"
        )
        self.phone, self.email = lead.phone, lead.email_from
        self.e164 = lead.phone_sanitized
        self.email_normalized = lead.email_normalized

    def run(self, env):
        env["crm.lead"]._sales_find_matches(self.phone, self.email)

    def baseline(self, env):
        env["crm.lead"].search([("phone_sanitized", "=", self.e164)], limit=10)


class IntakeFloor(IntakeMatch):
    """What the intake check cannot do with less: crm's phone search of the leads
    (the check's baseline) and the same one-condition search of the contacts (by
    the e-mail, in id order, the contacts' company tree from the cache as the
    check reads it), two queries, nothing parsed, no second condition on either
    table. Baseline, caller and calls: the intake check's. Its ratio is a floor
    for any duplicate check that searches both tables under the user's record
    rules, to read beside the intake check's goal of 2 (issue 24)."""

    name = "intake floor (leads + contacts)"

    def run(self, env):
        self.baseline(env)
        env["res.company"]._sales_prefetch_parent_paths()
        env["res.partner"].search(
            [("email_normalized", "=", self.email_normalized)], limit=10, order="id"
        )


class ProposeSlots(Benchmark):
    """Slot proposals for 20 advisors over 14 days from a week ahead
    (sales.appointment.scheduler.propose_slots), as a manager, on the full
    database (200,000 sales appointments at scale 1). Baseline: the same call
    with only one appointment in twenty left (10,000 at scale 1), the others
    deleted in a savepoint rolled back afterwards. Goal (issue 4): ratio at most
    1.5, and the query count the same in both."""

    name = "propose_slots 20 advisors x 14 days"
    alternate = False

    def prepare(self, env):
        self.advisors = env["res.users"].search(
            [("is_field_advisor", "=", True)], limit=20, order="id"
        )
        self.lead = env["crm.lead"].search(
            [("partner_id.partner_latitude", "!=", 0)], limit=1, order="id desc"
        )
        now = env.cr.now()
        self.date_from = now.replace(hour=0, minute=0, second=0, microsecond=0)

    def setup_baseline(self, env):
        env.cr.execute(
            SQL(
                "DELETE FROM calendar_event "
                "WHERE is_sales_appointment AND mod(id, 20) <> 0"
            )
        )

    def run(self, env):
        env["sales.appointment.scheduler"].propose_slots(
            self.lead, advisors=self.advisors.ids, date_from=self.date_from, days=14
        )

    baseline = run


class ClaimNext(Benchmark):
    """Next call: sales.followup.claim_next() as a coordinator (their own advisors'
    due calls first), committed in its own transaction as in production, on 1M
    follow-ups (100,000 due at scale 1). Baseline: the bare SQL claim of the same
    call, one UPDATE ... WHERE id = (SELECT ... ORDER BY priority LIMIT 1 FOR NO
    KEY UPDATE SKIP LOCKED) over the coordinator's own due calls, on a cursor of
    its own and committed the same way: what claim_next() adds is its checks, its
    lock and its transaction. Each claim is undone after its call, untimed; a
    run is the mean of 50 calls. Goal (issue 19): ratio at most 1.5."""

    name = "claim_next 1M follow-ups"
    calls = 50

    def environment(self, env):
        coordinator = env["res.users"].search(
            [("login", "=like", "bench_coordinator_%")], limit=1, order="id"
        )
        return env(user=coordinator.id, su=False)

    def prepare(self, env):
        self.claimed = None

    def run(self, env):
        self.claimed = env["sales.followup"].claim_next().id

    def baseline(self, env):
        with env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """
                    UPDATE sales_followup
                       SET state = 'claimed', claimed_by_id = %(uid)s,
                           claim_expires_at = %(now)s + interval '15 minutes'
                     WHERE id = (
                        SELECT id FROM sales_followup
                         WHERE state = 'queued' AND window_start <= %(now)s
                           AND company_id = ANY(%(companies)s)
                           AND queue_coordinator_id = %(uid)s
                         ORDER BY priority_tier DESC, priority_key DESC,
                                  window_start, id
                         LIMIT 1
                           FOR NO KEY UPDATE SKIP LOCKED)
                    RETURNING id
                    """,
                    uid=env.uid,
                    now=env.cr.now(),
                    companies=env.companies.ids,
                )
            )
            self.claimed = cr.fetchone()[0]

    def reset(self, env):
        if not self.claimed:
            return
        with env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """UPDATE sales_followup SET state = 'queued',
                              claimed_by_id = NULL, claim_expires_at = NULL
                        WHERE id = %s""",
                    self.claimed,
                )
            )
        self.claimed = None


class CoordinatorBoard(Benchmark):
    """The coordinator board as a manager opens it: every coordinator's row (100 at
    scale 1) with all its figures (sales.coordinator.board, search_read). Baseline:
    Odoo's own crm.lead _read_group by source_id and create_date:month on the same
    database. Goal (issue 7): under 1 second."""

    name = "coordinator board, all rows"

    def run(self, env):
        board = env["sales.coordinator.board"]
        board.search_read([], list(board._fields))

    def baseline(self, env):
        env["crm.lead"]._read_group([], ["source_id", "create_date:month"], ["__count"])


class NotContactedFirstRun(Benchmark):
    """One batch of the not-contacted alert's first run on a database with a
    backlog (at scale 1, most of the open ones of 1M leads silent for longer than
    the delay, none alerted yet): crm.lead._cron_alert_not_contacted() as the
    scheduler calls it, as superuser, one batch of 500 leads given their
    activities without e-mails. Baseline: Odoo's own activity_schedule() of the
    same activity, without e-mails, on the same 500 leads (what the batch adds:
    finding them, grouping them by coordinator, the alert's flag). Each run is
    undone after it, untimed. Goal (issue 32): ir.cron runs at most 10 batches
    per run of the job, committing each, so a batch under 12 s keeps a run of
    the job within Odoo's default time limit of 120 s, whatever the backlog."""

    name = "not-contacted alert, a first-run batch"

    def environment(self, env):
        return env(su=True)

    def prepare(self, env):
        # The batch the run takes: the main company's first 500 in id order.
        company = env.company
        self.leads = (
            env["crm.lead"]
            .with_company(company)
            .with_context(allowed_company_ids=company.ids)
            .search(
                [
                    ("company_id", "in", (company.id, False)),
                    ("not_contacted_alerted", "=", False),
                    ("is_not_contacted", "=", True),
                ],
                limit=500,
                order="id",
            )
        )
        self.activity_type = env.ref("sales_coordination.mail_activity_type_contact")

    def run(self, env):
        env["crm.lead"]._cron_alert_not_contacted()

    def baseline(self, env):
        self.leads.with_context(mail_activity_quick_update=True).activity_schedule(
            activity_type_id=self.activity_type.id,
            user_id=env.uid,
            note="Nobody has contacted this customer for 3 days.",
        )

    def reset(self, env):
        env.flush_all()
        env.cr.execute(
            SQL(
                """DELETE FROM mail_activity
                    WHERE res_model = 'crm.lead' AND res_id = ANY(%s)
                      AND activity_type_id = %s""",
                self.leads.ids,
                self.activity_type.id,
            )
        )
        env.cr.execute(
            SQL(
                "UPDATE crm_lead SET not_contacted_alerted = NULL WHERE id = ANY(%s)",
                self.leads.ids,
            )
        )
        env.invalidate_all()
