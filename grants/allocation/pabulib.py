"""Read and write the pabulib ``.pb`` format (pabulib.org/format), as pabutools 1.2.3 reads it.

Glossary
--------
section
    A ``.pb`` file has three sections, in this order, each opened by a title line (``META``,
    ``PROJECTS``, ``VOTES``; any letter case) followed by a header line. Every line is
    ``;``-separated; fields may be quoted (the csv module reads them). A UTF-8 byte-order mark is
    tolerated, blank lines are skipped.
META
    ``key;value`` lines. ``budget`` and ``vote_type`` are required (the only ones pabutools
    needs); the rest is kept as strings and written back. ``vote_type`` is ``approval``,
    ``choose-1`` (read as approval), ``cumulative``, ``scoring`` or ``ordinal``.
PROJECTS
    One project per line. The first column is the project id (pabutools uses ``row[0]``); a
    ``cost`` column is required; ``name`` and ``category``/``categories`` (a comma-separated
    list) are read into the project; other columns are kept as extra strings.
VOTES
    One voter per line with a ``voter_id`` and a ``vote`` column (comma-separated project ids;
    for ordinal votes, most preferred first). Cumulative and scoring votes also need ``points``,
    a parallel comma-separated list. An optional ``weight`` column gives voter weights (an
    extension of this package: pabulib has no weights). Other columns are kept as extras.
numbers
    Costs and the budget are exact: ``,`` is read as a decimal point (``827838,5``), as
    pabutools does, and ``827838.5`` becomes the Fraction 1655677/2. Points are exact too.
    A field whose value is ``None`` (any case) is treated as empty, as pabutools does.

Anything malformed raises :class:`PabulibError` with the 1-based ``line`` number and a message
saying what is wrong; the reader never lets a raw traceback out.
"""

from __future__ import annotations

import csv
import gc
import io
import os
from collections import Counter, deque
from collections.abc import Hashable, Iterable, Iterator
from itertools import repeat
from operator import add, mul
from pathlib import Path
from typing import Any

from grants.allocation.model import (
    VOTE_TYPES,
    Ballot,
    BallotKind,
    Election,
    Money,
    Number,
    Project,
    exact,
    format_number,
)

_SECTIONS = ("meta", "projects", "votes")
_TITLE_STARTS = frozenset("mMpPvV \t\"")
_CATEGORY_COLUMNS = ("category", "categories")
_SECTION_SET = frozenset(_SECTIONS)


class PabulibError(ValueError):
    """A malformed pabulib file. ``line`` is 1-based; ``message`` says what is wrong."""

    def __init__(self, message: str, line: int) -> None:
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}")


# -- numbers ------------------------------------------------------------------------------


def _money(text: str, what: str, line: int) -> Money:
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        raise PabulibError(f"{what} is empty", line)
    try:
        value = exact(cleaned)
    except (TypeError, ValueError):
        raise PabulibError(f"{what} {text.strip()!r} is not a number", line) from None
    if value < 0:
        raise PabulibError(f"{what} {text.strip()!r} is negative", line)
    return value


_POINT_CACHE: dict[str, Number] = {}


def _points(text: str, line: int) -> Number:
    value = _POINT_CACHE.get(text)
    if value is None:
        try:
            value = exact(text)
        except (TypeError, ValueError):
            raise PabulibError(f"points value {text!r} is not a number", line) from None
        if len(_POINT_CACHE) < 10_000:
            _POINT_CACHE[text] = value
    return value


# -- reading ------------------------------------------------------------------------------


def read_pb(source: str | bytes | os.PathLike[str]) -> Election:
    """Read a pabulib file: a path, the file's bytes, or its text (anything with a newline)."""
    if isinstance(source, bytes):
        text = _decode(source)
    elif isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and "\r" not in source
        and not source.lstrip("\ufeff \t").lower().startswith("meta")
    ):
        text = _decode(Path(source).read_bytes())
    elif isinstance(source, str):
        text = source[1:] if source.startswith("\ufeff") else source
    else:
        raise TypeError("read_pb takes a path, bytes or the text of a .pb file")
    # A city's file makes a few hundred thousand small containers at once: the cyclic garbage
    # collector would walk them again and again while they are built (none of them is garbage).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _Reader(text).election()
    finally:
        if collecting:
            gc.enable()


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise PabulibError("the file is not UTF-8 text", line) from None


def _is_blank(row: list[str]) -> bool:
    return not row or (len(row) == 1 and not row[0].strip())


