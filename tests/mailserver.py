"""A real SMTP server on localhost (aiosmtpd) that keeps what it receives, for tests."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, messages: list[EmailMessage]) -> None:
        self.messages = messages

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"


class MailServer:
    """Started and stopped as often as a test likes, always on the same port (down in between:
    connections are refused, as with a mail server that is off)."""

    def __init__(self, handler_class=_Handler) -> None:
        self.messages: list[EmailMessage] = []
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self._handler = handler_class(self.messages)
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        """Messages arrive through a socket: wait (briefly) until ``count`` have come."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.messages)


def body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()

