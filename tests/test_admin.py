"""Site administration: creating collectives and (de)activating accounts."""

from __future__ import annotations

from sqlmodel import select

from grants.auth.models import Person
from grants.collectives.models import Collective, Membership
from grants.db import db
from tests import factories


def _admin_client(client, app):
    with app.app_context():
        admin = factories.person("Admin", "admin@example.org", is_admin=True)
        future = factories.person("Fola", "fola@example.org")
        db.session.commit()
    factories.login(client, admin)
    return admin, future


def test_admin_creates_a_collective_with_its_first_facilitator(client, app):
    _admin, future = _admin_client(client, app)
    response = client.post("/admin/", data={"name": "East Collective", "slug": "east", "locality": "East",
                                            "facilitator_email": "fola@example.org"})
    assert response.status_code == 302
    with app.app_context():
        collective = db.session.exec(select(Collective)).one()
        membership = db.session.exec(select(Membership)).one()
        assert (collective.slug, membership.person_id, membership.is_facilitator) == ("east", future.id, True)


def test_admin_form_refuses_bad_slugs_duplicates_and_unknown_facilitators(client, app):
    _admin_client(client, app)
    response = client.post("/admin/", data={"name": "X", "slug": "Bad Slug!", "facilitator_email": "fola@example.org"})
    assert b"Use lower-case letters" in response.data
    response = client.post("/admin/", data={"name": "X", "slug": "ok", "facilitator_email": "ghost@example.org"})
    assert b"There is no account with this email address" in response.data
    client.post("/admin/", data={"name": "X", "slug": "ok", "facilitator_email": "fola@example.org"})
    response = client.post("/admin/", data={"name": "Y", "slug": "ok", "facilitator_email": "fola@example.org"})
    assert b"already used by another collective" in response.data
    with app.app_context():
        assert len(db.session.exec(select(Collective)).all()) == 1


def test_admin_deactivates_an_account_which_can_then_not_sign_in(client, app):
    admin, future = _admin_client(client, app)
    assert client.post(f"/admin/people/{future.id}/active/0").status_code == 302
    assert client.post(f"/admin/people/{admin.id}/active/0").status_code == 302  # refused with a message
    with app.app_context():
        assert db.session.get(Person, future.id).active is False
        assert db.session.get(Person, admin.id).active is True
    other = app.test_client()
    assert factories.login(other, future).status_code == 200


def test_non_admins_cannot_use_admin_actions(client, app):
    with app.app_context():
        someone = factories.person()
        victim = factories.person()
        db.session.commit()
    factories.login(client, someone)
    assert client.post(f"/admin/people/{victim.id}/active/0").status_code == 403
