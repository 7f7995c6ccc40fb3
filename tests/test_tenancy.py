"""The route × role × foreign-tenant matrix.

Every route of the application is listed here with who may open it. For each role the page is
opened and the status checked; then every route that takes an object id is tried with the id of
an object of *another* collective, under this collective's address and under its own: the answer
is always a refusal, and the other collective's data never appears. A route missing from the
matrix fails ``test_every_route_is_in_the_matrix``: later features extend the table.
"""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from datetime import datetime, timezone

from grants.collectives.models import Invitation, JoinRequest, Membership
from grants.db import db
from tests import factories
from tests.commissioning.world import commissioning_objects

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
    ("rounds.index", "/c/{slug}/rounds/", IN_COLLECTIVE),
    ("rounds.new", "/c/{slug}/rounds/new", {FACILITATOR}),
    ("rounds.show", "/c/{slug}/rounds/{round}", IN_COLLECTIVE),
    ("rounds.edit", "/c/{slug}/rounds/{round}/edit", {FACILITATOR}),
    ("rounds.turnout", "/c/{slug}/rounds/{round}/turnout", {FACILITATOR}),
    ("rounds.import_file", "/c/{slug}/rounds/{round}/import", {FACILITATOR}),
    ("rounds.import_status", "/c/{slug}/rounds/{round}/imports/{election_import}", {FACILITATOR}),
    # h6 (issue 13): the confirmation page of an irreversible or early move
    ("rounds.confirm_move", "/c/{slug}/rounds/{round}/confirm/close_voting", {FACILITATOR}),
    ("rounds.results", "/c/{slug}/rounds/{counted}/results", IN_COLLECTIVE),
    ("rounds.election_file", "/c/{slug}/rounds/{counted}/election.pb", IN_COLLECTIVE),
    ("proposals.show", "/c/{slug}/rounds/{round}/proposals/{proposal}", IN_COLLECTIVE),
    ("proposals.edit", "/c/{slug}/rounds/{round}/proposals/{proposal}/edit", {APPLICANT}),
    ("proposals.check", "/c/{slug}/rounds/{round}/proposals/{proposal}/check", {APPLICANT}),
    ("proposals.withdraw", "/c/{slug}/rounds/{round}/proposals/{proposal}/withdraw", {APPLICANT, FACILITATOR}),
    ("voting.ballot", "/c/{slug}/rounds/{round}/ballot", {MEMBER, APPLICANT}),
    ("voting.paper_ballot", "/c/{slug}/rounds/{round}/paper-ballot", {FACILITATOR}),
    ("review.show", "/c/{slug}/rounds/{counted}/review/", {FACILITATOR, REVIEWER}),
    ("awards.index", "/c/{slug}/grants/", {FACILITATOR, REVIEWER, APPLICANT}),
    ("awards.show", "/c/{slug}/grants/{grant}", {FACILITATOR, REVIEWER, APPLICANT}),
    ("awards.grants_csv", "/c/{slug}/grants/grants.csv", {FACILITATOR, REVIEWER}),
    # issue 16: the world's grant has a change waiting for more information from the grantee
    ("variations.new", "/c/{slug}/grants/{grant}/variations/new", {APPLICANT}),
    ("variations.show", "/c/{slug}/grants/{grant}/variations/{variation}", {FACILITATOR, REVIEWER, APPLICANT}),
    ("variations.edit", "/c/{slug}/grants/{grant}/variations/{variation}/edit", {APPLICANT}),
    ("awards.threesixty_json", "/c/{slug}/grants/360giving.json", {FACILITATOR}),  # needs app_config's prefix
    ("awards.decline", "/c/{slug}/grants/{grant}/decline", {FACILITATOR, APPLICANT}),  # h4: confirmation page
    ("awards.reverse_payment", "/c/{slug}/grants/{grant}/payments/{payment}/reverse", {FACILITATOR}),  # h4
    ("reporting.show", "/c/{slug}/grants/{grant}/reports/{report}", {FACILITATOR, REVIEWER, APPLICANT}),
    ("commissioning.index", "/c/{slug}/commissioning/", {FACILITATOR, REVIEWER}),
    ("commissioning.settings", "/c/{slug}/commissioning/settings", {FACILITATOR}),
    ("commissioning.evidence", "/c/{slug}/commissioning/evidence/", {FACILITATOR, REVIEWER}),
    ("commissioning.upload", "/c/{slug}/commissioning/evidence/import", {FACILITATOR, REVIEWER}),
    ("commissioning.import_summary", "/c/{slug}/commissioning/evidence/imports/{import}", {FACILITATOR, REVIEWER}),
    ("commissioning.gaps", "/c/{slug}/commissioning/evidence/gaps", {FACILITATOR, REVIEWER}),
    ("commissioning.gaps_csv", "/c/{slug}/commissioning/evidence/gaps.csv", {FACILITATOR, REVIEWER}),
    ("commissioning.new_cycle", "/c/{slug}/commissioning/cycles/new", {FACILITATOR}),
    ("commissioning.cycle", "/c/{slug}/commissioning/cycles/{cycle}", {FACILITATOR, REVIEWER}),
    ("commissioning.cycle_evidence", "/c/{slug}/commissioning/cycles/{early_cycle}/evidence", {FACILITATOR}),
    ("commissioning.new_event", "/c/{slug}/commissioning/cycles/{cycle}/events/new", {FACILITATOR}),
    ("commissioning.event", "/c/{slug}/commissioning/cycles/{cycle}/events/{event}", {FACILITATOR, REVIEWER}),
    ("commissioning.new_need", "/c/{slug}/commissioning/cycles/{cycle}/needs/new", {FACILITATOR}),
    ("commissioning.need", "/c/{slug}/commissioning/cycles/{cycle}/needs/{need}", {FACILITATOR, REVIEWER}),
    ("commissioning.we_did", "/c/{slug}/commissioning/cycles/{agreed_cycle}/priorities/{priority}/we-did",
     {FACILITATOR}),
    ("commissioning.needs_analysis", "/c/{slug}/commissioning/cycles/{cycle}/needs-analysis.pdf",
     {FACILITATOR, REVIEWER}),
    ("commissioning.public", "/c/{slug}/you-said-we-did", EVERYONE),
    ("documents.award_letter", "/c/{slug}/grants/{grant}/award-letter.pdf", {FACILITATOR, REVIEWER, APPLICANT}),
    # i5: the English copy of a letter written in the grantee's language, for the same people
    ("documents.award_letter", "/c/{slug}/grants/{grant}/award-letter.pdf?lang=en", {FACILITATOR, REVIEWER, APPLICANT}),
    ("documents.grant_report", "/c/{slug}/grants/{grant}/reports/{submitted_report}/report.pdf",
     {FACILITATOR, REVIEWER, APPLICANT}),
    ("documents.decision_report", "/c/{slug}/rounds/{counted}/review/decision-report.pdf", {FACILITATOR, REVIEWER}),
    # the counted round is not ratified yet: its impact report is not public (test_impact_report covers public)
    ("documents.impact_report", "/c/{slug}/rounds/{counted}/impact-report.pdf", {FACILITATOR, REVIEWER}),
    ("documents.impact_reports", "/c/{slug}/impact-reports", {FACILITATOR, REVIEWER}),
    ("documents.impact_report_year", "/c/{slug}/impact-reports/2025.pdf", {FACILITATOR, REVIEWER}),
    ("documents.proposal_pack", "/c/{slug}/rounds/{round}/proposal-pack", {FACILITATOR, MEMBER, APPLICANT}),
    ("documents.proposal_pack_status", "/c/{slug}/rounds/{round}/proposal-pack/status",
     {FACILITATOR, MEMBER, APPLICANT}),
    ("documents.proposal_pack_pdf", "/c/{slug}/rounds/{round}/proposal-pack.pdf", {FACILITATOR, MEMBER, APPLICANT}),
    ("admin.index", "/admin/", {ADMIN}),
    ("admin.people", "/admin/people", {ADMIN}),
    # h1: personal data (a person's own data; erasure by a site admin)
    ("privacy.your_data", "/account/your-data", SIGNED_IN),
    ("privacy.your_data_json", "/account/your-data.json", SIGNED_IN),
    ("privacy.erase", "/admin/people/{erasable}/erase", {ADMIN}),
    # h6: mail outbox
    ("mail.collective_outbox", "/c/{slug}/mail", {FACILITATOR}),
    ("mail.admin_outbox", "/admin/mail", {ADMIN}),
    # h2: accounts and sessions
    ("auth.resend_verification", "/email/confirm", EVERYONE),
    # h8: health checks for load balancers
    ("health.healthz", "/healthz", EVERYONE),
    ("health.readyz", "/readyz", EVERYONE),
    # h3: two-factor sign-in
    ("twofactor.manage", "/account/two-factor", SIGNED_IN),
    ("twofactor.recovery_codes", "/account/two-factor/recovery-codes", SIGNED_IN),
    # h7: documents and big imports through the queue
    ("commissioning.upload_status", "/c/{slug}/commissioning/evidence/uploads/{upload}", {FACILITATOR, REVIEWER}),
    # h7 (issue 13): grants confirmed to answer a priority; a reviewer checks "we did"
    ("commissioning.confirm_grants", "/c/{slug}/commissioning/cycles/{agreed_cycle}/priorities/{priority}/grants",
     {FACILITATOR}),
    ("commissioning.check_we_did", "/c/{slug}/commissioning/cycles/{agreed_cycle}/we-did/{we_did}/check", {REVIEWER}),
]
# Routes reached only by POST or by a token from an email; each has its own tests.
NOT_IN_MATRIX = {
    "static": "static files", "govuk_assets": "static files", "built_assets": "static files",
    "auth.logout": "POST only (test_auth)",
    "auth.set_language": "a redirect that sets the language (tests/test_i18n.py)",
    # h8: the demo admin's first sign-in
    "auth.choose_password": "only for a person whose password others know (test_first_password)",
    "auth.reset_password": "emailed token (test_auth)",
    "collectives.invitation": "emailed token (test_collectives)", "admin.set_active": "POST only (test_admin)",
    "collectives.withdraw_join_request": "POST only (test_withdrawing_is_only_for_the_person_who_asked)",
    "rounds.move": "POST only (test_foreign_posts_change_nothing)", "rounds.extend": "POST only (same)",
    "rounds.recount": "POST only (same)", "proposals.start": "POST only (same)", "proposals.submit": "POST only (same)",
    "proposals.reopen": "POST only (same)", "proposals.eligibility": "POST only (same)",
    "proposals.feedback": "POST only (same; tests/test_feedback.py for every role)",
    "proposals.add_partner": "POST only (same; tests/test_joint_proposals.py for every role)",
    "proposals.answer_partner": "POST only (same; tests/test_joint_proposals.py)",
    "proposals.remove_partner": "POST only (same; tests/test_joint_proposals.py)",
    "variations.decide": "POST only (same; tests/test_variations.py for every role)",
    "documents.variation_letter": "an approved change's letter (tests/test_variations.py, foreign too)",
    "variations.withdraw": "POST only (same; tests/test_variations.py)",
    "review.ratify": "POST only (same)", "review.send_back": "POST only (same)", "review.resubmit": "POST only (same)",
    "awards.accept": "POST only (same)", "awards.undo_decline": "POST only (same)",
    "awards.record_payment": "POST only (same)", "reporting.review": "POST only (same)",
    "reporting.photo": "a report's photo (test_awards.test_report_upload_through_the_page; foreign: below)",
    "documents.build_proposal_pack": "POST only (same)",
    "voting.send_reminders": "POST only (same; tests/test_voting_journeys.py)",
    "mail.collective_retry": "POST only (test_outbox; foreign: test_another_collectives_mail_is_never_shown_or_retried)",
    "mail.admin_retry": "POST only (test_outbox.test_the_site_admin_sees_every_failed_mail_and_retries_it)",
    # h2: accounts and sessions
    "auth.verify_email": "emailed token (tests/security/test_accounts_verification.py)",
    "twofactor.challenge": "needs a pending sign-in (tests/security/test_two_factor.py)",
    "twofactor.reset_for_person": "POST only (test_two_factor.test_a_site_admin_resets_a_locked_out_person)",
}
OBJECT_KEYS = ("join", "membership", "org", "invitation", "round", "counted", "proposal", "grant", "report", "payment",
               "import", "cycle", "early_cycle", "agreed_cycle", "event", "need", "priority", "submitted_report",
               "upload", "election_import", "variation")


