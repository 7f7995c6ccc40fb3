"""The workflow engine: definitions as data, and the one way to move an object between states.

Glossary
--------
workflow
    A named, validated definition (:class:`Workflow`): a state enum, the states it uses, and its
    transitions. Rounds, proposals, grants, reports and commissioning cycles each have one.
state
    A member of a :class:`WorkflowState` enum. Its string value is what the database stores, so it
    never changes; it also carries a staff label, a public label and the initial/final flags.
transition
    A named move (:class:`Transition`) from one or more source states to a target state, which only
    the listed roles may fire, and only when its guards allow.
role
    What the actor is *for this object* (:class:`Role`), worked out by the app: the applicant of
    this proposal, a facilitator of this collective, a reviewer on this round's partnership. The
    system actor ``scheduler`` fires timed transitions and the app's automatic consequences.
guard
    A small named check (:class:`Guard`) that returns ``None`` ("allowed") or a human reason
    ("The budget lines add up to £900, but you asked for £1,000").
timed transition
    A transition with ``timed_by`` naming a date attribute of the subject; the scheduler fires it
    once that date has passed (and its guards allow). Human roles listed on it may fire it early.
effect
    A plain string naming an operation the app runs after the move is stored ("create_grants").
    The engine never runs effects; the app maps each name to a function.
context
    Who is acting, in which roles, when, and with what extra data (:class:`Context`).
move
    The result of firing a transition (:class:`Move`): a plain record of from → to, by whom, when,
    with which effects. The engine never mutates the subject; the app applies the move.
subject
    The object being moved (a round, a proposal…). The engine reads its current state from the
    attribute named by :attr:`Workflow.state_attribute` (``state`` by default), which holds the
    state's string value (or the enum member), plus the attributes its guards document.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflows.i18n import N_, gettext as _
from workflows.text import format_when, join_words

SCHEDULER = "scheduler"
"""The actor (and role) of the system: the scheduler and the app's automatic consequences."""


class Role(enum.StrEnum):
    """The roles the engine knows. Values are stored in history rows and used in definitions."""

    APPLICANT = "applicant"
    MEMBER = "member"
    FACILITATOR = "facilitator"
    REVIEWER = "reviewer"
    ADMIN = "admin"
    SCHEDULER = SCHEDULER

    @property
    def with_article(self) -> str:
        """The role as a noun phrase for reasons: "an applicant", "a member", "the scheduler"
        (in the language of the reader, when the app has installed its translations)."""
        return _(ROLE_PHRASES[self.value])

    @property
    def label(self) -> str:
        """The role's name for people ("Facilitator"), translated."""
        return _(ROLE_LABELS[self.value])


#: Each role as a noun phrase in a reason ("Only a facilitator can do this").
ROLE_PHRASES = {
    "applicant": N_("an applicant"),
    "member": N_("a member"),
    "facilitator": N_("a facilitator"),
    "reviewer": N_("a reviewer"),
    "admin": N_("an admin"),
    SCHEDULER: N_("the scheduler"),
}
#: Each role's name on its own (the workflow pages' "Who" column).
ROLE_LABELS = {
    "applicant": N_("Applicant"),
    "member": N_("Member"),
    "facilitator": N_("Facilitator"),
    "reviewer": N_("Reviewer"),
    "admin": N_("Admin"),
    SCHEDULER: N_("Scheduler"),
}


HUMAN_ROLES: frozenset[Role] = frozenset(role for role in Role if role is not Role.SCHEDULER)
_ROLE_VALUES = frozenset(role.value for role in Role)


def _to_role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        known = ", ".join(role.value for role in Role)
        raise ValueError(f"unknown role {value!r} (known roles: {known})") from None


# --------------------------------------------------------------------------------------------
# Errors


class WorkflowError(Exception):
    """Base class of everything the engine raises on purpose."""


class DefinitionError(WorkflowError):
    """A workflow definition is broken. ``problems`` lists every problem found, in words."""

    def __init__(self, workflow: str, problems: Iterable[str]) -> None:
        self.workflow = workflow
        self.problems = tuple(problems)
        super().__init__(f"Workflow {workflow!r} is not valid: " + "; ".join(self.problems))