def _value(text: str) -> str:
    """Field text as pabutools keeps it: stripped; ``None`` (any case) means empty."""
    text = text.strip()
    return "" if text.lower() == "none" else text


class _Reader:
    def __init__(self, text: str) -> None:
        # A csv reader over the text itself (not over split lines) keeps newlines inside
        # quoted fields, and its line_num counts physical lines.
        self.text = text
        self.stream = io.StringIO(text, newline="")
        self.rows = csv.reader(self.stream, delimiter=";")
        self.last_line = text.count("\n") + (0 if text.endswith("\n") else 1)
        self.odd_quotes = text.count('"') % 2 == 1
        self.ends_with_newline = int(text.endswith("\n"))
        self.meta: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.meta_line = 0
        self.projects: list[Project] = []
        self.project_columns: tuple[str, ...] = ()
        self.voter_columns: tuple[str, ...] = ()
        self.ballots: list[Ballot] = []
        self.kept_ballots: FileBallots | None = None
        self.kind = BallotKind.APPROVAL
        self.pending: tuple[str, int] | None = None

    @property
    def line(self) -> int:
        return self.rows.line_num

    def _next_row(self) -> list[str] | None:
        start = self.line + 1
        try:
            row = next(self.rows)
        except csv.Error as exc:
            raise PabulibError(f"cannot read the line ({exc})", start) from None
        except StopIteration:
            return None
        if self.odd_quotes and self.line >= self.last_line and any("\n" in f or "\r" in f for f in row):
            # csv's lenient mode (pabutools' too) reads an unclosed quote up to the end of the
            # file; say so instead of reading the rest of the file as one field.
            raise PabulibError("cannot read the line (a quoted field is never closed)", start)
        return row

    def _section_rows(self) -> Iterator[tuple[int, list[str]]]:
        """Rows of the current section, up to the next section title (left in ``pending``)."""
        while (row := self._next_row()) is not None:
            if _is_blank(row):
                continue
            title = row[0].strip().lower()
            if title in _SECTIONS:
                self.pending = (title, self.line)
                return
            yield self.line, row
        self.pending = None

    def _title(self, expected: str) -> int:
        if self.pending is None:
            if expected == "meta":
                while (row := self._next_row()) is not None and _is_blank(row):
                    pass
                if row is None:
                    raise PabulibError("the file is empty", 1)
                title = row[0].strip().lower()
                if title not in _SECTIONS:
                    raise PabulibError(
                        f"the file must start with a META section, not {row[0].strip()!r}", self.line
                    )
                self.pending = (title, self.line)
            else:
                raise PabulibError(f"the {expected.upper()} section is missing", max(1, self.last_line))
        title, line = self.pending
        if title != expected:
            order = " then ".join(s.upper() for s in _SECTIONS)
            if _SECTIONS.index(title) < _SECTIONS.index(expected):
                problem = f"a second {title.upper()} section"
            else:
                problem = f"the {title.upper()} section comes before {expected.upper()}"
            raise PabulibError(f"{problem}: sections must come in the order {order}", line)
        return line

    def _header(self, section: str) -> list[str]:
        row = self._next_row()
        if row is None or _is_blank(row) or row[0].strip().lower() in _SECTIONS:
            raise PabulibError(f"the {section.upper()} section has no header line", self.line)
        header = [h.strip() for h in row]
        seen: set[str] = set()
        for name in header:
            if not name:
                raise PabulibError(f"the {section.upper()} header has an empty column name", self.line)
            if name in seen:
                raise PabulibError(f"the {section.upper()} header has the column {name!r} twice", self.line)
            seen.add(name)
        return header

    def _fields(self, row: list[str], header: list[str], line: int, section: str) -> list[str]:
        if len(row) > len(header):
            extra = row[len(header):]
            if any(f.strip() for f in extra):
                raise PabulibError(
                    f"{len(row)} fields but the {section} header has {len(header)} columns", line
                )
            return row[: len(header)]
        if len(row) < len(header):
            # Spreadsheets drop empty trailing fields; pabutools reads them as missing too.
            return row + [""] * (len(header) - len(row))
        return row

    # -- sections --

    def election(self) -> Election:
        self._read_meta()
        self._read_projects()
        self._read_votes()
        kept = {"ballots": tuple(self.ballots)} if self.kept_ballots is None else {}
        return Election._trusted(
            kept_ballots=self.kept_ballots,
            **kept,
            budget=self.budget,
            projects=tuple(self.projects),
            kind=self.kind,
            meta=self.meta,
            project_columns=self.project_columns,
            voter_columns=self.voter_columns,
        )

    def _read_meta(self) -> None:
        self.meta_line = self._title("meta")
        self._header("meta")
        for line, row in self._section_rows():
            if len(row) < 2 or any(f.strip() for f in row[2:]):
                raise PabulibError(f"a META line must be key;value, got {';'.join(row)!r}", line)
            key = row[0].strip()
            if not key:
                raise PabulibError("a META line has an empty key", line)
            if key in self.meta:
                raise PabulibError(f"the META key {key!r} appears twice", line)
            self.meta[key] = row[1].strip()
            self.meta_lines[key] = line
        if "budget" not in self.meta:
            raise PabulibError("META has no budget", self.meta_line)
        self.budget = _money(self.meta["budget"], "the budget", self.meta_lines["budget"])
        self.meta["budget"] = format_number(self.budget)
        vote_type = self.meta.get("vote_type")
        if vote_type is None:
            raise PabulibError("META has no vote_type", self.meta_line)
        kind = VOTE_TYPES.get(vote_type.lower())
        if kind is None:
            raise PabulibError(
                f"unknown vote_type {vote_type!r} (expected one of {', '.join(VOTE_TYPES)})",
                self.meta_lines["vote_type"],
            )
        self.kind = kind
        self.meta["vote_type"] = vote_type.lower()

    def _read_projects(self) -> None:
        section_line = self._title("projects")
        header = self._header("projects")
        if "cost" not in header:
            raise PabulibError("the PROJECTS header has no cost column", section_line + 1)
        cost_at = header.index("cost")
        name_at = header.index("name") if "name" in header else -1
        category_at = next((header.index(c) for c in _CATEGORY_COLUMNS if c in header), -1)
        extras = [(i, h) for i, h in enumerate(header) if i not in (0, cost_at, name_at, category_at)]
        self.project_columns = tuple(header)
        seen: set[str] = set()
        for line, row in self._section_rows():
            row = self._fields(row, header, line, "PROJECTS")
            pid = row[0].strip()
            if not pid:
                raise PabulibError("a project has an empty id", line)
            if "," in pid:
                raise PabulibError(f"project id {pid!r} contains a comma", line)
            if pid in seen:
                raise PabulibError(f"project {pid!r} appears twice", line)
            seen.add(pid)
            cost = _money(row[cost_at], f"the cost of project {pid!r}", line)
            name = (_value(row[name_at]) or None) if name_at >= 0 else None
            categories: tuple[str, ...] = ()
            if category_at >= 0 and _value(row[category_at]):
                parts = (c.strip() for c in row[category_at].split(","))
                categories = tuple(dict.fromkeys(c for c in parts if c))
            extra = {h: v for i, h in extras if (v := _value(row[i]))}
            self.projects.append(Project(pid, cost, name, categories, extra))

    def _read_votes(self) -> None:
        section_line = self._title("votes")
        header = self._header("votes")
        for required in ("voter_id", "vote"):
            if required not in header:
                raise PabulibError(f"the VOTES header has no {required} column", section_line + 1)
        with_points = self.kind.has_points
        if with_points and "points" not in header:
            raise PabulibError(f"{self.kind.value} votes need a points column", section_line + 1)
        id_at = header.index("voter_id")
        vote_at = header.index("vote")
        points_at = header.index("points") if with_points else -1
        weight_at = header.index("weight") if "weight" in header else -1
        extras = [(i, h) for i, h in enumerate(header) if i not in (id_at, vote_at, points_at, weight_at)]
        self.voter_columns = tuple(header)
        known = {p.id for p in self.projects}
        if self._read_plain_votes(header, id_at, vote_at, points_at, weight_at, extras, known):
            return
        votes_seen: dict[str, tuple[str, ...]] = {}
        voters: set[str] = set()
        ballots = self.ballots
        width = len(header)
        new_ballot = object.__new__
        set_field = object.__setattr__
        rows = self.rows
        row: list[str] | None = None
        # The hot loop of the reader (one pass per voter): section titles, blank lines and
        # "None" are recognised with cheap tests first.
        for row in rows:
            line = rows.line_num
            if len(row) != width:
                if _is_blank(row):
                    continue
                if row[0].strip().lower() in _SECTIONS:
                    raise PabulibError(f"a second {row[0].strip().upper()} section after VOTES", line)
                row = self._fields(row, header, line, "VOTES")
            elif row[0][:1] in _TITLE_STARTS and row[0].strip().lower() in _SECTIONS:
                raise PabulibError(f"a second {row[0].strip().upper()} section after VOTES", line)
            voter = row[id_at].strip()
            if not voter:
                raise PabulibError("a vote has an empty voter_id", line)
            if voter in voters:
                raise PabulibError(f"voter {voter!r} appears twice", line)
            voters.add(voter)
            vote = row[vote_at]
            projects = votes_seen.get(vote)
            if projects is None:
                projects = self._vote(vote, known, line)
                votes_seen[vote] = projects
            points = None
            if with_points:
                points = self._points(row[points_at], projects, line)
            weight: Number = 1
            if weight_at >= 0 and _value(row[weight_at]):
                weight = _money(row[weight_at], f"the weight of voter {voter!r}", line)
                if weight == 0:
                    raise PabulibError(f"the weight of voter {voter!r} must be positive", line)
            extra = {h: v for i, h in extras
                     if (v := row[i].strip()) and (len(v) != 4 or v.lower() != "none")}
            # Every field was checked above; skip Ballot's own (slower) validation.
            ballot = new_ballot(Ballot)
            set_field(ballot, "voter_id", voter)
            set_field(ballot, "projects", projects)
            set_field(ballot, "points", points)
            set_field(ballot, "weight", weight)
            set_field(ballot, "extra", extra)
            ballots.append(ballot)
        if self.odd_quotes and row is not None and any("\n" in f or "\r" in f for f in row):
            # csv's lenient mode (pabutools' too) reads an unclosed quote up to the end of the
            # file; say so instead of accepting the rest of the file as one field.
            start = rows.line_num - sum(f.count("\n") for f in row) + self.ends_with_newline
            raise PabulibError("cannot read the line (a quoted field is never closed)", start)

    def _read_plain_votes(self, header: list[str], id_at: int, vote_at: int, points_at: int,
                          weight_at: int, extras: list[tuple[int, str]], known: set[str]) -> bool:
        """Read the VOTES rows column by column when nothing in them needs the csv module.

        That is the usual file: no quotes, every row exactly as wide as the header, no blank
        line, nothing that looks like a section title, and nothing wrong. Then the rows are
        split with ``str.split`` and every check and conversion runs once per column, or once
        per *distinct* value (votes, points, weights), mostly in C. The checked section is kept
        (:class:`FileBallots`): the ballots are built only if asked for. Returns False, having
        consumed nothing, when anything is unusual: the row-by-row reader below then reads the
        same rows and says which line is wrong.
        """
        body = self.text[self.stream.tell():]
        if '"' in body or "\x00" in body:
            return False
        if "\r" in body:
            body = body.replace("\r\n", "\n")
            if "\r" in body:
                return False
        lines = body.split("\n")
        if lines[-1] == "":
            lines.pop()
        count = len(lines)
        width = len(header)
        # Every row exactly as wide as the header (a blank line is not), then one split of
        # the whole section and a slice per column.
        if not lines or set(map(str.count, lines, repeat(";"))) != {width - 1}:
            return False
        if max(map(len, lines)) >= csv.field_size_limit():
            return False
        columns = _split_columns(body, count, width)
        distinct_voters = set(map(str.strip, columns[id_at]))
        if len(distinct_voters) != count or "" in distinct_voters:
            return False
        # A section title where a vote should be: let the rows say where. (Voter ids are
        # usually numbers, and then the first column cannot hold a title.)
        if not "".join(columns[0]).isdigit() and not _SECTION_SET.isdisjoint(
                map(str.lower, map(str.strip, columns[0]))):
            return False
        vote_column = columns[vote_at]
        keys: list = vote_column
        decoded: dict = {}
        weight_of: dict[str, Number] = {}
        try:
            votes = {raw: self._vote(raw, known, 0) for raw in set(vote_column)}
            if points_at >= 0:
                keys = list(zip(vote_column, columns[points_at]))
                for key in set(keys):
                    projects = votes[key[0]]
                    decoded[key] = (projects, self._points(key[1], projects, 0))
            else:
                decoded = {raw: (projects, None) for raw, projects in votes.items()}
            if weight_at >= 0:
                for raw in set(columns[weight_at]):
                    value: Number = 1
                    if _value(raw):
                        value = _money(raw, "a weight", 0)
                        if value == 0:
                            return False
                    weight_of[raw] = value
        except PabulibError:
            return False
        if weight_at < 0:
            summed: dict = Counter(keys)
        else:
            summed = {}
            get = summed.get
            for key, weight in zip(keys, map(weight_of.__getitem__, columns[weight_at])):
                summed[key] = get(key, 0) + weight
        self.kept_ballots = FileBallots(body, count, width, (id_at, vote_at, points_at, weight_at),
                                        extras, decoded, weight_of, summed)
        return True

    def _vote(self, raw: str, known: set[str], line: int) -> tuple[str, ...]:
        parts = raw.split(",")
        if known.issuperset(parts) and len(set(parts)) == len(parts):
            return tuple(parts)  # the usual case: clean ids, nothing to strip or skip
        vote = _value(raw)
        if not vote:
            return ()
        parts = [p.strip() for p in vote.split(",")]
        if self.kind.has_points:
            if not all(parts):
                raise PabulibError("the vote has an empty project id", line)
        else:
            parts = [p for p in parts if p]  # pabutools skips empty entries in these votes
        for pid in parts:
            if pid not in known:
                raise PabulibError(f"the vote names unknown project {pid!r}", line)
        if len(set(parts)) != len(parts):
            twice = next(p for p in parts if parts.count(p) > 1)
            raise PabulibError(f"the vote names project {twice!r} twice", line)
        return tuple(parts)

    def _points(self, text: str, projects: tuple[str, ...], line: int) -> tuple[Number, ...]:
        text = _value(text)
        values = [p.strip() for p in text.split(",")] if text else []
        if len(values) != len(projects):
            raise PabulibError(
                f"the vote lists {len(projects)} projects but {len(values)} points", line
            )
        return tuple(_points(v, line) for v in values)


