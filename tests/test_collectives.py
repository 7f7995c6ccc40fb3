"""Joining a collective, deciding join requests, invitations, roles and settings."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select

from grants.audit.models import AuditEvent
from grants.collectives.models import Collective, Invitation, JoinRequest, Membership, Outcome, Theme
from grants.db import db
from grants.organisations.models import Organisation
from tests import factories
from tests.mailserver import body

ORG = {"name": "Soho Road Seva Group", "kind": "faith_group", "postcode": "b21 9sn", "ward": "Soho",
       "communities_served": ["asian_indian", "asian_other"], "partner_type": "gurdwara", "languages": ["pa", "en"],
       "contact_name": "Harjit Kaur", "contact_email": "harjit@example.org", "message": "We run health talks."}


@pytest.fixture
def setting(app):
    with app.app_context():
        collective = factories.collective(slug="west")
        facilitator = factories.member(collective, factories.person("Fola", "fola@example.org"), roles=("facilitator",))
        applicant = factories.person("Harjit", "harjit@example.org")
        db.session.commit()
        return {"collective": collective, "facilitator": facilitator, "applicant": applicant}


def test_join_request_is_decided_by_a_facilitator_and_emails_both_sides(client, app, setting, mail_server):
    factories.login(client, setting["applicant"])
    response = client.post("/c/west/join", data=ORG)
    assert response.status_code == 302
    received = mail_server.wait_for(1)
    assert received[0]["To"] == "fola@example.org"
    assert "Soho Road Seva Group has asked to join" in received[0]["Subject"]
    with app.app_context():
        organisation = db.session.exec(select(Organisation)).one()
        assert organisation.status == "pending"
        assert organisation.postcode == "B21 9SN"
        assert organisation.communities_served == ["asian_indian", "asian_other"]
        join = db.session.exec(select(JoinRequest)).one()
    # the applicant is not a member yet: collective pages stay closed
    assert client.get("/c/west/organisations/").status_code == 403

    client.post("/logout")
    factories.login(client, setting["facilitator"])
    page = client.get("/c/west/join-requests").data.decode()
    assert "Soho Road Seva Group" in page
    response = client.post(f"/c/west/join-requests/{join.id}", data={"decision": "approve", "reason": ""})
    assert response.status_code == 302
    received = mail_server.wait_for(2)
    assert received[1]["To"] == "harjit@example.org"
    assert "approved" in received[1]["Subject"]
    with app.app_context():
        membership = db.session.exec(select(Membership).where(Membership.person_id == setting["applicant"].id)).one()
        assert membership.roles == {"member", "applicant"}
        assert membership.organisation_id == organisation.id
        assert db.session.get(Organisation, organisation.id).status == "active"
        actions = db.session.exec(select(AuditEvent.action)).all()
        assert {"join_request.created", "join_request.approve"} <= set(actions)


def test_declining_needs_a_reason_which_the_applicant_sees(client, app, setting, mail_server):
    factories.login(client, setting["applicant"])
    client.post("/c/west/join", data=ORG)
    client.post("/logout")
    factories.login(client, setting["facilitator"])
    with app.app_context():
        join = db.session.exec(select(JoinRequest)).one()
    response = client.post(f"/c/west/join-requests/{join.id}", data={"decision": "decline", "reason": ""})
    assert b"Say why you are declining" in response.data
    with app.app_context():
        assert db.session.get(JoinRequest, join.id).state == "pending"
    client.post(f"/c/west/join-requests/{join.id}", data={"decision": "decline", "reason": "Outside our area"})
    received = mail_server.wait_for(2)
    assert "Outside our area" in body(received[1])
    # a decided request cannot be decided again
    client.post(f"/c/west/join-requests/{join.id}", data={"decision": "approve"})
    with app.app_context():
        assert db.session.get(JoinRequest, join.id).state == "declined"


def test_join_form_errors_keep_what_was_typed_and_save_nothing(client, app, setting):
    factories.login(client, setting["applicant"])
    response = client.post("/c/west/join", data={**ORG, "postcode": "NOT A POSTCODE",
                                                  "communities_served": ["asian_indian", "bame"]})
    page = response.data.decode()
    assert "Enter a real UK postcode" in page
    assert "Choose communities from the list" in page
    assert 'value="Soho Road Seva Group"' in page
    assert 'value="asian_indian" checked' in page
    with app.app_context():
        assert db.session.exec(select(Organisation)).all() == []


def test_a_second_pending_request_is_refused(client, app, setting):
    factories.login(client, setting["applicant"])
    client.post("/c/west/join", data=ORG)
    response = client.post("/c/west/join", data={**ORG, "name": "Another group"})
    assert b"You have already asked to join" in response.data
    with app.app_context():
        assert len(db.session.exec(select(JoinRequest)).all()) == 1


def _invite(client, setting, mail_server, email="new@example.org", roles=("member", "reviewer")):
    factories.login(client, setting["facilitator"])
    response = client.post("/c/west/invitations/new", data={"email": email, "roles": list(roles), "organisation_id": ""})
    assert response.status_code == 302, response.data
    client.post("/logout")
    message = mail_server.wait_for(1)[-1]
    return re.search(r"/invitations/\S+", body(message)).group(0)


def test_invitation_creates_an_account_with_the_roles_and_works_once(client, app, setting, mail_server):
    path = _invite(client, setting, mail_server)
    page = client.get(path).data.decode()
    assert "member, reviewer" in page
    response = client.post(path, data={"name": "Rachel", "password": "a long password", "confirm": "a long password"})
    assert response.status_code == 302
    with app.app_context():
        membership = db.session.exec(select(Membership).where(Membership.is_reviewer == True)).one()  # noqa: E712
        assert membership.roles == {"member", "reviewer"}
        assert db.session.exec(select(Invitation)).one().accepted_at is not None
    client.post("/logout")
    response = client.get(path)
    assert response.status_code == 400
    assert b"already been used" in response.data


def test_expired_and_unknown_invitations_are_refused_clearly(client, app, setting, mail_server):
    path = _invite(client, setting, mail_server)
    with time_machine.travel(timedelta(days=15)):
        response = client.get(path)
    assert response.status_code == 400
    assert b"has expired" in response.data
    response = client.get("/invitations/not-a-real-token")
    assert response.status_code == 400
    assert b"not valid" in response.data


def test_invitation_to_an_existing_account_asks_them_to_sign_in(client, app, setting, mail_server):
    with app.app_context():
        existing = factories.person("Existing", "existing@example.org")
        db.session.commit()
    path = _invite(client, setting, mail_server, email="existing@example.org", roles=("member",))
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    factories.login(client, existing)
    assert client.post(path, data={}).status_code == 302
    with app.app_context():
        assert db.session.exec(select(Membership).where(Membership.person_id == existing.id)).one().is_member


def test_the_last_facilitator_cannot_be_removed(client, app, setting):
    factories.login(client, setting["facilitator"])
    with app.app_context():
        membership = db.session.exec(select(Membership)).one()
    response = client.post(f"/c/west/people/{membership.id}", data={"roles": ["member"], "organisation_id": ""})
    assert b"at least one facilitator" in response.data
    with app.app_context():
        assert db.session.get(Membership, membership.id).is_facilitator


def test_settings_retire_removed_themes_and_keep_them_for_history(client, app, setting):
    factories.login(client, setting["facilitator"])
    response = client.post("/c/west/settings", data={
        "name": "West Collective", "locality": "West Birmingham", "description": "About us",
        "themes": "Building trust\nCommunications", "outcomes_short": "People know their GP",
        "outcomes_medium": "", "outcomes_long": "Fewer admissions", "variation_move_percent": "25",
        "variation_date_months": "3"})
    assert response.status_code == 302
    with app.app_context():
        themes = {t.name: t.retired for t in db.session.exec(select(Theme)).all()}
        assert themes == {"Building trust": False, "Best start in life": True, "Communications": False}
        outcomes = {(o.term, o.text) for o in db.session.exec(select(Outcome)).all()}
        assert outcomes == {("short", "People know their GP"), ("long", "Fewer admissions")}
        west = db.session.exec(select(Collective).where(Collective.slug == "west")).one()
        assert (west.variation_move_percent, west.variation_date_months) == (25, 3)
    page = client.get("/c/west").data.decode()
    assert "Communications" in page and "Best start in life" not in page


def test_duplicate_themes_are_refused(client, setting):
    factories.login(client, setting["facilitator"])
    response = client.post("/c/west/settings", data={"name": "W", "themes": "A\na"})
    assert b"Each theme must appear only once" in response.data
