import json

from odoo.tests import HttpCase, tagged

from .common import SalesCoordinationCommon

# The views a menu's view switcher offers (Odoo's multi-record views).
SWITCHABLE = {
    "list",
    "kanban",
    "pivot",
    "graph",
    "calendar",
    "activity",
    "map",
    "gantt",
    "cohort",
    "hierarchy",
}
WALK_KEY = "sales_coordination.menu_walk"


class MenuWalkCase(SalesCoordinationCommon, HttpCase):
    """Every menu of the Coordination app each role sees, opened in a browser,
    with every view its switcher offers: no error dialog, no client error. On
    the demo data (`make demo`'s users) when it is installed, else on the
    test cast, so that the walk never skips."""

    def _role(self, demo_xmlid, cast_user):
        return self.env.ref(demo_xmlid, raise_if_not_found=False) or cast_user

    def _plan(self, user):
        """The menus of the app as ``user``'s web client loads them: one entry
        per menu with an action, its path and the views to switch to."""
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(debug=False)
        root = self.env.ref("sales_coordination.sales_coordination_menu_root")
        self.assertIn(root.id, menus, f"{user.login} does not see the app")
        plan = []

        def visit(menu_id, names):
            menu = menus[menu_id]
            path = " / ".join([*names, menu["name"]])
            if menu["action"]:
                model, action_id = menu["action"].split(",")
                plan.append(
                    {
                        "id": menu_id,
                        "path": path,
                        "views": self._views(self.env[model].browse(int(action_id))),
                    }
                )
            for child_id in menu["children"]:
                visit(child_id, [*names, menu["name"]])

        visit(root.id, [])
        return plan

    def _views(self, action):
        if action._name != "ir.actions.act_window" or action.target == "new":
            return []
        types = [view_type for _id, view_type in action.views]
        switchable = [t for t in dict.fromkeys(types) if t in SWITCHABLE]
        return switchable if len(switchable) > 1 else []

    def _walk(self, user):
        plan = self._plan(user)
        # A JSON string is a JavaScript string literal: the plan, handed over.
        handed_over = json.dumps(json.dumps(plan))
        code = (
            f"window.sessionStorage.setItem({WALK_KEY!r}, {handed_over});"
            " odoo.startTour('sales_coordination_menu_walk', {stepDelay: 0});"
        )
        self.start_tour(
            "/odoo",
            "sales_coordination_menu_walk",
            login=user.login,
            code=code,
            timeout=900,
        )
        return plan


@tagged("post_install", "-at_install")
class TestMenuWalk(MenuWalkCase):
    def test_coordinator_walks_every_menu(self):
        coordinator = self._role(
            "sales_coordination.user_coordinator_1_demo", self.coordinator
        )
        paths = [menu["path"] for menu in self._walk(coordinator)]
        self.assertIn("Coordination / Next Call", paths)
        self.assertIn("Coordination / Call Queue", paths)
        self.assertNotIn("Coordination / Reporting / Resourcing Planner", paths)

    def test_manager_walks_every_menu(self):
        manager = self._role("sales_coordination.user_manager_demo", self.manager)
        paths = [menu["path"] for menu in self._walk(manager)]
        self.assertIn("Coordination / Reporting / Resourcing Planner", paths)
        self.assertIn("Coordination / Configuration / Inbound Integrations", paths)


@tagged("post_install", "-at_install")
class TestMenuWalkPhone(MenuWalkCase):
    browser_size = "375x667"
    touch_enabled = True

    def test_advisor_walks_every_menu(self):
        advisor = self._role("sales_coordination.user_adam_demo", self.advisor)
        paths = [menu["path"] for menu in self._walk(advisor)]
        self.assertIn("Coordination / My Day", paths)
        self.assertNotIn("Coordination / Call Queue", paths)
