"""The impact report (of a round, and of a financial year), read back from the PDF: money by theme
and pot, proposals by community with disclosure control, people reached and outcomes from accepted
reports only, stories only with consent, success rates and reasons for not funding; who may
download it; and the samples."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from pypdf import PdfReader
from sqlmodel import select

from grants.awards import operations as award_ops
from grants.awards.models import Grant
from grants.collectives.models import Outcome
from grants.db import db
from grants.documents import registry
from grants.proposals import operations as proposal_ops
from grants.proposals.models import Proposal
from grants.reporting import impact
from grants.reporting import operations as report_ops
from grants.reporting.models import Report
from grants.rounds.models import Round
from grants.workflow.operations import fire
from grants.workflow.scheduler import run_jobs
from tests import factories
from tests.rounds_helpers import award_round, T0, open_round, round_values, vote, world

OFFERED = datetime(2027, 4, 6, 10, 0, tzinfo=timezone.utc)       # financial year 2027–28
LATER = datetime(2027, 6, 1, 12, 0, tzinfo=timezone.utc)
OUTSIDE = "The project is outside West Birmingham."

# title, theme, communities served; all ask for £1,000 but G and H (£4,000 each)
PROPOSALS = [
    ("Project A", "Building trust", ["asian_pakistani"]),
    ("Project B", "Building trust", ["asian_pakistani", "white_roma"]),
    ("Project C", "Building trust", ["asian_pakistani", "white_roma"]),
    ("Project D", "Best start in life", ["asian_pakistani"]),
    ("Project E", "Best start in life", ["asian_pakistani"]),
    ("Project F", "Best start in life", ["asian_pakistani"]),
    ("Project G", "Building trust", ["asian_pakistani"]),       # nobody votes for it (nor would it fit)
    ("Project H", "Building trust", ["asian_pakistani"]),       # a vote, but too dear for what is left
    ("Project I", "Building trust", ["asian_pakistani"]),       # withdrawn after submitting
    ("Project J", "Building trust", ["asian_pakistani"]),       # not eligible
    ("Project K", "Building trust", ["black_caribbean"]),       # not eligible
    ("Project L", "Building trust", ["black_caribbean"]),       # selected; its organisation declines the grant
]


def read(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _submit(w, index: int, title: str, theme: str, communities: list[str], amount: int, outcome_ids=()):
    applicant = w["applicants"][index]
    found = proposal_ops.start_proposal(w["round"], applicant)
    proposal_ops.save_proposal(found, {
        "title": title, "summary": f"{title}: what we will do.", "amount_requested": amount,
        "theme_id": w["themes"][theme].id, "communities_served": communities, "outcome_ids": list(outcome_ids),
        "people_reached": 40}, [("Venue and volunteers", amount)], applicant)
    proposal_ops.submit_proposal(found, applicant)
    return found


def _counted(app) -> dict:
    """Twelve proposals submitted (and a draft), two ineligible, one withdrawn, nine in the vote,
    counted: D–F from the ring-fenced pot, A–C and L from the general pot, H did not fit, G had no votes."""
    with app.test_request_context("/", method="POST"):
        w = world(organisations=13, extra_members=2, pots={"Best start in life": 300_000})
        parents = Outcome(collective_id=w["collective"].id, term="short", text="Parents feel confident", position=0)
        gp = Outcome(collective_id=w["collective"].id, term="medium", text="More people are registered with a GP",
                     position=1)
        db.session.add_all([parents, gp])
        db.session.commit()
        w["outcomes"] = {"parents": parents.id, "gp": gp.id}
        open_round(w)
        ps = {}
        for index, (title, theme, communities) in enumerate(PROPOSALS):
            aims = [parents.id] if title in ("Project A", "Project D") else []
            ps[title[-1]] = _submit(w, index, title, theme, communities,
                                    400_000 if title in ("Project G", "Project H") else 100_000, aims)
        draft = proposal_ops.start_proposal(w["round"], w["applicants"][12])
        proposal_ops.save_proposal(draft, {
            "title": "Unfinished draft", "summary": "", "amount_requested": 50_000,
            "theme_id": w["themes"]["Building trust"].id, "communities_served": ["white_roma"], "outcome_ids": [],
            "people_reached": 0}, [], w["applicants"][12])
        proposal_ops.withdraw_proposal(ps["I"], w["applicants"][8])
        db.session.commit()
        fire(w["round"], "close_proposals", w["facilitator"], now=T0 + timedelta(days=14))
        for key, proposal in ps.items():
            if key == "I":
                continue
            proposal_ops.decide_eligibility(proposal, eligible=key not in "JK",
                                            reason=OUTSIDE if key in "JK" else "", actor=w["facilitator"])
        fire(w["round"], "open_voting", w["facilitator"], now=T0 + timedelta(days=21))
        db.session.commit()
        both = {ps[k].id: 1 for k in "ABCDEFL"}
        vote(w, w["members"][0], {**both, ps["H"].id: 1})
        vote(w, w["members"][1], both)
        w["proposals"] = {key: proposal.id for key, proposal in ps.items()}
    with app.app_context(), time_machine.travel(w["round"].voting_closes_at + timedelta(minutes=1), tick=False):
        run_jobs()
    return w


def _awarded(app, w) -> dict:
    """Ratified and awarded on 6 April 2027; L declines; A, B and C accept and report: A's end
    report is accepted (people, an outcome, a story), B's is only submitted."""
    with time_machine.travel(OFFERED, tick=False), app.test_request_context("/", method="POST"):
        award_round(w, note="Agreed.")
        grants = {key: db.session.exec(select(Grant).where(Grant.proposal_id == w["proposals"][key])).one()
                  for key in "ABCDEFL"}
        award_ops.decline_grant(grants["L"], w["applicants"][11], "We found other funding")
        for key, index in (("A", 0), ("B", 1), ("C", 2)):
            award_ops.accept_grant(grants[key], w["applicants"][index], accepted_by_name="Amina",
                                   conditions_confirmed=True)
        db.session.commit()
        reports = {key: db.session.exec(select(Report).where(Report.grant_id == grants[key].id)).one()
                   for key in "AB"}
        report_ops.save_report(reports["A"], {
            "what_happened": "We ran 24 sessions.",
            "people_reached": {"black_african": 12, "asian_pakistani": 30, "white_roma": 3},
            "outcomes_achieved": {str(w["outcomes"]["parents"]): "Parents came back every week."},
            "story": "“My son sleeps better now.”", "story_consent": True}, w["applicants"][0])
        report_ops.submit_report(reports["A"], w["applicants"][0])
        report_ops.accept_report(reports["A"], w["facilitator"])
        report_ops.save_report(reports["B"], {
            "what_happened": "Walks.", "people_reached": {"asian_pakistani": 500},
            "outcomes_achieved": {str(w["outcomes"]["gp"]): "Everyone registered."},
            "story": "“A story nobody has checked yet.”", "story_consent": True}, w["applicants"][1])
        report_ops.submit_report(reports["B"], w["applicants"][1])
        db.session.commit()
        w["grants"] = {key: grant.id for key, grant in grants.items()}
    return w


