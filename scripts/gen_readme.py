"""Build each addon's README.rst (sales_coordination, sales_coordination_sale) from
its manifest and readme/ fragments, as the OCA's README generator does. `--check`
fails when one is stale.

Usage: python scripts/gen_readme.py [--check]
"""

import ast
import pathlib
import re
import sys

TOP = pathlib.Path(__file__).resolve().parent.parent
ADDONS = [TOP / "sales_coordination", TOP / "sales_coordination_sale"]
SECTIONS = [
    ("DESCRIPTION", None),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("CONTRIBUTORS", "Contributors"),
]


def rst(markdown):
    """The fragments are written in the subset of Markdown that is also
    reStructuredText, but for `code`, which reStructuredText writes ``code``."""
    return re.sub(r"(?<!`)`([^`\n]+)`(?!`)", r"``\1``", markdown).strip()


def build(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    title = manifest["name"]
    parts = [
        ".. This file is generated from readme/ by scripts/gen_readme.py: edit the"
        "\n   fragments, then run it.",
        "=" * len(title) + "\n" + title + "\n" + "=" * len(title),
        f"*{manifest['summary']}*",
        f"Odoo {manifest['version'][:4]}, {manifest['license']}, "
        f"{manifest['author']}: {manifest['website']}",
    ]
    for fragment, heading in SECTIONS:
        path = addon / "readme" / f"{fragment}.md"
        if not path.exists():
            continue
        if heading:
            parts.append(heading + "\n" + "=" * len(heading))
        parts.append(rst(path.read_text()))
    return "\n\n".join(parts) + "\n"


def main():
    for addon in ADDONS:
        text = build(addon)
        target = addon / "README.rst"
        if "--check" in sys.argv:
            if not target.exists() or target.read_text() != text:
                sys.exit(f"{addon.name}/README.rst is stale: run scripts/gen_readme.py")
            continue
        target.write_text(text)


if __name__ == "__main__":
    main()
