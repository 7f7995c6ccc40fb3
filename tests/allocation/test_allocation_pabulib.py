"""The pabulib reader and writer: round trips, tolerated variations, and every malformed-file
error with its line number."""

from __future__ import annotations

from fractions import Fraction

import pytest
from allocation_shared import INSTANCES, election
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grants.allocation import Ballot, BallotKind, Election, PabulibError, Project, read_pb, write_pb
from grants.allocation.pabulib import format_number

GOOD = """META
key;value
description;Test vote
country;Nowhere
budget;1000,5
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name;category;votes
p1;600;"Park; with a pond";culture,nature;2
p2;250,5;Library;;1
p3;400;None;education;0
VOTES
voter_id;age;vote;sex
v1;34;p1,p2;F
v2;None;p1;M
"""


def test_reads_a_file_with_quotes_decimal_commas_and_none() -> None:
    e = read_pb(GOOD)
    assert e.budget == Fraction(2001, 2)
    assert e.kind == BallotKind.APPROVAL
    assert [p.id for p in e.projects] == ["p1", "p2", "p3"]
    assert e.project("p1").name == "Park; with a pond"
    assert e.project("p1").categories == ("culture", "nature")
    assert e.project("p2").cost == Fraction(501, 2)
    assert e.project("p3").name is None
    assert e.project("p1").extra == {"votes": "2"}
    assert e.ballots[0].projects == ("p1", "p2")
    assert e.ballots[0].extra == {"age": "34", "sex": "F"}
    assert e.ballots[1].extra == {"sex": "M"}
    assert e.meta["description"] == "Test vote"
    assert e.meta["budget"] == "1000.5"


def test_bom_crlf_bytes_and_paths(tmp_path) -> None:
    raw = ("\ufeff" + GOOD).replace("\n", "\r\n").encode("utf-8")
    path = tmp_path / "x.pb"
    path.write_bytes(raw)
    assert read_pb(path) == read_pb(GOOD) == read_pb(raw) == read_pb(str(path))


def test_choose_one_is_read_as_approval_and_written_back_as_choose_one() -> None:
    e = read_pb(GOOD.replace("vote_type;approval", "vote_type;choose-1"))
    assert e.kind == BallotKind.APPROVAL
    assert "vote_type;choose-1" in write_pb(e)


def test_writer_keeps_meta_and_extra_columns_in_order() -> None:
    text = write_pb(read_pb(GOOD))
    assert text.splitlines()[:8] == [
        "META", "key;value", "description;Test vote", "country;Nowhere", "budget;1000.5",
        "vote_type;approval", "rule;greedy", "PROJECTS",
    ]
    assert "project_id;cost;name;category;votes" in text
    assert "voter_id;age;vote;sex" in text
    assert '"Park; with a pond"' in text
    assert read_pb(text) == read_pb(GOOD)


@pytest.mark.parametrize("name", [
    "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb",   # approval, CRLF
    "Poland_Czestochowa_2020_Grabowka.pb",             # cumulative
    "France_Toulouse_2022_17_-_Mirail-Universite_Reynerie_Bellefontaine.pb",  # costs like 75000.0
    "Switzerland_Zurich_D10.pb",                       # cumulative, many voter columns
    "Poland_Warszawa_2018_Ursus_Poludniowy.pb",        # budget 827838.5
])
def test_real_files_round_trip(name: str) -> None:
    original = election(name)
    text = write_pb(original)
    again = read_pb(text)
    assert again == original
    assert write_pb(again) == text


def test_every_shared_file_reads() -> None:
    files = sorted(INSTANCES.glob("*.pb"))
    assert len(files) == 44
    for path in files[:12]:  # the rest are read by the reference tests
        assert read_pb(path).projects


def test_format_number() -> None:
    assert format_number(12) == "12"
    assert format_number(Fraction(1655677, 2)) == "827838.5"
    assert format_number(Fraction(1, 8)) == "0.125"
    assert format_number(Fraction(-3, 4)) == "-0.75"
    assert format_number(Fraction(1, 3)) == "1/3"


# -- round trip on random elections -------------------------------------------------------

