"""The round and grant documents: proposal pack (built off the request), award letter, decision
report and grant report, read back from the PDFs, and who may download them."""

from __future__ import annotations

import io
import logging
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from pypdf import PdfReader
from sqlmodel import select

from grants.awards import documents
from grants.awards import operations as award_ops
from grants.awards.models import CONDITIONS, Grant, GrantBudgetLine
from grants.collectives.models import Outcome
from grants.db import db
from grants.documents import builds
from grants.documents.models import DocumentBuild
from grants.proposals import operations as proposal_ops
from grants.proposals.models import Proposal
from grants.reporting import operations as report_ops
from grants.reporting.models import Report
from grants.review import operations as review_ops
from grants.rounds import operations as round_ops
from grants.rounds.models import CountOutcome, Round
from grants.timeutil import format_datetime
from tests import factories
from tests.rounds_helpers import counted_round, open_round, proposal, to_voting, world

PNG = factories.image_bytes("PNG")
OFFERED = datetime(2027, 4, 6, 10, 0, tzinfo=timezone.utc)      # 11:00 in London (BST)
REVIEWED = datetime(2027, 3, 30, 12, 0, tzinfo=timezone.utc)


def read(pdf: bytes) -> tuple[int, str]:
    """(pages, text with runs of whitespace made single spaces: table cells wrap onto lines)."""
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _voting_round(app, **overrides) -> dict:
    """A round in its vote: two proposals in it (one aiming at an outcome), a third left as a draft."""
    with app.test_request_context("/", method="POST"):
        w = world(organisations=3, extra_members=1, **overrides)
        outcome = Outcome(collective_id=w["collective"].id, term="short", text="People use primary care earlier")
        db.session.add(outcome)
        db.session.commit()
        open_round(w)
        ps = [proposal(w, 0, title="Friday diabetes circle", amount=300_000),
              proposal(w, 1, title="Roma health navigators", amount=450_000, theme="Best start in life")]
        w["draft"] = proposal(w, 2, title="Unfinished draft idea", amount=90_000, submit=False)
        to_voting(w, ps)
        ps[0].outcome_ids = [outcome.id]
        db.session.add(ps[0])
        db.session.commit()
        w["proposals"] = ps
    return w


def _awarded(app, *, medium_grant_limit: int = 500_000) -> dict:
    """A counted round ratified and awarded on 6 April 2027: grants of £3,000, £4,000 and £900 offered."""
    w = counted_round(app)
    with time_machine.travel(OFFERED, tick=False), app.test_request_context("/", method="POST"):
        round_ = db.session.get(Round, w["round"].id)
        round_.medium_grant_limit = medium_grant_limit
        db.session.add(round_)
        round_ops.move_round(round_, "submit_for_review", w["facilitator"])
        review_ops.ratify(round_, w["reviewer"], "Agreed.")
        round_ops.move_round(round_, "issue_awards", w["facilitator"])
        db.session.commit()
        w["grants"] = db.session.exec(select(Grant).order_by(Grant.id)).all()
    return w


def _budget_line_id(grant: Grant) -> int:
    return db.session.exec(select(GrantBudgetLine.id).where(GrantBudgetLine.grant_id == grant.id)).one()


# -- the proposal pack -------------------------------------------------------------------------

@pytest.mark.parametrize("overrides, instructions", [
    ({"voting_method": "approval_limited", "approval_limit": 2}, ["tick at most 2 proposals", "Tick at most 2 proposals."]),
    ({"voting_method": "score"}, ["from 0 (no support) to 5 (strong support)"]),
    ({"voting_method": "cumulative", "cumulative_points": 10}, ["at most 10 points in all", "Total (at most 10 points)"]),
])
def test_the_proposal_pack_has_every_proposal_in_the_vote_and_a_ballot_sheet_in_its_method(app, overrides,
                                                                                              instructions):
    w = _voting_round(app, **overrides)
    with app.app_context():
        values = documents.PROPOSAL_PACK.load(w["round"].id)
        pages, text = read(documents.PROPOSAL_PACK.render(values))
    assert pages > 1 and f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert "Proposal pack: Spring 2027 small grants" in text and "West Collective" in text
    assert "1. Roma health navigators" in text and "2. Friday diabetes circle" in text   # by theme heading
    assert "Organisation A" in text and "Organisation B" in text
    assert "£3,000" in text and "£4,500" in text and "£7,500 in all" in text
    assert "Venue and volunteers" in text and "Pakistani" in text
    assert "Outcomes aimed at: People use primary care earlier" in text
    assert "People it expects to reach: 40" in text
    assert "Unfinished draft idea" not in text                                     # a draft is not in the vote
    assert "Paper ballot: Spring 2027 small grants" in text
    assert "Member's name:" in text and "Signature:" in text
    assert "You cannot vote on your own organisation's proposal: leave its row blank." in text
    assert "before voting closes on 29 March 2027" in text
    for line in instructions:
        assert line in text
    assert documents.PROPOSAL_PACK.filename(values) == "proposal-pack-spring-2027-small-grants.pdf"