def _split_columns(body: str, count: int, width: int) -> list[list[str]]:
    """The fields of ``count`` lines of exactly ``width`` fields each, column by column."""
    fields = body.replace("\n", ";").split(";")
    return [fields[i : count * width : width] for i in range(width)]


class FileBallots:
    """A VOTES section the column-wise reader checked, kept as its text (a :class:`KeptBallots`).

    ``summed`` maps each distinct raw vote text (or ``(vote, points)`` texts) to its total
    weight and ``decoded`` to its checked ``(projects, points)``: that is all the rules read.
    The section is kept as one string, not as lists per column: the cyclic garbage collector
    visits every element of a list at each collection (Wrocław 2015's columns held 790,000
    strings, about 40 ms a collection), never the inside of a string. :meth:`build` splits it
    again, when something asks for the ballots.
    """

    __slots__ = ("body", "count", "width", "at", "extras", "decoded", "weight_of", "summed")

    def __init__(self, body: str, count: int, width: int, at: tuple[int, int, int, int],
                 extras: list[tuple[int, str]], decoded: dict, weight_of: dict[str, Number],
                 summed: dict[Hashable, Number]) -> None:
        self.body, self.count, self.width = body, count, width
        self.at = at  # the columns of voter_id, vote, points and weight (-1: none)
        self.extras = extras
        self.decoded = decoded
        self.weight_of = weight_of
        self.summed = summed

    def groups(self) -> Iterable[tuple[tuple[tuple[str, ...], tuple[Number, ...] | None], Number]]:
        return zip(map(self.decoded.__getitem__, self.summed), self.summed.values())

    def build(self) -> tuple[Ballot, ...]:
        """The :class:`Ballot` objects, slot by slot (every field was checked when read)."""
        collecting = gc.isenabled()
        gc.disable()  # a hundred thousand small objects at once, none of them garbage
        try:
            id_at, vote_at, points_at, weight_at = self.at
            count = self.count
            columns = _split_columns(self.body, count, self.width)
            keys = columns[vote_at] if points_at < 0 else list(zip(columns[vote_at], columns[points_at]))
            rows = list(map(self.decoded.__getitem__, keys))
            projects, points = zip(*rows) if rows else ((), ())
            weights = repeat(1) if weight_at < 0 else map(self.weight_of.__getitem__, columns[weight_at])
            extra = _extra_values([(h, columns[i]) for i, h in self.extras], count)
            ballots = list(map(object.__new__, repeat(Ballot, count)))
            for name, values in (("voter_id", map(str.strip, columns[id_at])), ("projects", projects),
                                 ("points", points), ("weight", weights), ("extra", extra)):
                deque(map(getattr(Ballot, name).__set__, ballots, values), maxlen=0)
            return tuple(ballots)
        finally:
            if collecting:
                gc.enable()


