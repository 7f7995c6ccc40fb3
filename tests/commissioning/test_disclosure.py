"""Disclosure control: small counts hidden, others rounded, totals that never give a hidden cell away."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from grants import disclosure
from grants.disclosure import publish_count, publish_counts


def texts(published):
    return {key: cell.text for key, cell in published.cells.items()}


def test_one_to_seven_are_hidden_zero_is_shown_and_the_rest_rounded_to_fives():
    assert [publish_count(n).text for n in (0, 1, 7, 8, 12, 13, 22, 23, 1234)] == [
        "0", "*", "*", "10", "10", "15", "20", "25", "1,235"]


def test_a_rounded_figure_never_falls_to_the_threshold_or_below():
    # threshold 6, base 5: 7 would round to 5, which is below the threshold, so it shows as 10
    assert publish_count(7, threshold=6, rounding=5).value == 10
    assert publish_count(11, threshold=10, rounding=5).value == 15


def test_a_single_hidden_cell_beside_a_total_hides_the_next_smallest_cell_too():
    published = publish_counts({"roma": 4, "african": 23, "arab": 9, "irish": 40})
    assert texts(published) == {"roma": "*", "african": "25", "arab": "*", "irish": "40"}
    assert published.total.text == "75"                     # 76 rounded: the two hidden cells share 10
    assert published.percentages == {"roma": "*", "african": "33%", "arab": "*", "irish": "53%"}


def test_the_next_smallest_cell_is_hidden_even_when_it_is_above_the_threshold():
    published = publish_counts({"roma": 9, "irish": 0, "arab": 3})   # total 12 shown would give arab away
    assert texts(published) == {"roma": "*", "irish": "0", "arab": "*"}
    assert published.total.text == "10"


def test_a_group_whose_only_people_are_hidden_hides_its_total_and_percentages():
    published = publish_counts({"roma": 5, "irish": 0, "arab": 0})
    assert texts(published) == {"roma": "*", "irish": "0", "arab": "0"}
    assert published.total.suppressed and published.percentages == {}


def test_two_hidden_cells_need_no_more_hiding():
    published = publish_counts({"roma": 4, "arab": 3, "irish": 40})
    assert texts(published) == {"roma": "*", "arab": "*", "irish": "40"} and published.total.text == "45"


def test_percentages_come_from_the_rounded_figures():
    published = publish_counts({"a": 12, "b": 13, "c": 76})   # rounded 10, 15, 75; total 101 → 100
    assert published.total.value == 100
    assert published.percentages == {"a": "10%", "b": "15%", "c": "75%"}


def test_settings_come_from_the_app_config(app):
    app.config.update(DISCLOSURE_THRESHOLD=10, DISCLOSURE_ROUNDING=10)
    with app.app_context():
        assert disclosure.settings() == (10, 10)
        assert publish_count(10).text == "*"
        assert publish_count(14).text == "20"           # nearest 10 is 10, but that is not above the threshold
        assert publish_count(26).text == "30"
    assert disclosure.settings() == (7, 5)              # outside an app: the defaults


COUNTS = st.dictionaries(st.sampled_from([f"group{i}" for i in range(12)]),
                         st.one_of(st.integers(0, 12), st.integers(0, 2000)), min_size=1, max_size=12)
RULES = st.tuples(st.integers(0, 15), st.sampled_from([1, 2, 3, 5, 10]))


@settings(max_examples=250, deadline=None)
@given(counts=COUNTS, rules=RULES)
def test_no_published_cell_is_below_the_threshold(counts, rules):
    threshold, base = rules
    published = publish_counts(counts, threshold=threshold, rounding=base)
    for key, cell in [*published.cells.items(), ("total", published.total)]:
        if cell.suppressed:
            assert cell.text == "*"
            continue
        assert cell.value == 0 or cell.value > threshold, (key, cell)
        assert cell.value % base == 0
        assert cell.text == f"{cell.value:,}"
    for key, count in counts.items():
        cell = published.cells[key]
        if 1 <= count <= threshold:
            assert cell.suppressed                              # every small count is hidden
        if count == 0:
            assert cell.text == "0"                             # and a true zero is said plainly
        if not cell.suppressed and count > 0:
            assert abs(cell.value - count) <= max(base, threshold + base)


@settings(max_examples=250, deadline=None)
@given(counts=COUNTS, rules=RULES)
def test_a_shown_total_never_reveals_a_hidden_cell(counts, rules):
    threshold, base = rules
    published = publish_counts(counts, threshold=threshold, rounding=base)
    hidden = [key for key, cell in published.cells.items() if cell.suppressed]
    if not published.total.suppressed:
        # total minus the shown cells would be the one hidden cell: never only one
        assert len(hidden) != 1
        for key, cell in published.cells.items():
            expected = "*" if cell.suppressed else (
                f"{round(100 * cell.value / published.total.value)}%" if published.total.value else None)
            assert published.percentages.get(key) == expected


@settings(max_examples=200, deadline=None)
@given(counts=COUNTS)
def test_without_a_total_only_primary_suppression_applies(counts):
    published = publish_counts(counts, total=False)
    assert published.total is None and published.percentages == {}
    assert {k for k, c in published.cells.items() if c.suppressed} == {k for k, n in counts.items() if 1 <= n <= 7}