@pytest.fixture
def app_config(app_config):
    """The 360Giving download answers only once the site has a 360Giving prefix."""
    return {**app_config, "THREESIXTY_PREFIX": "360G-tenancytest"}


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

        rounds_a, rounds_b = _rounds(alpha, org_a), _rounds(beta, org_b)
        ids = {
            "alpha": {"slug": "alpha", "org": org_a.id, "join": join_a.id, "invitation": invite_a.id, **rounds_a,
                      "membership": membership_id(alpha, people[MEMBER])},
            "beta": {"slug": "beta", "org": org_b.id, "join": join_b.id, "invitation": invite_b.id, **rounds_b,
                     "membership": membership_id(beta, beta_member)},
        }
        # The erasure page is opened (never submitted) for a person of beta: the admin reaches every account.
        ids["alpha"]["erasable"] = ids["beta"]["erasable"] = beta_member.id
        ids["alpha"].update(commissioning_objects(alpha, org_a))
        ids["beta"].update(commissioning_objects(beta, org_b))
        _built_proposal_pack(app, alpha, ids["alpha"]["round"])
        ids["alpha"]["upload"], ids["beta"]["upload"] = _evidence_upload(alpha), _evidence_upload(beta)
        ids["alpha"]["election_import"] = _election_import(alpha, ids["alpha"]["round"])
        ids["beta"]["election_import"] = _election_import(beta, ids["beta"]["round"])
        db.session.commit()
        return {"people": people, "ids": ids}