@pytest.fixture
def awarded(app):
    return _awarded(app, _counted(app))


# -- the round's report --------------------------------------------------------------------------

def test_the_round_report_reads_back_with_published_figures(app, awarded):
    w = awarded
    with app.app_context():
        values = impact.IMPACT_REPORT.load(w["round"].id)
        pages, text = read(impact.IMPACT_REPORT.render(values))
    assert f"Page {pages} of {pages}" in text
    assert "Impact report: Spring 2027 small grants" in text and "West Collective" in text
    assert "£6,000 awarded in 6 grants, from a budget of £10,000" in text
    # money by theme (proposals submitted, grants, money) and by pot (budget, grants, money); L declined
    assert "Best start in life 3 3 £3,000" in text and "Building trust 9 3 £3,000" in text
    assert "In all 12 6 £6,000" in text
    assert "Best start in life (ring-fenced) £3,000 3 £3,000" in text and "General pot £7,000 3 £3,000" in text
    # proposals by community: 10 and 8 Pakistani round to 10; 2 Roma, 2 then 1 Caribbean are hidden;
    # only 6 funded proposals, too few for a funded column
    assert "Submitted Eligible" in text and "Submitted Eligible Funded" not in text
    assert "Asian, Asian British or Asian Welsh 10 10 Pakistani 10 10" in text
    assert "Black, Black British, Black Welsh, Caribbean or African * * Caribbean * *" in text
    assert "White * * Roma * *" in text
    assert "No column for funded proposals" in text
    assert "Unfinished draft" not in text
    # people reached: A's accepted report only (B's 500 are not accepted yet); 12 → 10, 3 → *, and
    # with one hidden cell the next smallest hides too
    assert "Pakistani 30 67% African * * Roma * * Total 45" in text
    assert "500" not in text and "Total 545" not in text
    # theory of change: aimed at by A and D, achieved by A; B's claim is not accepted yet
    assert "Short term Parents feel confident 2 1" in text
    assert "Medium term More people are registered with a GP 0 0" in text
    # stories: A's, consented and accepted; B's is not accepted
    assert "“My son sleeps better now.” Project A, Organisation A (end report)" in text
    assert "A story nobody has checked yet" not in text
    # success rates and why the others were not funded
    assert "Proposals submitted 12 Eligible 9 Funded 6" in text
    assert "Success rate of eligible proposals 67%" in text and "Success rate of submitted proposals 50%" in text
    assert f"Not eligible The facilitators' reasons, as the applicants were told them. 2 {OUTSIDE} 2" in text
    assert "Not selected by the vote The allocation rule's reason for each, summarised. 2" in text
    assert "Nobody voted for it (counted by “Most votes first”) 1" in text
    assert "Not enough money was left in its pot when its turn came (counted by “Most votes first”) 1" in text
    assert "Withdrawn before the award 1" in text and "Offer declined by the organisation 1" in text
    assert "We found other funding" not in text                   # the organisation's own reason stays inside
    assert "counts from 1 to 7 are shown as *, others are rounded to the nearest 5" in text
    assert impact.IMPACT_REPORT.filename(values) == "impact-report-spring-2027-small-grants.pdf"


