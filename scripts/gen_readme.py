"""Build sales_coordination/README.rst from the manifest and the readme/ fragments,
as the OCA's README generator does. `--check` fails when the file is stale.

Usage: python scripts/gen_readme.py [--check]
"""

import ast
import pathlib
import re
import sys

ADDON = pathlib.Path(__file__).resolve().parent.parent / "sales_coordination"
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


def build():
    manifest = ast.literal_eval((ADDON / "__manifest__.py").read_text())
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
        path = ADDON / "readme" / f"{fragment}.md"
        if not path.exists():
            continue
        if heading:
            parts.append(heading + "\n" + "=" * len(heading))
        parts.append(rst(path.read_text()))
    return "\n\n".join(parts) + "\n"


def main():
    text = build()
    target = ADDON / "README.rst"
    if "--check" in sys.argv:
        if not target.exists() or target.read_text() != text:
            sys.exit(
                "sales_coordination/README.rst is stale: run scripts/gen_readme.py"
            )
        return
    target.write_text(text)


if __name__ == "__main__":
    main()