def _rounds(collective, organisation) -> dict:
    """A round in its vote (with the organisation's proposal in it) and a counted one. Test data is
    set straight into the tables: the matrix is about who may open which page, not how rounds move."""
    from grants.collectives.models import Theme
    from grants.proposals.models import Proposal
    from grants.rounds.models import Count, CountOutcome, Round, RoundTheme
    from tests.rounds_helpers import round_values

    theme = db.session.exec(select(Theme).where(Theme.collective_id == collective.id)).first()
    made = {}
    for key, state in (("round", "voting"), ("counted", "counting")):
        round_ = Round(collective_id=collective.id, state=state, **round_values(name=f"{collective.name} {key} round"))
        db.session.add(round_)
        db.session.flush()
        db.session.add(RoundTheme(round_id=round_.id, theme_id=theme.id))
        proposal = Proposal(collective_id=collective.id, round_id=round_.id, organisation_id=organisation.id,
                            state="in_vote" if state == "voting" else "selected", title=f"{collective.name} project",
                            summary="Secret summary", amount_requested=100_000, theme_id=theme.id)
        db.session.add(proposal)
        db.session.flush()
        made[key] = round_.id
        if key == "round":
            made["proposal"] = proposal.id
        else:
            count = Count(collective_id=collective.id, round_id=round_.id, rule="greedy_cost", run_by="test",
                          ballots=0, ballots_version="0:-", total_awarded=100_000)
            db.session.add(count)
            db.session.flush()
            db.session.add(CountOutcome(count_id=count.id, proposal_id=proposal.id, selected=True, amount=100_000,
                                        reason="funded", sentence="Funded."))
            from grants.awards.models import Grant
            from grants.reporting.models import Report

            grant = Grant(collective_id=collective.id, round_id=round_.id, proposal_id=proposal.id,
                          organisation_id=organisation.id, amount=100_000, state="accepted",
                          offer_expires_at=round_.review_due_at)
            db.session.add(grant)
            db.session.flush()
            report = Report(collective_id=collective.id, grant_id=grant.id, kind="end", due_at=round_.review_due_at,
                            what_happened="Secret report text")
            db.session.add(report)
            db.session.flush()
            made["grant"], made["report"] = grant.id, report.id
            from grants.variations.models import Variation

            variation = Variation(collective_id=collective.id, grant_id=grant.id, state="more_information",
                                  reason="Secret variation reason", decision_reason="What changed?",
                                  lines=[], before={"lines": [], "due_dates": {}, "purpose": "", "outcome_ids": []})
            db.session.add(variation)
            db.session.flush()
            made["variation"] = variation.id
            from grants.awards.models import Payment

            payment = Payment(grant_id=grant.id, paid_on=round_.review_due_at.date(), amount=10_000,
                              reference="BACS WORLD")
            db.session.add(payment)
            db.session.flush()
            made["payment"] = payment.id
            submitted = Report(collective_id=collective.id, grant_id=grant.id, kind="mid", state="submitted",
                               due_at=round_.review_due_at, submitted_at=round_.review_due_at,
                               what_happened="Secret submitted report")
            db.session.add(submitted)
            db.session.flush()
            made["submitted_report"] = submitted.id
    return made


