"""Counts of funded proposals by community: published on the public results page and in the
decision report (small counts hidden, others rounded, no total beside a single hidden cell),
exact for facilitators and reviewers in the app."""

from __future__ import annotations

import io
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from grants import disclosure
from grants.awards import documents
from grants.db import db
from grants.proposals.models import Proposal
from grants.reference import ETHNIC_CATEGORIES, ETHNIC_GROUPS
from grants.review import operations as review_ops
from grants.review.queries import by_community
from grants.rounds import operations as round_ops
from grants.rounds.communities import community_table
from grants.rounds.models import Round
from tests import factories
from tests.rounds_helpers import counted_round

ASIAN, BLACK = ETHNIC_GROUPS["asian"], ETHNIC_GROUPS["black"]
# 12 funded proposals: 3 serve Pakistani and African people, 9 Indian and African people
TWELVE = [["asian_pakistani", "black_african"]] * 3 + [["asian_indian", "black_african"]] * 9


def funded(*communities, amount=60_000, selected=True) -> list[dict]:
    return [{"selected": selected, "communities": list(codes), "amount": amount} for codes in communities]


def counts(table) -> dict[str, str]:
    return {row.label: row.proposals for row in table.rows}


# -- the table's rules, on plain rows ------------------------------------------------------------

def test_a_single_hidden_category_hides_the_next_smallest_beside_its_group_total():
    table = community_table(funded(*TWELVE), disclosure.PUBLISHED)
    # Asian 12 → 10 is shown, so Pakistani (3, hidden) would be 10 minus Indian: Indian is hidden too
    assert counts(table) == {ASIAN: "10", "Indian": "*", "Pakistani": "*", BLACK: "10", "African": "10"}
    assert all(row.money is None for row in table.rows)          # money would give the counts away
    assert [row.group for row in table.rows] == [True, False, False, True, False]


def test_facilitators_figures_are_exact_with_money():
    table = community_table(funded(*TWELVE), disclosure.EXACT)
    assert counts(table) == {ASIAN: "12", "Indian": "9", "Pakistani": "3", BLACK: "12", "African": "12"}
    assert {row.label: row.money for row in table.rows}["Pakistani"] == "£1,800"
    assert table.exact and not table.withheld


def test_a_group_hidden_beside_the_known_number_of_funded_proposals_hides_the_next_group_and_its_categories():
    # everyone knows 12 proposals were funded (each is listed): Asian 3 hidden alone would be 12 minus Black
    table = community_table(funded(*[["asian_pakistani"]] * 3, *[["black_african"]] * 9), disclosure.PUBLISHED)
    assert counts(table) == {ASIAN: "*", "Pakistani": "*", BLACK: "*", "African": "*"}
    exact = community_table(funded(*[["asian_pakistani"]] * 3, *[["black_african"]] * 9), disclosure.EXACT)
    assert counts(exact) == {ASIAN: "3", "Pakistani": "3", BLACK: "9", "African": "9"}


def test_too_few_funded_proposals_are_not_published_by_community_at_all():
    rows = funded(["asian_pakistani"], ["asian_pakistani"], ["black_african"],
                  ["black_african"], selected=True) + funded(*[["white_roma"]] * 20, selected=False)
    table = community_table(rows, disclosure.PUBLISHED)
    assert table.withheld and table.rows == [] and table.naming == 4       # not-selected ones do not count
    exact = community_table(rows, disclosure.EXACT)
    assert counts(exact) == {ASIAN: "2", "Pakistani": "2", BLACK: "2", "African": "2"}
    assert community_table([], disclosure.PUBLISHED).rows == [] and not community_table([], disclosure.PUBLISHED).withheld


def test_the_settings_decide_the_threshold(app):
    app.config.update(DISCLOSURE_THRESHOLD=2, DISCLOSURE_ROUNDING=1)
    with app.app_context():
        table = community_table(funded(*TWELVE), disclosure.PUBLISHED)
    assert counts(table) == {ASIAN: "12", "Indian": "9", "Pakistani": "3", BLACK: "12", "African": "12"}


def test_a_group_total_that_is_not_the_sum_of_its_cells():
    # 10 proposals, each in both cells: the total is 10, not 20
    published = disclosure.publish_counts({"a": 10, "b": 10}, total_count=10)
    assert published.total.text == "10" and published.percentages == {"a": "100%", "b": "100%"}
    published = disclosure.publish_counts({"a": 3, "b": 9}, total_count=9)     # 3 hidden beside a shown 9 → 10
    assert [cell.text for cell in published.cells.values()] == ["*", "*"]
    try:
        disclosure.publish_counts({"a": 3}, total_count=4)
    except ValueError as error:
        assert "cannot be more than the sum" in str(error)
    else:
        raise AssertionError("a total above the sum of its cells was accepted")


def test_who_sees_exact_figures(app):
    with app.test_request_context("/"):
        collective = factories.collective("west", "West")
        staff = [factories.member(collective, roles=(role,)) for role in ("facilitator", "reviewer")]
        others = [factories.member(collective, roles=roles) for roles in (("member",), ("member", "applicant"))]
        others += [factories.person(), factories.person(is_admin=True)]
        db.session.commit()
        assert all(disclosure.figures_for(person, collective) is disclosure.EXACT for person in staff)
        assert all(disclosure.figures_for(person, collective) is disclosure.PUBLISHED for person in others)
        assert disclosure.figures_for(None, collective) is disclosure.PUBLISHED


