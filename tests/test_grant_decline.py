"""Issue 13, item 8 (declining a grant): a confirmation page that says what will happen, an
optional reason (stored, shown to facilitators, audited), and a facilitator's undo until the offer
would have expired."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlmodel import select

from grants.audit.models import AuditEvent
from grants.awards.models import Grant
from grants.db import db
from grants.mail.models import OutboxMessage
from grants.workflow.models import StateHistory
from tests import factories
from tests.rounds_helpers import award_round, counted_round


def _offered(app):
    w = counted_round(app)
    with app.test_request_context("/", method="POST"):
        award_round(w)
        grant = db.session.exec(select(Grant).order_by(Grant.id)).all()[2]     # £900 to organisation C
        w["grant_id"], w["expires"] = grant.id, grant.offer_expires_at
    return w


def _subjects(app, to: str) -> list[str]:
    with app.app_context():
        return [m.subject for m in db.session.exec(select(OutboxMessage).where(OutboxMessage.recipient == to)).all()]


def test_declining_asks_first_saying_where_the_money_goes_and_who_is_told(client, app):
    w = _offered(app)
    factories.login(client, w["applicants"][2])
    url = f"/c/west/grants/{w['grant_id']}"
    page = client.get(url).data.decode()
    # no one-click decline on the grant page: a link to the confirmation page instead
    assert f'action="{url}/decline"' not in page and f'href="{url}/decline"' in page
    page = client.get(f"{url}/decline").data.decode()
    assert "Decline the grant of £900" in page
    assert "the £900 will not be paid" in page and "goes back to" in page
    assert "facilitators will be told by email" in page
    assert "a facilitator can undo the decline until" in page
    assert 'name="decline-reason"' in page
    with app.app_context():
        assert db.session.get(Grant, w["grant_id"]).state == "offered"      # looking changed nothing
    response = client.post(f"{url}/decline", data={"decline-reason": "We could not find a venue in time",
                                                   "decline-decline": "Decline the grant"})
    assert response.status_code == 302
    with app.app_context():
        grant = db.session.get(Grant, w["grant_id"])
        assert (grant.state, grant.declined_reason) == ("declined", "We could not find a venue in time")
        history = db.session.exec(select(StateHistory).where(StateHistory.transition == "decline")).one()
        assert history.reason == "We could not find a venue in time"
        assert db.session.exec(select(AuditEvent).where(AuditEvent.action == "grant.decline")).one()
    assert any("declined the grant of £900" in s for s in _subjects(app, w["facilitator"].email))
    # the facilitator sees the reason, and can undo
    client.post("/logout")
    factories.login(client, w["facilitator"])
    page = client.get(url).data.decode()
    assert "We could not find a venue in time" in page and f'action="{url}/undo-decline"' in page


def test_a_facilitator_undoes_a_decline_before_the_offer_would_have_expired(client, app):
    w = _offered(app)
    factories.login(client, w["applicants"][2])
    url = f"/c/west/grants/{w['grant_id']}"
    client.post(f"{url}/decline", data={"decline-reason": "", "decline-decline": "Decline the grant"})
    # the grantee cannot undo it themselves
    assert client.post(f"{url}/undo-decline", data={}).status_code == 403
    client.post("/logout")
    factories.login(client, w["facilitator"])
    assert client.post(f"{url}/undo-decline", data={"undo-undo": "Undo the decline"}).status_code == 302
    with app.app_context():
        grant = db.session.get(Grant, w["grant_id"])
        assert grant.state == "offered"
        assert db.session.exec(select(AuditEvent).where(AuditEvent.action == "grant.undo_decline")).one()
    assert any("is open again" in s for s in _subjects(app, w["applicants"][2].email))
    # and the grantee can accept it after all
    client.post("/logout")
    factories.login(client, w["applicants"][2])
    assert client.post(f"{url}/accept", data={"accept-accepted_by_name": "Applicant C",
                                              "accept-conditions_confirmed": "y"}).status_code == 302


def test_after_the_offer_would_have_expired_the_undo_is_neither_offered_nor_allowed(client, app):
    w = _offered(app)
    factories.login(client, w["applicants"][2])
    url = f"/c/west/grants/{w['grant_id']}"
    client.post(f"{url}/decline", data={"decline-reason": "", "decline-decline": "Decline the grant"})
    client.post("/logout")
    with time_machine.travel(w["expires"] + timedelta(minutes=5), tick=False):
        factories.login(client, w["facilitator"])
        page = client.get(url).data.decode()
        assert "/undo-decline" not in page and "can no longer be undone" in page
        page = client.post(f"{url}/undo-decline", data={"undo-undo": "Undo the decline"}).data.decode()
        assert "This offer expired" in page
    with app.app_context():
        assert db.session.get(Grant, w["grant_id"]).state == "declined"


def test_a_facilitator_declining_for_the_organisation_gives_a_reason_and_they_are_told(client, app):
    w = _offered(app)
    factories.login(client, w["facilitator"])
    url = f"/c/west/grants/{w['grant_id']}"
    assert f'href="{url}/decline"' in client.get(url).data.decode()
    page = client.post(f"{url}/decline", data={"decline-reason": "", "decline-decline": "Decline the grant"}).data.decode()
    assert "Say why the grant is being declined on the applicant" in page
    assert client.post(f"{url}/decline", data={"decline-reason": "They phoned: the project has stopped",
                                               "decline-decline": "Decline the grant"}).status_code == 302
    assert any("was declined" in s for s in _subjects(app, w["applicants"][2].email))
