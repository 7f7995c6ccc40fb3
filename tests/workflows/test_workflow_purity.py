"""The workflow package must stay pure: no Flask, no SQLAlchemy, no SQLModel, no I/O at import."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

BLOCKED_IMPORT = textwrap.dedent(
    """
    import importlib
    import pkgutil
    import sys

    BLOCKED = {"flask", "sqlalchemy", "sqlmodel"}

    class Blocker:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"workflows must not import {name}")
            return None

    sys.meta_path.insert(0, Blocker())

    import workflows
    import workflows.cli
    import workflows.definitions

    imported = ["workflows", "workflows.cli"]
    for package in (workflows, workflows.definitions):
        for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
            imported.append(module.name)
    leaked = sorted(name for name in sys.modules if name.split(".")[0] in BLOCKED)
    assert not leaked, leaked
    print(" ".join(sorted(imported)))
    """
)


def test_workflows_imports_neither_flask_nor_the_database() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCKED_IMPORT],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    imported = set(result.stdout.split())
    assert {
        "workflows.cli",
        "workflows.diagram",
        "workflows.engine",
        "workflows.guards",
        "workflows.text",
        "workflows.definitions.round",
        "workflows.definitions.proposal",
        "workflows.definitions.grant",
        "workflows.definitions.report",
        "workflows.definitions.commissioning",
    } <= imported
