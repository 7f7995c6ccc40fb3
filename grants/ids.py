"""Ids and whole numbers as people and browsers send them, checked once for every route and form.

An id in an address, a query string or a form is ASCII digits (``'²'`` and ``'٣'`` pass
``str.isdigit()`` and ``\\d`` but are not ids) within what the database's integer columns hold: the
id columns are 32-bit on PostgreSQL, so anything larger can name no row and is refused before it
reaches a query (where it would overflow). Routes take ids through the ``id`` converter, forms
through :class:`grants.forms.WholeNumberField` and :func:`choice_id`.
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _
from werkzeug.routing import BaseConverter, UnicodeConverter, ValidationError

#: The largest value of the database's INTEGER columns (PostgreSQL's int4; SQLite holds more).
DB_INT_MAX = 2**31 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_id(text) -> int | None:
    """The id ``text`` names, or None when it cannot name a row (not ASCII digits, 0, or too large)."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text if 1 <= text <= DB_INT_MAX else None
    if not isinstance(text, str) or not _ASCII_DIGITS.fullmatch(text.strip()):
        return None
    number = int(text.strip())
    return number if 1 <= number <= DB_INT_MAX else None


def choice_id(value) -> int:
    """``coerce`` for a select or checkboxes of rows: WTForms turns the ValueError into a message."""
    number = parse_id(value)
    if number is None:
        raise ValueError(_("Choose from the list"))
    return number


def has_control_characters(text: str, allowed: str = "") -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


class IdConverter(BaseConverter):
    """``<id:round_id>``: a row id, else the route does not match (404) and no query runs."""

    regex = r"[0-9]{1,10}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


class WholeNumberConverter(IdConverter):
    """``<int:year>``, for numbers that are not ids: ASCII digits, 0 to :data:`DB_INT_MAX`."""

    def to_python(self, value: str) -> int:
        if value == "0" * len(value):
            return 0
        return super().to_python(value)


class TextConverter(UnicodeConverter):
    """The default converter (slugs, tokens, names), refusing control characters: a NUL in an
    address would make PostgreSQL raise in the query that looks it up."""

    def to_python(self, value: str) -> str:
        if has_control_characters(value):
            raise ValidationError()
        return value


def init_app(app) -> None:
    """Register the converters; before any route is added, so every rule uses them."""
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["int"] = WholeNumberConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