class UnknownState(WorkflowError, ValueError):
    """The subject holds a state value this workflow does not know (bad data or wrong workflow)."""

    def __init__(self, workflow: str, value: object) -> None:
        self.workflow = workflow
        self.value = value
        super().__init__(f"Workflow {workflow!r} has no state {value!r}")


class TransitionError(WorkflowError):
    """A transition cannot be fired. ``reason`` is for people; ``reasons`` lists each one."""

    def __init__(self, workflow: str, transition: str, reasons: Iterable[str]) -> None:
        self.workflow = workflow
        self.transition = transition
        self.reasons = tuple(reasons)
        if not self.reasons or not all(isinstance(r, str) and r.strip() for r in self.reasons):
            # A refusal nobody can explain is a bug in the engine or a guard, never a valid answer.
            raise ValueError(f"{type(self).__name__} for {workflow}.{transition} needs a reason")
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


class UnknownTransition(TransitionError):
    """The workflow has no transition of that name."""


class WrongState(TransitionError):
    """The subject is not in any of the transition's source states."""


class NotAllowed(TransitionError):
    """The actor holds none of the roles that may fire the transition."""


class GuardFailed(TransitionError):
    """A guard refused (or, for the scheduler, a timed transition's date has not passed yet)."""


# --------------------------------------------------------------------------------------------
# States


@dataclass(frozen=True)
class StateSpec:
    """How a definition declares one state; becomes a :class:`WorkflowState` member."""

    value: str
    staff_label: str
    public_label: str
    initial: bool = False
    final: bool = False


class WorkflowState(enum.StrEnum):
    """Base class of every workflow's state enum.

    Declare members with :class:`StateSpec`; each member then *is* its stable string value
    (``RoundState.VOTING == "voting"``) and carries ``staff_label``, ``public_label``,
    ``initial`` and ``final``::

        class RoundState(WorkflowState):
            DRAFT = StateSpec("draft", "Draft", "Being prepared", initial=True)
    """

    staff_label: str
    public_label: str
    initial: bool
    final: bool

    def __new__(cls, spec: StateSpec) -> WorkflowState:
        if not isinstance(spec, StateSpec):
            raise TypeError(f"declare {cls.__name__} members with StateSpec(...), got {spec!r}")
        member = str.__new__(cls, spec.value)
        member._value_ = spec.value
        member.staff_label = spec.staff_label
        member.public_label = spec.public_label
        member.initial = spec.initial
        member.final = spec.final
        return member


# --------------------------------------------------------------------------------------------
# Context, guards, transitions


@dataclass(frozen=True)
class Context:
    """Who fires a transition, as what, when, and with which extra values.

    ``roles`` are the roles the actor holds *for this subject* (the app computes them); unknown
    role names raise, so a typo in the app cannot silently refuse everything. ``now`` must be
    timezone-aware. The system actor is built with :meth:`Context.scheduler` and acts alone.
    """

    actor: str | int
    roles: frozenset[Role]
    now: datetime
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.roles, str):
            raise TypeError("Context.roles is a collection of role names, not one string")
        object.__setattr__(self, "roles", frozenset(_to_role(role) for role in self.roles))
        if not isinstance(self.now, datetime) or self.now.utcoffset() is None:
            raise ValueError(f"Context.now must be a timezone-aware datetime, got {self.now!r}")
        system_actor = self.actor == SCHEDULER
        system_role = Role.SCHEDULER in self.roles
        if system_actor != system_role or (system_role and len(self.roles) != 1):
            # Keeps "the system did it" distinguishable from "a person did it" in history rows.
            raise ValueError("the scheduler role belongs to the actor 'scheduler' alone")

    @classmethod
    def scheduler(cls, now: datetime, data: Mapping[str, Any] | None = None) -> Context:
        """The system actor: the scheduler, or an automatic consequence of another move."""
        return cls(
            actor=SCHEDULER, roles=frozenset({Role.SCHEDULER}), now=now, data=dict(data or {})
        )

    @property
    def is_scheduler(self) -> bool:
        return Role.SCHEDULER in self.roles


GuardCheck = Callable[[Any, Context], "str | None"]


