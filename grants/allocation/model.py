"""The election model: what an allocation rule reads.

Glossary
--------
money
    An exact number: ``int``, or :class:`fractions.Fraction` when it is not whole (a pabulib
    budget may be ``827838.5``). Never ``float``: a rounding error could decide a tie. The unit is
    whatever the caller uses (the web app passes integer pence; pabulib files use the local
    currency). :func:`exact` turns ``int``/``Fraction``/``Decimal``/numeric strings into money.
project
    Something that can be funded: an id (a string; ids are compared as strings when ties are
    broken, so ``"10" < "9"``), a cost, an optional name and categories, plus any extra columns a
    pabulib file carried (kept so that writing the file back keeps them).
ballot
    One voter's vote. Its meaning depends on the election's :class:`BallotKind`:

    * ``approval`` (pabulib ``approval`` and ``choose-1``): the projects the voter supports;
      order carries no meaning.
    * ``ordinal``: the projects in order of preference, most preferred first.
    * ``cumulative``: points spread over projects (``points[i]`` goes to ``projects[i]``).
    * ``scoring``: a score per listed project; unlisted projects score 0 (as pabutools does).
voter weight
    How many voters a ballot stands for (default 1). Weights may be fractions; they must be
    positive. A ballot of weight 2 counts exactly like two identical ballots of weight 1.
supporter
    A voter whose ballot lists the project (for the points-based rules: gives it a positive score).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol, Union

Money = Union[int, Fraction]
"""An exact amount: an int, or a Fraction when it is not whole."""

Number = Union[int, Fraction]


RESERVED_PROJECT_COLUMNS = frozenset({"project_id", "cost", "name", "category", "categories"})
RESERVED_VOTER_COLUMNS = frozenset({"voter_id", "vote", "points", "weight"})


class BallotKind(enum.StrEnum):
    """The pabulib vote types (``choose-1`` is read as approval, as pabutools does)."""

    APPROVAL = "approval"
    CUMULATIVE = "cumulative"
    SCORING = "scoring"
    ORDINAL = "ordinal"

    @property
    def has_points(self) -> bool:
        return self in (BallotKind.CUMULATIVE, BallotKind.SCORING)


VOTE_TYPES = {
    "approval": BallotKind.APPROVAL,
    "choose-1": BallotKind.APPROVAL,
    "cumulative": BallotKind.CUMULATIVE,
    "scoring": BallotKind.SCORING,
    "ordinal": BallotKind.ORDINAL,
}
"""pabulib ``vote_type`` values and the ballot kind each is read as."""


def exact(value: Any) -> Money:
    """Return ``value`` as exact money: an int when whole, else a Fraction.

    Accepts int, Fraction, Decimal and numeric strings (``"12"``, ``"827838.5"``, ``"1/3"``).
    Refuses float and bool, because a float has already lost the exact amount.
    """
    if isinstance(value, bool):
        raise TypeError("a truth value is not an amount")
    if isinstance(value, int):
        return value
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a finite amount")
        return exact(Fraction(value))
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():  # '²' is a digit to isdigit, not to int
            return int(text)
        try:
            return exact(Fraction(text))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{value!r} is not a number") from None
    if isinstance(value, float):
        raise TypeError("amounts must be exact (int, Fraction or Decimal), not float")
    raise TypeError(f"{type(value).__name__} is not an amount")


def format_number(value: Number) -> str:
    """Exact text for a number: ``12``, ``827838.5``, or ``1/3`` when no decimal is exact."""
    value = exact(value)
    if isinstance(value, int):
        return str(value)
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    scaled = value * 10**places
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def _check_id(kind: str, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{kind} id must be a non-empty string, not {value!r}")
    if value != value.strip():
        raise ValueError(f"{kind} id {value!r} must not start or end with spaces")
    if kind == "project" and "," in value:
        # Votes list project ids separated by commas, so an id with a comma could not be voted for.
        raise ValueError(f"project id {value!r} must not contain a comma")


def _frozen_mapping(value: Mapping[str, Any] | None, reserved: frozenset[str] = frozenset()) -> dict[str, str]:
    if value is None:
        return {}
    mapping = {str(k): str(v) for k, v in dict(value).items()}
    clash = reserved.intersection(mapping)
    if clash:
        raise ValueError(f"extra columns may not be called {', '.join(sorted(clash))}")
    return mapping


@dataclass(frozen=True, slots=True)
class Project:
    """A project that may be funded. ``extra`` keeps other pabulib columns as strings."""

    id: str
    cost: Money
    name: str | None = None
    categories: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        _check_id("project", self.id)
        cost = exact(self.cost)
        if cost < 0:
            raise ValueError(f"project {self.id}: cost must not be negative")
        object.__setattr__(self, "cost", cost)
        categories = tuple(self.categories)
        for category in categories:
            if not isinstance(category, str) or not category.strip() or "," in category:
                raise ValueError(f"project {self.id}: category {category!r} must be a non-empty name without commas")
        if len(set(categories)) != len(categories):
            raise ValueError(f"project {self.id}: a category appears twice")
        object.__setattr__(self, "categories", categories)
        object.__setattr__(self, "extra", _frozen_mapping(self.extra, RESERVED_PROJECT_COLUMNS))

    @property
    def label(self) -> str:
        """The name if there is one, else the id: what a sentence calls the project."""
        return self.name or self.id


@dataclass(frozen=True, slots=True)
class Ballot:
    """One voter's ballot; see the module glossary for what ``projects``/``points`` mean per kind."""

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[Number, ...] | None = None
    weight: Number = 1
    extra: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        _check_id("voter", self.voter_id)
        projects = tuple(self.projects)
        if len(set(projects)) != len(projects):
            raise ValueError(f"voter {self.voter_id}: a project appears twice in the ballot")
        object.__setattr__(self, "projects", projects)
        if self.points is not None:
            points = tuple(exact(p) for p in self.points)
            if len(points) != len(projects):
                raise ValueError(
                    f"voter {self.voter_id}: {len(projects)} projects but {len(points)} points"
                )
            object.__setattr__(self, "points", points)
        weight = exact(self.weight)
        if weight <= 0:
            raise ValueError(f"voter {self.voter_id}: weight must be positive")
        object.__setattr__(self, "weight", weight)
        object.__setattr__(self, "extra", _frozen_mapping(self.extra, RESERVED_VOTER_COLUMNS))

    def score(self, project_id: str) -> Number:
        """Points (or score) given to ``project_id``; 1 for a listed project without points."""
        try:
            index = self.projects.index(project_id)
        except ValueError:
            return 0
        return 1 if self.points is None else self.points[index]