SAFE_TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ 019;\"',.-_ąż£\t") + ["\n"]), min_size=1, max_size=12
).map(str.strip).filter(lambda s: s and s.lower() != "none")
IDS = st.text(alphabet=st.sampled_from(list("ab19X_-;\"")), min_size=1, max_size=4).filter(
    lambda s: s == s.strip() and s.lower() not in ("meta", "projects", "votes")
)
NUMBERS = st.one_of(st.integers(0, 10**7), st.fractions(0, 10**6, max_denominator=12))
COLUMN = st.sampled_from(["age", "sex", "district", "note"])


@st.composite
def random_elections(draw):
    kind = draw(st.sampled_from(list(BallotKind)))
    ids = draw(st.lists(IDS, min_size=1, max_size=5, unique=True))
    projects = tuple(
        Project(
            pid, draw(NUMBERS), draw(st.none() | SAFE_TEXT),
            tuple(draw(st.lists(SAFE_TEXT.filter(lambda s: "," not in s), unique=True, max_size=2))),
            draw(st.dictionaries(st.sampled_from(["votes", "selected", "url"]), SAFE_TEXT, max_size=2)),
        )
        for pid in ids
    )
    ballots = []
    for n in range(draw(st.integers(0, 5))):
        chosen = tuple(draw(st.lists(st.sampled_from(ids), unique=True)))
        points = tuple(draw(NUMBERS) for _ in chosen) if kind.has_points else None
        weight = draw(st.sampled_from([1, 1, 2, Fraction(3, 2)]))
        extra = draw(st.dictionaries(COLUMN, SAFE_TEXT, max_size=2))
        ballots.append(Ballot(f"v{n}", chosen, points, weight, extra))
    meta = draw(st.dictionaries(st.sampled_from(["description", "country", "unit", "comment"]),
                                SAFE_TEXT, max_size=3))
    return Election(draw(NUMBERS), projects, tuple(ballots), kind, meta)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(original=random_elections())
def test_written_files_read_back_equal(original: Election) -> None:
    text = write_pb(original)
    again = read_pb(text)
    assert again == original
    assert write_pb(again) == text


# -- malformed files ----------------------------------------------------------------------

HEAD = "META\nkey;value\nbudget;100\nvote_type;approval\n"
PROJECTS = "PROJECTS\nproject_id;cost\n1;10\n2;20\n"
VOTES = "VOTES\nvoter_id;vote\n"
CUMULATIVE = "META\nkey;value\nbudget;100\nvote_type;cumulative\n" + PROJECTS

