"""No POST to a commissioning page changes another collective's data, whichever ids it carries.

Uses the tenancy matrix's world (two collectives with commissioning objects in each, from
``tests.commissioning.world``); the GET side of every route is in the matrix itself.
"""

from __future__ import annotations

import io

from sqlmodel import func, select

from grants.audit.models import AuditEvent
from grants.commissioning.models import (
    CommissioningCycle,
    CommissioningSetting,
    CycleEvidence,
    EngagementEvent,
    EvidenceImport,
    FeedbackItem,
    Need,
    WeDidEntry,
)
from grants.db import db
from grants.organisations.models import Organisation
from tests.test_tenancy import FACILITATOR, REVIEWER, _client_for, world  # noqa: F401 - world is a fixture


def count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.exec(query).one()


def test_foreign_commissioning_posts_change_nothing(app, world):
    alpha, beta = world["ids"]["alpha"], world["ids"]["beta"]
    facilitator = _client_for(app, world, FACILITATOR)
    reviewer = _client_for(app, world, REVIEWER)
    with app.app_context():
        beta_org = db.session.exec(select(Organisation.id).where(Organisation.name == "Beta Secret Organisation")).one()
        beta_dataset = db.session.exec(select(CycleEvidence.dataset_id).where(
            CycleEvidence.cycle_id == beta["cycle"])).one()
        events_before = count(EngagementEvent)
    base_a, base_b = "/c/alpha/commissioning", "/c/beta/commissioning"
    refused = [
        (facilitator, f"{base_a}/cycles/{beta['cycle']}", {"transition": "draft_priorities"}),
        (facilitator, f"{base_b}/cycles/{beta['cycle']}", {"transition": "draft_priorities"}),
        (facilitator, f"{base_a}/cycles/{beta['early_cycle']}/evidence", {"datasets": [str(beta_dataset)]}),
        (facilitator, f"{base_a}/cycles/{beta['cycle']}/events/new", {"title": "Hijack"}),
        (facilitator, f"{base_a}/cycles/{beta['cycle']}/events/{beta['event']}", {"text": "Hijacked"}),
        (facilitator, f"{base_a}/cycles/{alpha['cycle']}/events/{beta['event']}", {"text": "Hijacked"}),
        (facilitator, f"{base_a}/cycles/{beta['cycle']}/needs/new", {"title": "Hijack", "statement": "x"}),
        (facilitator, f"{base_a}/cycles/{beta['agreed_cycle']}/priorities/{beta['priority']}/we-did",
         {"text": "Hijacked"}),
        (facilitator, f"{base_a}/cycles/{alpha['agreed_cycle']}/priorities/{beta['priority']}/we-did",
         {"text": "Hijacked"}),
        (facilitator, f"{base_b}/settings", {"threshold": "0.1"}),
        (facilitator, f"{base_b}/cycles/new", {"name": "Hijack"}),
        (facilitator, f"{base_b}/evidence/import", {"kind": "population"}),
        (reviewer, f"{base_a}/cycles/{beta['agreed_cycle']}/needs/{beta['need']}", {"decision": "priority"}),
        (reviewer, f"{base_b}/cycles/{beta['agreed_cycle']}/needs/{beta['need']}", {"decision": "priority"}),
        # issue 13: beta's "we did" checked, or grants confirmed for beta's priority, from alpha
        (reviewer, f"{base_a}/cycles/{beta['agreed_cycle']}/we-did/{beta['we_did']}/check", {}),
        (reviewer, f"{base_b}/cycles/{beta['agreed_cycle']}/we-did/{beta['we_did']}/check", {}),
        (reviewer, f"{base_a}/cycles/{alpha['agreed_cycle']}/we-did/{beta['we_did']}/check", {}),
        (facilitator, f"{base_a}/cycles/{beta['agreed_cycle']}/priorities/{beta['priority']}/grants", {}),
        (facilitator, f"{base_a}/cycles/{alpha['agreed_cycle']}/priorities/{beta['priority']}/grants", {}),
    ]
    for client, path, data in refused:
        assert client.post(path, data=data).status_code in (403, 404), path

    # beta's ids inside forms of alpha's own objects are refused beside the field
    page = facilitator.post(f"{base_a}/cycles/{alpha['early_cycle']}/evidence",
                            data={"datasets": [str(beta_dataset)]}).data.decode()
    assert "Choose datasets from the list" in page
    page = facilitator.post(f"{base_a}/cycles/{alpha['cycle']}/events/new", data={
        "title": "Hijack", "held_on": ["1", "1", "2026"], "place": "x", "kind": "workshop",
        "hosts": [str(beta_org)], "participants": "3"}).data.decode()
    assert "Choose hosts from the collective" in page
    page = facilitator.post(f"{base_a}/cycles/{alpha['cycle']}/needs/new", data={
        "title": "Hijack", "statement": "x", "evidence": [f"{beta_dataset}|Ward|white_roma"]}).data.decode()
    assert "Choose evidence from the list" in page
    response = facilitator.post(f"{base_b}/evidence/import", data={"kind": "usage", "file": (io.BytesIO(
        b"service,period,area,ethnic_group,count\nX,2025,Ward,Roma,1\n"), "x.csv")}, content_type="multipart/form-data")
    assert response.status_code == 403

    with app.app_context():
        assert db.session.get(CommissioningCycle, beta["cycle"]).state == "needs"
        assert count(CycleEvidence, cycle_id=alpha["early_cycle"]) == 1
        assert count(EngagementEvent) == events_before
        assert count(FeedbackItem) == 0 and count(WeDidEntry) == 2        # one in each collective's world
        assert db.session.get(WeDidEntry, beta["we_did"]).checked_at is None
        assert db.session.get(Need, beta["need"]).decision == "undecided"
        assert count(CommissioningSetting) == 0
        assert count(EvidenceImport) == 2 and count(Need) == 4
        assert count(CommissioningCycle, collective_id=db.session.get(CommissioningCycle, beta["cycle"]).collective_id) == 3


