"""Money is integer pence everywhere; these helpers are the only place pounds appear."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_decimal_symbol
from flask_babel import gettext as _

_POUNDS = re.compile(r"^[0-9]{1,15}(\.[0-9]{1,2})?$")  # ASCII digits: "٣" is not an amount


def format_pence(pence: int | None, *, always_pence: bool = False) -> str:
    """12345 -> '£123.45'; whole pounds drop the pence ('£1,000') unless asked not to.

    In English the house style above is written out here; in another language the amount is
    formatted by Babel for that locale (its grouping, e.g. "£1,00,000" in Bengali, and where the
    sign goes), with Latin digits as people type them, and the pence dropped the same way.
    """
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(int(pence)), 100)
    locale = _locale()
    if locale is not None:
        text = format_currency(Decimal(int(pence)).scaleb(-2), "GBP", locale=locale)
        if not (rest or always_pence):
            text = text.replace(f"{get_decimal_symbol(locale)}00", "", 1)
        if locale.text_direction == "rtl":
            # Isolated left to right: after Arabic letters the digits are Arabic numbers, so the
            # pound sign would otherwise end up on the wrong side ("1,200£") in an Urdu sentence.
            text = f"\u2066{text}\u2069"
        return text
    if rest or always_pence:
        return f"{sign}£{pounds:,}.{rest:02d}"
    return f"{sign}£{pounds:,}"


def _locale():
    """The page's Babel locale when it is not English (English keeps the house style), else None."""
    from grants.i18n import formatting_locale

    return formatting_locale()


def pounds(pence: int) -> Decimal:
    """Integer pence as exact pounds with two decimal places, for files: 1234 -> Decimal('12.34')."""
    return Decimal(int(pence)).scaleb(-2)


def parse_pounds(text: str) -> int:
    """'£1,234.5' -> 123450 pence. Raises ValueError with a message fit to show a person."""
    cleaned = text.strip().replace(",", "").removeprefix("£").strip()
    if not _POUNDS.match(cleaned):
        raise ValueError(_("Enter an amount in pounds, like 1500 or 1500.50"))
    try:
        return int((Decimal(cleaned) * 100).to_integral_exact())
    except InvalidOperation as exc:  # pragma: no cover - the regex already rules this out
        raise ValueError(_("Enter an amount in pounds, like 1500 or 1500.50")) from exc
