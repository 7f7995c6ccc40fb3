"""Parser equivalence: the column-wise ``read_pb`` gives what the row-by-row reader gave.

The row-by-row reader is the one ``read_pb`` had before its column-wise fast path, and still
has for anything unusual; ``old_read_pb`` below is ``read_pb`` with the fast path turned off.
For every shared pabulib instance and for a set of small files full of quirks (quotes, blank
lines, ``None``, CRLF, short and long rows, errors), both must give equal elections, or the same
error at the same line.
"""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path
from unittest import mock

import pytest
from allocation_shared import INSTANCES

from grants.allocation import PabulibError, pabulib, read_pb
from grants.allocation.profile import compile_profile


def old_read_pb(source):
    """``read_pb`` by rows only: the column-wise path declines every file."""
    with mock.patch.object(pabulib._Reader, "_read_plain_votes", return_value=False):
        return read_pb(source)


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
    taken = []
    plain = pabulib._Reader._read_plain_votes

    def spy(self, *args):
        taken.append(plain(self, *args))
        return taken[-1]

    monkeypatch.setattr(pabulib._Reader, "_read_plain_votes", spy)
    _outcome(read_pb, QUIRKS[name])
    assert (taken == [True]) == (name in FAST), taken


# -- ballots kept as columns ----------------------------------------------------------------


def _rebuilt(election):
    """The same election built the ordinary way, from its (now built) Ballot objects."""
    return dataclasses.replace(election, ballots=tuple(election.ballots))


@pytest.mark.parametrize("name", sorted(FAST))
def test_rules_see_the_same_profile_from_the_columns_as_from_the_ballots(name: str) -> None:
    """A file read column-wise hands the rules its distinct ballots without building a Ballot
    per voter; the compiled profile must be exactly the one its built ballots give."""
    lazy = read_pb(QUIRKS[name])
    assert "ballots" not in vars(lazy), "the column-wise reader should keep its ballots as text"
    profile = compile_profile(lazy)
    assert "ballots" not in vars(lazy), "compiling the profile should not build the ballots"
    rebuilt = _rebuilt(lazy)
    assert compile_profile(rebuilt) == profile
    assert rebuilt.num_voters == lazy.num_voters
    assert sorted(lazy.ballot_groups(), key=repr) == sorted(rebuilt.ballot_groups(), key=repr)


@pytest.mark.parametrize("path", sorted(INSTANCES.glob("*.pb")), ids=lambda p: p.stem)
def test_every_shared_instance_compiles_the_same_from_its_columns(path: Path) -> None:
    lazy = read_pb(path)
    assert compile_profile(_rebuilt(lazy)) == compile_profile(lazy)


def test_an_election_with_column_ballots_survives_pickling() -> None:
    """Queued work may carry an election: its kept columns pickle, and build the same ballots."""
    lazy = read_pb(QUIRKS["weights"])
    copy = pickle.loads(pickle.dumps(lazy))
    assert copy == lazy
    assert copy.ballots == old_read_pb(QUIRKS["weights"]).ballots