def _wait_for(client, url: str, words: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(url).data.decode()
        if words in page:
            return page
        assert time.monotonic() < deadline, f"timed out waiting for {words!r}: {page[-2000:]}"
        time.sleep(0.2)


def test_the_pack_is_built_in_the_background_cached_and_offered_again_when_proposals_change(app, monkeypatch):
    w = _voting_round(app, voting_method="approval")
    client = app.test_client()
    factories.login(client, w["facilitator"])
    page_url = f"/c/west/rounds/{w['round'].id}/proposal-pack"
    page = client.get(page_url).data.decode()
    assert "The pack has not been built yet." in page and "Build the proposal pack" in page
    assert client.get(page_url + ".pdf").status_code == 302                        # nothing to serve yet

    assert client.post(page_url).status_code == 302
    page = _wait_for(client, page_url, "Download the proposal pack")
    assert 'http-equiv="refresh"' not in page and "The pack is ready:" in page
    first = client.get(page_url + ".pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.headers["Content-Disposition"] == "attachment; filename=proposal-pack-spring-2027-small-grants.pdf"
    pages, text = read(first.data)
    assert pages > 1 and "Friday diabetes circle" in text and "Tick the box of every proposal you support" in text

    # cached: served again from the file, without laying anything out; asking again builds nothing
    def no_render(*_args, **_kwargs):
        raise AssertionError("the cached pack was rendered again")

    monkeypatch.setattr(builds, "render_html", no_render)
    assert client.get(page_url + ".pdf").data == first.data
    assert "already up to date" in client.post(page_url, follow_redirects=True).data.decode()
    with app.app_context():
        built = db.session.exec(select(DocumentBuild)).one()
        assert (built.state, built.progress, built.pages) == ("done", 100, pages)
    monkeypatch.undo()

    # a proposal changes: the fingerprint differs, the old pack is not served, the page offers a rebuild
    with app.test_request_context("/", method="POST"):
        proposal_ops.withdraw_proposal(db.session.get(Proposal, w["proposals"][1].id), w["applicants"][1],
                                       "We found other funding")
        db.session.commit()
        assert builds.fingerprint(documents.PROPOSAL_PACK.load(w["round"].id)) != built.fingerprint
    page = client.get(page_url).data.decode()
    assert "have changed since the pack was built" in page and "Build the pack again" in page
    assert client.get(page_url + ".pdf").status_code == 302
    client.post(page_url)
    _wait_for(client, page_url, "Download the proposal pack")
    _pages, text = read(client.get(page_url + ".pdf").data)
    assert "Friday diabetes circle" in text and "Roma health navigators" not in text
    with app.app_context():
        rows = db.session.exec(select(DocumentBuild)).all()
        assert len(rows) == 1 and rows[0].id != built.id                        # the old build and its PDF are gone
        assert rows[0].content.startswith(b"%PDF") and rows[0].size == len(rows[0].content)
    assert not Path(app.instance_path, "documents").exists()                   # nothing on this host's disk
    # a build from before documents were kept in the database (migrated without its file)
    with app.app_context():
        db.session.execute(sa.update(DocumentBuild).values(content=None))
        db.session.commit()
    page = client.get(page_url).data.decode()
    assert "is no longer kept" in page and "Build the pack again" in page
    assert client.get(page_url + ".pdf").status_code == 302


def test_a_failed_build_says_why_and_a_stuck_one_can_be_started_again(app, monkeypatch):
    w = _voting_round(app, voting_method="approval")
    client = app.test_client()
    factories.login(client, w["facilitator"])
    page_url = f"/c/west/rounds/{w['round'].id}/proposal-pack"

    def broken(*_args, **_kwargs):
        raise RuntimeError("the printer caught fire")

    monkeypatch.setattr(builds, "render_html", broken)
    client.post(page_url)
    page = _wait_for(client, page_url, "The last build did not finish")
    assert "The last build did not finish" in page and "Build the pack again" in page
    assert "printer caught fire" not in page and "RuntimeError" not in page  # the reason is for the log only
    monkeypatch.undo()

    # a build left running by a process that died: after 10 minutes without progress it counts as failed
    with app.app_context():
        stuck = db.session.exec(select(DocumentBuild)).one()
        stuck.state, stuck.progress, stuck.error = "running", 20, ""
        stuck.updated_at = stuck.updated_at - timedelta(minutes=11)
        db.session.add(stuck)
        db.session.commit()
    assert "The last build did not finish" in client.get(page_url).data.decode()
    client.post(page_url)
    _wait_for(client, page_url, "Download the proposal pack")
    with app.app_context():
        assert [b.state for b in db.session.exec(select(DocumentBuild)).all()] == ["done"]


def test_the_pack_page_shows_a_running_build_in_a_status_region_that_its_script_polls(app):
    w = _voting_round(app, voting_method="approval")
    with app.app_context():
        running = DocumentBuild(kind="proposal-pack", object_id=w["round"].id, collective_id=w["collective"].id,
                                fingerprint="x" * 64, state="running", progress=40, stage="Laying out the pages")
        db.session.add(running)
        db.session.commit()
        build_id = running.id
    client = app.test_client()
    factories.login(client, w["members"][0])
    page_url = f"/c/west/rounds/{w['round'].id}/proposal-pack"
    page = client.get(page_url).data.decode()
    assert 'http-equiv="refresh"' not in page                     # axe's meta-refresh rule
    assert "40% done. Laying out the pages." in page and 'role="status"' in page and 'aria-live="polite"' in page
    assert "<progress" in page and f'data-status-url="{page_url}/status"' in page
    assert f'href="{page_url}">Check again</a>' in page            # without the script
    assert '<script type="module" src="/static/js/proposal-pack.js">' in page
    with client.get("/static/js/proposal-pack.js") as script:
        assert script.status_code == 200 and "javascript" in script.mimetype and b"data-status-url" in script.data

    status = client.get(page_url + "/status")
    assert status.status_code == 200 and status.mimetype == "application/json"
    assert status.headers["Cache-Control"] == "no-store"
    assert status.json == {"state": "running", "under_way": True, "ready": False, "progress": 40,
                           "stage": "Laying out the pages", "pages": None, "download_url": None,
                           "page_url": page_url, "message": "40% done. Laying out the pages."}
    # a second person asking while it runs starts nothing new
    assert "already being built" in client.post(page_url, follow_redirects=True).data.decode()
    with app.app_context():
        assert len(db.session.exec(select(DocumentBuild)).all()) == 1

    # it fails: the status says so and points back to the page, which offers to build again
    with app.app_context():
        failed = db.session.get(DocumentBuild, build_id)
        failed.state, failed.error = "failed", "RuntimeError: out of paper"
        db.session.add(failed)
        db.session.commit()
    status = client.get(page_url + "/status").json
    assert (status["state"], status["under_way"], status["ready"]) == ("failed", False, False)
    assert "did not finish" in status["message"]
    failed_page = client.get(page_url).data.decode()
    assert "proposal-pack.js" not in failed_page   # nothing to poll now
    assert "did not finish" in failed_page
    assert not any("out of paper" in text or "RuntimeError" in text for text in (failed_page, str(status)))

    # built: the status carries the download link and the page count
    client.post(page_url)
    _wait_for(client, page_url, "Download the proposal pack")
    status = client.get(page_url + "/status").json
    assert status["ready"] and status["state"] == "done" and status["download_url"] == page_url + ".pdf"
    assert status["message"].startswith(f"The pack is ready: {status['pages']} page")
    # other collectives' rounds and people outside the pack's audience are refused
    reviewer = app.test_client()
    factories.login(reviewer, w["reviewer"])
    assert reviewer.get(page_url + "/status").status_code == 403
    assert app.test_client().get(page_url + "/status").status_code == 302


# -- the award letter --------------------------------------------------------------------------

def test_the_award_letter_before_and_after_acceptance(app):
    w = _awarded(app, medium_grant_limit=200_000)           # so the £3,000 grant owes a mid-point report too
    grant_id = w["grants"][0].id
    with app.app_context():
        values = documents.AWARD_LETTER.load(grant_id)
        pages, text = read(documents.AWARD_LETTER.render(values))
    assert pages >= 1 and f"Page {pages} of {pages}" in text
    assert "Award letter: Project A" in text and "Organisation A" in text and "£3,000" in text
    assert "Project A: what we will do." in text                                 # the purpose
    assert all(" ".join(condition.split()) in text for condition in CONDITIONS)
    assert "Mid-point report 6 months after you accept (5 October 2027 if you accept on 6 April 2027)" in text
    assert "End report 12 months after you accept (5 April 2028 if you accept on 6 April 2027)" in text
    assert f"by {format_datetime(OFFERED + timedelta(days=30))}" in text and "6 May 2027 at 11:00" in text
    assert f"/c/west/grants/{grant_id}" in text and "West Collective" in text and "Fola" in text
    assert "fola@example.org" not in text
    assert documents.AWARD_LETTER.filename(values) == f"award-letter-organisation-a-{grant_id}.pdf"

    with time_machine.travel(OFFERED + timedelta(days=2), tick=False), app.test_request_context("/", method="POST"):
        award_ops.accept_grant(db.session.get(Grant, grant_id), w["applicants"][0], accepted_by_name="Amina Begum",
                               conditions_confirmed=True)
        db.session.commit()
    with app.app_context():
        _pages, text = read(documents.AWARD_LETTER.render(documents.AWARD_LETTER.load(grant_id)))
    assert "Mid-point report 7 October 2027" in text and "End report 7 April 2028" in text
    assert "months after you accept" not in text
    assert "Amina Begum accepted this grant for Organisation A on 8 April 2027" in text


# -- the decision report -----------------------------------------------------------------------

def test_the_decision_report_records_the_allocation_the_exchange_and_the_decision(app):
    w = counted_round(app)
    round_id = w["round"].id
    with time_machine.travel(REVIEWED, tick=False), app.test_request_context("/", method="POST"):
        round_ = db.session.get(Round, round_id)
        round_ops.move_round(round_, "submit_for_review", w["facilitator"])
        db.session.commit()
        _pages, text = read(documents.DECISION_REPORT.render(documents.DECISION_REPORT.load(round_id)))
        assert "Awaiting ratification: 0 of 1 reviewers have ratified." in text
        review_ops.return_allocation(round_, w["reviewer"], "Please recount: a paper ballot was missed.")
        round_ops.move_round(round_, "recount", w["facilitator"])
        review_ops.resubmit(round_, w["facilitator"], "Recounted with the paper ballot added.")
        review_ops.ratify(round_, w["reviewer"], "The partnership agrees.")
        db.session.commit()
        sentence = db.session.exec(select(CountOutcome.sentence).order_by(CountOutcome.id.desc())).first()
    with app.app_context():
        values = documents.DECISION_REPORT.load(round_id)
        pages, text = read(documents.DECISION_REPORT.render(values))
    assert f"Page {pages} of {pages}" in text
    assert "Decision report: Spring 2027 small grants" in text and "Ratified by the locality partnership." in text
    assert "3 of 3 proposals selected, £7,900 of a budget of £10,000" in text
    for organisation, amount in (("Organisation A", "£3,000"), ("Organisation B", "£4,000"), ("Organisation C", "£900")):
        assert organisation in text and f"Selected: {amount}" in text
    assert " ".join(sentence.split()) in text                                   # the rule's reason
    # communities served: 3 selected proposals are too few to publish by community (test_disclosure_rounds)
    assert "too few to show them by community" in text and "Pakistani" not in text
    assert "General pot" in text and "Building trust" in text
    assert "Returned by Rachel, 30 March 2027 at 13:00" in text and "a paper ballot was missed" in text
    assert "Facilitators' response by Fola" in text and "Recounted with the paper ballot added." in text
    assert "Rachel 30 March 2027 The partnership agrees." in text               # reviewer, date, note
    assert "Audit trail summary" in text and "Rachel ratified the allocation" in text
    assert "rachel@example.org" not in text and "fola@example.org" not in text
    assert documents.DECISION_REPORT.filename(values) == "decision-report-spring-2027-small-grants.pdf"


# -- the grant report --------------------------------------------------------------------------

def test_the_grant_report_reads_back_with_published_counts_story_spend_and_photo(app):
    w = _awarded(app)
    grant_id = w["grants"][0].id                    # £3,000: an end report with a spend summary
    with time_machine.travel(OFFERED + timedelta(days=1), tick=False), app.test_request_context("/", method="POST"):
        award_ops.accept_grant(db.session.get(Grant, grant_id), w["applicants"][0], accepted_by_name="A",
                               conditions_confirmed=True)
        outcome = Outcome(collective_id=w["collective"].id, term="short", text="Parents feel confident")
        db.session.add(outcome)
        db.session.commit()
        report = db.session.exec(select(Report).where(Report.grant_id == grant_id)).one()
        line_id = _budget_line_id(w["grants"][0])
        report_ops.save_report(report, {
            "what_happened": "We ran 24 sessions for families in Lozells.",
            "people_reached": {"black_african": 12, "asian_pakistani": 30, "white_roma": 3},
            "outcomes_achieved": {str(outcome.id): "Parents came back every week."},
            "story": "“My son sleeps better now.”", "story_consent": True,
            "spend": {str(line_id): 250_000}}, w["applicants"][0], photo=PNG)
        db.session.commit()
        report_id = report.id
        with pytest.raises(LookupError, match="has not been submitted"):
            documents.GRANT_REPORT.load(report_id)
        report_ops.submit_report(db.session.get(Report, report_id), w["applicants"][0])
        db.session.commit()
    with app.app_context():
        values = documents.GRANT_REPORT.load(report_id)
        pdf = documents.GRANT_REPORT.render(values)
    pages, text = read(pdf)
    assert f"Page {pages} of {pages}" in text
    assert "End report: Project A" in text and "Organisation A" in text and "£3,000" in text
    assert "We ran 24 sessions for families in Lozells." in text
    assert "Report due 6 April 2028" in text and "Submitted on 7 April 2027" in text
    # disclosure control: 12 → 10, 30 → 30, 3 → *, total 45; with one hidden cell, the next smallest hides too
    assert "Pakistani 30" in text and "Roma * *" in text and "African * *" in text and "Total 45" in text
    assert "Parents feel confident Parents came back every week." in text
    assert "“My son sleeps better now.”" in text
    assert "Venue and volunteers £3,000 £2,500" in text and "Total £3,000 £2,500" in text
    reader = PdfReader(io.BytesIO(pdf))
    assert any(len(page.images) for page in reader.pages)                     # the photo, embedded
    assert values["report"]["photo"].startswith("data:image/png;base64,")


def test_user_text_never_makes_a_pdf_fetch_a_file_or_the_web(caplog):
    values = documents.sample_grant_report()
    values["report"]["what_happened"] = ('Look: <img src="file:///etc/passwd"> '
                                         '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">')
    values["report"]["photo"] = "file:///etc/passwd"          # even a value that lands in a src attribute
    with caplog.at_level(logging.WARNING, logger="grants.documents"):
        pdf = documents.GRANT_REPORT.render(values)
    _pages, text = read(pdf)
    assert '<img src="file:///etc/passwd">' in text              # shown as the text it is, never loaded
    assert "root:" not in text
    refused = [r.getMessage() for r in caplog.records if r.name == "grants.documents"]
    assert refused == ["PDF asked for file:///etc/passwd: refused (only data: URIs load)"]
    assert sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages) == 0


# -- downloads and who may have them -----------------------------------------------------------

def test_downloads_go_only_to_people_who_may_see_them(app):
    w = _awarded(app)
    mine, theirs = w["grants"][0], w["grants"][1]
    round_id = w["round"].id
    with app.app_context():
        outsider = factories.person("Olu Outsider", "olu@example.org")
        db.session.commit()

    def client_for(person):
        client = app.test_client()
        if person is not None:
            factories.login(client, person)
        return client

    grantee = client_for(w["applicants"][0])
    letter = grantee.get(f"/c/west/grants/{mine.id}/award-letter.pdf")
    assert letter.status_code == 200 and letter.mimetype == "application/pdf"
    assert "Organisation A" in read(letter.data)[1]
    assert grantee.get(f"/c/west/grants/{theirs.id}/award-letter.pdf").status_code == 404   # never another's
    assert "Download the award letter" in grantee.get(f"/c/west/grants/{mine.id}").data.decode()
    assert client_for(w["members"][0]).get(f"/c/west/grants/{mine.id}/award-letter.pdf").status_code == 404
    assert client_for(outsider).get(f"/c/west/grants/{mine.id}/award-letter.pdf").status_code == 403
    anonymous = client_for(None).get(f"/c/west/grants/{mine.id}/award-letter.pdf")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]

    decision = f"/c/west/rounds/{round_id}/review/decision-report.pdf"
    reviewer = client_for(w["reviewer"])
    assert reviewer.get(decision).status_code == 200
    assert "Download the decision report" in reviewer.get(f"/c/west/rounds/{round_id}/review/").data.decode()
    assert client_for(w["facilitator"]).get(decision).status_code == 200
    assert grantee.get(decision).status_code == 403
    assert client_for(outsider).get(decision).status_code == 403

    # a report is downloadable once submitted, by those who see the grant
    with app.test_request_context("/", method="POST"):
        award_ops.accept_grant(db.session.get(Grant, mine.id), w["applicants"][0], accepted_by_name="A",
                               conditions_confirmed=True)
        db.session.commit()
        report = db.session.exec(select(Report).where(Report.grant_id == mine.id)).one()
    url = f"/c/west/grants/{mine.id}/reports/{report.id}/report.pdf"
    assert grantee.get(url).status_code == 404
    assert "Download this report" not in grantee.get(url.removesuffix("/report.pdf")).data.decode()
    with app.test_request_context("/", method="POST"):
        report = db.session.get(Report, report.id)
        report_ops.save_report(report, {"what_happened": "Walks", "spend": {str(_budget_line_id(mine)): 300_000}},
                               w["applicants"][0])
        report_ops.submit_report(report, w["applicants"][0])
        db.session.commit()
    assert grantee.get(url).status_code == 200
    assert "Download this report" in grantee.get(url.removesuffix("/report.pdf")).data.decode()
    assert client_for(w["reviewer"]).get(url).status_code == 200
    assert client_for(w["applicants"][1]).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 403