def test_counts_by_community_follow_the_disclosure_settings(app, awarded):
    app.config["DISCLOSURE_THRESHOLD"] = 1
    with app.app_context():
        _pages, text = read(impact.IMPACT_REPORT.render(impact.IMPACT_REPORT.load(awarded["round"].id)))
    # now only 1 hides: 6 funded proposals are enough for a column; the eligible Caribbean 1 hides,
    # and takes the next smallest group (White, 2) with it
    assert "Submitted Eligible Funded" in text and "No column for funded proposals" not in text
    assert "Pakistani 10 10 5" in text and "Caribbean 5 * 0" in text and "Roma 5 * 5" in text
    assert "counts from 1 to 1 are shown as *" in text


def test_a_story_without_consent_is_never_published():
    """The database refuses a story without consent; the report checks again, in case one ever gets there."""
    funded = impact.ProposalFact(id=1, title="Walks", organisation="Walkers", state="awarded", grant_state="accepted",
                                 grant_amount=50_000)
    reports = [impact.ReportFact(1, "mid", story="“Shared with our say-so.”", story_consent=True),
               impact.ReportFact(1, "end", story="“Nobody agreed to this.”", story_consent=False)]
    scope = impact.Scope(kind="round", title="Impact report: Test", period="the round Test", rounds=("Test",))
    values = impact.build_values(collective="C", scope=scope, proposals=[funded], reports=reports, outcomes=[])
    assert [s["story"] for s in values["stories"]] == ["“Shared with our say-so.”"]
    _pages, text = read(impact.IMPACT_REPORT.render(values))
    assert "Shared with our say-so." in text and "Nobody agreed to this" not in text


def test_before_the_awards_the_report_says_nothing_is_awarded_yet(app):
    w = _counted(app)
    with app.app_context():
        values = impact.IMPACT_REPORT.load(w["round"].id)
        _pages, text = read(impact.IMPACT_REPORT.render(values))
    assert "No grant of this round has been awarded yet" in text
    assert "£0 awarded in 0 grants" in text and "Proposals submitted 12 Eligible 9 Funded 0" in text
    assert "Selected, but the awards have not been issued yet 7" in text


# -- the financial year ----------------------------------------------------------------------------

def _autumn_round(w) -> dict:
    """Another round of the collective, awarded around midnight at the end of March 2027 (British
    Summer Time): one grant offered at 23:30 on 31 March, the other at 00:30 on 1 April, London time."""
    collective = w["collective"]
    round_ = Round(collective_id=collective.id, state="awarded",
                   **round_values(name="Winter 2027 small grants", allocation_rule="greedy_cost"))
    db.session.add(round_)
    db.session.flush()
    made = {}
    for key, offered, amount, organisation in (
            ("march", datetime(2027, 3, 31, 22, 30, tzinfo=timezone.utc), 11_100, w["orgs"][0]),
            ("april", datetime(2027, 3, 31, 23, 30, tzinfo=timezone.utc), 22_200, w["orgs"][1])):
        proposal = Proposal(collective_id=collective.id, round_id=round_.id, organisation_id=organisation.id,
                            state="awarded", title=f"Winter project {key}", summary="x", amount_requested=amount,
                            theme_id=w["themes"]["Building trust"].id, communities_served=["asian_indian"])
        db.session.add(proposal)
        db.session.flush()
        db.session.add(Grant(collective_id=collective.id, round_id=round_.id, proposal_id=proposal.id,
                             organisation_id=organisation.id, amount=amount, state="offered", offered_at=offered,
                             offer_expires_at=offered + timedelta(days=30)))
        made[key] = proposal.id
    db.session.commit()
    return {"round": round_.id, **made}


