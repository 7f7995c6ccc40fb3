"""Header fields made safe: one line, no control characters, whatever people typed.

A subject often carries text someone typed (a proposal's title, a collective's name). A CR or LF
in a header would either be refused by the email library after the data was saved, or, worse,
start a header of its own; so every header value goes through :func:`clean_header` first.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

# Control characters, and the Unicode line and paragraph separators, which mail readers may
# show as line breaks too.
_BREAKING = {"Cc", "Zl", "Zp"}


def clean_header(text: str) -> str:
    """``text`` on one line: control characters become spaces, runs of spaces one space."""
    spaced = "".join(" " if unicodedata.category(ch) in _BREAKING else ch for ch in text or "")
    return " ".join(spaced.split())


def mailbox(text: str) -> Address:
    """``text`` as an Address with a one-line display name; ValueError if it is no address."""
    name, address = parseaddr(clean_header(text))
    if not address or "@" not in address:
        raise ValueError(f"{text!r} is not an email address")
    return Address(display_name=clean_header(name), addr_spec=address)


def build(*, sender: str, recipient: str, subject: str, body: str, message_id: str,
          created_at: datetime) -> EmailMessage:
    """The message as sent: the same Message-ID and Date on every attempt."""
    message = EmailMessage()
    message["From"] = mailbox(sender)
    message["To"] = mailbox(recipient)
    message["Subject"] = clean_header(subject)
    message["Date"] = format_datetime(created_at)
    message["Message-ID"] = message_id
    message.set_content(body)
    return message
