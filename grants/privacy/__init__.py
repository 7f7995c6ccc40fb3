"""Personal data (UK GDPR): what Commonpot holds about a person, and erasing a person on request.

Glossary
- *section*: one kind of personal data (their account, their ballots, the audit entries about
  them, ...), with a function giving a person's rows of it as plain values. The page "Your data"
  and its JSON download show every section; domains that hold personal data register theirs here
  (``@section``), as blueprints register routes.
- *eraser*: what a domain does to a person's data when they are erased (``@on_erasure``): remove
  it, or pseudonymise it where the record itself must stay. Erasure keeps the person's row, with a
  placeholder name and an unusable address, so every record that points at it stays whole.
- *kept*: what erasure keeps and why, named to the admin on the confirmation page before they erase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

FORMER_MEMBER = "a former member"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: Callable   # (person) -> list[dict[str, plain value]]


@dataclass(frozen=True)
class Erased:
    """Who is being erased, as they were: the name and email to remove wherever they were written."""

    person_id: int
    names: tuple[str, ...]
    email: str
    _pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Whole words only: erasing "Al" must not turn "Alpha" into "a former memberpha".
        names = "|".join(re.escape(name) for name in sorted(self.names, key=len, reverse=True) if name.strip())
        email = re.escape(self.email)
        object.__setattr__(self, "_pattern", re.compile(
            rf"{email}|(?<!\w)(?:{names})(?!\w)" if names else email, re.IGNORECASE))

    @property
    def terms(self) -> tuple[str, ...]:
        """What a row must contain to be worth scrubbing (a cheap filter in SQL before :meth:`scrub`)."""
        return (self.email, *(name for name in self.names if name.strip()))

    def scrub(self, value):
        """``value`` (text, or JSON made of lists, dicts and text) with every mention replaced."""
        if isinstance(value, str):
            return self._pattern.sub(FORMER_MEMBER, value)
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        if isinstance(value, dict):
            return {key: self.scrub(item) for key, item in value.items()}
        return value

    def label(self, actor_id: int | None, label: str) -> str:
        """An actor label ("Name <email>") as the log keeps it once this person is erased."""
        if actor_id == self.person_id or self.email.lower() in label.lower():
            return FORMER_MEMBER
        return self.scrub(label)


SECTIONS: list[Section] = []
ERASERS: list[Callable] = []       # (erased: Erased, now) -> int, the rows changed
KEPT: list[tuple[str, str]] = []   # (what is kept, why)


def section(key: str, title: str):
    def register(rows):
        SECTIONS.append(Section(key, title, rows))
        return rows
    return register


def on_erasure(*, kept: tuple[str, str] | None = None):
    def register(eraser):
        ERASERS.append(eraser)
        if kept:
            KEPT.append(kept)
        return eraser
    return register
