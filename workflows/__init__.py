"""Commonpot's workflow engine and workflow definitions.

Every change of state in Commonpot — a round closing its vote, a proposal being withdrawn, a
grant being paid — goes through a workflow. This package is pure Python: it imports neither Flask
nor the database, so it is fast to test and the same rules serve routes, jobs and CLI commands.

Concepts
--------
workflow
    A named definition, written as data (:class:`Workflow`): which states exist, which
    transitions join them, who may fire each, and under which conditions. Definitions are
    validated when they are built — every state reachable from the initial state, every non-final
    state has a way out and can finish, final states have none, names are unique, roles are
    known — and a broken one raises :class:`DefinitionError` naming the workflow and the problem.
state
    A member of the workflow's :class:`WorkflowState` enum. Its string value (``"voting"``) is
    stored in the database and never changes; it carries a staff label, a public label and the
    ``initial`` / ``final`` flags. A variant may use a subset of an enum (``round_light``).
transition
    A named move (:class:`Transition`) from one or more source states to a target state. It
    lists the :class:`Role` values that may fire it, its guards, its effects, and whether it is
    timed.
guard
    A named condition (:class:`Guard`) that answers ``None`` (allowed) or a reason in words
    ("Voting closes on 3 March 2027 at 17:00"). Guards read documented subject attributes and
    ``ctx.data``; each definition module's docstring lists them (its *subject protocol*).
timed transition
    A transition with ``timed_by="voting_closes_at"``: the scheduler fires it once that date on
    the subject has passed and its guards allow; human roles listed on it may fire it early.
effect
    The name of an operation the app runs after a move is stored ("create_grants"). The engine
    only names effects; the app maps each name to a function (:func:`effect_names` lists them).
context
    Who acts, in which roles for this subject, when, and with what data (:class:`Context`).
    ``Context.scheduler(now)`` is the system actor.
move
    What firing decided (:class:`Move`): workflow, transition, from and to state, effects, actor,
    time and data. The engine never changes the subject: the app applies the move with a
    compare-and-swap update and writes the history row in the same database transaction.

Public API
----------
``WORKFLOWS``
    Registry: name → :class:`Workflow` (``round``, ``round_light``, ``proposal``, ``grant``,
    ``report``, ``commissioning``), validated at import.
``get(name) -> Workflow``
    One workflow by name; ``KeyError`` naming the known ones otherwise.
``Workflow.fire(subject, transition_name, ctx) -> Move``
    The one entry point that decides a move; raises a :class:`TransitionError` subclass
    (:class:`UnknownTransition`, :class:`WrongState`, :class:`NotAllowed`, :class:`GuardFailed`)
    carrying the human reason.
``Workflow.options(subject, ctx) -> list[Option]``
    Every transition out of the current state, allowed or not and why (for buttons).
``Workflow.check(subject, transition_name, ctx) -> Option``
    One transition's answer, for permission predicates (``round.can_close_voting(user)``).
``Workflow.due_transitions(subject, now) -> list[Transition]``
    Timed transitions whose date has passed and whose guards allow (for the scheduler).
``Workflow.state_of(subject)`` / ``Workflow.coerce_state(value)``
    Read a stored state value; :class:`UnknownState` for anything the workflow does not know.
``to_mermaid(workflow) -> str`` / ``to_svg(workflow) -> str``
    Diagrams generated from a definition.
``workflows.cli.workflows``
    The ``click`` group (``list``, ``show``, ``check``, ``diagram``) the app registers.
"""

from __future__ import annotations

from workflows.diagram import to_mermaid, to_svg
from workflows.engine import (
    HUMAN_ROLES,
    SCHEDULER,
    Context,
    DefinitionError,
    GuardFailed,
    Guard,
    Move,
    NotAllowed,
    Option,
    Role,
    StateSpec,
    Transition,
    TransitionError,
    UnknownState,
    UnknownTransition,
    Workflow,
    WorkflowError,
    WorkflowState,
    WrongState,
)
from workflows.text import format_money, format_when


def _registry() -> dict[str, Workflow]:
    from workflows.definitions import ALL

    registry: dict[str, Workflow] = {}
    for workflow in ALL:
        if workflow.name in registry:
            raise DefinitionError(workflow.name, ["another workflow is registered under this name"])
        registry[workflow.name] = workflow
    return registry


WORKFLOWS: dict[str, Workflow] = _registry()


def get(name: str) -> Workflow:
    """The registered workflow called ``name``; ``KeyError`` naming the known ones otherwise."""
    try:
        return WORKFLOWS[name]
    except KeyError:
        known = ", ".join(sorted(WORKFLOWS))
        raise KeyError(f"no workflow {name!r} (known workflows: {known})") from None


def effect_names() -> frozenset[str]:
    """Every effect any registered workflow names: the app must map each to an operation."""
    return frozenset(effect for workflow in WORKFLOWS.values() for effect in workflow.effect_names)


__all__ = [
    "HUMAN_ROLES",
    "SCHEDULER",
    "WORKFLOWS",
    "Context",
    "DefinitionError",
    "Guard",
    "GuardFailed",
    "Move",
    "NotAllowed",
    "Option",
    "Role",
    "StateSpec",
    "Transition",
    "TransitionError",
    "UnknownState",
    "UnknownTransition",
    "Workflow",
    "WorkflowError",
    "WorkflowState",
    "WrongState",
    "effect_names",
    "format_money",
    "format_when",
    "get",
    "to_mermaid",
    "to_svg",
]
