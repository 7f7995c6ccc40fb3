"""Representation ratios and their 95% intervals against values worked out by hand.

Katz log method: SE = sqrt(1/x − 1/N_u + 1/n − 1/N_p), interval exp(ln R ± 1.959964·SE).

Case A: x = 20 of N_u = 1,000 users; n = 500 of N_p = 10,000 people.
    R = 0.02 / 0.05 = 0.4;  SE = sqrt(0.05 − 0.001 + 0.002 − 0.0001) = sqrt(0.0509) = 0.225610
    ln 0.4 = −0.916291;  ±1.959964 × 0.225610 = ±0.442188
    interval = exp(−1.358479) .. exp(−0.474103) = 0.257052 .. 0.622443  → under-served (< 0.8)
Case B: x = 90 of 1,000; n = 1,000 of 10,000.  R = 0.9;
    SE = sqrt(1/90 − 0.001 + 0.001 − 0.0001) = sqrt(0.0110111) = 0.104934
    interval = exp(−0.105361 ∓ 0.205667) = exp(−0.311027) .. exp(0.100306) = 0.732694 .. 1.105509
    → not under-served (the interval reaches above 0.8)
Case C: x = 0 of 1,000; n = 500 of 10,000.  R = 0, lower bound 0; upper bound with 0.5 added:
    x' = 0.5, N_u' = 1,001;  R' = (0.5/1001)/0.05 = 0.00999001
    SE' = sqrt(2 − 1/1001 + 0.002 − 0.0001) = sqrt(2.000901) = 1.414532
    upper = exp(ln 0.00999001 + 1.959964 × 1.414532) = exp(−4.606170 + 2.772432) = exp(−1.833738) = 0.159815
"""

from __future__ import annotations

import pytest

from grants.commissioning import stats

# Pure functions and sample documents: no database (make test's PostgreSQL pass skips them).
pytestmark = pytest.mark.database_free


def test_case_a_ratio_and_interval():
    result = stats.representation_ratio(20, 1000, 500, 10_000)
    assert result.ratio == pytest.approx(0.4)
    assert result.ci_low == pytest.approx(0.257052, abs=1e-5)
    assert result.ci_high == pytest.approx(0.622443, abs=1e-5)


def test_case_b_interval_reaching_the_threshold_is_not_under_served():
    result = stats.representation_ratio(90, 1000, 1000, 10_000)
    assert result.ratio == pytest.approx(0.9)
    assert result.ci_low == pytest.approx(0.732694, abs=1e-5)
    assert result.ci_high == pytest.approx(1.105509, abs=1e-5)


def test_case_c_nobody_from_the_group_used_the_service():
    result = stats.representation_ratio(0, 1000, 500, 10_000)
    assert (result.ratio, result.ci_low) == (0.0, 0.0)
    assert result.ci_high == pytest.approx(0.159815, abs=1e-5)


def test_no_ratio_without_population_or_users():
    assert stats.representation_ratio(5, 100, 0, 1000) is None
    assert stats.representation_ratio(0, 0, 10, 1000) is None


def test_z_is_the_two_sided_95_percent_normal_quantile():
    assert stats.Z95 == pytest.approx(1.959964, abs=1e-6)


def test_area_gaps_leave_not_stated_out_of_the_shares_and_report_it_beside():
    area = stats.area_gaps("GP", "2025-26", "Ladywood", "ons",
                           users={"asian_pakistani": 20, "white_british": 980, "not_stated": 250},
                           population={"asian_pakistani": 500, "white_british": 9500}, threshold=0.8)
    assert (area.users_stated, area.users_not_stated, area.population_stated) == (1000, 250, 10_000)
    assert area.not_stated_percent == pytest.approx(20.0)        # 250 of all 1,250 users
    pakistani, british = area.gaps
    assert pakistani.ethnic_group == "asian_pakistani"
    assert pakistani.user_share == pytest.approx(0.02)           # of stated users only
    assert pakistani.ratio == pytest.approx(0.4)
    assert pakistani.under_served and not british.under_served
    assert [g.ethnic_group for g in area.under_served] == ["asian_pakistani"]


