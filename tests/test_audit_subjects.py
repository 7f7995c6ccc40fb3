"""The audit trail names who really acted and what they acted on (issue 13, item 18).

A transition a person fires moves other rows on as its effects (closing voting counts every
proposal; cancelling withdraws them): those moves are the person's, not the scheduler's. Only
what the scheduler fires on its own, at a deadline, is the scheduler's.
"""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlmodel import select

from grants.audit.models import AuditEvent
from grants.db import db
from grants.rounds import operations as round_ops
from grants.workflow.models import StateHistory
from grants.workflow.scheduler import run_jobs
from tests import factories
from tests.rounds_helpers import open_round, proposal, to_voting, vote, world


def _proposal_rows(model, proposal_ids):
    return db.session.exec(select(model).where(model.object_type == "proposal",
                                                model.object_id.in_(proposal_ids))).all()


def test_moves_caused_by_a_person_name_the_person_not_the_scheduler(app):
    with app.test_request_context("/", method="POST"):
        w = world(organisations=2, extra_members=1)
        open_round(w)
        ps = [proposal(w, 0, title="Walking club", amount=300_000), proposal(w, 1, title="Baby massage", amount=400_000)]
        to_voting(w, ps)
        vote(w, w["members"][0], {ps[0].id: 1})
        round_ops.move_round(w["round"], "close_voting", w["facilitator"])
        db.session.commit()
        ids = [p.id for p in ps]
        counted = [h for h in _proposal_rows(StateHistory, ids) if h.transition in ("mark_selected", "mark_not_selected")]
        assert len(counted) == 2
        assert {h.actor_label for h in counted} == {"Fola <fola@example.org>"}
        assert {h.actor_id for h in counted} == {w["facilitator"].id}
        events = [e for e in _proposal_rows(AuditEvent, ids) if e.action.endswith(("mark_selected", "mark_not_selected"))]
        assert len(events) == 2
        assert {e.actor_label for e in events} == {"Fola <fola@example.org>"}
        # The eligibility → vote moves when the facilitator opened voting are the facilitator's too.
        entered = [h for h in _proposal_rows(StateHistory, ids) if h.transition == "enter_vote"]
        assert entered and {h.actor_label for h in entered} == {"Fola <fola@example.org>"}


def test_cancelling_withdraws_proposals_in_the_facilitators_name(app):
    with app.test_request_context("/", method="POST"):
        w = world()
        open_round(w)
        p = proposal(w, 0, title="Walking club", amount=300_000)
        round_ops.move_round(w["round"], "cancel", w["facilitator"], reason="The fund was withdrawn")
        db.session.commit()
        withdrawn = [h for h in _proposal_rows(StateHistory, [p.id]) if h.transition == "withdraw"]
        assert [h.actor_label for h in withdrawn] == ["Fola <fola@example.org>"]


def test_what_the_scheduler_fires_at_a_deadline_stays_the_schedulers(app):
    with app.test_request_context("/", method="POST"):
        w = world(organisations=1, extra_members=1)
        open_round(w)
        ps = [proposal(w, 0, title="Walking club", amount=300_000)]
        to_voting(w, ps)
        vote(w, w["members"][0], {ps[0].id: 1})
        closes = w["round"].voting_closes_at
        pid = ps[0].id
    with app.app_context(), time_machine.travel(closes + timedelta(minutes=1), tick=False):
        run_jobs()
    with app.app_context():
        counted = [h for h in _proposal_rows(StateHistory, [pid]) if h.transition == "mark_selected"]
        assert [h.actor_label for h in counted] == ["scheduler"]


def test_the_audit_page_names_the_proposal_and_the_round(client, app):
    with app.test_request_context("/", method="POST"):
        w = world(organisations=1, extra_members=1)
        open_round(w)
        proposal(w, 0, title="Walking club for carers", amount=300_000)
        round_ops.move_round(w["round"], "cancel", w["facilitator"], reason="The fund was withdrawn")
        db.session.commit()
        facilitator = w["facilitator"]
    factories.login(client, facilitator)
    page = client.get("/c/west/audit").data.decode()
    assert "What it was about" in page
    assert "Proposal: Walking club for carers" in page
    assert "Round: Spring 2027 small grants" in page
    # The withdrawal row, subject and person together.
    row = next(r for r in page.split("<tr") if "Walking club for carers" in r and "Withdrawn" in r)
    assert "Fola" in row and "scheduler" not in row
