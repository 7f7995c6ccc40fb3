"""The commissioning cycle follows its workflow through ``fire``: guards read the cycle, effects run."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

import workflows
from grants.audit.models import AuditEvent
from grants.collectives.models import Collective
from grants.commissioning import links, operations, queries
from grants.commissioning.models import Need
from grants.db import db
from grants.errors import Refused
from grants.workflow import operations as workflow_operations
from grants.workflow.operations import fire
from grants.workflow.models import StateHistory
from tests import factories
from tests.commissioning.conftest import load_evidence
from workflows import GuardFailed, NotAllowed


def setup_cycle(west):
    load_evidence(west)
    collective = db.session.get(Collective, west["collective_id"])
    cycle = operations.create_cycle(collective, name="2027 community health", description="", actor=west["facilitator"])
    db.session.commit()
    return collective, cycle


def test_every_effect_of_the_commissioning_workflow_has_a_real_handler(app):
    assert workflows.get("commissioning").effect_names == {"publish_you_said_we_did"}
    assert workflows.get("commissioning").effect_names <= workflow_operations.registered_effects()


def test_the_subject_protocol_is_every_attribute_the_guards_read(app, ctx, west):
    _collective, cycle = setup_cycle(west)
    read = {name for t in workflows.get("commissioning").transitions for g in t.guards for name in g.reads}
    assert read == {"evidence_datasets_count", "engagement_sessions_count", "needs_count", "priorities_agreed",
                    "commissioned_round_id", "commissioned_round_closed", "needs_without_response"}
    assert {name: getattr(cycle, name) for name in sorted(read)} == {
        "commissioned_round_closed": False, "commissioned_round_id": None, "engagement_sessions_count": 0,
        "evidence_datasets_count": 0, "needs_count": 0, "needs_without_response": [], "priorities_agreed": False}


def test_a_cycle_goes_from_evidence_to_priorities_with_guards_explaining_each_refusal(app, ctx, west):
    collective, cycle = setup_cycle(west)
    facilitator, reviewer, member = west["facilitator"], west["reviewer"], west["member"]
    with pytest.raises(GuardFailed, match="Add at least one service-use dataset"):
        fire(cycle, "start_engagement", facilitator)
    with pytest.raises(NotAllowed, match="Only a facilitator can do this"):
        fire(cycle, "start_engagement", reviewer)
    with pytest.raises(NotAllowed):
        fire(cycle, "start_engagement", member)

    [dataset] = queries.datasets(collective)
    operations.set_cycle_evidence(cycle, [dataset.id], facilitator)
    assert cycle.evidence_datasets_count == 1
    fire(cycle, "start_engagement", facilitator)
    with pytest.raises(GuardFailed, match="Record at least one engagement session"):
        fire(cycle, "record_needs", facilitator)
    event = operations.record_event(cycle, title="Workshop", held_on=date(2026, 10, 9), place="Mosque", kind="workshop",
                                    participants=20, notes="", host_ids=[west["mosque"]],
                                    by_community={"asian_pakistani": 12}, actor=facilitator)
    item = operations.add_feedback(event, text="Classes only in English", theme_ids=[], communities=[],
                                   actor=facilitator)
    fire(cycle, "record_needs", facilitator)
    with pytest.raises(GuardFailed, match="Record at least one need"):
        fire(cycle, "draft_priorities", facilitator)
    need = operations.write_need(cycle, title="Classes in Urdu", statement="Teach us in Urdu",
                                 evidence=[], feedback_ids=[item.id], actor=facilitator)
    fire(cycle, "draft_priorities", facilitator)

    # the partnership sends it back once, with a reason, then agrees
    with pytest.raises(GuardFailed, match="Say what needs to change"):
        fire(cycle, "revise_needs", reviewer)
    fire(cycle, "revise_needs", reviewer, data={"reason": "Say which wards"})
    fire(cycle, "draft_priorities", facilitator)
    with pytest.raises(GuardFailed, match="The partnership has not agreed these priorities yet"):
        fire(cycle, "commission", facilitator)
    priority = operations.decide_need(need, approve=True, theme_ids=[west["themes"]["Communications"]], note="",
                                      actor=reviewer)
    assert cycle.priorities_agreed is True
    with pytest.raises(GuardFailed, match="Choose the round that will fund these priorities"):
        fire(cycle, "commission", facilitator)
    assert cycle.needs_without_response == ["Classes in Urdu"]
    entry = operations.record_we_did(priority, text="Urdu classes at the mosque", reach={"asian_pakistani": 30},
                                     actor=facilitator)
    assert cycle.needs_without_response == ["Classes in Urdu"]     # not checked yet
    operations.check_we_did(entry, reviewer)
    assert cycle.needs_without_response == []
    db.session.commit()

    history = db.session.exec(select(StateHistory.transition).where(StateHistory.object_type == "commissioning_cycle")
                              .order_by(StateHistory.id)).all()
    assert history == ["start_engagement", "record_needs", "draft_priorities", "revise_needs", "draft_priorities"]
    actions = set(db.session.exec(select(AuditEvent.action)).all())
    assert {"commissioning.cycle_created", "commissioning.evidence_chosen", "engagement.recorded",
            "engagement.feedback_added", "need.written", "priority.approved", "we_did.recorded",
            "commissioning.revise_needs"} <= actions


def test_a_round_resolver_lets_the_cycle_be_commissioned_delivered_and_the_loop_closed(app, ctx, west, mail_server,
                                                                                        monkeypatch):
    collective, cycle = setup_cycle(west)
    facilitator, reviewer = west["facilitator"], west["reviewer"]
    [dataset] = queries.datasets(collective)
    operations.set_cycle_evidence(cycle, [dataset.id], facilitator)
    fire(cycle, "start_engagement", facilitator)
    event = operations.record_event(cycle, title="Drop-in", held_on=date(2026, 10, 17), place="Centre",
                                    kind="consultation", participants=19, notes="", host_ids=[west["roma"]],
                                    by_community={}, actor=facilitator)
    fire(cycle, "record_needs", facilitator)
    keep = operations.write_need(cycle, title="Register without papers", statement="…", evidence=[
        (dataset.id, "Handsworth", "white_roma")], feedback_ids=[], actor=facilitator)
    drop = operations.write_need(cycle, title="Letters in Romanian", statement="…", evidence=[
        (dataset.id, "Ladywood", "white_roma")], feedback_ids=[], actor=facilitator)
    fire(cycle, "draft_priorities", facilitator)
    priority = operations.decide_need(keep, approve=True, theme_ids=[west["themes"]["Primary care access"]],
                                      note="", actor=reviewer)
    operations.decide_need(drop, approve=False, theme_ids=[], note="Already funded by the NHS", actor=reviewer)

    state = {"round": links.RoundLink(round_id=42, closed=False)}
    resolvers = []
    monkeypatch.setattr(links, "_resolvers", resolvers)
    links.round_resolver(lambda c: state["round"] if c.id == cycle.id else None)
    assert (cycle.commissioned_round_id, cycle.commissioned_round_closed) == (42, False)
    fire(cycle, "commission", facilitator)
    with pytest.raises(GuardFailed, match="The commissioned round has not closed yet"):
        fire(cycle, "mark_delivered", facilitator)
    state["round"] = links.RoundLink(round_id=42, closed=True)
    fire(cycle, "mark_delivered", facilitator)
    with pytest.raises(GuardFailed, match="Say what was done about each need first: Register without papers"):
        fire(cycle, "close_loop", facilitator)
    entry = operations.record_we_did(priority, text="Drop-ins at three surgeries", reach={}, actor=facilitator)
    operations.check_we_did(entry, reviewer)
    fire(cycle, "close_loop", facilitator)
    db.session.commit()

    assert cycle.state == "loop_closed" and cycle.published_at is not None
    # the community partner who hosted the event, the facilitator and the reviewer are told
    received = mail_server.wait_for(3)
    assert sorted(m["To"] for m in received) == ["elena@example.org", "fola@example.org", "rachel@example.org"]
    assert all(m["Subject"] == "You said, we did: 2027 community health" for m in received)
    assert "/c/west/you-said-we-did" in received[0].get_payload()
    published = db.session.exec(select(AuditEvent).where(AuditEvent.action == "commissioning.published")).one()
    assert published.after == {"recipients": 3} and event.cycle_id == cycle.id


def test_decisions_need_a_reviewer_the_right_stage_and_a_reason_to_decline(app, ctx, west):
    collective, cycle = setup_cycle(west)
    facilitator, reviewer = west["facilitator"], west["reviewer"]
    [dataset] = queries.datasets(collective)
    operations.set_cycle_evidence(cycle, [dataset.id], facilitator)
    fire(cycle, "start_engagement", facilitator)
    operations.record_event(cycle, title="Fair", held_on=date(2026, 9, 1), place="Park", kind="fair",
                            participants=5, notes="", host_ids=[west["mosque"]], by_community={}, actor=facilitator)
    fire(cycle, "record_needs", facilitator)
    need = operations.write_need(cycle, title="A need", statement="We need", evidence=[
        (dataset.id, "Ladywood", "white_roma")], feedback_ids=[], actor=facilitator)
    with pytest.raises(Refused, match="while the cycle is at “Priorities”; it is at “Needs"):
        operations.decide_need(need, approve=True, theme_ids=[west["themes"]["Building trust"]], note="",
                               actor=reviewer)
    fire(cycle, "draft_priorities", facilitator)
    with pytest.raises(Refused, match="Only a reviewer"):
        operations.decide_need(need, approve=True, theme_ids=[west["themes"]["Building trust"]], note="",
                               actor=facilitator)
    with pytest.raises(Refused, match="Say why the need is not taken forward") as caught:
        operations.decide_need(need, approve=False, theme_ids=[], note=" ", actor=reviewer)
    assert caught.value.field == "note"
    with pytest.raises(Refused, match="Choose at least one theme"):
        operations.decide_need(need, approve=True, theme_ids=[], note="", actor=reviewer)
    operations.decide_need(need, approve=True, theme_ids=[west["themes"]["Building trust"]], note="", actor=reviewer)
    with pytest.raises(Refused, match="already been decided"):
        operations.decide_need(need, approve=False, theme_ids=[], note="No", actor=reviewer)


def test_state_rules_of_the_other_operations(app, ctx, west):
    collective, cycle = setup_cycle(west)
    facilitator = west["facilitator"]
    with pytest.raises(Refused, match="You can record engagement while the cycle is at “Engagement” or “Needs"):
        operations.record_event(cycle, title="Early", held_on=date(2026, 1, 1), place="x", kind="workshop",
                                participants=1, notes="", host_ids=[west["mosque"]], by_community={},
                                actor=facilitator)
    with pytest.raises(Refused, match="write needs"):
        operations.write_need(cycle, title="x", statement="x", evidence=[], feedback_ids=[], actor=facilitator)
    other = factories.collective("elsewhere")
    foreign_org = factories.organisation(other, "Elsewhere Group")
    [dataset] = queries.datasets(collective)
    operations.set_cycle_evidence(cycle, [dataset.id], facilitator)
    fire(cycle, "start_engagement", facilitator)
    with pytest.raises(Refused, match="Choose hosts from the collective's organisations"):
        operations.record_event(cycle, title="x", held_on=date(2026, 1, 1), place="x", kind="workshop",
                                participants=1, notes="", host_ids=[foreign_org.id], by_community={},
                                actor=facilitator)
    with pytest.raises(Refused, match="add up to 30, more than the 20 in total"):
        operations.record_event(cycle, title="x", held_on=date(2026, 1, 1), place="x", kind="workshop",
                                participants=20, notes="", host_ids=[west["mosque"]],
                                by_community={"asian_indian": 10, "black_african": 20}, actor=facilitator)
    operations.record_event(cycle, title="x", held_on=date(2026, 1, 1), place="x", kind="workshop",
                            participants=20, notes="", host_ids=[west["mosque"]], by_community={}, actor=facilitator)
    fire(cycle, "record_needs", facilitator)
    with pytest.raises(Refused, match="You can change the evidence while the cycle is at “Evidence” or “Engagement”"):
        operations.set_cycle_evidence(cycle, [dataset.id], facilitator)


def test_of_two_reviewers_deciding_at_once_the_second_is_told_not_shown_an_error(app, ctx, west):
    import sqlalchemy as sa

    collective, cycle = setup_cycle(west)
    facilitator, reviewer = west["facilitator"], west["reviewer"]
    [dataset] = queries.datasets(collective)
    operations.set_cycle_evidence(cycle, [dataset.id], facilitator)
    fire(cycle, "start_engagement", facilitator)
    operations.record_event(cycle, title="Fair", held_on=date(2026, 9, 1), place="Park", kind="fair",
                            participants=5, notes="", host_ids=[west["mosque"]], by_community={}, actor=facilitator)
    fire(cycle, "record_needs", facilitator)
    need = operations.write_need(cycle, title="A need", statement="We need", evidence=[
        (dataset.id, "Ladywood", "white_roma")], feedback_ids=[], actor=facilitator)
    fire(cycle, "draft_priorities", facilitator)
    db.session.commit()
    # another reviewer's decision lands between this page being read and the form being sent
    db.session.execute(sa.update(Need.__table__).where(Need.id == need.id).values(decision="not_taken_forward",
                                                                         decision_reason="Funded elsewhere"))
    with pytest.raises(Refused, match="Someone else decided this need a moment ago"):
        operations.decide_need(need, approve=True, theme_ids=[west["themes"]["Building trust"]], note="",
                               actor=reviewer)
    db.session.rollback()


def test_a_duplicate_cycle_name_is_refused_beside_the_field(app, ctx, west):
    collective, _cycle = setup_cycle(west)
    with pytest.raises(Refused, match="already has a cycle with this name") as caught:
        operations.create_cycle(collective, name="2027 community health", description="", actor=west["facilitator"])
    assert caught.value.field == "name"