@dataclass(frozen=True)
class Guard:
    """A named condition on a transition.

    ``check(subject, ctx)`` returns ``None`` when the transition may go ahead, or the reason it may
    not, in words for the person who pressed the button. ``description`` says what must hold (shown
    by ``flask workflows show``). ``reads`` and ``data_keys`` document the subject attributes and
    ``ctx.data`` keys the check uses (the app's side of the protocol).
    """

    name: str
    description: str
    check: GuardCheck
    reads: tuple[str, ...] = ()
    data_keys: tuple[str, ...] = ()

    def __call__(self, subject: Any, ctx: Context) -> str | None:
        reason = self.check(subject, ctx)
        if reason is None:
            return None
        if not isinstance(reason, str) or not reason.strip():
            raise TypeError(
                f"guard {self.name!r} must return None or a non-empty reason, got {reason!r}"
            )
        return reason


def _humanise(name: str) -> str:
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class Transition:
    """A named move from ``source`` to ``target``.

    ``source`` is one state or a tuple of states (stored as a tuple either way).

    ``roles`` may fire it. A *timed* transition names, in ``timed_by``, the subject's datetime
    attribute after which the scheduler fires it; the scheduler role is added to its roles, and
    the human roles listed may fire it early. ``timed_label`` phrases the deadline for reasons
    ("Voting closes" → "Voting closes on 3 March 2027 at 17:00"). ``effects`` name operations the
    app runs after the move. ``label`` is the button text (defaults to the name in words).
    """

    name: str
    source: tuple[WorkflowState, ...]
    target: WorkflowState
    roles: frozenset[Role | str]
    label: str = ""
    guards: tuple[Guard, ...] = ()
    timed_by: str | None = None
    timed_label: str = ""
    effects: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        source = self.source
        if isinstance(source, enum.Enum) or isinstance(source, str):
            source = (source,)
        object.__setattr__(self, "source", tuple(source))
        given = [self.roles] if isinstance(self.roles, str) else list(self.roles)
        # Known names become Role members; unknown ones are kept so validation can name them.
        roles = frozenset(Role(r) if r in _ROLE_VALUES else r for r in given)
        if self.timed_by is not None:
            roles |= {Role.SCHEDULER}
        object.__setattr__(self, "roles", roles)
        object.__setattr__(self, "guards", tuple(self.guards))
        object.__setattr__(self, "effects", tuple(self.effects))
        if not self.label:
            object.__setattr__(self, "label", _humanise(self.name))
        if self.timed_by is not None and not self.timed_label:
            object.__setattr__(self, "timed_label", f"“{self.label}” is due")

    @property
    def timed(self) -> bool:
        return self.timed_by is not None

    @property
    def human_roles(self) -> tuple[Role, ...]:
        """The roles a person may hold to fire this, in :class:`Role` order (for messages)."""
        return tuple(role for role in Role if role in self.roles and role is not Role.SCHEDULER)


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Option:
    """One transition out of the subject's current state, as seen by one actor now.

    Pages use options to show buttons and explain disabled ones: ``allowed`` or not, and if not,
    ``reasons`` (and ``refusal``, the :class:`TransitionError` subclass :meth:`Workflow.fire`
    would raise).
    """

    transition: Transition
    refusal: type[TransitionError] | None
    reasons: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def name(self) -> str:
        return self.transition.name

    @property
    def label(self) -> str:
        return self.transition.label

    @property
    def reason(self) -> str | None:
        return "; ".join(self.reasons) if self.reasons else None


@dataclass(frozen=True)
class Move:
    """What firing a transition decided; the app stores it, the engine never applies it.

    Apply with a compare-and-swap (``… SET state = to_state WHERE state = from_state``) and write
    a history row from these fields in the same transaction; then run ``effects``.
    """

    workflow: str
    transition: str
    from_state: WorkflowState
    to_state: WorkflowState
    effects: tuple[str, ...]
    actor: str | int
    at: datetime
    data: Mapping[str, Any]

    @property
    def reason(self) -> str | None:
        """The reason the actor gave (``ctx.data["reason"]``), if any, for the history row."""
        reason = self.data.get("reason")
        return reason if isinstance(reason, str) and reason.strip() else None


# --------------------------------------------------------------------------------------------
# Workflow


