"""Issue 13, voting: paper over online (item 3), being told when voting opens and reminded (item 11),
the ballot page's links, wording and abstentions (item 17)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlmodel import func, select

from grants.audit.models import AuditEvent
from grants.db import db
from grants.mail.models import OutboxMessage
from grants.voting import operations as voting_ops
from grants.voting.models import Ballot, BallotMark
from grants.workflow.operations import fire
from grants.workflow.scheduler import run_jobs
from tests import factories
from tests.rounds_helpers import T0, award_round, counted_round, open_round, proposal, to_voting, vote, world

DURING_VOTE = T0 + timedelta(days=23)


def _mail(subject_has: str = "") -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.exec(select(OutboxMessage).where(OutboxMessage.subject.contains(subject_has))
                                .order_by(OutboxMessage.id)).all())


@pytest.fixture
def voting_world(app):
    with app.test_request_context("/", method="POST"):
        w = world(organisations=3, extra_members=2)
        open_round(w)
        ps = [proposal(w, 0, title="Walking club", amount=300_000),
              proposal(w, 1, title="Baby massage", amount=400_000, theme="Best start in life"),
              proposal(w, 2, title="Diabetes cafe", amount=500_000)]
        to_voting(w, ps)
        return w, ps


# -- item 3: a paper ballot over an online one -----------------------------------------------------

def _paper(client, w, member, approve, **extra):
    return client.post(f"/c/west/rounds/{w['round'].id}/paper-ballot",
                       data={"member_id": str(member.id), "approve": [str(p) for p in approve], **extra})


def test_a_paper_ballot_over_an_online_one_asks_first_keeps_the_entry_and_tells_the_member(client, app, voting_world):
    w, ps = voting_world
    member = w["members"][0]
    with app.test_request_context("/", method="POST"):
        vote(w, member, {ps[0].id: 1})
    with time_machine.travel(DURING_VOTE):
        factories.login(client, w["facilitator"])
        response = _paper(client, w, member, [ps[2].id])
        page = response.data.decode()
        assert response.status_code == 200
        assert '<span dir="auto">Member 0</span> has already voted online' in page
        assert "Yes, replace their online ballot" in page
        assert 'href="#replace_online"' in page                              # in the error summary
        assert "Confirm that this paper ballot replaces Member 0&#39;s online ballot of 23 March 2027" in page
        assert f'id="approve-{ps[2].id}" name="approve" type="checkbox" value="{ps[2].id}" checked' in page
        # Secret ballot: the member's online choice is not shown to the facilitator.
        assert f'value="{ps[0].id}" checked' not in page
        with app.app_context():
            ballot = db.session.exec(select(Ballot)).one()
            assert not ballot.is_paper                                       # nothing replaced yet
            assert db.session.exec(select(BallotMark.proposal_id)).all() == [ps[0].id]
            assert _mail("replaced") == []
            replacing = ballot.updated_at.isoformat()
        assert f'value="{replacing}"' in page
        response = _paper(client, w, member, [ps[2].id], replace_online="y", replacing=replacing)
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).data.decode()
    assert "Paper ballot saved for Member 0" in page and "has been emailed" in page
    with app.app_context():
        ballot = db.session.exec(select(Ballot)).one()
        assert ballot.is_paper and ballot.entered_by_id == w["facilitator"].id
        assert db.session.exec(select(BallotMark.proposal_id)).all() == [ps[2].id]
        [message] = _mail("replaced")
        assert message.recipient == "member0@example.org"
        assert "Fola" in message.body and "replaced on" in message.body
        for title in ("Walking club", "Baby massage", "Diabetes cafe"):
            assert title not in message.body and title not in message.subject
        summaries = db.session.exec(select(AuditEvent.summary).where(AuditEvent.action == "ballot.paper_entered")).all()
        assert summaries == ["Paper ballot entered for Member 0, replacing their online ballot"]


def test_a_confirmation_given_for_an_earlier_online_ballot_asks_again(client, app, voting_world):
    w, ps = voting_world
    member = w["members"][0]
    with app.test_request_context("/", method="POST"):
        vote(w, member, {ps[0].id: 1}, at=T0 + timedelta(days=22))
        earlier = db.session.exec(select(Ballot.updated_at)).one().isoformat()
        vote(w, member, {ps[1].id: 1}, at=T0 + timedelta(days=22, hours=2))   # voted again since the page was shown
    with time_machine.travel(DURING_VOTE):
        factories.login(client, w["facilitator"])
        response = _paper(client, w, member, [ps[2].id], replace_online="y", replacing=earlier)
        assert response.status_code == 200 and "Yes, replace their online ballot" in response.data.decode()
        assert _paper(client, w, member, [ps[2].id], replace_online="y", replacing="not a time").status_code == 200
    with app.app_context():
        assert not db.session.exec(select(Ballot)).one().is_paper
        assert _mail("replaced") == []


def test_a_paper_ballot_for_a_member_who_has_not_voted_online_needs_no_confirmation(client, app, voting_world):
    w, ps = voting_world
    with time_machine.travel(DURING_VOTE):
        factories.login(client, w["facilitator"])
        assert _paper(client, w, w["members"][1], [ps[1].id]).status_code == 302
        assert _paper(client, w, w["members"][1], [ps[2].id]).status_code == 302    # paper over paper: a correction
    with app.app_context():
        assert _mail("replaced") == []


# -- item 11: told when voting opens, reminded now, never about nothing to vote on -------------------

@pytest.fixture
def one_organisation_world(app):
    """Only organisation A has a proposal in the vote: its applicant has nothing to vote on."""
    with app.test_request_context("/", method="POST"):
        w = world(organisations=2, extra_members=2)
        open_round(w)
        ps = [proposal(w, 0, title="Walking club", amount=300_000)]
        fire(w["round"], "close_proposals", w["facilitator"], now=T0 + timedelta(days=14))
        from grants.proposals import operations as proposal_ops

        proposal_ops.decide_eligibility(ps[0], eligible=True, reason="", actor=w["facilitator"])
        db.session.commit()
        return w, ps


def test_members_are_emailed_once_when_voting_opens_except_those_with_nothing_to_vote_on(app, one_organisation_world):
    w, ps = one_organisation_world
    opens = w["round"].voting_opens_at
    with app.app_context(), time_machine.travel(opens + timedelta(minutes=1), tick=False):
        from grants.rounds.models import Round

        # A first run that fails after the transition: its emails go with its rollback.
        round_ = db.session.get(Round, w["round"].id)
        fire(round_, "open_voting", "scheduler")
        db.session.rollback()
        assert _mail("Voting is open") == []
        assert run_jobs()["transitions"] == 1
        assert run_jobs()["transitions"] == 0                       # a second run does nothing more
        voting_ops.announce_voting(db.session.get(Round, w["round"].id), None, None)   # run again by mistake
        db.session.commit()
        sent = _mail("Voting is open")
    assert sorted(m.recipient for m in sent) == ["app1@example.org", "member0@example.org", "member1@example.org"]
    assert "/ballot" in sent[0].body and "closes on" in sent[0].body


def test_scheduled_reminders_skip_members_with_nothing_to_vote_on(app, one_organisation_world):
    w, ps = one_organisation_world
    with app.test_request_context("/", method="POST"):
        fire(w["round"], "open_voting", w["facilitator"], now=T0 + timedelta(days=21))
        db.session.commit()
    closes = w["round"].voting_closes_at
    with app.app_context():
        assert voting_ops.send_voting_reminders(closes - timedelta(hours=47)) == 3
        assert sorted(m.recipient for m in _mail("Reminder")) == [
            "app1@example.org", "member0@example.org", "member1@example.org"]


def test_a_facilitator_sends_a_reminder_now_rate_limited_and_audited(client, app, one_organisation_world):
    w, ps = one_organisation_world
    with app.test_request_context("/", method="POST"):
        fire(w["round"], "open_voting", w["facilitator"], now=T0 + timedelta(days=21))
        db.session.commit()
        vote(w, w["members"][0], {ps[0].id: 1})
        w["members"][1].wants_reminders = False
        db.session.add(w["members"][1])
        db.session.commit()
    path = f"/c/west/rounds/{w['round'].id}/reminders"
    with time_machine.travel(DURING_VOTE):
        member = app.test_client()
        factories.login(member, w["members"][0])
        assert member.post(path).status_code == 403
        factories.login(client, w["facilitator"])
        round_page = client.get(f"/c/west/rounds/{w['round'].id}").data.decode()
        assert f'action="{path}"' in round_page and "Send a reminder now" in round_page
        response = client.post(path)
        assert response.status_code == 302
        assert "Reminder sent to 1 member who can vote" in client.get(response.headers["Location"]).data.decode()
        assert client.post(path).status_code == 429                  # at most once an hour
    with app.app_context():
        assert [m.recipient for m in _mail("Reminder")] == ["app1@example.org"]   # not app0: nothing to vote on
        [row] = db.session.exec(select(AuditEvent).where(AuditEvent.action == "round.voting_reminder_sent")).all()
        assert row.actor_id == w["facilitator"].id and "1 member" in row.summary


def test_a_reminder_now_with_nobody_to_remind_says_so(client, app, one_organisation_world):
    w, ps = one_organisation_world
    with app.test_request_context("/", method="POST"):
        fire(w["round"], "open_voting", w["facilitator"], now=T0 + timedelta(days=21))
        db.session.commit()
        for person in (w["members"][0], w["members"][1], w["applicants"][1]):
            vote(w, person, {ps[0].id: 1})
    with time_machine.travel(DURING_VOTE):
        factories.login(client, w["facilitator"])
        page = client.post(f"/c/west/rounds/{w['round'].id}/reminders", follow_redirects=True).data.decode()
    assert "Nobody to remind" in page
    with app.app_context():
        assert _mail("Reminder") == []


# -- item 17: the ballot page --------------------------------------------------------------------

def test_the_ballot_links_each_proposal_to_its_page_in_the_same_tab(client, app, voting_world):
    w, ps = voting_world
    with time_machine.travel(DURING_VOTE):
        factories.login(client, w["members"][0])
        page = client.get(f"/c/west/rounds/{w['round'].id}/ballot").data.decode()
        for p in ps:
            link = f'<a class="govuk-link" dir="auto" href="/c/west/rounds/{w["round"].id}/proposals/{p.id}">{p.title}</a>'
            assert link in page
            assert client.get(f"/c/west/rounds/{w['round'].id}/proposals/{p.id}").status_code == 200
        assert 'target="_blank"' not in page
        assert "until then you can change your ballot" in page


def test_after_the_awards_the_ballot_page_no_longer_says_you_can_change_it(client, app):
    w = counted_round(app)
    with app.test_request_context("/", method="POST"):
        award_round(w)
    factories.login(client, w["members"][0])
    page = client.get(f"/c/west/rounds/{w['round'].id}/ballot").data.decode()
    assert "until then you can change your ballot" not in page
    assert "you can no longer change your ballot" in page and "Grants have been awarded" in page
    assert "Save my ballot" not in page


def test_an_empty_ballot_is_refused_beside_the_proposals_and_nothing_is_saved(client, app, voting_world):
    w, ps = voting_world
    with time_machine.travel(DURING_VOTE):
        factories.login(client, w["members"][0])
        response = client.post(f"/c/west/rounds/{w['round'].id}/ballot", data={"action": "save"})
    page = response.data.decode()
    assert response.status_code == 200
    assert 'id="choice-error"' in page and "You have not chosen any proposal" in page
    assert 'href="#choice"' in page
    with app.app_context():
        assert db.session.exec(select(func.count()).select_from(Ballot)).one() == 0


def test_a_member_abstains_explicitly_and_it_counts_as_taking_part(client, app, voting_world):
    w, ps = voting_world
    ballot = f"/c/west/rounds/{w['round'].id}/ballot"
    with time_machine.travel(DURING_VOTE):
        factories.login(client, w["members"][0])
        page = client.get(ballot).data.decode()
        assert "I choose not to support any proposal" in page
        # Abstaining with a tick: refused, and the tick is kept.
        response = client.post(ballot, data={"action": "abstain", "approve": [str(ps[1].id)]})
        assert response.status_code == 200
        assert "You chose not to support any proposal, but some are chosen" in response.data.decode()
        assert f'value="{ps[1].id}" checked' in response.data.decode()
        response = client.post(ballot, data={"action": "abstain"})
        assert response.status_code == 302
        page = client.get(ballot).data.decode()
        assert "You chose not to support any proposal" in page
        factories.login(client, w["facilitator"])
        turnout = client.get(f"/c/west/rounds/{w['round'].id}/turnout").data.decode()
    assert "1 of 5 members have voted" in turnout
    with app.app_context():
        assert db.session.exec(select(func.count()).select_from(Ballot)).one() == 1
        assert db.session.exec(select(BallotMark)).all() == []


def test_a_facilitator_enters_a_paper_abstention_explicitly(client, app, voting_world):
    w, ps = voting_world
    with time_machine.travel(DURING_VOTE):
        factories.login(client, w["facilitator"])
        response = _paper(client, w, w["members"][1], [], action="save")
        assert response.status_code == 200 and "This paper ballot has no proposal chosen" in response.data.decode()
        assert _paper(client, w, w["members"][1], [], action="abstain").status_code == 302
    with app.app_context():
        assert db.session.exec(select(Ballot.is_paper)).all() == [True]
