"""Build each addon's README.rst (every directory of the repository with a
manifest and readme/ fragments) from its manifest and fragments, as the OCA's
README generator does. `--check` fails when a file is stale.

Usage: python scripts/gen_readme.py [--check]
"""

import ast
import pathlib
import re
import sys

TOP = pathlib.Path(__file__).resolve().parent.parent
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
    addons = sorted(
        path.parent
        for path in TOP.glob("*/__manifest__.py")
        if (path.parent / "readme").is_dir()
    )
    stale = []
    for addon in addons:
        text = build(addon)
        target = addon / "README.rst"
        if "--check" not in sys.argv:
            target.write_text(text)
        elif not target.exists() or target.read_text() != text:
            stale.append(f"{addon.name}/README.rst")
    if stale:
        sys.exit(f"{', '.join(stale)} stale: run scripts/gen_readme.py")


if __name__ == "__main__":
    main()
