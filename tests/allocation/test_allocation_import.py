"""The allocation package stays pure: importing it loads neither Flask nor a database layer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_importing_allocation_loads_no_web_or_database_code() -> None:
    code = (
        "import sys, grants.allocation, grants.allocation.cli\n"
        "loaded = sorted(m for m in ('flask', 'sqlalchemy', 'sqlmodel', 'werkzeug', 'psycopg')"
        " if m in sys.modules)\n"
        "assert not loaded, loaded\n"
        "assert grants.allocation.RULES\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
