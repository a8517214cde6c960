import warnings
from pathlib import Path

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

# This addon and its bridges: each one installed in the database under test.
ADDONS = (
    "sales_coordination",
    "sales_coordination_sale",
    "sales_coordination_website",
    "sales_coordination_sms",
    "sales_coordination_calendar_sync",
    "sales_coordination_google_calendar",
    "sales_coordination_microsoft_calendar",
)


@tagged("post_install", "-at_install")
class TestTranslatable(TransactionCase):
    """Every message the code gives a user can be translated: Odoo's own term
    extraction (the one an integrator's export runs) reads every file that has
    one. A file it cannot parse loses all its terms, with only an error in the
    export's log (an f-string among a message's arguments did, for the
    resourcing planner's explanation)."""

    def test_every_file_with_messages_gives_its_terms(self):
        installed = (
            self.env["ir.module.module"]
            .search([("name", "in", ADDONS), ("state", "=", "installed")])
            .mapped("name")
        )
        self.assertIn("sales_coordination", installed)
        with (
            self.assertNoLogs("odoo.tools.translate", level="ERROR"),
            warnings.catch_warnings(),
        ):
            # The babel Odoo pins imports setuptools' deprecated pkg_resources
            # to extract terms: its warning is the environment's, not ours.
            warnings.filterwarnings(
                "ignore", "pkg_resources is deprecated", UserWarning
            )
            reader = TranslationModuleReader(self.env.cr, modules=installed)
        extracted = {name for _module, ttype, name, *_rest in reader if ttype == "code"}
        expected = set()
        for module in installed:
            root = Path(get_module_path(module))
            for path in root.rglob("*.py"):
                relative = path.relative_to(root)
                if relative.parts[0] == "tests":
                    continue
                if "env._(" in path.read_text(encoding="utf-8"):
                    expected.add(f"addons/{module}/{relative.as_posix()}")
        self.assertTrue(expected)
        self.assertEqual(expected - extracted, set(), "files whose messages were lost")