MALFORMED = [
    ("", 1, "the file is empty"),
    ("\n\n", 1, "the file is empty"),
    ("hello;world\n" + HEAD, 1, "must start with a META section"),
    ("META\nkey;value\nvote_type;approval\n" + PROJECTS + VOTES, 1, "META has no budget"),
    ("META\nkey;value\nbudget;lots\nvote_type;approval\n" + PROJECTS + VOTES, 3, "budget 'lots' is not a number"),
    ("META\nkey;value\nbudget;-5\nvote_type;approval\n" + PROJECTS + VOTES, 3, "is negative"),
    ("META\nkey;value\nbudget;100\n" + PROJECTS + VOTES, 1, "META has no vote_type"),
    ("META\nkey;value\nbudget;100\nvote_type;ranked\n" + PROJECTS + VOTES, 4, "unknown vote_type 'ranked'"),
    ("META\nkey;value\nbudget;100\nbudget;200\n", 4, "the META key 'budget' appears twice"),
    ("META\nkey;value\nbudget\n", 3, "a META line must be key;value"),
    (HEAD, 4, "the PROJECTS section is missing"),
    (HEAD + VOTES, 5, "the VOTES section comes before PROJECTS"),
    (HEAD + PROJECTS, 8, "the VOTES section is missing"),
    (HEAD + "PROJECTS\n", 5, "the PROJECTS section has no header line"),
    (HEAD + "PROJECTS\nproject_id;name\n1;x\n" + VOTES, 6, "no cost column"),
    (HEAD + "PROJECTS\nproject_id;cost;cost\n", 6, "the column 'cost' twice"),
    (HEAD + "PROJECTS\nproject_id;cost\n1;10\n1;20\n" + VOTES, 8, "project '1' appears twice"),
    (HEAD + "PROJECTS\nproject_id;cost\n1;ten\n" + VOTES, 7, "the cost of project '1' 'ten' is not a number"),
    (HEAD + "PROJECTS\nproject_id;cost\n1;-10\n" + VOTES, 7, "is negative"),
    (HEAD + "PROJECTS\nproject_id;cost\n1;\n" + VOTES, 7, "the cost of project '1' is empty"),
    (HEAD + "PROJECTS\nproject_id;cost\n;10\n" + VOTES, 7, "a project has an empty id"),
    (HEAD + 'PROJECTS\nproject_id;cost\n"a,b";10\n' + VOTES, 7, "contains a comma"),
    (HEAD + "PROJECTS\nproject_id;cost\n1;10;extra\n" + VOTES, 7, "3 fields but the PROJECTS header has 2"),
    (HEAD + PROJECTS + "VOTES\nvoter_id;ballot\n", 10, "the VOTES header has no vote column"),
    (HEAD + PROJECTS + "VOTES\nid;vote\n", 10, "the VOTES header has no voter_id column"),
    (HEAD + PROJECTS + VOTES + "v1;1,3\n", 11, "unknown project '3'"),
    (HEAD + PROJECTS + VOTES + "v1;1\nv2;2\nv1;2\n", 13, "voter 'v1' appears twice"),
    (HEAD + PROJECTS + VOTES + "v1;1,2,1\n", 11, "names project '1' twice"),
    (HEAD + PROJECTS + VOTES + ";1\n", 11, "empty voter_id"),
    (HEAD + PROJECTS + VOTES + "v1;1\nMETA\nkey;value\n", 12, "a second META section after VOTES"),
    (HEAD + PROJECTS + "VOTES\nvoter_id;vote;weight\nv1;1;0\n", 11, "must be positive"),
    (HEAD + PROJECTS + "VOTES\nvoter_id;vote;weight\nv1;1;heavy\n", 11, "is not a number"),
    (CUMULATIVE + VOTES, 10, "cumulative votes need a points column"),
    (CUMULATIVE + "VOTES\nvoter_id;vote;points\nv1;1,2;3\n", 11, "lists 2 projects but 1 points"),
    (CUMULATIVE + "VOTES\nvoter_id;vote;points\nv1;1,2;3,x\n", 11, "points value 'x' is not a number"),
    (CUMULATIVE + "VOTES\nvoter_id;vote;points\nv1;1,,2;3,1,1\n", 11, "empty project id"),
    (HEAD + PROJECTS + VOTES + 'v1;"1\n', 11, "cannot read the line"),
]


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED,
                         ids=[f"line{line}-{msg[:30]}" for _t, line, msg in MALFORMED])
def test_malformed_files_say_where_and_what(text: str, line: int, message: str) -> None:
    with pytest.raises(PabulibError) as caught:
        read_pb(text if "\n" in text else text + "\n")
    assert caught.value.line == line, str(caught.value)
    assert message in caught.value.message
    assert str(caught.value) == f"line {line}: {caught.value.message}"


def test_not_utf8_is_an_error_with_a_line() -> None:
    raw = (HEAD + PROJECTS).encode("utf-8") + b"VOTES\nvoter_id;vote\nv1;\xff\n"
    with pytest.raises(PabulibError) as caught:
        read_pb(raw)
    assert caught.value.line == 11
    assert "not UTF-8" in caught.value.message


def test_model_rejects_what_the_format_cannot_hold() -> None:
    with pytest.raises(ValueError, match="comma"):
        Project("a,b", 1)
    with pytest.raises(ValueError, match="comma"):
        Project("a", 1, categories=("x,y",))
    with pytest.raises(TypeError, match="float"):
        Project("a", 1.5)
    with pytest.raises(ValueError, match="twice"):
        Election(10, (Project("a", 1), Project("a", 2)))
    with pytest.raises(ValueError, match="unknown project"):
        Election(10, (Project("a", 1),), (Ballot("v", ("b",)),))
    with pytest.raises(ValueError, match="need points"):
        Election(10, (Project("a", 1),), (Ballot("v", ("a",)),), BallotKind.CUMULATIVE)
    with pytest.raises(ValueError, match="may not be called"):
        Ballot("v", (), extra={"vote": "x"})