def test_the_proposal_pack_is_for_facilitators_and_members(app):
    w = _voting_round(app, voting_method="approval")
    page_url = f"/c/west/rounds/{w['round'].id}/proposal-pack"
    for person, status in ((w["facilitator"], 200), (w["members"][0], 200), (w["applicants"][0], 200),
                           (w["reviewer"], 403)):
        client = app.test_client()
        factories.login(client, person)
        assert client.get(page_url).status_code == status
        assert client.post(page_url).status_code in ((302,) if status == 200 else (403,))
        round_page = client.get(f"/c/west/rounds/{w['round'].id}").data.decode()
        assert (page_url in round_page) is (status == 200)
    with app.app_context():
        assert len(db.session.exec(select(DocumentBuild)).all()) == 1       # three asked, one build


# -- the command line --------------------------------------------------------------------------

def test_samples_come_from_the_database_where_it_has_them(app, runner, tmp_path):
    w = _voting_round(app, voting_method="score")
    result = runner.invoke(args=["documents", "samples", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"Proposal pack: {tmp_path / 'sample-proposal-pack.pdf'} (id {w['round'].id} in the database)" in result.output
    assert "Award letter:" in result.output and "(built-in sample values: the database has none to show)" in result.output
    assert "Needs-analysis report:" in result.output
    _pages, text = read((tmp_path / "sample-proposal-pack.pdf").read_bytes())
    assert "Friday diabetes circle" in text and "from 0 (no support) to 5" in text
    _pages, text = read((tmp_path / "sample-award-letter.pdf").read_bytes())
    assert "Lozells Family Hub" in text
    assert {path.name for path in tmp_path.iterdir()} >= {
        "sample-proposal-pack.pdf", "sample-award-letter.pdf", "sample-decision-report.pdf",
        "sample-grant-report.pdf", "sample-needs-analysis.pdf"}
    result = runner.invoke(args=["documents", "render", "proposal-pack", "--id", str(w["round"].id),
                                 "--out", str(tmp_path / "pack.pdf")])
    assert result.exit_code == 0 and "Wrote proposal pack" in result.output
    result = runner.invoke(args=["documents", "render", "grant-report", "--id", "999", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "There is no report with id 999." in result.output


def test_the_benchmarks_sample_pack_needs_no_database():
    pages, text = read(documents.PROPOSAL_PACK.render(documents.sample_proposal_pack(3, "cumulative")))
    assert pages > 1 and f"Page {pages} of {pages}" in text and "at most 10 points in all" in text
