"""The results say what a member can check: the general pot's budget with the money the ring-fenced
pots passed on, the add-one completion in words, whole-number chart ticks and "3 of 5 voters"
(issue 13, items 4 and 19)."""

from __future__ import annotations

import html
import re

from grants.allocation import run_rule
from grants.rounds.charts import support_chart_svg
from tests.allocation.test_allocation_explanations import approval
from tests.test_counted_election import POT, _awarded_round


def _page(client, w) -> str:
    return html.unescape(client.get(f"/c/west/rounds/{w['round'].id}/results").data.decode())


def test_the_general_pot_shows_its_budget_with_what_the_ring_fenced_pot_left(client, app):
    # £10,000 with £3,000 ring-fenced: the pot funds Baby massage (£2,000) and leaves £1,000, which the
    # count gives the general pot: £8,000, all of it spent (Walking club £3,000, Diabetes cafe £5,000)
    w, _ps = _awarded_round(app, "greedy_cost")
    page = _page(client, w)
    table = page[page.index("Money by pot"):page.index("</table>", page.index("Money by pot"))]
    # each cell's text (a theme's name sits in its own dir="auto" span)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", table, re.S)]
    general = cells.index(next(c for c in cells if c.startswith("General pot")))
    assert cells[general + 1:general + 3] == ["£8,000", "£8,000"]
    assert "£7,000 plus £1,000 not used by the Best start in life pot" in cells[general]
    pot = cells.index(f"{POT} (ring-fenced)")
    assert cells[pot + 1:pot + 3] == ["£3,000", "£2,000"]


def test_support_reads_as_voters_out_of_all_voters(client, app):
    w, _ps = _awarded_round(app, "greedy_cost")
    page = _page(client, w)
    assert "3 of 5 voters" in page          # Walking club: 3 of the 5 ballots chose it
    assert " ballots</dd>" not in page and "from 3 ballots" not in page


def test_the_add_one_sentence_says_why_each_share_is_more_than_an_equal_split():
    # Four voters and 100 to share: 25 each to start; the add-one completion raises it to 28 each,
    # and 4 x 28 = 112 is more than the budget. The sentence must say so in words.
    e = approval(100, {"X": 40, "Y": 60, "Z": 30, "W": 5}, ["XZ", "XZ", "YZ", "YZ"])
    result = run_rule("mes_cost_add1", e)
    assert result.details["share_final"] == 28
    for pid in ("X", "Y", "Z"):
        sentence = result.explanations[pid].sentence
        assert "Sharing the 100 equally gave each of the 4 voters 25" in sentence
        assert "raised a step at a time" in sentence and "add-one" in sentence
        assert "it stopped at 28 each" in sentence
        assert "Together those shares come to 112, more than the 100, but nobody spends their whole share" in sentence
    plain = run_rule("mes_cost", e).explanations["Z"].sentence
    assert "every voter started with a share of 25" in plain and "add-one" not in plain


def test_the_add_one_sentence_on_the_results_page(client, app):
    w, _ps = _awarded_round(app, "mes_cost_add1")
    page = _page(client, w)
    assert "equally gave each of the 5 voters" in page and "add-one" in page


def test_the_chart_has_whole_number_ticks_only():
    rows = [{"support": s, "proposal_id": i, "selected": i % 2 == 0, "title": f"Project {i}"}
            for i, s in enumerate([3, 2, 1])]
    svg = support_chart_svg(rows)
    ticks = re.findall(r'<g id="xtick_\d+">.*?<text[^>]*>([^<]*)</text>', svg, re.S)
    assert ticks, "the chart has x ticks"
    assert all(re.fullmatch(r"\d+", t) for t in ticks), ticks
