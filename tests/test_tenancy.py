"""The route × role × foreign-tenant matrix.

Every route of the application is listed here with who may open it. For each role the page is
opened and the status checked; then every route that takes an object id is tried with the id of
an object of *another* collective, under this collective's address and under its own: the answer
is always a refusal, and the other collective's data never appears. A route missing from the
matrix fails ``test_every_route_is_in_the_matrix``: later features extend the table.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from datetime import datetime, timezone

from grants.collectives.models import Invitation, JoinRequest, Membership
from grants.db import db
from tests import factories

ANON, OUTSIDER, MEMBER, APPLICANT, REVIEWER, FACILITATOR, ADMIN, FOREIGN = (
    "anonymous", "outsider", "member", "applicant", "reviewer", "facilitator", "admin", "foreign facilitator")
ROLES = (ANON, OUTSIDER, MEMBER, APPLICANT, REVIEWER, FACILITATOR, ADMIN, FOREIGN)
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {ANON}
IN_COLLECTIVE = {MEMBER, APPLICANT, REVIEWER, FACILITATOR}

# endpoint, GET path, roles that may open it (others are refused: 302 to sign in, or 403/404)
ROUTES = [
    ("collectives.home", "/", EVERYONE),
    ("collectives.show", "/c/{slug}", EVERYONE),
    ("auth.login", "/login", EVERYONE),
    ("auth.register", "/register", {ANON}),  # a signed-in person is sent home
    ("auth.forgot_password", "/password/forgot", EVERYONE),
    ("auth.account", "/account", SIGNED_IN),
    ("collectives.join", "/c/{slug}/join", {OUTSIDER, ADMIN, FOREIGN}),  # members are sent to the collective
    ("collectives.join_requests", "/c/{slug}/join-requests", {FACILITATOR}),
    ("collectives.join_request", "/c/{slug}/join-requests/{join}", {FACILITATOR}),
    ("collectives.people", "/c/{slug}/people", {FACILITATOR}),
    ("collectives.edit_membership", "/c/{slug}/people/{membership}", {FACILITATOR}),
    ("collectives.invite", "/c/{slug}/invitations/new", {FACILITATOR}),
    ("collectives.settings", "/c/{slug}/settings", {FACILITATOR}),
    ("collectives.audit_log", "/c/{slug}/audit", {FACILITATOR}),
    ("collectives.invitation_detail", "/c/{slug}/invitations/{invitation}", {FACILITATOR}),
    ("workflow.index", "/c/{slug}/workflows/", {FACILITATOR, REVIEWER}),
    ("workflow.show", "/c/{slug}/workflows/round", {FACILITATOR, REVIEWER}),
    ("organisations.index", "/c/{slug}/organisations/", IN_COLLECTIVE),
    ("organisations.show", "/c/{slug}/organisations/{org}", IN_COLLECTIVE),
    ("organisations.edit", "/c/{slug}/organisations/{org}/edit", {FACILITATOR, APPLICANT}),
    ("admin.index", "/admin/", {ADMIN}),
    ("admin.people", "/admin/people", {ADMIN}),
]
# Routes reached only by POST or by a token from an email; each has its own tests.
NOT_IN_MATRIX = {
    "static": "static files", "govuk_assets": "static files", "built_assets": "static files",
    "auth.logout": "POST only (test_auth)", "auth.reset_password": "emailed token (test_auth)",
    "collectives.invitation": "emailed token (test_collectives)", "admin.set_active": "POST only (test_admin)",
    "collectives.withdraw_join_request": "POST only (test_withdrawing_is_only_for_the_person_who_asked)",
}
OBJECT_KEYS = ("join", "membership", "org", "invitation")


@pytest.fixture
def world(app):
    """Two collectives, alpha and beta, each with people in every role and some objects."""
    with app.app_context():
        alpha, beta = factories.collective("alpha", "Alpha Collective"), factories.collective("beta", "Beta Collective")
        people = {}
        org_a = factories.organisation(alpha, "Alpha Organisation")
        org_b = factories.organisation(beta, "Beta Secret Organisation")
        people[MEMBER] = factories.member(alpha, roles=("member",))
        people[APPLICANT] = factories.member(alpha, roles=("member", "applicant"), organisation=org_a)
        people[REVIEWER] = factories.member(alpha, roles=("reviewer",))
        people[FACILITATOR] = factories.member(alpha, roles=("facilitator",))
        people[FOREIGN] = factories.member(beta, roles=("facilitator", "member"))
        people[OUTSIDER] = factories.person()
        people[ADMIN] = factories.person(is_admin=True)
        beta_member = factories.member(beta, factories.person("Beta Person", "beta.person@example.org"),
                                       roles=("member",), organisation=org_b)
        pending_a = factories.organisation(alpha, "Alpha Pending", status="pending")
        pending_b = factories.organisation(beta, "Beta Pending Secret", status="pending")
        join_a = JoinRequest(collective_id=alpha.id, person_id=people[OUTSIDER].id, organisation_id=pending_a.id)
        join_b = JoinRequest(collective_id=beta.id, person_id=people[OUTSIDER].id, organisation_id=pending_b.id)
        far_future = datetime(2100, 1, 1, tzinfo=timezone.utc)
        invite_a = Invitation(collective_id=alpha.id, email="invitee.alpha@example.org", roles=["member"],
                              token_hash="a" * 64, expires_at=far_future)
        invite_b = Invitation(collective_id=beta.id, email="invitee.beta@example.org", roles=["member"],
                              token_hash="b" * 64, expires_at=far_future)
        db.session.add_all([join_a, join_b, invite_a, invite_b])
        db.session.flush()

        def membership_id(collective, person):
            return db.session.exec(select(Membership.id).where(
                Membership.collective_id == collective.id, Membership.person_id == person.id)).one()

        ids = {
            "alpha": {"slug": "alpha", "org": org_a.id, "join": join_a.id, "invitation": invite_a.id,
                      "membership": membership_id(alpha, people[MEMBER])},
            "beta": {"slug": "beta", "org": org_b.id, "join": join_b.id, "invitation": invite_b.id,
                     "membership": membership_id(beta, beta_member)},
        }
        db.session.commit()
        return {"people": people, "ids": ids}


def _client_for(app, world, role):
    client = app.test_client()
    if role != ANON:
        assert factories.login(client, world["people"][role]).status_code == 302
    return client


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    listed = {endpoint for endpoint, _path, _roles in ROUTES} | set(NOT_IN_MATRIX)
    assert endpoints - listed == set(), "add these routes to the tenancy matrix"


@pytest.mark.parametrize("role", ROLES)
def test_route_matrix(app, world, role):
    client = _client_for(app, world, role)
    for endpoint, template, allowed in ROUTES:
        path = template.format(**world["ids"]["alpha"])
        response = client.get(path)
        if role in allowed:
            assert response.status_code == 200, (role, endpoint, response.status_code)
            if endpoint.startswith("admin."):
                continue  # the site admin manages every account by design, and sees no collective data
            assert b"Beta Secret Organisation" not in response.data, (role, endpoint)
            assert b"beta.person@example.org" not in response.data, (role, endpoint)
        elif role == ANON:
            assert response.status_code == 302 and "/login" in response.headers["Location"], (role, endpoint)
        else:
            assert response.status_code in (302, 403, 404), (role, endpoint, response.status_code)
            if response.status_code == 302:  # only the "you are already in / already signed in" redirects
                assert endpoint in ("auth.register", "collectives.join"), (role, endpoint)


@pytest.mark.parametrize("role", [MEMBER, APPLICANT, FACILITATOR])
def test_objects_of_another_collective_are_never_reachable(app, world, role):
    client = _client_for(app, world, role)
    for endpoint, template, _allowed in ROUTES:
        if not any("{" + key + "}" in template for key in OBJECT_KEYS):
            continue
        # beta's object ids under alpha's address: not found
        foreign = {**world["ids"]["beta"], "slug": "alpha"}
        response = client.get(template.format(**foreign))
        assert response.status_code in (403, 404), (endpoint, response.status_code)
        assert b"Beta" not in response.data
        # and beta's own address: refused outright
        response = client.get(template.format(**world["ids"]["beta"]))
        assert response.status_code == 403, (endpoint, response.status_code)
        assert b"Beta Secret" not in response.data


def test_foreign_posts_change_nothing(app, world):
    client = _client_for(app, world, FACILITATOR)
    beta = world["ids"]["beta"]
    attempts = [
        (f"/c/alpha/join-requests/{beta['join']}", {"decision": "approve"}),
        (f"/c/beta/join-requests/{beta['join']}", {"decision": "approve"}),
        (f"/c/alpha/people/{beta['membership']}", {"roles": ["facilitator"]}),
        (f"/c/beta/people/{beta['membership']}", {"roles": ["facilitator"]}),
        (f"/c/alpha/organisations/{beta['org']}/edit", {"name": "Hijacked"}),
        (f"/c/alpha/invitations/{beta['invitation']}", {"reason": "Hijacked"}),
        (f"/c/beta/invitations/{beta['invitation']}", {"reason": "Hijacked"}),
        (f"/c/alpha/join-requests/{beta['join']}/withdraw", {}),
        (f"/c/beta/join-requests/{beta['join']}/withdraw", {}),
        ("/c/beta/settings", {"name": "Hijacked", "themes": "x"}),
        ("/c/beta/invitations/new", {"email": "x@example.org", "roles": ["facilitator"]}),
    ]
    for path, data in attempts:
        assert client.post(path, data=data).status_code in (403, 404), path
    with app.app_context():
        from grants.collectives.models import Collective
        from grants.organisations.models import Organisation

        assert db.session.get(JoinRequest, beta["join"]).state == "pending"
        assert db.session.get(Invitation, beta["invitation"]).state == "sent"
        assert not db.session.get(Membership, beta["membership"]).is_facilitator
        assert db.session.get(Organisation, beta["org"]).name == "Beta Secret Organisation"
        assert db.session.exec(select(Collective).where(Collective.slug == "beta")).one().name == "Beta Collective"


def test_an_applicant_cannot_edit_another_organisation_of_the_same_collective(app, world):
    with app.app_context():
        from grants.collectives.models import Collective

        alpha = db.session.exec(select(Collective).where(Collective.slug == "alpha")).one()
        other = factories.organisation(alpha, "Alpha Other")
        db.session.commit()
    client = _client_for(app, world, APPLICANT)
    assert client.get(f"/c/alpha/organisations/{other.id}/edit").status_code == 403
    page = client.get(f"/c/alpha/organisations/{other.id}").data.decode()
    assert "Change details" not in page          # the button is hidden as well as refused
    own = client.get(f"/c/alpha/organisations/{world['ids']['alpha']['org']}").data.decode()
    assert "Change details" in own


def test_facilitator_links_are_hidden_from_members(app, world):
    member_page = _client_for(app, world, MEMBER).get("/c/alpha").data.decode()
    facilitator_page = _client_for(app, world, FACILITATOR).get("/c/alpha").data.decode()
    for link in ("/c/alpha/join-requests", "/c/alpha/audit", "/c/alpha/people"):
        assert link not in member_page
        assert link in facilitator_page


def test_withdrawing_is_only_for_the_person_who_asked(app, world):
    alpha = world["ids"]["alpha"]
    for role in (FACILITATOR, MEMBER):
        response = _client_for(app, world, role).post(f"/c/alpha/join-requests/{alpha['join']}/withdraw")
        assert response.status_code == 403
    with app.app_context():
        assert db.session.get(JoinRequest, alpha["join"]).state == "pending"
    response = _client_for(app, world, OUTSIDER).post(f"/c/alpha/join-requests/{alpha['join']}/withdraw")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(JoinRequest, alpha["join"]).state == "withdrawn"
