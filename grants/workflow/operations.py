"""Firing transitions on stored rows: the only way any workflow-driven row changes state.

``fire(row, "approve", actor, data={...})`` asks the pure engine (``workflows``) whether the move
is allowed, then in the current transaction: updates the row only if it still has the state and
version it was read with (compare-and-swap), writes the history row and an audit row, and runs
the transition's effects. The caller commits. A refusal raises ``TransitionError`` with the
reason; losing a race raises :class:`StaleState` saying who moved it first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import select

import workflows
from flask_babel import gettext as _, lazy_gettext as _l

from grants import audit
from grants.db import db
from grants.timeutil import format_datetime, utcnow
from grants.workflow.models import StateHistory, WorkflowFields
from workflows import Context, Move, Option, TransitionError
from workflows.text import join_words

SCHEDULER = "scheduler"
EffectHandler = Callable[[Any, Move, Any], None]
_EFFECTS: dict[str, EffectHandler] = {}


@dataclass(frozen=True)
class OnBehalfOf:
    """A move the system makes because a person did something: closing voting counts each
    proposal, cancelling a round withdraws them. The engine authorises it as it would the
    scheduler (a facilitator may not mark a proposal selected by hand), and the history and the
    audit log name the person whose action caused it."""

    person: Any

    @property
    def id(self) -> int | None:
        return getattr(self.person, "id", None)

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def email(self) -> str:
        return self.person.email


def on_behalf_of(actor):
    """Who a move caused by ``actor``'s move is fired as: the scheduler's own moves stay its own."""
    if actor is None or isinstance(actor, (str, OnBehalfOf)):
        return actor if actor is not None else SCHEDULER
    return OnBehalfOf(actor)


class StaleState(TransitionError):
    """Somebody else moved the row on between reading it and firing."""


def effect(name: str) -> Callable[[EffectHandler], EffectHandler]:
    """Register the handler of a transition effect: ``handler(row, move, actor)``."""

    def register(handler: EffectHandler) -> EffectHandler:
        if name in _EFFECTS and _EFFECTS[name] is not handler:
            raise ValueError(f"effect {name!r} has two handlers")
        _EFFECTS[name] = handler
        return handler

    return register


def registered_effects() -> frozenset[str]:
    return frozenset(_EFFECTS)


def workflow_of(row: WorkflowFields) -> workflows.Workflow:
    return workflows.get(row.workflow_name)


def context_for(row: WorkflowFields, actor, now: datetime, data: dict | None = None) -> Context:
    if actor == SCHEDULER or isinstance(actor, OnBehalfOf):
        return Context.scheduler(now, data or {})
    roles = row.actor_roles(actor) if getattr(actor, "is_authenticated", False) else set()
    return Context(actor=actor.id, roles=roles, now=now, data=data or {})


def options(row: WorkflowFields, actor, now: datetime | None = None) -> list[Option]:
    """Every transition out of the row's state, with whether this actor may fire it now and why not."""
    return workflow_of(row).options(row, context_for(row, actor, now or utcnow()))


def _json_safe(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, default=str))


def fire(row: WorkflowFields, transition: str, actor, *, data: dict | None = None,
         changes: dict[str, Any] | None = None, now: datetime | None = None) -> Move:
    """Fire ``transition`` on ``row``. ``changes`` are column values written in the same guarded
    UPDATE as the new state (a decision's reason, who decided and when), so they change only if
    the transition does."""
    now = now or utcnow()
    changes = changes or {}
    workflow = workflow_of(row)
    move = workflow.fire(row, transition, context_for(row, actor, now, data))
    table = type(row).__table__
    result = db.session.execute(
        sa.update(table)
        .where(table.c.id == row.id, table.c.state == move.from_state.value, table.c.version == row.version)
        .values(state=move.to_state.value, version=row.version + 1, **changes)
    )
    if result.rowcount != 1:
        raise StaleState(workflow.name, transition, [_stale_reason(row, workflow)])
    for key, value in {"state": move.to_state.value, "version": row.version + 1, **changes}.items():
        set_committed_value(row, key, value)
    actor_label = audit.actor_label(actor)
    collective_id = getattr(row, "collective_id", None)
    db.session.add(StateHistory(
        collective_id=collective_id, workflow=workflow.name, object_type=table.name, object_id=row.id,
        transition=transition, from_state=move.from_state.value, to_state=move.to_state.value,
        actor_id=getattr(actor, "id", None), actor_label=actor_label, at=now, reason=move.reason or "",
        payload=_json_safe(dict(move.data)),
    ))
    audit.record(actor, f"{workflow.name}.{transition}", row,
                 f"{workflow.label}: {move.from_state.staff_label} → {move.to_state.staff_label}"
                 + (f" ({move.reason})" if move.reason else ""),
                 before={"state": move.from_state.value}, after={"state": move.to_state.value})
    for name in move.effects:
        if name not in _EFFECTS:
            raise LookupError(f"effect {name!r} of {workflow.name}.{transition} has no handler")
        _EFFECTS[name](row, move, actor)
    db.session.flush()
    return move


