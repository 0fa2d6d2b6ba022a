"""Documentation generated from code, so it cannot drift: the README's configuration table
(from `Settings`), docs/rbac.md (from the permission matrix) and docs/metrics.md (from the
metrics catalog).

`make docs` (python -m tidings_server.docs) rewrites them; tests fail when they are stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tidings_server.auth.rbac import render_matrix
from tidings_server.config import settings_table
from tidings_server.observability.metrics import metrics_page
from tidings_server.startup import EXIT_CODES

__all__ = ["rbac_page", "render_readme"]

CONFIG_START = "<!-- config-table:start (make docs) -->"
CONFIG_END = "<!-- config-table:end -->"


EXIT_START = "<!-- exit-codes:start (make docs) -->"
EXIT_END = "<!-- exit-codes:end -->"


def exit_codes_table() -> str:
    rows = ["| Code | Meaning |", "| --- | --- |"]
    rows += [f"| {code} | {meaning} |" for code, meaning in EXIT_CODES.items()]
    return "\n".join(rows)


def render_readme(readme: str) -> str:
    """The README with its generated blocks (settings, exit codes) rendered afresh."""
    for start, end, table in (
        (CONFIG_START, CONFIG_END, settings_table()),
        (EXIT_START, EXIT_END, exit_codes_table()),
    ):
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
        found = pattern.search(readme)
        if found is None:
            raise ValueError(f"README.md has no {start} ... {end} markers")
        block = f"{start}\n{table}\n{end}"
        # Spliced, not `sub`: backslashes in the block must not be read as group references.
        readme = readme[: found.start()] + block + readme[found.end() :]
    return readme


def rbac_page() -> str:
    return (
        "# Roles and permissions\n\n"
        "Generated from `tidings_server/auth/rbac.py` by `make docs`; do not edit.\n\n"
        "Every admin operation checks the caller's **current** role in the tenant (read on each\n"
        "request, never from a token), so a role change or removal takes effect on the member's very\n"
        "next request, on every node. Platform operators hold every permission in every tenant.\n"
        "Only owners (and operators) grant or remove the `owner` role; nobody changes their own\n"
        "membership; a tenant keeps at least one owner.\n\n"
        "API keys with the `admin` scope manage their own project (keys, signing keys, settings),\n"
        "never beyond their own grants: a key they create, a token they mint and every token a\n"
        "signing key they register signs (its `max_capabilities`) stay within the key's grants.\n"
        "Every operation authorizes before it checks anything else about the request.\n"
        "Client tokens never reach admin operations.\n\n"
        f"{render_matrix()}\n"
    )


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    readme = root / "README.md"
    readme.write_text(render_readme(readme.read_text()))
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "rbac.md").write_text(rbac_page())
    (root / "docs" / "metrics.md").write_text(metrics_page())


if __name__ == "__main__":
    main()