def _extra_values(extras: list[tuple[str, list[str]]], count: int) -> list[dict[str, str]]:
    """Each row's extra fields as a dict (stripped, ``None`` left out), one per distinct row.

    Each row's fields become one int (a mixed-radix number of per-column codes, computed in
    C), and each distinct int one dict, shared by the ballots that have it.
    """
    if not extras:
        return [{}] * count
    distinct_values = []
    keys: list[int] = []
    for at, (_name, column) in enumerate(extras):
        seen_values = list(dict.fromkeys(column))
        distinct_values.append(seen_values)
        codes = list(map({v: k for k, v in enumerate(seen_values)}.__getitem__, column))
        keys = codes if at == 0 else list(map(add, map(mul, keys, repeat(len(seen_values))), codes))
    names = [name for name, _column in extras]
    shared: dict[int, dict[str, str]] = {}
    for key in set(keys):
        rest, parts = key, []
        for seen_values in reversed(distinct_values):
            rest, code = divmod(rest, len(seen_values))
            parts.append(seen_values[code])
        parts.reverse()
        shared[key] = {name: v for name, raw in zip(names, parts)
                       if (v := raw.strip()) and (len(v) != 4 or v.lower() != "none")}
    return list(map(shared.__getitem__, keys))


# -- writing ------------------------------------------------------------------------------


