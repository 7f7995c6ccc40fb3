"""The proposal pack in a real browser: a facilitator asks for it, the page follows the build in
its status region without reloading (no meta refresh), and the finished PDF downloads."""

from __future__ import annotations

import io
import threading

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from grants.db import db
from grants.documents import builds
from tests.queue_helpers import real_queue
from tests.rounds_helpers import open_round, proposal, to_voting, world

pytestmark = pytest.mark.browser


@pytest.fixture
def queued_live_app(live_app, tmp_path):
    """The live app with a real queue (a SQLite file) drained by a worker loop in this test process,
    as ``flask --app grants worker`` would: requests only queue the build."""
    huey = real_queue(live_app, tmp_path / "huey.sqlite3")
    stop = threading.Event()

    def work():
        while not stop.is_set():
            message = huey.dequeue()
            if message is None:
                stop.wait(0.05)
            else:
                huey.execute(message)

    worker = threading.Thread(target=work, name="test-worker", daemon=True)
    worker.start()
    yield live_app
    stop.set()
    worker.join(timeout=30)


def test_the_proposal_pack_page_follows_its_build_and_offers_the_pdf(checked_page, queued_live_app, monkeypatch):
    live_app = queued_live_app
    with live_app.test_request_context("/", method="POST"):
        w = world(organisations=2, extra_members=1)
        open_round(w)
        ps = [proposal(w, 0, title="Friday diabetes circle", amount=300_000),
              proposal(w, 1, title="Roma health navigators", amount=450_000)]
        to_voting(w, ps)
        round_id, facilitator = w["round"].id, w["facilitator"]
        db.session.commit()

    # Hold the build at "Laying out the pages" until the page has shown it, so the test sees the
    # page change from a build under way to a finished pack, whatever the machine's speed.
    laying_out = threading.Event()
    render_html = builds.render_html

    def held_render(*args, **kwargs):
        assert laying_out.wait(30), "the test never let the build go on"
        return render_html(*args, **kwargs)

    monkeypatch.setattr(builds, "render_html", held_render)
    p = checked_page
    try:
        p.sign_in(facilitator)
        p.goto(f"/c/west/rounds/{round_id}/proposal-pack")
        assert "The pack has not been built yet." in p.text()
        assert p.page.locator('meta[http-equiv="refresh"]').count() == 0
        p.submit("Build the proposal pack")

        navigations: list[str] = []
        p.page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == p.page.main_frame else None)
        status = p.page.get_by_role("status")
        expect(status).to_have_text("20% done. Laying out the pages.", timeout=15_000)
        assert "Building the pack" in p.text()
        assert p.page.get_by_role("link", name="Download the proposal pack (PDF)").count() == 0
        expect(p.page.get_by_role("link", name="Check again")).to_be_hidden()   # the script follows the build
        assert p.page.locator('meta[http-equiv="refresh"]').count() == 0
        p.check()

        laying_out.set()
        expect(status).to_contain_text("The pack is ready: ", timeout=30_000)
        expect(p.page.get_by_role("heading", name="The pack is ready")).to_be_visible()
        expect(p.page.locator("progress")).to_be_hidden()
        download_button = p.page.get_by_role("button", name="Download the proposal pack (PDF)")
        expect(download_button).to_be_visible()
        assert navigations == [], f"the page reloaded: {navigations}"
        p.check()                                                           # axe on the updated page

        with p.page.expect_download() as download:
            download_button.click()
        pdf = download.value.path().read_bytes()
        assert pdf.startswith(b"%PDF")
        assert download.value.suggested_filename == "proposal-pack-spring-2027-small-grants.pdf"
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert "Friday diabetes circle" in text and "Roma health navigators" in text
        assert navigations == []

        # coming back later: the page says the pack is ready, with nothing to poll
        p.goto(f"/c/west/rounds/{round_id}/proposal-pack")
        assert "The pack is ready:" in p.text()
        assert p.page.locator('script[src$="proposal-pack.js"]').count() == 0
    finally:
        laying_out.set()


def test_the_public_results_page_publishes_communities_with_disclosure_control(checked_page, live_app):
    from tests.test_disclosure_rounds import TWELVE, _ratified_round

    w = _ratified_round(live_app, TWELVE)
    p = checked_page
    p.goto(f"/c/west/rounds/{w['round'].id}/results")                  # the public, signed out
    table = p.page.get_by_role("table", name="Funded proposals by community")
    expect(table.get_by_role("row", name="Pakistani")).to_have_text("Pakistani *")
    expect(table.get_by_role("row", name="Indian")).to_have_text("Indian *")
    assert "Money" not in table.inner_text()

    p.sign_in(w["facilitator"])
    p.goto(f"/c/west/rounds/{w['round'].id}/results")
    table = p.page.get_by_role("table", name="Funded proposals by community")
    expect(table.get_by_role("row", name="Pakistani")).to_contain_text("3")
    expect(table.get_by_role("row", name="Pakistani")).to_contain_text("£1,800")