def test_the_public_page_shows_only_its_own_collective(app, world):
    client = app.test_client()
    alpha_page = client.get("/c/alpha/you-said-we-did").data.decode()
    assert "Alpha Collective agreed need" in alpha_page and "Beta" not in alpha_page
    assert "Beta Collective agreed need" in client.get("/c/beta/you-said-we-did").data.decode()


def test_a_cycle_never_chooses_another_collectives_round(app, world):
    alpha, beta = world["ids"]["alpha"], world["ids"]["beta"]
    facilitator = _client_for(app, world, FACILITATOR)
    reviewer = _client_for(app, world, REVIEWER)
    choose = {"round-submit": "y"}
    base_a, base_b = "/c/alpha/commissioning", "/c/beta/commissioning"
    # beta's cycle, under alpha's address or its own: refused outright
    for path in (f"{base_a}/cycles/{beta['agreed_cycle']}", f"{base_b}/cycles/{beta['agreed_cycle']}"):
        assert facilitator.post(path, data={**choose, "round-round_id": str(beta["round"])}).status_code in (403, 404)
    # a reviewer may not choose, even alpha's own round
    assert reviewer.post(f"{base_a}/cycles/{alpha['agreed_cycle']}",
                         data={**choose, "round-round_id": str(alpha["round"])}).status_code == 403
    # beta's round in alpha's own form: refused beside the field, and beta's name never shown
    page = facilitator.post(f"{base_a}/cycles/{alpha['agreed_cycle']}",
                            data={**choose, "round-round_id": str(beta["counted"])}).data.decode()
    assert "Choose a round from the list" in page and "Beta" not in page
    with app.app_context():
        assert count(AuditEvent, action="commissioning.round_chosen") == 0
        assert db.session.exec(select(CommissioningCycle.round_id).where(
            CommissioningCycle.round_id.is_not(None))).all() == []
    # alpha's counted round offered its grant before the cycle began: refused beside the field
    page = facilitator.post(f"{base_a}/cycles/{alpha['agreed_cycle']}",
                            data={**choose, "round-round_id": str(alpha["counted"])}).data.decode()
    assert "before this cycle began" in page
    # alpha's own round in its vote is chosen
    response = facilitator.post(f"{base_a}/cycles/{alpha['agreed_cycle']}",
                                data={**choose, "round-round_id": str(alpha["round"])})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(CommissioningCycle, alpha["agreed_cycle"]).round_id == alpha["round"]
        assert db.session.get(CommissioningCycle, beta["agreed_cycle"]).round_id is None
