"""An SMTP server as a process of its own (aiosmtpd), for the deployment tests: it writes each
message it accepts to ``DIRECTORY`` as ``<n>.eml`` and runs until SIGTERM.

    python -m tests.deploy.smtp_process PORT DIRECTORY
"""

from __future__ import annotations

import signal
import sys
import threading
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller


class _Keep:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        # write then rename, so a reader never sees half a message
        name = uuid.uuid4().hex
        partial = self.directory / f"{name}.part"
        partial.write_bytes(envelope.content)
        partial.rename(self.directory / f"{name}.eml")
        return "250 Message accepted for delivery"


def main() -> None:
    port, directory = int(sys.argv[1]), Path(sys.argv[2])
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(_Keep(directory), hostname="127.0.0.1", port=port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller.start()
    print("ready", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
