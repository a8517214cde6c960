import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# What the manager enters: the plan depends on them, and each is checked.
FIGURES = (
    "current_salespeople",
    "current_weekly_meetings",
    "incremental_weekly_meetings",
    "meetings_per_advisor",
    "salesperson_salary",
    "coordinator_salary",
)


class SalesResourcingPlanner(models.TransientModel):
    """How many advisors and coordinators the coordinated model needs: the weekly
    business-development meetings to run (current plus readily achievable) at a
    fixed number a week per advisor, one coordinator per advisor; and the payroll
    before and after."""

    _name = "sales.resourcing.planner"
    _description = "Resourcing Planner"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    current_salespeople = fields.Integer(
        string="Salespeople Today",
        default=lambda self: self._default_current_salespeople(),
        help="Everyone who runs sales meetings today: the company's active field "
        "advisors to start with (add the salespeople not yet in Odoo).",
    )
    current_weekly_meetings = fields.Float(
        string="Meetings a Week Today",
        default=lambda self: self._default_current_weekly_meetings(),
        help="Business-development meetings a week now: the company's sales "
        "appointments of the last four weeks, averaged (count them in the "
        "calendars if they are not all in Odoo yet).",
    )
    incremental_weekly_meetings = fields.Float(
        string="Readily-Achievable Extra Meetings a Week",
        help="Existing accounts and neglected opportunities that could be met "
        "each week.",
    )
    meetings_per_advisor = fields.Integer(
        string="Meetings a Week per Advisor",
        default=lambda self: self.env.company.sales_advisor_weekly_meetings,
    )
    salesperson_salary = fields.Monetary(
        string="Yearly Cost of a Salesperson", currency_field="currency_id"
    )
    coordinator_salary = fields.Monetary(
        string="Yearly Cost of a Coordinator", currency_field="currency_id"
    )
    target_weekly_meetings = fields.Float(
        string="Meetings a Week to Run", compute="_compute_plan"
    )
    advisors_needed = fields.Integer(compute="_compute_plan")
    advisors_exact = fields.Float(string="Advisors (Exact)", compute="_compute_plan")
    coordinators_needed = fields.Integer(compute="_compute_plan")
    payroll_before = fields.Monetary(
        compute="_compute_plan", currency_field="currency_id"
    )
    payroll_after = fields.Monetary(
        compute="_compute_plan", currency_field="currency_id"
    )
    payroll_change = fields.Monetary(
        compute="_compute_plan", currency_field="currency_id"
    )
    explanation = fields.Text(
        string="How It Is Reached",
        compute="_compute_plan",
        help="The figures the plan starts from and each step to its answer.",
    )

    @api.model
    def _default_current_salespeople(self):
        """The active field advisors who work for the current company."""
        return self.env["res.users"].search_count(
            [
                ("is_field_advisor", "=", True),
                ("company_ids", "in", self.env.company.ids),
            ]
        )

    @api.model
    def _default_current_weekly_meetings(self):
        """The current company's sales appointments (and those of leads without
        a company) a week, over the last four weeks."""
        now = fields.Datetime.now()
        count = self.env["calendar.event"].search_count(
            [
                ("is_sales_appointment", "=", True),
                ("sales_company_id", "in", [self.env.company.id, False]),
                ("start", ">=", now - timedelta(weeks=4)),
                ("start", "<", now),
            ]
        )
        return count / 4

    @api.depends(*FIGURES)
    def _compute_plan(self):
        for plan in self:
            target = plan.current_weekly_meetings + plan.incremental_weekly_meetings
            per_advisor = plan.meetings_per_advisor or 1
            exact = target / per_advisor
            advisors = math.ceil(round(exact, 6)) if target > 0 else 0
            plan.target_weekly_meetings = target
            plan.advisors_exact = exact
            plan.advisors_needed = advisors
            plan.coordinators_needed = advisors
            plan.payroll_before = plan.current_salespeople * plan.salesperson_salary
            plan.payroll_after = advisors * (
                plan.salesperson_salary + plan.coordinator_salary
            )
            plan.payroll_change = plan.payroll_after - plan.payroll_before
            plan.explanation = plan._explain(target, per_advisor, exact, advisors)

    def _explain(self, target, per_advisor, exact, advisors):
        """The plan's reasoning in a few sentences, from its figures."""
        self.ensure_one()
        # Formatted first: Odoo's term extraction (babel) cannot read an f-string
        # among the arguments of a translated message, and drops the whole file.
        today = format(self.current_weekly_meetings, "g")
        extra = format(self.incremental_weekly_meetings, "g")
        target = format(target, "g")
        salary = format(self.salesperson_salary, ",.0f")
        lines = [
            self.env._(
                "Meetings a week to run: %(today)s today (the last four weeks' "
                "appointments, averaged, unless changed) + %(extra)s readily "
                "achievable = %(target)s.",
                today=today,
                extra=extra,
                target=target,
            ),
            self.env._(
                "At %(per)s meetings a week per advisor: %(target)s / %(per)s = "
                "%(exact)s, rounded up to %(advisors)s advisors (a part of an "
                "advisor is one), with one coordinator each: %(advisors)s "
                "coordinators.",
                per=per_advisor,
                target=target,
                exact=format(exact, ".2f"),
                advisors=advisors,
            ),
            self.env._(
                "Payroll: %(people)s salespeople today at %(salary)s a year = "
                "%(before)s; %(advisors)s advisors and %(advisors)s coordinators "
                "at %(salary)s + %(coordinator)s = %(after)s.",
                people=self.current_salespeople,
                salary=salary,
                coordinator=format(self.coordinator_salary, ",.0f"),
                before=format(self.payroll_before, ",.0f"),
                after=format(self.payroll_after, ",.0f"),
                advisors=advisors,
            ),
        ]
        return "\n".join(lines)

    @api.constrains(*FIGURES)
    def _check_figures(self):
        for plan in self:
            figures = (
                plan.current_salespeople,
                plan.current_weekly_meetings,
                plan.incremental_weekly_meetings,
                plan.salesperson_salary,
                plan.coordinator_salary,
            )
            if min(figures) < 0:
                raise ValidationError(
                    self.env._(
                        "Counts of people, meetings and salaries are never negative."
                    )
                )
            if plan.meetings_per_advisor < 1:
                raise ValidationError(
                    self.env._("An advisor runs at least one meeting a week.")
                )
