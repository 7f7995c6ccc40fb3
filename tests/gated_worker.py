"""``flask … worker`` for tests that stop a worker in the middle of a document build.

Run as ``python -m tests.gated_worker --app APP worker --workers 1``. With the environment
variable ``COMMONPOT_TEST_BUILD_GATE`` naming a file, every document build this worker runs waits
at "Laying out the pages" (after committing that stage) until the file exists, so a test knows
where the build is when it kills the worker or lets another overtake it. The wait is this
script's patch of the running process: the application itself has no such hook.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def hold_builds_at_the_gate(gate: Path) -> None:
    from grants.documents import builds

    render_html = builds.render_html

    def held(*args, **kwargs):
        while not gate.exists():
            time.sleep(0.05)
        return render_html(*args, **kwargs)

    builds.render_html = held


def main() -> None:
    gate = os.environ.get("COMMONPOT_TEST_BUILD_GATE")
    if gate:
        hold_builds_at_the_gate(Path(gate))
    from flask.cli import main as flask

    sys.argv = ["flask", *sys.argv[1:]]
    flask()


if __name__ == "__main__":
    main()