def _built_proposal_pack(app, collective, round_id) -> None:
    """A finished build of the round's proposal pack, as the worker leaves it (the matrix is about
    who may download it; the build itself has its own tests)."""
    from grants.awards.documents import PROPOSAL_PACK
    from grants.documents.builds import fingerprint
    from grants.documents.models import DocumentBuild

    pdf = b"%PDF-1.7\n% a finished proposal pack\n"
    db.session.add(DocumentBuild(kind=PROPOSAL_PACK.name, object_id=round_id, collective_id=collective.id,
                                 fingerprint=fingerprint(PROPOSAL_PACK.load(round_id)), state="done", progress=100,
                                 content=pdf, size=len(pdf), pages=1))


def _evidence_upload(collective) -> int:
    """A large evidence file waiting for the worker."""
    from grants.commissioning.models import EvidenceUpload

    upload = EvidenceUpload(collective_id=collective.id, kind="usage", filename=f"{collective.slug}.csv",
                            content=b"service,period,area,ethnic_group,count\n", size=39, uploaded_by_label="test")
    db.session.add(upload)
    db.session.flush()
    return upload.id


def _election_import(collective, round_id: int) -> int:
    """An uploaded election the worker refused (its page shows the refusal and the form again)."""
    from grants.rounds.models import ElectionImport

    row = ElectionImport(collective_id=collective.id, round_id=round_id, filename=f"{collective.slug}.pb", size=4,
                         state="failed", progress=100, stage="Not imported", error="Line 1: not a pabulib file",
                         error_line=1)
    db.session.add(row)
    db.session.flush()
    return row.id


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
            if endpoint.startswith("admin.") or endpoint == "privacy.erase":
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
    alpha_round = world["ids"]["alpha"]["round"]
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
        (f"/c/alpha/rounds/{beta['round']}/move", {"transition": "close_voting"}),
        (f"/c/beta/rounds/{beta['round']}/move", {"transition": "close_voting"}),
        (f"/c/alpha/rounds/{beta['round']}/deadlines", {"field": "voting_closes_at", "new_value": "2099-01-01T10:00"}),
        (f"/c/beta/rounds/{beta['counted']}/count", {}),
        (f"/c/alpha/rounds/{beta['round']}/proposals/new", {}),
        (f"/c/alpha/rounds/{beta['round']}/proposals/{beta['proposal']}/submit", {}),
        (f"/c/alpha/rounds/{beta['round']}/proposals/{beta['proposal']}/reopen", {}),
        (f"/c/beta/rounds/{beta['round']}/proposals/{beta['proposal']}/eligibility", {"decision": "ineligible", "reason": "x"}),
        (f"/c/alpha/rounds/{beta['round']}/proposals/{beta['proposal']}/withdraw", {"reason": "x"}),
        (f"/c/beta/rounds/{beta['round']}/proposals/{beta['proposal']}/feedback", {"note": "Hijacked"}),
        (f"/c/alpha/rounds/{beta['round']}/proposals/{beta['proposal']}/feedback", {"note": "Hijacked"}),
        (f"/c/alpha/rounds/{beta['round']}/proposals/{beta['proposal']}/partners",
         {"organisation_id": str(beta["org"]), "share": "1"}),
        (f"/c/beta/rounds/{beta['round']}/proposals/{beta['proposal']}/partners",
         {"organisation_id": str(beta["org"]), "share": "1"}),
        (f"/c/beta/rounds/{beta['round']}/ballot", {"approve": [str(beta["proposal"])]}),
        (f"/c/alpha/rounds/{alpha_round}/ballot", {"approve": [str(beta["proposal"])]}),
        (f"/c/beta/rounds/{beta['round']}/paper-ballot", {"member_id": "1", "approve": [str(beta["proposal"])]}),
        (f"/c/alpha/rounds/{beta['round']}/reminders", {}),
        (f"/c/beta/rounds/{beta['round']}/reminders", {}),
        (f"/c/beta/rounds/{beta['counted']}/review/ratify", {}),
        (f"/c/alpha/rounds/{beta['counted']}/review/return", {"return-reason": "x"}),
        (f"/c/alpha/grants/{beta['grant']}/payments", {"payment-paid_on": "2026-01-01", "payment-amount": "1",
                                                        "payment-reference": "x"}),
        (f"/c/beta/grants/{beta['grant']}/decline", {}),
        (f"/c/alpha/grants/{beta['grant']}/variations/{beta['variation']}/decide", {"decision": "refuse", "reason": "x"}),
        (f"/c/beta/grants/{beta['grant']}/variations/{beta['variation']}/decide", {"decision": "refuse", "reason": "x"}),
        (f"/c/alpha/grants/{beta['grant']}/variations/{beta['variation']}/withdraw", {}),
        (f"/c/alpha/grants/{beta['grant']}/variations/new", {"reason": "Hijacked"}),
        (f"/c/alpha/grants/{beta['grant']}/decline", {"decline-reason": "x"}),
        (f"/c/alpha/grants/{beta['grant']}/undo-decline", {}),
        (f"/c/beta/grants/{beta['grant']}/undo-decline", {}),
        (f"/c/alpha/grants/{beta['grant']}/payments/{beta['payment']}/reverse", {"reverse-reason": "x"}),
        (f"/c/beta/grants/{beta['grant']}/payments/{beta['payment']}/reverse", {"reverse-reason": "x"}),
        (f"/c/alpha/grants/{beta['grant']}/reports/{beta['report']}", {"what_happened": "Hijacked"}),
        (f"/c/alpha/grants/{beta['grant']}/reports/{beta['report']}/review", {"review-accept": "y"}),
        (f"/c/alpha/rounds/{beta['round']}/proposal-pack", {}),
        (f"/c/alpha/rounds/{beta['round']}/import", {"file": (io.BytesIO(b"META"), "beta.pb")}),
        (f"/c/beta/rounds/{beta['round']}/import", {"file": (io.BytesIO(b"META"), "beta.pb")}),
        (f"/c/beta/rounds/{beta['round']}/proposal-pack", {}),
    ]
    for path, data in attempts:
        assert client.post(path, data=data).status_code in (403, 404), path
    with app.app_context():
        from grants.collectives.models import Collective
        from grants.organisations.models import Organisation

        assert db.session.get(JoinRequest, beta["join"]).state == "pending"
        assert db.session.get(Invitation, beta["invitation"]).state == "sent"
        from grants.proposals.models import Proposal
        from grants.rounds.models import Count, Round
        from grants.voting.models import Ballot

        assert db.session.get(Round, beta["round"]).state == "voting"
        assert db.session.get(Proposal, beta["proposal"]).state == "in_vote"
        assert db.session.get(Proposal, beta["proposal"]).feedback == ""
        from grants.proposals.models import ProposalPartner

        assert db.session.exec(select(ProposalPartner)).all() == []
        assert db.session.exec(select(Ballot)).all() == []
        assert len(db.session.exec(select(Count)).all()) == 2
        from grants.awards.models import Grant, Payment
        from grants.reporting.models import Report

        assert db.session.get(Grant, beta["grant"]).state == "accepted"
        from grants.variations.models import Variation

        assert db.session.get(Variation, beta["variation"]).state == "more_information"
        assert len(db.session.exec(select(Variation)).all()) == 2
        assert [p.reference for p in db.session.exec(select(Payment)).all()] == ["BACS WORLD"] * 2  # no reversal
        assert db.session.get(Report, beta["report"]).what_happened == "Secret report text"
        from grants.documents.models import DocumentBuild

        assert db.session.exec(select(DocumentBuild).where(DocumentBuild.object_id == beta["round"])).all() == []
        from grants.rounds.models import ElectionImport

        assert len(db.session.exec(select(ElectionImport)).all()) == 2   # the world's own: no file was kept
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


