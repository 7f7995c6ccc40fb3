"""Joint proposals (issue 16): a lead organisation invites partners of the collective; the proposal
is submitted only once every partner has answered; no member of a partner votes on it (on the
server, whatever the form says); the results and the 360Giving export name the partners."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select

from grants.awards import operations as award_ops
from grants.awards.models import Grant
from grants.collectives.models import Collective
from grants.db import db
from grants.exports import threesixty
from grants.proposals import operations as proposal_ops
from grants.proposals.models import Proposal, ProposalPartner
from grants.rounds.models import Round
from grants.voting.operations import members_who_may_vote
from grants.workflow.scheduler import run_jobs
from tests import factories
from tests.rounds_helpers import award_round, open_round, proposal, to_voting, world
from tests.test_opendata import _errors, package_validator  # noqa: F401 - the schema fixture
from workflows import GuardFailed

__all__ = ["package_validator"]


def _signed_in(app, who):
    client = app.test_client()
    assert factories.login(client, who).status_code == 302
    return client


@pytest.fixture
def joint(app):
    """Organisation A's draft (£3,000) with B and C invited; D's proposal beside it."""
    with app.test_request_context("/", method="POST"):
        w = world(organisations=4, extra_members=1)
        open_round(w)
        lead = proposal(w, 0, title="Walks together", amount=300_000, submit=False)
        other = proposal(w, 3, title="Cooking club", amount=200_000, submit=False)
        db.session.commit()
        w["lead_id"], w["other_id"] = lead.id, other.id
    return w


def _page(client, w, proposal_id) -> str:
    """The proposal's page as text: tags dropped, runs of space made one."""
    html = client.get(f"/c/west/rounds/{w['round'].id}/proposals/{proposal_id}").get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" ,", ",").replace(" .", ".")


def test_partners_are_invited_answer_and_the_proposal_waits_for_every_answer(app, joint, outbox):
    w, base = joint, f"/c/west/rounds/{joint['round'].id}/proposals/{joint['lead_id']}"
    lead = _signed_in(app, w["applicants"][0])
    outbox.clear()
    for org, share in ((w["orgs"][1], "1000"), (w["orgs"][2], "500")):
        response = lead.post(f"{base}/partners", data={"organisation_id": str(org.id), "share": share})
        assert response.status_code == 302, response.get_data(as_text=True)
    assert {m["To"] for m in outbox} >= {w["orgs"][1].contact_email, w["applicants"][1].email,
                                        w["applicants"][2].email}
    assert "invites Organisation B to a joint proposal" in next(m["Subject"] for m in outbox
                                                                if m["To"] == w["applicants"][1].email)
    with app.test_request_context("/", method="POST"):
        draft = db.session.get(Proposal, w["lead_id"])
        with pytest.raises(GuardFailed, match="Every partner must accept first; still to answer: Organisation B and "
                                          "Organisation C"):
            proposal_ops.submit_proposal(draft, w["applicants"][0])
        db.session.rollback()

    # the partners read the draft and answer; nobody answers for another
    partner_b, partner_c = _signed_in(app, w["applicants"][1]), _signed_in(app, w["applicants"][2])
    page = _page(partner_b, w, w["lead_id"])
    assert "Organisation A invites your organisation to take part, with a share of £1,000." in page
    with app.app_context():
        rows = {p.organisation_id: p.id for p in db.session.exec(select(ProposalPartner)).all()}
    assert partner_b.post(f"{base}/partners/{rows[w['orgs'][2].id]}/answer", data={"accept": "y"}).status_code == 403
    assert _signed_in(app, w["members"][0]).post(f"{base}/partners/{rows[w['orgs'][1].id]}/answer",
                                                 data={"accept": "y"}).status_code == 403
    outbox.clear()
    assert partner_b.post(f"{base}/partners/{rows[w['orgs'][1].id]}/answer", data={"accept": "y"}).status_code == 302
    assert partner_c.post(f"{base}/partners/{rows[w['orgs'][2].id]}/answer", data={"decline": "y"}).status_code == 302
    subjects = sorted(m["Subject"] for m in outbox if m["To"] == w["applicants"][0].email)
    assert subjects == ["Organisation B takes part in “Walks together”",
                        "Organisation C declined to take part in “Walks together”"]
    with app.test_request_context("/", method="POST"):
        proposal_ops.submit_proposal(db.session.get(Proposal, w["lead_id"]), w["applicants"][0])
        db.session.commit()
        assert db.session.get(Proposal, w["lead_id"]).state == "submitted"