@dataclass(frozen=True)
class Election:
    """A budget, the projects and the ballots of one vote.

    ``meta`` keeps pabulib's META section (strings); ``budget`` and ``kind`` are the authority,
    and META's ``budget`` and ``vote_type`` entries are always kept in step with them.
    ``project_columns``/``voter_columns`` only remember the column order of a file that was read,
    so that writing it back looks the same; they take no part in equality.
    """

    budget: Money
    projects: tuple[Project, ...]
    ballots: tuple[Ballot, ...] = ()
    kind: BallotKind = BallotKind.APPROVAL
    meta: Mapping[str, str] = field(default_factory=dict)
    project_columns: tuple[str, ...] = field(default=(), compare=False, repr=False)
    voter_columns: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        budget = exact(self.budget)
        if budget < 0:
            raise ValueError("the budget must not be negative")
        object.__setattr__(self, "budget", budget)
        object.__setattr__(self, "kind", BallotKind(self.kind))
        object.__setattr__(self, "projects", tuple(self.projects))
        object.__setattr__(self, "ballots", tuple(self.ballots))
        object.__setattr__(self, "meta", self._normalised_meta())
        object.__setattr__(self, "project_columns", tuple(self.project_columns))
        object.__setattr__(self, "voter_columns", tuple(self.voter_columns))
        self._validate()

    def _normalised_meta(self) -> dict[str, str]:
        """META with ``budget`` and ``vote_type`` in step with the fields (kept in place)."""
        meta = _frozen_mapping(self.meta)
        meta["budget"] = format_number(self.budget)
        vote_type = meta.get("vote_type", "").strip().lower()
        meta["vote_type"] = vote_type if VOTE_TYPES.get(vote_type) == self.kind else self.kind.value
        return meta

    @classmethod
    def _trusted(cls, *, kept_ballots: KeptBallots | None = None, **fields: Any) -> Election:
        """Build without re-validating: for the pabulib reader, which has checked every line.

        With ``kept_ballots`` (instead of ``ballots``) the ballots are built on first use.
        """
        election = object.__new__(cls)
        for name, value in fields.items():
            object.__setattr__(election, name, value)
        if kept_ballots is not None:
            object.__setattr__(election, "_kept_ballots", kept_ballots)
        return election

    def _validate(self) -> None:
        ids = [p.id for p in self.projects]
        known = set(ids)
        if len(known) != len(ids):
            seen: set[str] = set()
            dup = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
            raise ValueError(f"project {dup} appears twice")
        has_points = self.kind.has_points
        voters: set[str] = set()
        for ballot in self.ballots:
            if ballot.voter_id in voters:
                raise ValueError(f"voter {ballot.voter_id} appears twice")
            voters.add(ballot.voter_id)
            if not known.issuperset(ballot.projects):
                unknown = next(p for p in ballot.projects if p not in known)
                raise ValueError(f"voter {ballot.voter_id} voted for unknown project {unknown}")
            if has_points and ballot.points is None:
                raise ValueError(f"voter {ballot.voter_id}: {self.kind} ballots need points")
            if not has_points and ballot.points is not None:
                raise ValueError(f"voter {ballot.voter_id}: {self.kind} ballots carry no points")

    # -- reading -----------------------------------------------------------------------------

    @property
    def project_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.projects)

    def project(self, project_id: str) -> Project:
        index = self._index()
        try:
            return self.projects[index[project_id]]
        except KeyError:
            raise KeyError(f"no project {project_id!r}") from None

    def _index(self) -> dict[str, int]:
        cached = self.__dict__.get("_project_index")
        if cached is None:
            cached = {p.id: i for i, p in enumerate(self.projects)}
            object.__setattr__(self, "_project_index", cached)
        return cached

    @property
    def num_voters(self) -> Number:
        """Total voter weight (the number of voters when every weight is 1)."""
        kept = self.__dict__.get("_kept_ballots")
        if kept is not None:
            return exact(sum(weight for _ballot, weight in kept.groups()))
        return exact(sum(b.weight for b in self.ballots))

    def ballot_groups(self) -> Iterable[tuple[tuple[tuple[str, ...], tuple[Number, ...] | None], Number]]:
        """``((projects, points), weight)`` per distinct raw ballot, weights summed.

        What the rules need of the ballots (see :mod:`grants.allocation.profile`). An election
        read from a file counts its vote column (a city's 131,778 ballots are a few hundred
        distinct strings) without building a :class:`Ballot` per voter.
        """
        kept = self.__dict__.get("_kept_ballots")
        if kept is not None:
            return kept.groups()
        raw: dict[tuple[tuple[str, ...], tuple[Number, ...] | None], Number] = {}
        get = raw.get
        for ballot in self.ballots:
            key = (ballot.projects, ballot.points)
            raw[key] = get(key, 0) + ballot.weight
        return raw.items()

    def cost_of(self, project_ids: Iterable[str]) -> Money:
        return exact(sum((self.project(p).cost for p in project_ids), 0))

    # -- deriving ----------------------------------------------------------------------------

    def restricted(self, budget: Any, project_ids: Iterable[str]) -> Election:
        """The same voters over a subset of projects and another budget (a ring-fenced pot).

        Ballots keep only the listed projects (with their points); voters whose ballot becomes
        empty stay, because every voter still holds a share of the pot's money.
        """
        wanted = list(dict.fromkeys(project_ids))
        index = self._index()
        for pid in wanted:
            if pid not in index:
                raise KeyError(f"no project {pid!r}")
        keep = set(wanted)
        projects = tuple(p for p in self.projects if p.id in keep)
        ballots = []
        for b in self.ballots:
            if keep.issuperset(b.projects):
                ballots.append(b)
                continue
            positions = [i for i, p in enumerate(b.projects) if p in keep]
            ballots.append(
                Ballot(
                    b.voter_id,
                    tuple(b.projects[i] for i in positions),
                    None if b.points is None else tuple(b.points[i] for i in positions),
                    b.weight,
                    b.extra,
                )
            )
        return Election(
            budget=budget,
            projects=projects,
            ballots=tuple(ballots),
            kind=self.kind,
            meta=self.meta,
            project_columns=self.project_columns,
            voter_columns=self.voter_columns,
        )