def test_a_reports_photo_is_never_served_to_another_collective(app, world):
    beta = world["ids"]["beta"]
    client = _client_for(app, world, FACILITATOR)
    for slug in ("alpha", "beta"):
        assert client.get(f"/c/{slug}/grants/{beta['grant']}/reports/{beta['report']}/photo").status_code in (403, 404)


def test_another_collectives_mail_is_never_shown_or_retried(app, world):
    from grants.mail.models import OutboxMessage

    with app.app_context():
        from grants.collectives.models import Collective

        beta = db.session.exec(select(Collective).where(Collective.slug == "beta")).one()
        theirs = OutboxMessage(message_id="<beta-failed@commonpot.local>", collective_id=beta.id,
                               recipient="beta.person@example.org", subject="Beta Secret news", body="x",
                               state="failed", attempts=10, last_answer="550 no such mailbox")
        db.session.add(theirs)
        db.session.commit()
        theirs_id = theirs.id
    client = _client_for(app, world, FACILITATOR)
    assert b"beta.person@example.org" not in client.get("/c/alpha/mail").data
    assert client.get("/c/beta/mail").status_code == 403
    assert client.post(f"/c/alpha/mail/{theirs_id}/retry").status_code == 404
    assert client.post(f"/c/beta/mail/{theirs_id}/retry").status_code == 403
    assert client.post(f"/admin/mail/{theirs_id}/retry").status_code == 403
    with app.app_context():
        assert db.session.get(OutboxMessage, theirs_id).state == "failed"
