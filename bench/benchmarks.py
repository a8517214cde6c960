"""The project's benchmarks. Each states in its docstring what it measures and its
baseline: the same question answered by Odoo's own code, or the bare SQL, on the
same database in the same run."""

ALL = []


class Benchmark:
    name = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        ALL.append(cls())

    def environment(self, env):
        """The environment the benchmark runs in: the administrator, who is a
        sales-coordination manager, with record rules applied (not the superuser)."""
        return env(user=env.ref("base.user_admin").id, su=False)

    def prepare(self, env):
        """Pick the data the runs use (not timed)."""

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
        env["sales.report.source"].read_group(
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

    def baseline(self, env):
        env["crm.lead"]._read_group([], ["source_id", "create_date:month"], ["__count"])


class IntakeMatch(Benchmark):
    """The intake form's duplicate check: open leads and contacts sharing a caller's
    phone or e-mail (crm.lead._sales_find_matches), for a known caller. Baseline:
    crm.lead.search on phone_sanitized alone, Odoo's indexed phone lookup."""

    name = "intake duplicate check"

    def prepare(self, env):
        lead = env["crm.lead"].search(
            [("phone_sanitized", "!=", False)], limit=1, order="id desc"
        )
        self.phone, self.email = lead.phone, lead.email_from
        self.e164 = lead.phone_sanitized

    def run(self, env):
        env["crm.lead"]._sales_find_matches(self.phone, self.email)

    def baseline(self, env):
        env["crm.lead"].search([("phone_sanitized", "=", self.e164)], limit=10)
