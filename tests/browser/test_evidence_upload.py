"""Importing evidence in a real browser: the page says how far the upload has got and that the file
is being checked, then shows the server's answer (problems by line, or the import's summary)."""

from __future__ import annotations

import pytest

from grants.db import db
from tests import factories
from tests.commissioning.conftest import THEMES, person

pytestmark = pytest.mark.browser

NHS_CODES = "ABCDEFGHJKLMNPRSZ"
# Every status message the page's region shows, in order (the window outlives the replaced document).
RECORD_MESSAGES = """
window.uploadMessages = [];
new MutationObserver(() => {
  const region = document.querySelector("[data-upload-message]");
  const text = region ? region.textContent : "";
  if (text && window.uploadMessages[window.uploadMessages.length - 1] !== text) {
    window.uploadMessages.push(text);
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


def usage_file(path, areas: int, *, bad_last_line: bool = False):
    """A service-use file of 3 services x ``areas`` areas x 17 NHS codes: large enough to upload in steps."""
    lines = ["service,period,area,ethnic_group,count"]
    lines += [f"Service {s},2025-26,Area {a},{code},{(s * 7 + a + n) % 90}"
              for s in range(3) for a in range(areas) for n, code in enumerate(NHS_CODES)]
    if bad_last_line:
        lines.append("Service 0,2025-26,Area 0,Q,4")
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def upload(p, path):
    """Choose the file and import it; the POST must be the script's request, not the form's own."""
    p.page.get_by_label("Service use: service,period,area,ethnic_group,count").check()
    p.page.get_by_label("CSV file").set_input_files(str(path))
    with p.page.expect_request(lambda r: r.method == "POST" and r.resource_type == "xhr"):
        p.submit("Import")


def test_the_upload_shows_its_progress_then_the_answer(checked_page, live_app, tmp_path):
    with live_app.app_context():
        collective = factories.collective("west", "West Birmingham Collective", themes=THEMES)
        factories.member(collective, person("Fola Adeyemi", "fola@example.org"), roles=("facilitator", "member"))
        db.session.commit()
    bad, good = tmp_path / "bad.csv", tmp_path / "usage.csv"
    lines = usage_file(bad, 600, bad_last_line=True)
    rows = usage_file(good, 600) - 1
    assert rows == 3 * 600 * 17 and bad.stat().st_size > 900_000
    p = checked_page
    p.page.add_init_script(RECORD_MESSAGES)
    p.sign_in("fola@example.org")
    p.goto("/c/west/commissioning/evidence/import")

    # A mistake on the last line: the whole file is refused, named by line, and the form is back
    upload(p, bad)
    assert p.page.url.endswith("/c/west/commissioning/evidence/import")
    assert f"Line {lines}, column “ethnic_group”" in p.text()
    messages = p.page.evaluate("window.uploadMessages")
    assert messages[0].startswith("Uploading the file:")
    assert messages[-1].startswith("Uploaded. Checking every line")
    assert any(m.startswith("Uploading the file: ") and m != "Uploading the file: 0%" for m in messages), messages

    # The form shown again is tracked again: the corrected file imports, and the summary says so
    p.page.evaluate("window.uploadMessages = []")
    upload(p, good)
    assert "/c/west/commissioning/evidence/imports/" in p.page.url
    assert f"{rows:,} rows imported." in p.text()
    assert p.page.evaluate("window.uploadMessages")[-1].startswith("Uploaded. Checking every line")