def test_the_year_scope_picks_grants_by_their_award_date(app, awarded):
    w = awarded
    with app.app_context():
        _autumn_round(w)
        assert impact.financial_year_of(datetime(2027, 3, 31, 22, 30, tzinfo=timezone.utc)) == 2026
        assert impact.financial_year_of(datetime(2027, 3, 31, 23, 30, tzinfo=timezone.utc)) == 2027
        this_year = impact.year_values(w["collective"].id, 2027)
        last_year = impact.year_values(w["collective"].id, 2026)
        _pages, text = read(impact.IMPACT_REPORT_YEAR.render(this_year))
        _pages, last = read(impact.IMPACT_REPORT_YEAR.render(last_year))
        none = impact.year_values(w["collective"].id, 2025)
    assert "Impact report 2027–28" in text and "1 April 2027 to 31 March 2028" in text
    assert "Spring 2027 small grants; Winter 2027 small grants" in text
    assert "£6,222 awarded in 7 grants" in text                       # £6,000 from spring, £222 from 1 April
    assert "£111" not in text
    assert "Awarded outside this financial year 1" in text            # the March grant's proposal
    assert "Building trust 11 4 £3,222" in text
    assert impact.IMPACT_REPORT_YEAR.filename(this_year) == "impact-report-west-collective-2027-28.pdf"

    assert "Impact report 2026–27" in last and "£111 awarded in 1 grant" in last
    assert "Spring 2027 small grants" not in last and "£222" not in last
    assert "Awarded outside this financial year 1" in last
    assert none["summary"]["grants"] == 0 and none["scope"]["rounds"] == []

    # the registry's loader (``documents render impact-report-year --id COLLECTIVE``): the latest year
    with app.app_context():
        assert impact.IMPACT_REPORT_YEAR.load(w["collective"].id)["scope"]["year"] == "2027–28"
        with pytest.raises(LookupError, match="no collective with id 99999"):
            impact.IMPACT_REPORT_YEAR.load(99999)


# -- downloads -----------------------------------------------------------------------------------------

def _client(app, person=None):
    client = app.test_client()
    if person is not None:
        assert factories.login(client, person).status_code == 302
    return client


def test_before_ratification_only_facilitators_and_reviewers_download_it(app):
    w = _counted(app)
    url = f"/c/west/rounds/{w['round'].id}/impact-report.pdf"
    for person in (w["facilitator"], w["reviewer"]):
        response = _client(app, person).get(url)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert 'filename=impact-report-spring-2027-small-grants.pdf' in response.headers["Content-Disposition"]
    assert _client(app, w["members"][0]).get(url).status_code == 403
    anonymous = _client(app).get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    round_page = _client(app, w["facilitator"]).get(f"/c/west/rounds/{w['round'].id}").data.decode()
    assert url in round_page and "Impact report (PDF)" in round_page
    assert url not in _client(app, w["members"][0]).get(f"/c/west/rounds/{w['round'].id}").data.decode()
    assert url not in _client(app, w["members"][0]).get(f"/c/west/rounds/{w['round'].id}/results").data.decode()


def test_once_ratified_anyone_downloads_it_from_the_results_page(app, awarded):
    w = awarded
    url = f"/c/west/rounds/{w['round'].id}/impact-report.pdf"
    results = _client(app).get(f"/c/west/rounds/{w['round'].id}/results").data.decode()
    assert url in results
    response = _client(app).get(url)
    assert response.status_code == 200
    _pages, text = read(response.data)
    assert "£6,000 awarded in 6 grants" in text and "Pakistani 30 67% African * * Roma * * Total 45" in text


