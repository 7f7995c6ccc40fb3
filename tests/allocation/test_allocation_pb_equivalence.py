"""Parser equivalence: the column-wise ``read_pb`` gives what the row-by-row reader gave.

``old_read_pb`` below is the reader as it was before the fast path (kept here only, as the
reference): for every shared pabulib instance and for a set of small files full of quirks
(quotes, blank lines, ``None``, CRLF, short and long rows, errors), both readers must give
equal elections, or the same error at the same line.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from allocation_shared import INSTANCES

from grants.allocation import PabulibError, read_pb
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

# -- the old reader (verbatim but for its name) ---------------------------------------------

_SECTIONS = ("meta", "projects", "votes")
_TITLE_STARTS = frozenset("mMpPvV \t\"")
_CATEGORY_COLUMNS = ("category", "categories")


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


def old_read_pb(source: str | bytes | os.PathLike[str]) -> Election:
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
    return _Reader(text).election()


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
        self.rows = csv.reader(io.StringIO(text, newline=""), delimiter=";")
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
        return Election._trusted(
            budget=self.budget,
            projects=tuple(self.projects),
            ballots=tuple(self.ballots),
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


# -- the checks -----------------------------------------------------------------------------


def _outcome(reader, source):
    try:
        election = reader(source)
    except PabulibError as exc:
        return ("error", exc.line, exc.message)
    return ("ok", election, election.project_columns, election.voter_columns)


@pytest.mark.parametrize("path", sorted(INSTANCES.glob("*.pb")), ids=lambda p: p.stem)
def test_every_shared_instance_reads_the_same(path: Path) -> None:
    new, old = read_pb(path), old_read_pb(path)
    assert new == old
    assert (new.project_columns, new.voter_columns) == (old.project_columns, old.voter_columns)
    assert [b.extra for b in new.ballots] == [b.extra for b in old.ballots]


HEAD = "META\nkey;value\nbudget;100\nvote_type;approval\n"
PROJECTS = "PROJECTS\nproject_id;cost;name\n1;10;one\n2;20;two\n"
CUMULATIVE = "META\nkey;value\nbudget;100\nvote_type;cumulative\n" + PROJECTS
VOTES = "VOTES\nvoter_id;vote;age;district\n"

QUIRKS = {
    "plain": HEAD + PROJECTS + VOTES + "v1;1,2;30;North\nv2;2;;South\nv3;;none;\n",
    "no final newline": HEAD + PROJECTS + VOTES + "v1;1;30;North",
    "crlf": (HEAD + PROJECTS + VOTES + "v1;1;30;North\nv2;2;31;South\n").replace("\n", "\r\n"),
    "lone cr": HEAD + PROJECTS + VOTES + "v1;1;30;North\rv2;2;31;South\n",
    "quotes": HEAD + PROJECTS + VOTES + 'v1;"1,2";30;"North; East"\n',
    "quoted newline": HEAD + PROJECTS + VOTES + 'v1;1;30;"North\nEast"\nv2;2;1;x\n',
    "blank lines": HEAD + PROJECTS + VOTES + "v1;1;30;North\n\n  \nv2;2;31;South\n\n",
    "short row": HEAD + PROJECTS + VOTES + "v1;1\nv2;2;31;South\n",
    "long row, empty extras": HEAD + PROJECTS + VOTES + "v1;1;30;North;;\n",
    "long row, full extras": HEAD + PROJECTS + VOTES + "v1;1;30;North;x\n",
    "spaces and None": HEAD + PROJECTS + VOTES + " v1 ; 1 , 2 ; None ;NONE\nv2;None;x;y\n",
    "empty entries": HEAD + PROJECTS + VOTES + "v1;1,,2;1;2\nv2;,;1;2\n",
    "title inside": HEAD + PROJECTS + VOTES + "v1;1;30;North\n votes ;x;y;z\n",
    "odd title": HEAD + PROJECTS + VOTES + "v1;1;30;North\n\x0cvotes;1;y;z\n",
    "voter None": HEAD + PROJECTS + VOTES + "None;1;1;1\n",
    "duplicate voter": HEAD + PROJECTS + VOTES + "v1;1;1;1\nv2;1;1;1\n v1;2;1;1\n",
    "unknown project": HEAD + PROJECTS + VOTES + "v1;1;1;1\nv2;3;1;1\n",
    "project twice": HEAD + PROJECTS + VOTES + "v1;1;1;1\nv2;1,2,1;1;1\n",
    "empty voter": HEAD + PROJECTS + VOTES + "v1;1;1;1\n ;2;1;1\n",
    "nul": HEAD + PROJECTS + VOTES + "v1;1;1\x00;1\n",
    "weights": HEAD + PROJECTS + "VOTES\nvoter_id;vote;weight\nv1;1;2\nv2;2;\nv3;1,2;1/2\nv4;2;0,5\n",
    "zero weight": HEAD + PROJECTS + "VOTES\nvoter_id;vote;weight\nv1;1;2\nv2;2;0\n",
    "bad weight": HEAD + PROJECTS + "VOTES\nvoter_id;vote;weight\nv1;1;2\nv2;2;x\n",
    "columns reordered": HEAD + PROJECTS + "VOTES\nage;vote;voter_id\n30;1;v1\n;2;v2\n",
    "points": CUMULATIVE + "VOTES\nvoter_id;vote;points\nv1;1,2;3,1\nv2;2;4\nv3;;\n",
    "points mismatch": CUMULATIVE + "VOTES\nvoter_id;vote;points\nv1;1,2;3,1\nv2;2;4,1\n",
    "points not numbers": CUMULATIVE + "VOTES\nvoter_id;vote;points\nv1;1,2;3,1\nv2;2;x\n",
    "points empty id": CUMULATIVE + "VOTES\nvoter_id;vote;points\nv1;1,,2;3,1,1\n",
    "second section": HEAD + PROJECTS + VOTES + "v1;1;1;1\nMETA;x;y;z\nkey;value;a;b\n",
    "unclosed quote": HEAD + PROJECTS + VOTES + 'v1;"1;1;1\nv2;2;1;1\n',
    "bom": "\ufeff" + HEAD + PROJECTS + VOTES + "v1;1;30;North\n",
    "non-ascii": HEAD + PROJECTS + VOTES + "v1;1;30;Śródmieście\nv2;2;30;Ursynów\n",
}


@pytest.mark.parametrize("name", sorted(QUIRKS))
def test_quirky_files_read_the_same_or_fail_at_the_same_line(name: str) -> None:
    text = QUIRKS[name]
    new, old = _outcome(read_pb, text), _outcome(old_read_pb, text)
    assert new == old
    assert _outcome(read_pb, text.encode("utf-8")) == old


def test_the_malformed_files_fail_the_same_way() -> None:
    from test_allocation_pabulib import MALFORMED

    for text, _line, _message in MALFORMED:
        text = text if "\n" in text else text + "\n"
        assert _outcome(read_pb, text) == _outcome(old_read_pb, text), text


FAST = {"plain", "no final newline", "crlf", "spaces and None", "voter None", "weights", "empty entries",
        "columns reordered", "points", "bom", "non-ascii"}


@pytest.mark.parametrize("name", sorted(QUIRKS))
def test_the_column_wise_path_reads_the_usual_files(name: str, monkeypatch) -> None:
    """The usual files take the column-wise path; anything unusual falls back to the rows."""
    from grants.allocation import pabulib

    taken = []
    plain = pabulib._Reader._read_plain_votes

    def spy(self, *args):
        taken.append(plain(self, *args))
        return taken[-1]

    monkeypatch.setattr(pabulib._Reader, "_read_plain_votes", spy)
    _outcome(read_pb, QUIRKS[name])
    assert (taken == [True]) == (name in FAST), taken