@pytest.mark.parametrize(("data", "message"), [
    ({"share": "100"}, "Choose an organisation of the collective"),
    ({"own": True, "share": "100"}, "Your own organisation leads the proposal: choose another"),
    ({"foreign": True, "share": "100"}, "Choose an organisation of the collective"),
    ({"share": "-5"}, "Enter an amount in pounds"),
    ({"share": "3000.01"}, "The partners&#39; shares would come to £3,000.01, more than the £3,000 asked for"),
])
def test_a_partner_that_cannot_be_is_refused_beside_its_field_and_nothing_is_saved(app, joint, data, message):
    w = joint
    with app.app_context():
        east = factories.collective("east", "East Collective")
        foreign = factories.organisation(east, "East Organisation")
        db.session.commit()
        foreign_id = foreign.id
    organisation = (w["orgs"][0].id if data.get("own") else foreign_id if data.get("foreign")
                    else w["orgs"][1].id)
    form = {"share": data["share"], "organisation_id": "" if data == {"share": "100"} else str(organisation)}
    if "share" in data and data["share"] in ("-5", "3000.01"):
        form["organisation_id"] = str(w["orgs"][1].id)
    lead = _signed_in(app, w["applicants"][0])
    response = lead.post(f"/c/west/rounds/{w['round'].id}/proposals/{w['lead_id']}/partners", data=form)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.exec(select(ProposalPartner)).all() == []


def test_only_the_lead_invites_or_removes_and_only_while_a_draft(app, joint):
    w = joint
    base = f"/c/west/rounds/{w['round'].id}/proposals/{w['lead_id']}"
    for who in (w["applicants"][1], w["members"][0], w["facilitator"]):
        assert _signed_in(app, who).post(f"{base}/partners", data={"organisation_id": str(w["orgs"][1].id),
                                                                  "share": "1"}).status_code == 403
    lead = _signed_in(app, w["applicants"][0])
    lead.post(f"{base}/partners", data={"organisation_id": str(w["orgs"][1].id), "share": "1"})
    with app.app_context():
        partner = db.session.exec(select(ProposalPartner)).one()
    assert _signed_in(app, w["applicants"][1]).post(f"{base}/partners/{partner.id}/remove").status_code == 403
    assert lead.post(f"{base}/partners/{partner.id}/remove").status_code == 302
    with app.app_context():
        assert db.session.get(ProposalPartner, partner.id).state == "removed"


def _to_the_vote(app, w) -> None:
    """B takes part in A's proposal; both proposals are submitted, found eligible and put to the vote."""
    with app.test_request_context("/", method="POST"):
        lead = db.session.get(Proposal, w["lead_id"])
        partner = proposal_ops.invite_partner(lead, w["applicants"][0], w["orgs"][1].id, 100_000)
        proposal_ops.answer_partner(partner, w["applicants"][1], True)
        proposal_ops.submit_proposal(lead, w["applicants"][0])
        proposal_ops.submit_proposal(db.session.get(Proposal, w["other_id"]), w["applicants"][3])
        db.session.commit()
        to_voting(w, [db.session.get(Proposal, w["lead_id"]), db.session.get(Proposal, w["other_id"])])