class KeptBallots(Protocol):
    """Ballots an election keeps in a reader's own form until something asks for them.

    The rules only need the distinct ballots and their weights (:meth:`groups`), and a city's
    file has a hundred thousand ballots but usually a few hundred distinct ones; building a
    :class:`Ballot` per voter took most of the time of reading one. So a reader may hand
    :meth:`Election._trusted` what it checked, and the ballots are built (:meth:`build`) only
    when something asks for ``election.ballots``: a round import, writing the file back,
    comparing two elections. See :class:`grants.allocation.pabulib.FileBallots`.
    """

    def groups(self) -> Iterable[tuple[tuple[tuple[str, ...], tuple[Number, ...] | None], Number]]:
        """See :meth:`Election.ballot_groups`."""

    def build(self) -> tuple[Ballot, ...]:
        """The :class:`Ballot` objects, in the file's order."""


class _BallotsOnFirstUse:
    """``Election.ballots`` of an election that keeps :class:`KeptBallots`: built on first use.

    A non-data descriptor: an election built the ordinary way has ``ballots`` in its own
    ``__dict__``, which wins; the class-level value (the dataclass default) stays ``()``.
    """

    def __get__(self, election: Election | None, owner: type | None = None) -> tuple[Ballot, ...]:
        kept = None if election is None else election.__dict__.get("_kept_ballots")
        if kept is None:
            return ()
        ballots = kept.build()
        object.__setattr__(election, "ballots", ballots)
        return ballots


Election.ballots = _BallotsOnFirstUse()  # type: ignore[assignment]