def test_another_collective_is_refused(app, awarded):
    w = awarded
    with app.app_context():
        east = factories.collective("east", "East Collective")
        stranger = factories.member(east, factories.person("Esi", "esi@example.org"), roles=("facilitator",))
        hidden = Round(collective_id=east.id, state="counting", **round_values(name="East secret round"))
        db.session.add(hidden)
        db.session.commit()
        hidden_id = hidden.id
    client = _client(app, stranger)
    assert client.get(f"/c/east/rounds/{w['round'].id}/impact-report.pdf").status_code == 404   # not east's round
    assert client.get("/c/west/impact-reports").status_code == 403
    with time_machine.travel(LATER, tick=False):      # (signed in again: a sign-in does not last months)
        assert _client(app, stranger).get("/c/west/impact-reports/2027.pdf").status_code == 403
    west = _client(app, w["facilitator"])
    assert west.get(f"/c/east/rounds/{hidden_id}/impact-report.pdf").status_code == 403
    assert west.get(f"/c/west/rounds/{hidden_id}/impact-report.pdf").status_code == 404
    assert west.get("/c/east/impact-reports").status_code == 403


def test_the_impact_reports_page_offers_each_year_and_round(app, awarded):
    w = awarded
    with app.app_context():
        _autumn_round(w)
    facilitator = _client(app, w["facilitator"])
    assert "/c/west/impact-reports" in facilitator.get("/c/west/rounds/").data.decode()
    assert "/c/west/impact-reports" not in _client(app, w["members"][0]).get("/c/west/rounds/").data.decode()
    assert _client(app, w["members"][0]).get("/c/west/impact-reports").status_code == 403
    with time_machine.travel(LATER, tick=False):       # the financial year 2027–28 has begun
        facilitator = _client(app, w["facilitator"])
        page = facilitator.get("/c/west/impact-reports").data.decode()
        assert "Impact report 2027–28 (PDF)" in page and "Impact report 2026–27 (PDF)" in page
        assert "/c/west/impact-reports/2027.pdf" in page and "£6,222" in page
        assert f"/c/west/rounds/{w['round'].id}/impact-report.pdf" in page
        response = _client(app, w["reviewer"]).get("/c/west/impact-reports/2027.pdf")
        assert response.status_code == 200
        assert 'filename=impact-report-west-collective-2027-28.pdf' in response.headers["Content-Disposition"]
        assert "£6,222 awarded in 7 grants" in read(response.data)[1]
        assert facilitator.get("/c/west/impact-reports/2028.pdf").status_code == 404    # not begun yet
        assert facilitator.get("/c/west/impact-reports/1999.pdf").status_code == 404
        assert facilitator.get("/c/west/impact-reports/next.pdf").status_code == 404
        assert _client(app).get("/c/west/impact-reports/2027.pdf").status_code == 302


# -- the command line ---------------------------------------------------------------------------------

def test_samples_and_render_include_the_impact_report(app, runner, tmp_path):
    impact_reports = ["--kind", "impact-report", "--kind", "impact-report-year"]
    result = runner.invoke(args=["documents", "samples", str(tmp_path / "empty"), *impact_reports])
    assert result.exit_code == 0, result.output
    assert "Impact report (round):" in result.output and "Impact report (financial year):" in result.output
    _pages, text = read((tmp_path / "empty" / "sample-impact-report.pdf").read_bytes())
    assert "Impact report: Spring 2027 community health grants" in text and "Roma families health navigators" in text
    _pages, text = read((tmp_path / "empty" / "sample-impact-report-year.pdf").read_bytes())
    assert "Impact report 2027–28" in text

    w = _awarded(app, _counted(app))
    result = runner.invoke(args=["documents", "samples", str(tmp_path / "db"), *impact_reports])
    assert result.exit_code == 0, result.output
    assert (f"Impact report (round): {tmp_path / 'db' / 'sample-impact-report.pdf'} "
            f"(id {w['round'].id} in the database)") in result.output
    _pages, text = read((tmp_path / "db" / "sample-impact-report.pdf").read_bytes())
    assert "Impact report: Spring 2027 small grants" in text
    assert sorted(path.name for path in (tmp_path / "db").iterdir()) == [
        "sample-impact-report-year.pdf", "sample-impact-report.pdf"]  # only the kinds asked for
    result = runner.invoke(args=["documents", "render", "impact-report-year", "--id", str(w["collective"].id),
                                 "--out", str(tmp_path / "year.pdf")])
    assert result.exit_code == 0, result.output
    assert "Impact report 2027–28" in read((tmp_path / "year.pdf").read_bytes())[1]
    result = runner.invoke(args=["documents", "render", "impact-report", "--id", "99999", "--out",
                                 str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "There is no round with id 99999." in result.output
    assert set(registry.kinds()) >= {"impact-report", "impact-report-year"}