def test_no_member_of_a_partner_votes_on_it_whatever_the_form_says(app, joint):
    w = joint
    _to_the_vote(app, w)
    ballot = f"/c/west/rounds/{w['round'].id}/ballot"
    partner_member = _signed_in(app, w["applicants"][1])
    page = html.unescape(partner_member.get(ballot).get_data(as_text=True))
    cards = {card.split("</h3>")[0]: card for card in page.split('<div class="govuk-summary-card">')[1:]}
    walks = next(card for title, card in cards.items() if "Walks together" in title)
    cooking = next(card for title, card in cards.items() if "Cooking club" in title)
    assert "you can't vote on it" in walks and "you can't vote on it" not in cooking
    assert f'value="{w["lead_id"]}"' not in page and f'value="{w["other_id"]}"' in page
    assert "Organisation A with Organisation B" in walks      # the ballot names every partner
    # a tampered form: refused on the server, nothing saved
    response = partner_member.post(ballot, data={"approve": [str(w["lead_id"])]})
    assert "That is your organisation's proposal" in html.unescape(response.get_data(as_text=True))
    from grants.voting.models import Ballot

    with app.app_context():
        assert db.session.exec(select(Ballot)).all() == []
    # C never took part: its member votes on both
    assert _signed_in(app, w["applicants"][2]).post(
        ballot, data={"approve": [str(w["lead_id"]), str(w["other_id"])]}).status_code == 302
    with app.app_context():
        round_ = db.session.get(Round, w["round"].id)
        may_vote = {p.id for p in db.session.exec(members_who_may_vote(round_)).all()}
    assert w["applicants"][1].id in may_vote                # B's member may still vote on the cooking club
    assert w["applicants"][2].id in may_vote


def test_the_results_and_the_360giving_export_name_the_partners(app, joint, package_validator):
    w = joint
    _to_the_vote(app, w)
    with app.test_request_context("/", method="POST"):
        from grants.voting import operations as voting_ops

        for member in [w["members"][0], w["applicants"][2]]:
            voting_ops.cast_ballot(db.session.get(Round, w["round"].id), member,
                                   {w["lead_id"]: 1, w["other_id"]: 1}, actor=member,
                                   now=w["round"].voting_opens_at + timedelta(hours=1))
        db.session.commit()
    with app.app_context(), time_machine.travel(w["round"].voting_closes_at + timedelta(minutes=1), tick=False):
        run_jobs()
    facilitator = _signed_in(app, w["facilitator"])
    results = facilitator.get(f"/c/west/rounds/{w['round'].id}/results").get_data(as_text=True)
    assert "Organisation A with Organisation B" in results
    with app.test_request_context("/", method="POST"):
        award_round(w)
        grant = db.session.exec(select(Grant).where(Grant.proposal_id == w["lead_id"])).one()
        assert grant.organisation_id == w["orgs"][0].id        # the grant is to the lead
        award_ops.accept_grant(grant, w["applicants"][0], accepted_by_name="Applicant A", conditions_confirmed=True)
        db.session.commit()
        grant_id = grant.id
    grant_page = " ".join(re.sub(r"<[^>]+>", " ", facilitator.get(f"/c/west/grants/{grant_id}").get_data(
        as_text=True)).split())
    assert "Partners Organisation B (its share £1,000)" in grant_page
    app.config["THREESIXTY_PREFIX"] = "360G-jointtest"
    with app.test_request_context("/"):
        collective = db.session.exec(select(Collective).where(Collective.slug == "west")).one()
        package = json.loads(threesixty.package_json(collective))
    assert _errors(package_validator, package) == []
    record = next(g for g in package["grants"] if g["title"] == "Walks together")
    assert record["recipientOrganization"][0]["name"] == "Organisation A"
    assert record["additional_data"]["partnerOrganizations"] == [
        {"id": f"360G-jointtest-org-{w['orgs'][1].id}", "name": "Organisation B", "share": 1000}]
