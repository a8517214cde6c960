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
        string="Salespeople Today", help="Everyone who runs sales meetings today."
    )
    current_weekly_meetings = fields.Float(
        string="Meetings a Week Today",
        default=lambda self: self._default_current_weekly_meetings(),
        help="Business-development meetings a week now: the last four weeks of "
        "sales appointments, averaged (count them in the calendars if they are "
        "not all in Odoo yet).",
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

    @api.model
    def _default_current_weekly_meetings(self):
        since = fields.Datetime.now() - timedelta(weeks=4)
        count = self.env["calendar.event"].search_count(
            [
                ("is_sales_appointment", "=", True),
                ("start", ">=", since),
                ("start", "<", fields.Datetime.now()),
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