def _is_identifier(value: object) -> bool:
    return isinstance(value, str) and value.isidentifier()


@dataclass(frozen=True, eq=False)
class Workflow:
    """A validated workflow definition, and the engine that fires its transitions.

    ``states`` is the state enum. ``omit`` lists enum members this workflow does not use, so a
    variant can share its sibling's enum (``round_light`` omits the eligibility check).
    ``noun`` names the subject in reasons ("This round is …"). Construction validates the whole
    definition and raises :class:`DefinitionError` listing every problem.
    """

    name: str
    label: str
    states: type[WorkflowState]
    transitions: tuple[Transition, ...]
    noun: str = "item"
    description: str = ""
    omit: frozenset[WorkflowState] = frozenset()
    state_attribute: str = "state"

    _by_name: dict[str, Transition] = field(init=False, repr=False)
    _out: dict[WorkflowState, tuple[Transition, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "transitions", tuple(self.transitions))
        object.__setattr__(self, "omit", frozenset(self.omit))
        problems = self.problems()
        if problems:
            raise DefinitionError(self.name, problems)
        object.__setattr__(self, "_by_name", {t.name: t for t in self.transitions})
        out: dict[WorkflowState, list[Transition]] = {state: [] for state in self.used_states}
        for transition in self.transitions:
            for source in transition.source:
                out[source].append(transition)
        object.__setattr__(self, "_out", {state: tuple(ts) for state, ts in out.items()})

    # -- the definition, read-only ------------------------------------------------------

    @property
    def used_states(self) -> tuple[WorkflowState, ...]:
        """The states this workflow uses, in enum order."""
        return tuple(state for state in self.states if state not in self.omit)

    @property
    def initial_state(self) -> WorkflowState:
        return next(state for state in self.used_states if state.initial)

    @property
    def final_states(self) -> tuple[WorkflowState, ...]:
        return tuple(state for state in self.used_states if state.final)

    @property
    def date_attributes(self) -> frozenset[str]:
        """The subject attributes timed transitions wait for (what the scheduler should query)."""
        return frozenset(t.timed_by for t in self.transitions if t.timed_by)

    @property
    def effect_names(self) -> frozenset[str]:
        """Every effect named by this workflow; the app must map each one to a function."""
        return frozenset(effect for t in self.transitions for effect in t.effects)

    def transition(self, name: str) -> Transition:
        """The transition called ``name``; :class:`UnknownTransition` if there is none."""
        try:
            return self._by_name[name]
        except (KeyError, TypeError):
            raise UnknownTransition(
                self.name, str(name), [f"The {self.name} workflow has no transition {name!r}"]
            ) from None

    def transitions_from(self, state: WorkflowState) -> tuple[Transition, ...]:
        """The transitions whose sources include ``state``, in definition order."""
        return self._out[self.coerce_state(state)]

    def coerce_state(self, value: object) -> WorkflowState:
        """The state for a stored string value (or a member of this enum); else UnknownState."""
        if isinstance(value, self.states):
            state = value
        elif isinstance(value, str) and not isinstance(value, enum.Enum):
            try:
                state = self.states(value)
            except ValueError:
                raise UnknownState(self.name, value) from None
        else:
            raise UnknownState(self.name, value)
        if state in self.omit:
            raise UnknownState(self.name, value)
        return state

    def state_of(self, subject: Any) -> WorkflowState:
        """The subject's current state, read from ``subject.<state_attribute>``."""
        return self.coerce_state(getattr(subject, self.state_attribute))

    # -- asking and firing ---------------------------------------------------------------

    def options(self, subject: Any, ctx: Context) -> list[Option]:
        """Every transition out of the subject's current state, allowed or with the reasons not."""
        state = self.state_of(subject)
        return [self._assess(subject, state, t, ctx) for t in self._out[state]]

    def check(self, subject: Any, name: str, ctx: Context) -> Option:
        """Whether ``ctx`` may fire ``name`` on ``subject`` now (for permission predicates)."""
        transition = self.transition(name)
        return self._assess(subject, self.state_of(subject), transition, ctx)

    def fire(self, subject: Any, name: str, ctx: Context) -> Move:
        """Check and decide one transition; return the :class:`Move` without changing ``subject``.

        Raises :class:`UnknownTransition`, :class:`WrongState`, :class:`NotAllowed` or
        :class:`GuardFailed`, each carrying the reason in words.
        """
        transition = self.transition(name)
        state = self.state_of(subject)
        option = self._assess(subject, state, transition, ctx)
        if option.refusal is not None:
            raise option.refusal(self.name, transition.name, option.reasons)
        return Move(
            workflow=self.name,
            transition=transition.name,
            from_state=state,
            to_state=transition.target,
            effects=transition.effects,
            actor=ctx.actor,
            at=ctx.now,
            data=dict(ctx.data),
        )

    def due_transitions(self, subject: Any, now: datetime) -> list[Transition]:
        """Timed transitions out of the current state whose date has passed and whose guards allow.

        The scheduler fires each with ``Context.scheduler(now)``; a guard that refuses keeps the
        transition off this list until the subject changes (for example eligibility is finished).
        """
        ctx = Context.scheduler(now)
        state = self.state_of(subject)
        return [
            t for t in self._out[state] if t.timed and self._assess(subject, state, t, ctx).allowed
        ]

    def _assess(
        self, subject: Any, state: WorkflowState, transition: Transition, ctx: Context
    ) -> Option:
        if state not in transition.source:
            sources = join_words(
                [_("“%(state)s”", state=_(s.staff_label)) for s in transition.source], "or"
            )
            reason = _(
                "This %(noun)s is at “%(state)s”; “%(action)s” is only possible from %(sources)s",
                noun=_(self.noun), state=_(state.staff_label), action=_(transition.label),
                sources=sources,
            )
            return Option(transition, WrongState, (reason,))
        if not ctx.roles & transition.roles:
            return Option(transition, NotAllowed, (self._role_reason(subject, transition),))
        reasons: list[str] = []
        if transition.timed and ctx.is_scheduler:
            due = self._due_at(subject, transition)
            if due is None:
                reasons.append(
                    _("%(event)s: no date has been set", event=_(transition.timed_label))
                )
            elif ctx.now < due:
                reasons.append(
                    _("%(event)s on %(when)s", event=_(transition.timed_label), when=format_when(due))
                )
        for guard in transition.guards:
            reason = guard(subject, ctx)
            if reason is not None:
                reasons.append(reason)
        if reasons:
            return Option(transition, GuardFailed, tuple(reasons))
        return Option(transition, None)

    def _role_reason(self, subject: Any, transition: Transition) -> str:
        humans = transition.human_roles
        due = self._due_at(subject, transition) if transition.timed else None
        if not humans:
            if due is not None:
                return _("It happens automatically on %(when)s", when=format_when(due))
            if transition.timed:
                return _("It happens automatically when its date is set")
            return _("Only the system can do this; it happens automatically")
        who = join_words([role.with_article for role in humans], "or")
        if due is not None:
            return _("Only %(who)s can do this; it happens automatically on %(when)s",
                     who=who, when=format_when(due))
        if transition.timed:
            return _("Only %(who)s can do this; it happens automatically when its date is set",
                     who=who)
        return _("Only %(who)s can do this", who=who)

    def _due_at(self, subject: Any, transition: Transition) -> datetime | None:
        if transition.timed_by is None:
            raise ValueError(f"{transition.name} is not timed")
        due = getattr(subject, transition.timed_by)
        if due is None:
            return None
        if not isinstance(due, datetime) or due.utcoffset() is None:
            raise TypeError(
                f"{self.name}.{transition.name}: {transition.timed_by} must be a timezone-aware "
                f"datetime or None, got {due!r}"
            )
        return due

    # -- validation ------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Every problem with this definition, in words; empty when it is valid."""
        problems: list[str] = []
        if not _is_identifier(self.name):
            problems.append(f"the workflow name {self.name!r} is not a valid identifier")
        if not (isinstance(self.states, type) and issubclass(self.states, WorkflowState)):
            return problems + [f"states must be a WorkflowState enum, got {self.states!r}"]
        for member_name, member in self.states.__members__.items():
            if member.name != member_name:
                # Enum silently turns a repeated value into an alias; in a stored column that
                # would merge two states, so it is a definition error.
                problems.append(
                    f"states {member.name} and {member_name} share the value {member.value!r}"
                )
        for state in self.states:
            if not _is_identifier(state.value):
                problems.append(f"state value {state.value!r} is not a valid identifier")
        for omitted in sorted(self.omit, key=str):
            if not isinstance(omitted, self.states):
                problems.append(f"omit names {omitted!r}, which is not a {self.states.__name__}")

        used = self.used_states
        initials = [state for state in used if state.initial]
        if not initials:
            problems.append("there is no initial state")
        elif len(initials) > 1:
            problems.append(
                f"there is more than one initial state: {', '.join(s.value for s in initials)}"
            )
        if not any(state.final for state in used):
            problems.append("there is no final state")
        for state in used:
            if state.initial and state.final:
                problems.append(f"state {state.value!r} is both initial and final")

        seen_names: set[str] = set()
        edges: dict[WorkflowState, list[tuple[Transition, WorkflowState]]] = {s: [] for s in used}
        for transition in self.transitions:
            if not isinstance(transition, Transition):
                problems.append(f"{transition!r} is not a Transition")
                continue
            name = transition.name
            if not _is_identifier(name):
                problems.append(f"transition name {name!r} is not a valid identifier")
            if name in seen_names:
                problems.append(f"duplicate transition name {name!r}")
            seen_names.add(name)
            problems.extend(self._transition_problems(transition))
            ends = (*transition.source, transition.target)
            if all(isinstance(s, self.states) and s not in self.omit for s in ends):
                for source in transition.source:
                    edges[source].append((transition, transition.target))

        for state in used:
            out = edges[state]
            if state.final and out:
                names = ", ".join(t.name for t, _ in out)
                problems.append(f"final state {state.value!r} has transitions out: {names}")
            if not state.final and not out:
                problems.append(f"state {state.value!r} is not final but has no transitions out")

        if len(initials) == 1:
            reachable = _reachable(initials[0], edges)
            for state in used:
                if state not in reachable:
                    problems.append(
                        f"state {state.value!r} cannot be reached from the initial state "
                        f"{initials[0].value!r}"
                    )
        finals = {state for state in used if state.final}
        if finals:
            for state in used:
                if not state.final and edges[state] and not (_reachable(state, edges) & finals):
                    problems.append(f"state {state.value!r} can never reach a final state")
        return problems

    def _transition_problems(self, transition: Transition) -> list[str]:
        problems: list[str] = []
        name = transition.name
        if not transition.source:
            problems.append(f"transition {name!r} has no source state")
        for end, state in [("starts from", s) for s in transition.source] + [
            ("goes to", transition.target)
        ]:
            if not isinstance(state, self.states):
                problems.append(f"transition {name!r} {end} unknown state {state!r}")
            elif state in self.omit:
                problems.append(
                    f"transition {name!r} {end} state {state.value!r}, which this workflow omits"
                )
        if len(set(transition.source)) != len(transition.source):
            problems.append(f"transition {name!r} lists a source state twice")
        if not transition.roles:
            problems.append(f"transition {name!r} names no roles, so nobody could fire it")
        for role in sorted(transition.roles, key=str):
            if not isinstance(role, Role):
                known = ", ".join(r.value for r in Role)
                problems.append(
                    f"transition {name!r} names unknown role {role!r} (known roles: {known})"
                )
        for guard in transition.guards:
            if not isinstance(guard, Guard):
                problems.append(f"transition {name!r} has a guard that is not a Guard: {guard!r}")
        for effect in transition.effects:
            if not _is_identifier(effect):
                problems.append(
                    f"transition {name!r} has an effect {effect!r} that is not an identifier"
                )
        if transition.timed_by is not None and not _is_identifier(transition.timed_by):
            problems.append(
                f"timed transition {name!r} has no date attribute name "
                f"(timed_by={transition.timed_by!r})"
            )
        return problems


def _reachable(
    start: WorkflowState, edges: Mapping[WorkflowState, list[tuple[Transition, WorkflowState]]]
) -> set[WorkflowState]:
    seen = {start}
    queue = deque([start])
    while queue:
        for _, target in edges.get(queue.popleft(), ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen
