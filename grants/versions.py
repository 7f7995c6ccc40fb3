"""Versions of the rows people edit, so that a stale tab cannot silently undo another's save.

Glossary:

- **version**: an integer column on every row an edit form changes (proposals, rounds and reports
  have it from ``WorkflowFields``, where transitions move it on too; organisations, needs and
  engagement events have their own). It goes up by one with every save.
- **VersionField**: the hidden field every edit form carries, holding the version the form was
  loaded from.
- **claim**: the first thing a saving operation does. One conditional UPDATE moves the row on to
  the next version only if it is still at the version the form carried, so of two saves from forms
  loaded at the same version exactly one goes through, even at the same moment. The other raises
  :class:`Stale`: "This was changed by X on T — review and save again", X and T from the audit
  trail (every save writes an audit row).
- **newer_values**: after a refused save the route shows what is saved now, where it differs from
  what the person typed, and keeps what they typed in the form; the form's version becomes the
  row's, so saving again (after review) goes through.

A form sent without a version (an old page, a script) is not checked: the browser always sends it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field as dataclass_field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import select
from wtforms import HiddenField

from grants.db import db
from grants.ids import DB_INT_MAX
from grants.errors import Refused
from workflows.i18n import N_
from grants.timeutil import format_datetime

STALE_MESSAGE = N_("This was changed by %(who)s on %(when)s — review and save again.")
STALE_UNKNOWN = N_("This was changed by someone else since you opened it — review and save again.")
SAVED_BY = N_("Saved by %(who)s on %(when)s.")
NOTHING = "—"


class VersionField(HiddenField):
    """The version of the row the form was loaded from (None when the form did not send one)."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label or "Version", **kwargs)

    def process_data(self, value) -> None:
        self.data = value if isinstance(value, int) else None

    def process_formdata(self, valuelist) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        # out of range or not a number: treated as a form from no known version, which never matches
        self.data = int(text) if text.isdigit() and int(text) <= DB_INT_MAX else (-1 if text else None)

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class Stale(Refused):
    """A save from a form loaded at an older version than the row's."""

    def __init__(self, message: str, who: str | None, when: datetime | None) -> None:
        super().__init__(message)
        self.who, self.when = who, when


def last_change(row, viewer=None) -> tuple[str | None, datetime | None]:
    """Who last changed ``row`` and when, from the audit trail ("you" when it was the viewer)."""
    from grants.audit.models import AuditEvent
    from grants.auth.models import Person

    event = db.session.exec(select(AuditEvent).where(
        AuditEvent.object_type == type(row).__tablename__, AuditEvent.object_id == row.id)
        .order_by(AuditEvent.id.desc())).first()
    actor_id, label, at = (event.actor_id, event.actor_label, event.at) if event is not None else (None, None, None)
    own = getattr(row, "last_changed", None)  # a row whose latest change is audited on another row
    if own is not None and own() is not None and (at is None or own()[1] >= at):
        actor_id, at = own()
        label = None
    if at is None:
        return None, None
    if viewer is not None and actor_id is not None and actor_id == getattr(viewer, "id", None):
        return _("you"), at
    person = db.session.get(Person, actor_id) if actor_id is not None else None
    # the log's label is "Name <email>": the name is enough to say who
    who = person.name if person is not None else (label.split(" <", 1)[0] if label else _("someone else"))
    return who, at


def stale_message(row, viewer=None) -> Stale:
    who, when = last_change(row, viewer)
    if who is None or when is None:
        return Stale(_(STALE_UNKNOWN), who, when)
    return Stale(_(STALE_MESSAGE, who=who, when=format_datetime(when)), who, when)


def claim(row, version: int | None, actor=None) -> None:
    """Move ``row`` on to its next version if it is still at ``version``; else raise :class:`Stale`.

    Call it in the saving operation before changing anything, so a refusal rolls back nothing of
    its own. ``version`` None (no version sent) skips the check but still moves the version on.
    """
    db.session.flush()  # a row added in this transaction is in the table before the UPDATE looks for it
    expected = row.version if version is None else version
    table = type(row).__table__
    result = db.session.execute(sa.update(table).where(table.c.id == row.id, table.c.version == expected)
                                .values(version=expected + 1))
    if result.rowcount != 1:
        raise stale_message(row, actor)
    set_committed_value(row, "version", expected + 1)


@dataclass
class Newer:
    """What a refused save shows: who saved first, when, and the saved values that differ from the typed."""

    message: str
    rows: list[tuple[str, str]] = dataclass_field(default_factory=list)
    saved_by: str = ""  # "Saved by Bea Colleague on 2 December 2026 at 14:12."

    @property
    def summary_rows(self) -> list[dict]:
        """The rows as a GOV.UK summary list takes them."""
        return [{"key": {"text": label}, "value": {"text": value}} for label, value in self.rows]


def display(field, value: Any) -> str:
    """A value as its form field shows it: money in pounds, choices by their labels, dates in London time."""
    from grants.forms import MoneyField
    from grants.money import format_pence

    if value is None or value == "" or value == [] or value == {}:
        return NOTHING
    if isinstance(field, MoneyField) or getattr(field, "is_money", False):
        return format_pence(value) if isinstance(value, int) else str(value)
    labels = {}
    for choice in getattr(field, "choices", None) or []:
        if hasattr(choice, "value"):  # wtforms' SelectChoice
            key, label = choice.value, choice.label
        elif isinstance(choice, (tuple, list)):
            key, label = choice[0], choice[1]
        else:
            key = label = choice
        labels[str(key)] = label
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(labels.get(str(v), v)) for v in value) or NOTHING
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return format_datetime(value)
    if hasattr(value, "strftime"):
        from grants.timeutil import format_date

        return format_date(value)
    return str(labels.get(str(value), value))


def differences(pairs: Iterable[tuple]) -> list[tuple[str, str]]:
    """(label, saved text) for each (form field, saved value) — or (label, saved text, typed text) —
    where what is saved differs from what the person typed."""
    rows = []
    for pair in pairs:
        if len(pair) == 3:
            label, saved, typed = pair
        else:
            form_field, value = pair
            label, saved, typed = form_field.label.text, display(form_field, value), display(form_field, form_field.data)
        if saved != typed:
            rows.append((label, saved))
    return rows


def newer_values(form, row, pairs, viewer=None) -> Newer | None:
    """After a refused save: when ``row`` moved on since ``form`` was loaded, give the form the row's
    version (saving again goes through) and return what to show; otherwise None.

    ``pairs`` is a function of the reloaded row giving the (field, saved value) pairs to compare.
    """
    sent = form.version.data
    db.session.refresh(row)
    if sent is None or sent == row.version:
        return None
    form.version.data = row.version
    stale = stale_message(row, viewer)
    saved_by = _(SAVED_BY, who=stale.who, when=format_datetime(stale.when)) if stale.when else ""
    return Newer(message=stale.message, rows=differences(pairs(row)), saved_by=saved_by)