def _stale_reason(row: WorkflowFields, workflow: workflows.Workflow) -> str:
    table = type(row).__table__
    current = db.session.execute(sa.select(table.c.state).where(table.c.id == row.id)).scalar_one_or_none()
    last = db.session.exec(select(StateHistory).where(
        StateHistory.object_type == table.name, StateHistory.object_id == row.id)
        .order_by(StateHistory.id.desc())).first()
    noun = _(workflow.noun)
    if current is None:
        return _("This %(noun)s no longer exists.", noun=noun)
    label = _(workflow.coerce_state(current).staff_label)
    if last is None:
        return _("This %(noun)s was changed by someone else: it is now “%(state)s”. Reload the page.",
                 noun=noun, state=label)
    return _("This %(noun)s was already moved on by %(person)s on %(when)s: it is now “%(state)s”.",
             noun=noun, person=last.actor_label, when=format_datetime(last.at), state=label)


def history(row: WorkflowFields) -> list[StateHistory]:
    table = type(row).__table__
    return list(db.session.exec(select(StateHistory).where(
        StateHistory.object_type == table.name, StateHistory.object_id == row.id).order_by(StateHistory.id)).all())


def panel(row: WorkflowFields, actor, *, now: datetime | None = None) -> dict:
    """Plain values for a page's workflow panel: the state, its history, and what this viewer may do."""
    workflow = workflow_of(row)
    state = workflow.state_of(row)
    return {
        "workflow": workflow.name,
        "workflow_label": _(workflow.label),
        "state": state.value,
        "state_label": _(state.staff_label),
        "final": state.final,
        "history": [
            {"at": h.at, "actor": audit.shown_actor(h.actor_label), "transition": h.transition,
             "from": _(workflow.coerce_state(h.from_state).staff_label),
             "to": _(workflow.coerce_state(h.to_state).staff_label), "reason": h.reason}
            for h in history(row)
        ],
        "options": _panel_options(row, workflow, actor, now or utcnow()),
    }


#: What the form of an action will ask for, in the words of the person asked (never a field name).
ASKS = {
    "reason": _l("a reason"),
    "accepted_by_name": _l("your full name"),
    "conditions_confirmed": _l("to confirm you agree to the grant conditions"),
}


def _panel_options(row: WorkflowFields, workflow: workflows.Workflow, actor, now: datetime) -> list[dict]:
    """What this viewer may do now, or could once a condition holds (with the reason in words).
    Actions their roles can never take are left out: an applicant is not told what only a
    facilitator or the system does. Guards that only check what the person will type (a reason,
    a ticked box) are not held against the action here: the form asks for those."""
    result = []
    for transition in workflow.transitions_from(workflow.state_of(row)):
        keys = sorted({key for guard in transition.guards for key in guard.data_keys})
        typed = {key: True if key.endswith("confirmed") else "given" for key in keys}
        option = workflow.check(row, transition.name, context_for(row, actor, now, typed))
        if option.refusal is workflows.NotAllowed:
            continue
        result.append({"name": option.name, "label": _(option.label), "allowed": option.allowed,
                       "reason": option.reason, "asks": join_words([str(ASKS.get(key, key.replace("_", " "))) for key in keys])})
    return result