def write_pb(election: Election) -> str:
    """The election as pabulib text; ``read_pb`` of the result gives an equal election."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    meta = dict(election.meta)
    meta["budget"] = format_number(election.budget)
    vote_type = meta.get("vote_type", "").lower()
    if VOTE_TYPES.get(vote_type) != election.kind:
        meta["vote_type"] = election.kind.value
    for key, value in meta.items():
        writer.writerow([key, value])

    writer.writerow(["PROJECTS"])
    project_columns = _columns(
        election.project_columns,
        ["project_id", "cost"]
        + (["name"] if any(p.name for p in election.projects) else [])
        + ([_category_column(election)] if any(p.categories for p in election.projects) else []),
        [key for p in election.projects for key in p.extra],
    )
    project_columns[0] = "project_id"
    writer.writerow(project_columns)
    category_column = _category_column(election)
    for project in election.projects:
        row = []
        for column in project_columns[1:]:
            if column == "cost":
                row.append(format_number(project.cost))
            elif column == "name" and "name" not in project.extra:
                row.append(project.name or "")
            elif column == category_column:
                row.append(",".join(project.categories))
            else:
                row.append(project.extra.get(column, ""))
        writer.writerow([project.id, *row])

    writer.writerow(["VOTES"])
    base = ["voter_id", "vote"]
    if election.kind.has_points:
        base.append("points")
    if any(b.weight != 1 for b in election.ballots):
        base.append("weight")
    voter_columns = _columns(
        election.voter_columns, base, [key for b in election.ballots for key in b.extra]
    )
    writer.writerow(voter_columns)
    for ballot in election.ballots:
        row = []
        for column in voter_columns:
            if column == "voter_id":
                row.append(ballot.voter_id)
            elif column == "vote":
                row.append(",".join(ballot.projects))
            elif column == "points" and election.kind.has_points:
                row.append(",".join(format_number(p) for p in ballot.points or ()))
            elif column == "weight" and "weight" in base:
                row.append(format_number(ballot.weight))
            else:
                row.append(ballot.extra.get(column, ""))
        writer.writerow(row)
    return out.getvalue()


def _category_column(election: Election) -> str:
    for column in election.project_columns:
        if column in _CATEGORY_COLUMNS:
            return column
    return "category"


def _columns(remembered: tuple[str, ...], required: list[str], used: list[str]) -> list[str]:
    """Keep a file's column order, drop columns nothing fills, add any that are missing."""
    needed = list(dict.fromkeys(required + used))
    if not remembered:
        return needed
    columns = [c for c in remembered if c in needed or c in required]
    columns += [c for c in needed if c not in columns]
    # The id column always comes first (pabutools reads the project id from the first field).
    first = required[0]
    columns.remove(first)
    return [first, *columns]


def election_summary(election: Election) -> dict[str, Any]:
    """Counts for ``check``: projects, voters, ballot kind, budget."""
    return {
        "projects": len(election.projects),
        "voters": len(election.ballots),
        "kind": election.meta.get("vote_type", election.kind.value),
        "budget": format_number(election.budget),
    }


__all__ = ["PabulibError", "format_number", "read_pb", "write_pb", "election_summary"]