def test_a_group_living_there_that_nobody_from_used_the_service_is_listed_and_flagged():
    # the file says 0: nobody used it
    area = stats.area_gaps("GP", "2025-26", "Handsworth", "ons", users={"white_british": 1000, "white_roma": 0},
                           population={"white_british": 9000, "white_roma": 1000})
    roma = next(g for g in area.gaps if g.ethnic_group == "white_roma")
    assert (roma.users, roma.population, roma.ratio) == (0, 1000, 0.0)
    assert roma.under_served


def test_a_group_absent_from_the_usage_file_has_no_data_and_is_never_flagged():
    # issue 13, item 5: absent is not zero
    area = stats.area_gaps("GP", "2025-26", "Handsworth", "ons", users={"white_british": 1000},
                           population={"white_british": 9000, "white_roma": 1000})
    roma = next(g for g in area.gaps if g.ethnic_group == "white_roma")
    assert roma.no_data and roma.users is None and roma.ratio is None and not roma.under_served
    assert area.under_served == []
    british = next(g for g in area.gaps if g.ethnic_group == "white_british")
    # the others are compared with the population of the groups that have data
    assert british.ratio == pytest.approx(1.0) and area.population_stated == 9000
    # all areas: absent in an area where the group lives is no data there too
    counts = stats.DatasetCounts("GP", "2025-26", "ons", {("A", "white_british"): 90, ("A", "white_roma"): 1,
                                                         ("B", "white_british"): 50})
    overall = stats.all_areas(counts, {"A": {"white_british": 900, "white_roma": 100},
                                       "B": {"white_british": 500, "white_roma": 400}})
    roma = next(g for g in overall.gaps if g.ethnic_group == "white_roma")
    assert roma.no_data and not roma.under_served


def test_users_of_a_group_with_no_population_figure_have_no_ratio():
    area = stats.area_gaps("GP", "2025-26", "Ladywood", "ons", users={"white_british": 100, "other_any": 5},
                           population={"white_british": 1000})
    other = next(g for g in area.gaps if g.ethnic_group == "other_any")
    assert (other.population, other.ratio, other.under_served) == (None, None, False)


def test_nhs_coded_usage_is_compared_with_population_folded_to_nhs_categories():
    # NHS data counts Roma people under C (Other White): without folding, Roma would look absent.
    area = stats.area_gaps("Diabetes", "2025-26", "Handsworth", "nhs",
                           users={"white_other": 40, "white_british": 60},
                           population={"white_other": 300, "white_roma": 100, "white_british": 600})
    assert [g.ethnic_group for g in area.gaps] == ["white_british", "white_other"]
    other = area.gaps[1]
    assert other.population == 400 and other.ratio == pytest.approx(1.0)


def test_the_threshold_is_applied_to_the_whole_interval():
    users, population = {"asian_pakistani": 20, "white_british": 980}, {"asian_pakistani": 500, "white_british": 9500}
    high = stats.area_gaps("GP", "p", "a", "ons", users, population, threshold=0.8).gaps[0]
    low = stats.area_gaps("GP", "p", "a", "ons", users, population, threshold=0.5).gaps[0]
    assert high.ci_high < 0.8 and high.under_served
    assert low.ci_high > 0.5 and not low.under_served


def test_all_areas_adds_up_the_areas_that_have_a_baseline():
    counts = stats.DatasetCounts("GP", "2025-26", "ons", {("A", "white_british"): 90, ("A", "white_roma"): 10,
                                                         ("B", "white_british"): 50, ("Nowhere", "white_roma"): 7})
    overall = stats.all_areas(counts, {"A": {"white_british": 900, "white_roma": 100}, "B": {"white_british": 500}})
    assert (overall.area, overall.users_stated, overall.population_stated) == ("All areas", 150, 1500)
    per_area = stats.dataset_gaps(counts, {"A": {"white_british": 900, "white_roma": 100}})
    assert [a.area for a in per_area] == ["A", "B", "Nowhere"]
    assert all(g.ratio is None for g in per_area[1].gaps)        # B has no baseline here
