"""Time: stored as timezone-aware UTC, shown in Europe/London.

``utcnow()`` is the only clock the application reads, so tests can freeze it (time-machine).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask_babel import gettext as _

LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def london_today() -> date:
    """Today's date in London: the "today" a person means (from midnight to 1 am in British Summer
    Time, the UTC date is still yesterday's)."""
    return utcnow().astimezone(LONDON).date()


def to_london(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime: times must be timezone-aware")
    return value.astimezone(LONDON)


def format_datetime(value: datetime | None) -> str:
    """'3 March 2027 at 17:00' in London time (the GOV.UK style for dates and times).

    In another language the month is the locale's (Babel, CLDR) and the words around it come from
    the catalogue ("%(date)s at %(time)s"); the clock stays 24-hour, as in English.
    """
    if value is None:
        return ""
    local = to_london(value)
    locale = _locale()
    if locale is not None:
        time = babel_dates.format_time(local, "HH:mm", tzinfo=LONDON, locale=locale)
    else:
        time = f"{local:%H:%M}"
    return _("%(date)s at %(time)s", date=format_date(local), time=time)


def format_date(value) -> str:
    """'3 March 2027'; accepts a date or an aware datetime (shown as its London date)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_london(value)
    locale = _locale()
    if locale is not None:
        return babel_dates.format_date(value, "d MMMM y", locale=locale)
    return f"{value.day} {value:%B %Y}"


def _locale():
    from grants.i18n import formatting_locale

    return formatting_locale()


def london_to_utc(local: datetime) -> datetime:
    """Interpret a naive wall-clock time typed by a person in London and return it in UTC."""
    if local.tzinfo is not None:
        return local.astimezone(timezone.utc)
    return local.replace(tzinfo=LONDON).astimezone(timezone.utc)
