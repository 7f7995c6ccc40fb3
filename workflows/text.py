"""Wording helpers for the reasons guards give.

Reasons are read by people (staff, applicants, reviewers), so they use the house style:

- **Dates and times** are shown in Europe/London, as "3 March 2027 at 17:00", whatever zone the
  datetime was stored in (storage is timezone-aware UTC).
- **Money** is integer pence in storage and shown in pounds: "£1,000" when whole, "£1,234.50"
  otherwise.
- **Lists** read as English: "budget, dates and voting method"; "an applicant or a facilitator".

These helpers are pure and locale-independent (month names are spelled out here, not taken from
the process locale), so a reason reads the same on every server. An application may install
locale-aware formatters (:func:`workflows.i18n.install`): a reason shown on an Urdu page then has
its date, amount and list in Urdu; a formatter that returns ``None`` keeps the English below.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from workflows import i18n

LONDON = ZoneInfo("Europe/London")

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_when(moment: datetime) -> str:
    """Return ``moment`` in London time as "3 March 2027 at 17:00".

    Naive datetimes are refused: without a zone the wall-clock time shown would be a guess.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"format_when needs a timezone-aware datetime, got {moment!r}")
    localised = _installed("when", moment)
    if localised is not None:
        return localised
    local = moment.astimezone(LONDON)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year} at {local:%H:%M}"


def format_money(pence: int) -> str:
    """Return an amount of integer pence as pounds: 100000 → "£1,000", 123450 → "£1,234.50"."""
    if isinstance(pence, bool) or not isinstance(pence, int):
        raise TypeError(f"money is integer pence, got {pence!r}")
    localised = _installed("money", pence)
    if localised is not None:
        return localised
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    if rest:
        return f"{sign}£{pounds:,}.{rest:02d}"
    return f"{sign}£{pounds:,}"


def join_words(words: Sequence[str], conjunction: str = "and") -> str:
    """Join words as English prose: ["a"] → "a"; ["a", "b", "c"] → "a, b and c"."""
    words = list(words)
    if not words:
        return ""
    localised = _installed("words", words, conjunction)
    if localised is not None:
        return localised
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _installed(name: str, *args):
    formatter = i18n.formatters.get(name)
    return formatter(*args) if formatter else None


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """Return "1 proposal" / "3 proposals" (or the given irregular plural)."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count} {word}"