CODES = st.lists(st.sampled_from([c.code for c in ETHNIC_CATEGORIES[:9]]), min_size=0, max_size=3, unique=True)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(CODES, st.booleans()), max_size=40))
def test_no_published_table_gives_a_hidden_count_away(rows):
    rows = [{"selected": selected, "communities": codes, "amount": 50_000} for codes, selected in rows]
    table = community_table(rows, disclosure.PUBLISHED)
    exact = {g["group"]: g for g in by_community(rows)}
    if table.withheld:
        assert 1 <= table.naming <= 7 and table.rows == []
        return
    groups: list[tuple] = []
    for row in table.rows:
        if row.group:
            groups.append((row, []))
        else:
            groups[-1][1].append(row)
    assert len(groups) == len(exact)
    for group, categories in groups:
        true = exact[group.label]
        if 1 <= true["proposals"] <= 7:
            assert group.proposals == "*"
        for row in categories:
            if 1 <= true["categories"][row.label]["proposals"] <= 7:
                assert row.proposals == "*"
        if group.proposals == "*":
            assert all(row.proposals == "*" for row in categories)            # a hidden group hides its parts
        else:
            assert sum(row.proposals == "*" for row in categories) != 1       # never one hidden beside a total
    assert sum(group.proposals == "*" for group, _rows in groups) != 1         # beside the funded count
    assert all(row.money is None for row in table.rows)


# -- the pages and the decision report -------------------------------------------------------------

class _Tables(HTMLParser):
    """Every table row's cell texts, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def community_rows(page: str) -> dict[str, list[str]]:
    section = page[page.index('id="communities"'):]
    parser = _Tables()
    parser.feed(section[:section.index("</table>") + len("</table>")] if "</table>" in section else "")
    return {row[0]: row[1:] for row in parser.rows if row and row[0] != "ONS 2021 group and category"}


def _ratified_round(app, communities) -> dict:
    w = counted_round(app, amounts=(60_000,) * len(communities))
    with app.test_request_context("/", method="POST"):
        for found, codes in zip(w["proposals"], communities):
            proposal = db.session.get(Proposal, found.id)
            proposal.communities_served = list(codes)
            db.session.add(proposal)
        round_ = db.session.get(Round, w["round"].id)
        round_ops.move_round(round_, "submit_for_review", w["facilitator"])
        review_ops.ratify(round_, w["reviewer"])
        db.session.commit()
    return w


def _client(app, person=None):
    client = app.test_client()
    if person is not None:
        assert factories.login(client, person).status_code == 302
    return client


def read_pdf(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_the_public_sees_published_figures_and_facilitators_and_reviewers_exact_ones(app):
    w = _ratified_round(app, TWELVE)
    results = f"/c/west/rounds/{w['round'].id}/results"

    public = _client(app).get(results).data.decode()
    assert "12 of 12 proposals funded" in public
    assert community_rows(public) == {ASIAN: ["10"], "Indian": ["*"], "Pakistani": ["*"],
                                      BLACK: ["10"], "African": ["10"]}
    assert "counts from 1 to 7 are shown as *" in public and "£1,800" not in public
    member = _client(app, w["members"][0]).get(results).data.decode()          # a member is not staff
    assert community_rows(member) == community_rows(public)

    exact = {ASIAN: ["12", "£7,200"], "Indian": ["9", "£5,400"], "Pakistani": ["3", "£1,800"],
             BLACK: ["12", "£7,200"], "African": ["12", "£7,200"]}
    for person in (w["facilitator"], w["reviewer"]):
        page = _client(app, person).get(results).data.decode()
        assert community_rows(page) == exact
        assert "You see exact figures because you are a facilitator or reviewer" in page

    # the decision report is a document: published figures, whoever downloads it
    pdf = _client(app, w["facilitator"]).get(f"/c/west/rounds/{w['round'].id}/review/decision-report.pdf")
    assert pdf.status_code == 200
    text = read_pdf(pdf.data)
    assert f"{ASIAN} 10 Indian * Pakistani * {BLACK} 10 African 10" in text
    assert "Pakistani 3" not in text and "Indian 9" not in text and f"{ASIAN} 12" not in text
    assert "counts from 1 to 7 are shown as *" in text


def test_a_small_round_is_not_published_by_community_but_facilitators_see_it(app):
    w = _ratified_round(app, [["asian_pakistani"]] * 3)
    results = f"/c/west/rounds/{w['round'].id}/results"
    public = _client(app).get(results).data.decode()
    assert "3 of 3 proposals funded" in public
    assert "Fewer than 8 funded proposals say which communities they serve" in public
    assert community_rows(public) == {}
    page = _client(app, w["facilitator"]).get(results).data.decode()
    assert community_rows(page) == {ASIAN: ["3", "£1,800"], "Pakistani": ["3", "£1,800"]}
    with app.app_context():
        text = read_pdf(documents.DECISION_REPORT.render(documents.DECISION_REPORT.load(w["round"].id)))
    assert "Fewer than 8 selected proposals say which communities they serve" in text and "Pakistani" not in text


def test_the_sample_decision_report_carries_no_proposal_communities():
    values = documents.sample_decision_report()
    assert all("communities" not in row for row in values["allocation"])
    assert values["communities"]["withheld"]                       # 5 selected: too few to publish
    assert not values["communities"]["rows"]
