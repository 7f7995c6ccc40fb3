"""Shared helpers for the allocation tests: where ``shared/pabulib`` is, and cached parsing.

A plain module (not a conftest) that the test modules of this folder import.

``shared/`` sits beside the repository (``/work/shared`` for ``/work/main``); the
``COMMONPOT_SHARED`` environment variable points elsewhere when set.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from grants.allocation import Election, read_pb

SHARED = Path(os.environ.get("COMMONPOT_SHARED") or Path(__file__).resolve().parents[2].parent / "shared")
PABULIB = SHARED / "pabulib"
INSTANCES = PABULIB / "instances"


@functools.lru_cache(maxsize=1)
def reference() -> dict:
    return json.loads((PABULIB / "reference.json").read_text(encoding="utf-8"))


def instance_names() -> list[str]:
    return sorted(name for name in reference() if name.endswith(".pb"))


@functools.lru_cache(maxsize=3)
def election(name: str) -> Election:
    """Each shared file is parsed once while its tests run (they are grouped by file)."""
    return read_pb(INSTANCES / name)
