"""Importing a real city's election in a real browser (issue 15): the file is larger than the
app-wide request limit; the import's page follows the worker (reading, saving N of M ballots) in
place until "Done", with a link to the round and its proposals; a refused file is told beside the
file field on that page, and a corrected one can be sent from there."""

from __future__ import annotations

import threading
import time

import pytest
from playwright.sync_api import expect

from grants import queue
from grants.db import db
from grants.rounds import imports, uploads
from tests import factories
from tests.rounds_helpers import round_values
from tests.test_round_import_queue import city_file

pytestmark = pytest.mark.browser

# Every text the page's status region shows, in order (the window outlives the replaced <main>).
RECORD_MESSAGES = """
window.importMessages = [];
new MutationObserver(() => {
  const region = document.querySelector("[data-import-message]");
  const text = region ? region.textContent.trim() : "";
  if (text && window.importMessages[window.importMessages.length - 1] !== text) {
    window.importMessages.push(text);
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


@pytest.fixture
def app_config(app_config, tmp_path):
    """A queue the test works as the worker for (not run at once), so that the page can be seen
    waiting and following the import."""
    return {**app_config, "HUEY_IMMEDIATE": False, "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3")}


def work_the_queue(app) -> threading.Thread:
    """Run the queued import as the worker would (``flask --app grants worker``), in a thread."""
    def run():
        huey = queue.huey_of(app)
        while (message := huey.dequeue()) is not None:
            if message.name == uploads.import_upload.task_name:
                huey.execute(message)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_city_file_is_followed_to_done_and_a_refused_one_is_told_beside_the_field(checked_page, live_app,
                                                                                      tmp_path, monkeypatch):
    with live_app.test_request_context("/", method="POST"):
        collective = factories.collective("west", "West Collective", themes=("Building trust", "Best start in life"))
        fola = factories.member(collective, factories.person("Fola", "fola@example.org"), roles=("facilitator",))
        from grants.rounds import operations as round_ops
        from tests.rounds_helpers import _themes

        round_ = round_ops.create_round(collective, round_values(), theme_ids=[t.id for t in _themes(collective)],
                                        pot_amounts={}, actor=fola)
        db.session.commit()
        round_id = round_.id
    good, bad = tmp_path / "wroclaw-like.pb", tmp_path / "wrong.pb"
    good.write_bytes(city_file(6_000, padding=400))
    bad.write_bytes(city_file(50).replace(b"v7;3,5;", b"v7;3,9;"))
    wrong_line = bad.read_text().splitlines().index("v7;3,9;") + 1
    assert good.stat().st_size > live_app.config["MAX_CONTENT_LENGTH"]
    real_tell = uploads._tell

    def slow_tell(import_id):
        tell = real_tell(import_id)

        def told(stage, done, total):
            tell(stage, done, total)
            time.sleep(0.8 if stage == "saving" and done else 0)
        return told

    monkeypatch.setattr(uploads, "_tell", slow_tell)
    monkeypatch.setattr(imports, "SAVE_CHUNK", 1_500)

    p = checked_page
    p.page.add_init_script(RECORD_MESSAGES)
    p.sign_in(fola)
    p.goto(f"/c/west/rounds/{round_id}")
    p.click_link("Import a real election from a pabulib file")
    p.screenshot("election-import-form")

    # A wrong file: the worker refuses it and the page, which was waiting, shows why beside the field.
    p.page.get_by_label("pabulib file").set_input_files(str(bad))
    p.submit("Import the election")
    assert "/imports/" in p.page.url and "Waiting to start" in p.text()
    work_the_queue(live_app).join(timeout=30)
    p.page.wait_for_selector(".govuk-error-summary", timeout=15_000)
    p.check()   # the page as the script left it
    text = p.text()
    refusal = f"Line {wrong_line}: the vote names unknown project '9'"
    assert "The election was not imported" in text and refusal in text
    assert p.page.locator("#file-error").inner_text().endswith(refusal)
    assert p.page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    p.screenshot("election-import-refused")

    # The corrected file (in the slow time of a city's, each chunk of ballots taking 0.8 s), sent from
    # that page: followed while it is saved, then done.
    p.page.evaluate("window.importMessages = []")
    p.page.get_by_label("pabulib file").set_input_files(str(good))
    p.submit("Import the election")
    worker = work_the_queue(live_app)
    status = p.page.locator("[data-import-message]")
    expect(status).to_contain_text("Saving ", timeout=20_000)
    expect(p.page.get_by_role("link", name="Check again")).to_be_hidden()   # the script follows the import
    p.check()
    p.screenshot("election-import-saving")
    worker.join(timeout=60)
    p.page.wait_for_selector("[data-import-done]", timeout=15_000)
    p.check()
    p.screenshot("election-import-done")
    messages = p.page.evaluate("window.importMessages")
    assert messages[0] in ("Waiting to start", "Reading the file"), messages
    saving = [m for m in messages if m.startswith("Saving ")]
    assert saving and all(m.endswith(" of 6,000 ballots") for m in saving), messages
    assert "Done" in p.text() and "5 proposals and 6,000 ballots imported into Spring 2027 small grants." in p.text()
    assert p.page.evaluate("document.activeElement.tagName") == "H1"

    p.click_link("Go to Spring 2027 small grants")
    for n in range(1, 6):
        assert f"Project {n}" in p.text()
    p.screenshot("election-import-round")
