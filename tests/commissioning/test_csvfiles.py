"""Reading evidence files: every problem named by line and column; nothing half-read."""

from __future__ import annotations

import io

import pytest

from grants.commissioning import csvfiles
from grants.commissioning.csvfiles import FileProblems, read_population, read_usage

# Pure functions and sample documents: no database (make test's PostgreSQL pass skips them).
pytestmark = pytest.mark.database_free

HEADER = "service,period,area,ethnic_group,count\n"


def problems(text: str | bytes, reader=read_usage) -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(FileProblems) as caught:
        reader(io.BytesIO(data))
    return [str(p) for p in caught.value.problems]


def test_a_good_file_is_read_into_datasets_by_service_and_period():
    data = ("\ufeff" + "Service, Period ,AREA,ethnic_group,count\n"
            "GP registrations,2025-26,Ladywood,Pakistani,12\n"
            "\n"
            "GP registrations,2025-26,Ladywood,not stated,3\n"
            "Diabetes education,2025-26,Ladywood,J,4\n").encode("utf-8")
    parsed = read_usage(io.BytesIO(data))
    assert parsed.rows == 3
    assert parsed.services == ["Diabetes education", "GP registrations"] and parsed.periods == ["2025-26"]
    gp = parsed.datasets[("GP registrations", "2025-26")]
    assert gp.coding == "ons"
    assert gp.counts == {("Ladywood", "asian_pakistani"): 12, ("Ladywood", "not_stated"): 3}
    assert parsed.datasets[("Diabetes education", "2025-26")].coding == "nhs"


def test_columns_may_come_in_any_order():
    parsed = read_population(io.BytesIO(b"population,area,ethnic_group\n500,Ladywood,Roma\n"))
    assert parsed.areas["Ladywood"].counts == {"white_roma": 500}


def test_a_wrong_header_is_line_1_and_says_what_is_missing():
    assert problems("service,period,ward,ethnic_group,count\nx,y,z,Pakistani,1\n") == [
        "Line 1: the first line must be the header service,period,area,ethnic_group,count "
        "(found “service,period,ward,ethnic_group,count”: missing “area”; not expected “ward”)"]


def test_every_bad_row_is_reported_with_its_line_and_column():
    text = HEADER + ("GP,2025-26,Ladywood,Pakistani,12\n"
                     "GP,2025-26,Ladywood,Asain,3\n"
                     "GP,2025-26,Ladywood,Indian,-4\n"
                     "GP,2025-26,Ladywood,African,lots\n"
                     "GP,2025-26,Ladywood,Caribbean,2.5\n"
                     "GP,2025-26,,Irish,1\n"
                     "GP,2025-26,Ladywood,Roma\n"
                     "GP,2025-26,Ladywood,pakistani,7\n"
                     "GP,2025-26,Ladywood,Arab,\n")
    assert problems(text) == [
        "Line 3, column “ethnic_group”: “Asain” is not an ONS 2021 ethnic group, one of our codes for them, or an "
        "NHS ethnic category code",
        "Line 4, column “count”: “-4” is negative: counts must be 0 or more",
        "Line 5, column “count”: “lots” is not a whole number",
        "Line 6, column “count”: “2.5” is not a whole number",
        "Line 7, column “area”: this is empty",
        "Line 8: expected 5 values separated by commas, found 4",
        "Line 9: this row repeats line 2 (same service, period, area and ethnic group)",
        "Line 10, column “count”: this is empty: enter a whole number (0 if nobody)",
    ]


def test_the_same_group_by_nhs_code_and_by_name_is_a_duplicate():
    found = problems(HEADER + "GP,2025-26,Ladywood,A,1\nGP,2025-26,Ladywood,white_british,2\n")
    assert found == ["Line 3: this row repeats line 2 (same service, period, area and ethnic group)"]


def test_one_service_and_period_uses_one_coding():
    found = problems(HEADER + "GP,2025-26,Ladywood,Pakistani,1\nGP,2025-26,Ladywood,Z,1\nGP,2025-26,Aston,N,2\n")
    assert found == ["Line 4, column “ethnic_group”: “N” is in NHS letter codes, but line 2 for GP in 2025-26 uses "
                     "ONS 2021 categories: use one coding for GP in 2025-26"]


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte():
    rows = "".join(f"GP,2025-26,Area {i},Pakistani,1\n" for i in range(3000))
    data = (HEADER + rows).encode() + "GP,2025-26,Sm\xe9thwick,Irish,1\n".encode("latin-1")
    assert problems(data) == ["Line 3002: this is not UTF-8 text. Save the file as “CSV UTF-8 (comma delimited)” "
                              "and upload it again"]


def test_empty_files_and_header_only_files():
    assert problems(b"") == ["Line 1: the file is empty: it needs the header service,period,area,ethnic_group,count "
                             "and rows"]
    assert problems(HEADER) == ["Line 2: the file has a header but no rows"]


def test_too_long_and_too_large_values():
    found = problems(HEADER + f"{'S' * 121},2025-26,Ladywood,Pakistani,1\nGP,2025-26,Ladywood,Indian,9999999999\n")
    assert found == ["Line 2, column “service”: this must be 120 characters or fewer",
                     "Line 3, column “count”: “9999999999” is too large (the most is 1,000,000,000)"]


def test_reading_stops_after_a_hundred_problems_and_the_message_summarises():
    with pytest.raises(FileProblems) as caught:
        read_usage(io.BytesIO((HEADER + "GP,2025-26,Ladywood,Nobody,1\n" * 500).encode()))
    assert len(caught.value.problems) == csvfiles.MAX_PROBLEMS
    message = caught.value.message
    assert message.startswith("The file has 100 or more problems, so nothing was imported. Line 2, column")
    assert message.endswith("…and 95 more.")
    assert caught.value.field == "file"


def test_population_files_are_checked_the_same_way():
    found = problems("area,ethnic_group,population\nLadywood,Roma,500\nLadywood,roma,10\nAston,Arab,-1\n",
                     read_population)
    assert found == ["Line 3: this row repeats line 2 (same area and ethnic group)",
                     "Line 4, column “population”: “-1” is negative: counts must be 0 or more"]
