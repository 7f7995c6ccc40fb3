"""The codings an ethnic_group value may use, and the NHS → ONS 2021 mapping."""

from __future__ import annotations

import pytest

from grants.commissioning import ethnicity
from grants.reference import ETHNIC_CATEGORIES

# Pure functions and sample documents: no database (make test's PostgreSQL pass skips them).
pytestmark = pytest.mark.database_free


@pytest.mark.parametrize("category", ETHNIC_CATEGORIES, ids=lambda c: c.code)
def test_every_ons_label_and_code_is_accepted_in_any_case(category):
    assert ethnicity.parse(category.label) == (category.code, ethnicity.ONS)
    assert ethnicity.parse(f"  {category.label.upper()} ") == (category.code, ethnicity.ONS)
    assert ethnicity.parse(category.code) == (category.code, ethnicity.ONS)


def test_census_table_style_labels_with_their_high_level_group():
    assert ethnicity.parse("Asian, Asian British or Asian Welsh: Pakistani") == ("asian_pakistani", "ons")
    assert ethnicity.parse("white: roma") == ("white_roma", "ons")


def test_nhs_letter_codes_map_to_ons_categories():
    assert {letter: ethnicity.parse(letter)[0] for letter in "ABCDEFGHJKLMNPRS"} == {
        "A": "white_british", "B": "white_irish", "C": "white_other", "D": "mixed_white_black_caribbean",
        "E": "mixed_white_black_african", "F": "mixed_white_asian", "G": "mixed_other", "H": "asian_indian",
        "J": "asian_pakistani", "K": "asian_bangladeshi", "L": "asian_other", "M": "black_caribbean",
        "N": "black_african", "P": "black_other", "R": "asian_chinese", "S": "other_any"}
    assert ethnicity.parse("j") == ("asian_pakistani", "nhs")
    # no NHS letter is Roma, Gypsy or Irish Traveller, or Arab
    assert {"white_roma", "white_gypsy_traveller", "other_arab"}.isdisjoint(ethnicity.NHS_CODES.values())


def test_not_stated_is_kept_as_its_own_code_and_fits_either_coding():
    for value in ("Z", "z", "Not stated", "not_stated", "NOT STATED"):
        assert ethnicity.parse(value) == ("not_stated", "")


@pytest.mark.parametrize("value, message", [
    ("I", "is not an NHS ethnic category code"),
    ("Q", "the codes are A to H, J to N, P, R, S, and Z"),
    ("BAME", "is not an ONS 2021 ethnic group"),
    ("Asain", "“Asain”"),
    ("", "is not an ONS 2021 ethnic group"),
])
def test_unknown_values_are_refused_with_what_is_accepted(value, message):
    with pytest.raises(ethnicity.UnknownGroup, match=message):
        ethnicity.parse(value)


def test_population_is_folded_to_nhs_categories_for_nhs_coded_data():
    assert ethnicity.fold_for("nhs", "white_roma") == "white_other"
    assert ethnicity.fold_for("nhs", "white_gypsy_traveller") == "white_other"
    assert ethnicity.fold_for("nhs", "other_arab") == "other_any"
    assert ethnicity.fold_for("nhs", "asian_pakistani") == "asian_pakistani"
    assert ethnicity.fold_for("ons", "white_roma") == "white_roma"
