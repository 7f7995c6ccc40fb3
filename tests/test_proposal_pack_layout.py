"""The proposal pack's layout (issue 13, item 21): the paper ballot sheet is whole on one page where
it fits, no page holds a lone line, and the tick boxes are big enough to tick with a pen."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from grants.awards import documents
from grants.documents import render_html

# Pure functions and sample documents: no database (make test's PostgreSQL pass skips them).
pytestmark = pytest.mark.database_free

FOOTER = re.compile(r"^(Proposal pack: .*|Page \d+ of \d+)$")


def _pages(values: dict) -> list[list[str]]:
    """Each page's text lines, without the running footer."""
    reader = PdfReader(io.BytesIO(documents.PROPOSAL_PACK.render(values)))
    pages = []
    for page in reader.pages:
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        pages.append([line for line in lines if not FOOTER.match(line) and line != "•"])
    return pages


@pytest.mark.parametrize("count,method", [(9, "approval"), (12, "approval_limited"), (9, "cumulative"), (6, "score")])
def test_the_ballot_sheet_is_whole_on_the_last_page_and_no_page_is_a_lone_line(count, method):
    values = documents.sample_proposal_pack(count, method)
    pages = _pages(values)
    last = pages[-1]
    # the sheet starts the last page and ends on it: every proposal's row is there
    assert last[0].startswith("Paper ballot:"), last[:3]
    last_title = values["groups"][-1]["proposals"][-1]["title"]
    assert last_title in " ".join(last), last[-4:]
    assert "For the facilitator: enter this sheet" in " ".join(last)
    for number, lines in enumerate(pages, start=1):
        assert len(lines) >= 4, f"page {number} of {len(pages)} holds only {lines}"


def test_tick_boxes_are_drawn_boxes_at_least_6mm_square():
    values = documents.sample_proposal_pack(5, "score")
    html = render_html(documents.PROPOSAL_PACK.template, **values)
    sheet = html[html.index('class="sheet"'):]
    assert "☐" not in sheet
    assert sheet.count('<span class="tickbox"></span>') == 5 * 6      # 0 to 5 for each proposal
    rule = re.search(r"\.tickbox\s*\{([^}]*)\}", html).group(1)
    size = {name: float(value) for name, value in re.findall(r"\b(width|height):\s*([\d.]+)mm", rule)}
    assert size["width"] >= 6 and size["height"] >= 6, rule


def test_headings_and_group_rows_are_kept_with_what_follows():
    html = render_html(documents.PROPOSAL_PACK.template, **documents.sample_proposal_pack(3, "approval"))
    keep = re.search(r"h2, h3, tr\.group\s*\{([^}]*)\}", html)
    assert keep and "break-after: avoid" in keep.group(1)
    assert re.search(r"\.proposal\s*\{[^}]*break-inside: avoid", html)


def test_a_sheet_over_two_pages_never_leaves_one_row_alone_on_the_last():
    # 14 proposals: the sheet's first page holds 13 rows; the 14th went over on its own
    pages = _pages(documents.sample_proposal_pack(14, "approval"))
    last = pages[-1]
    assert not last[0].startswith("Paper ballot:") and last[0] == "No. Proposal Tick"   # the sheet's second page
    rows = [line for line in last if re.match(r"^\d+ ", line)]
    assert len(rows) >= 2, last
