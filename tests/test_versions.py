"""A stale tab cannot silently undo another's save (issue 13, item 2), and edit pages of what cannot
change show it read-only with the reason (item 15).

Every edit form carries the version of the row it was loaded from; a save over a newer version is
refused with who changed it and when, the saved values beside the form, and the typed ones kept.
Each case: two pages loaded (two GETs), then two saves (two POSTs).
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from grants.db import db
from grants.organisations.models import Organisation
from grants.proposals.models import Proposal
from grants.rounds.models import Round
from grants.workflow.operations import fire
from tests import factories
from tests.rounds_helpers import T0, open_round, proposal, world

STALE = re.compile(r"This was changed by (.+?) on (\d{1,2} \w+ \d{4} at \d\d:\d\d) — review and save again")


def version_of(page: str) -> str:
    tag = re.search(r'<input[^>]*name="version"[^>]*>', page)
    assert tag, "the form carries the row's version"
    return re.search(r'value="(\d+)"', tag.group(0)).group(1)


def load(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return version_of(response.data.decode())


def second_client(app, who):
    other = app.test_client()
    factories.login(other, who)
    return other


# -- proposals ---------------------------------------------------------------------------------

def _proposal_world(app):
    with app.test_request_context("/", method="POST"):
        w = world()
        open_round(w)
        colleague = factories.member(w["collective"], factories.person("Bea Colleague", "bea@example.org"),
                                     roles=("member", "applicant"), organisation=w["orgs"][0])
        p = proposal(w, 0, title="Walking club", amount=180_000, submit=False)
        return {"round_id": w["round"].id, "proposal_id": p.id, "theme_id": w["themes"]["Building trust"].id,
                "applicant": w["applicants"][0], "colleague": colleague}


def _proposal_data(ids, version, *, title="Walking club", amount="1,800"):
    return {"title": title, "summary": "Walking club: what we will do.", "amount_requested": amount,
            "theme_id": str(ids["theme_id"]), "communities_served": ["asian_pakistani"], "people_reached": "40",
            "budget_lines-0-description": "Venue and volunteers", "budget_lines-0-amount": amount,
            "version": version, "save": "y"}


def test_a_stale_proposal_tab_is_refused_with_the_newer_values_and_keeps_what_was_typed(app, client):
    ids = _proposal_world(app)
    url = f"/c/west/rounds/{ids['round_id']}/proposals/{ids['proposal_id']}/edit"
    factories.login(client, ids["applicant"])
    tab_a = second_client(app, ids["colleague"])
    version_b = load(client, url)  # tab B, opened earlier
    version_a = load(tab_a, url)
    assert tab_a.post(url, data=_proposal_data(ids, version_a, amount="2,000")).status_code == 302

    response = client.post(url, data=_proposal_data(ids, version_b, title="Walking club for new mums"))
    page = response.data.decode()
    assert response.status_code == 200
    found = STALE.search(page)
    assert found and found.group(1) == "Bea Colleague"
    assert "What is saved now" in page and "£2,000" in page  # the newer values
    assert 'value="Walking club for new mums"' in page  # what this person typed is kept
    with app.app_context():
        stored = db.session.get(Proposal, ids["proposal_id"])
        assert (stored.title, stored.amount_requested) == ("Walking club", 200_000)  # not undone
        newer_version = str(stored.version)
    assert version_of(page) == newer_version  # saving again (after review) goes through

    again = client.post(url, data=_proposal_data(ids, version_of(page), title="Walking club for new mums",
                                                 amount="2,000"))
    assert again.status_code == 302
    with app.app_context():
        stored = db.session.get(Proposal, ids["proposal_id"])
        assert (stored.title, stored.amount_requested) == ("Walking club for new mums", 200_000)


def test_a_save_from_a_fresh_page_is_not_refused_and_a_form_without_a_version_is_not_checked(app, client):
    ids = _proposal_world(app)
    url = f"/c/west/rounds/{ids['round_id']}/proposals/{ids['proposal_id']}/edit"
    factories.login(client, ids["applicant"])
    assert client.post(url, data=_proposal_data(ids, load(client, url), amount="2,000")).status_code == 302
    assert client.post(url, data=_proposal_data(ids, load(client, url), amount="1,900")).status_code == 302
    data = _proposal_data(ids, "", amount="1,700")
    assert client.post(url, data=data).status_code == 302
    # a version that is not a number never matches
    page = client.post(url, data=_proposal_data(ids, "x1")).data.decode()
    assert "review and save again" in page


# -- item 15: read-only edit pages ------------------------------------------------------------

def test_the_edit_page_of_a_submitted_proposal_is_read_only_with_the_reason_and_a_reopen_button(app, client):
    ids = _proposal_world(app)
    url = f"/c/west/rounds/{ids['round_id']}/proposals/{ids['proposal_id']}/edit"
    with app.test_request_context("/", method="POST"):
        p = db.session.get(Proposal, ids["proposal_id"])
        fire(p, "submit", db.session.merge(ids["applicant"]))
        db.session.commit()
    factories.login(client, ids["applicant"])
    page = client.get(url).data.decode()
    assert re.search(r"This proposal was submitted on \d{1,2} \w+ \d{4} at \d\d:\d\d — reopen it to change it", page)
    assert 'name="title"' not in page and 'name="version"' not in page  # no form to fill in
    assert "govuk-summary-list" in page and "Walking club" in page
    assert "Reopen to change it" in page and "/reopen" in page
    assert "Withdraw this proposal" in page


def test_once_proposals_close_the_edit_page_says_so_and_offers_no_reopen(app, client):
    ids = _proposal_world(app)
    url = f"/c/west/rounds/{ids['round_id']}/proposals/{ids['proposal_id']}/edit"
    with app.test_request_context("/", method="POST"):
        w_round = db.session.get(Round, ids["round_id"])
        p = db.session.get(Proposal, ids["proposal_id"])
        applicant = db.session.merge(ids["applicant"])
        fire(p, "submit", applicant)
        facilitator = db.session.exec(select(factories.Person).where(factories.Person.email == "fola@example.org")).one()
        fire(w_round, "close_proposals", facilitator, now=T0 + timedelta(days=14))
        db.session.commit()
    factories.login(client, ids["applicant"])
    page = client.get(url).data.decode()
    assert "so it can no longer change" in page
    assert "Reopen to change it" not in page and 'name="title"' not in page


# -- the other forms: two pages loaded, then two saves -------------------------------------------

def form_data(client, url: str) -> dict:
    """What the page's edit form would send as loaded (the form that carries a version)."""
    from tests.security.world import forms_on

    page = client.get(url).data.decode()
    form = next(f for f in forms_on(page) if "version" in f.fields)
    return dict(form.fields)


def stale_save(url: str, tab_b, tab_a, change_a: dict, change_b: dict, submit: dict | None = None) -> str:
    """Tab B is opened, then tab A; A saves, then B saves: B's page, as the server answered it."""
    submit = submit or {}
    loaded_b = form_data(tab_b, url)
    loaded_a = form_data(tab_a, url)
    assert loaded_a["version"] == loaded_b["version"]
    first = tab_a.post(url, data={**loaded_a, **change_a, **submit})
    assert first.status_code == 302, first.data.decode()[:3000]
    second = tab_b.post(url, data={**loaded_b, **change_b, **submit})
    assert second.status_code == 200
    return second.data.decode()


def test_a_stale_round_settings_tab_is_refused_with_the_newer_values(app, client):
    with app.app_context():
        w = world()
        other = factories.member(w["collective"], factories.person("Femi Facilitator", "femi@example.org"),
                                 roles=("facilitator",))
        db.session.commit()
        round_id, facilitator = w["round"].id, w["facilitator"]
    url = f"/c/west/rounds/{round_id}/edit"
    factories.login(client, facilitator)
    page = stale_save(url, client, second_client(app, other), {"budget": "12,000"}, {"name": "Spring 2027, renamed"})
    found = STALE.search(page)
    assert found and found.group(1) == "Femi Facilitator"
    assert "What is saved now" in page and "£12,000" in page
    assert 'value="Spring 2027, renamed"' in page
    with app.app_context():
        stored = db.session.get(Round, round_id)
        assert (stored.name, stored.budget) == ("Spring 2027 small grants", 1_200_000)


def test_the_settings_page_of_an_open_round_is_read_only_with_its_state_and_the_deadline_form(app, client):
    with app.app_context():
        w = world()
        open_round(w)
        round_id, facilitator = w["round"].id, w["facilitator"]
    factories.login(client, facilitator)
    page = client.get(f"/c/west/rounds/{round_id}/edit").data.decode()
    assert "This round is at “Open for proposals”" in page
    assert "Only a draft round" in page and "extend a deadline" in page
    assert 'name="name"' not in page and 'name="version"' not in page  # no settings form
    assert "govuk-summary-list" in page and "£10,000" in page and "Spring 2027 small grants" in page
    assert f'action="/c/west/rounds/{round_id}/deadlines"' in page  # what can still change


def test_a_stale_organisation_tab_is_refused_with_the_newer_values(app, client):
    with app.app_context():
        west = factories.collective("west", "West Collective")
        org = factories.organisation(west, "Sparkbrook Walkers")
        first = factories.member(west, factories.person("Ama Applicant", "ama@example.org"),
                                 roles=("member", "applicant"), organisation=org)
        second = factories.member(west, factories.person("Bea Colleague", "bea@example.org"),
                                  roles=("member", "applicant"), organisation=org)
        db.session.commit()
        org_id = org.id
    url = f"/c/west/organisations/{org_id}/edit"
    factories.login(client, first)
    page = stale_save(url, client, second_client(app, second), {"ward": "Ladywood"},
                      {"contact_phone": "0121 496 0000"})
    found = STALE.search(page)
    assert found and found.group(1) == "Bea Colleague"
    assert "What is saved now" in page and "Ladywood" in page
    assert 'value="0121 496 0000"' in page
    with app.app_context():
        stored = db.session.get(Organisation, org_id)
        assert (stored.ward, stored.contact_phone) == ("Ladywood", "")


def test_a_stale_grant_report_tab_is_refused_with_the_newer_values(app, client):
    from grants.reporting.models import Report
    from tests.test_awards import _accepted_small_grant

    w = _accepted_small_grant(app)
    with app.app_context():
        colleague = factories.member(db.session.merge(w["collective"]),
                                     factories.person("Cy Colleague", "cy@example.org"),
                                     roles=("member", "applicant"), organisation=db.session.merge(w["orgs"][2]))
        db.session.commit()
    url = f"/c/west/grants/{w['grant'].id}/reports/{w['report'].id}"
    factories.login(client, w["applicants"][2])
    page = stale_save(url, client, second_client(app, colleague), {"what_happened": "Twelve walks with 30 mums."},
                      {"story": "Amina walked every week."}, submit={"save": "y"})
    found = STALE.search(page)
    assert found and found.group(1) == "Cy Colleague"
    assert "What is saved now" in page and "Twelve walks with 30 mums." in page
    assert "Amina walked every week." in page  # typed, kept in the form
    with app.app_context():
        stored = db.session.get(Report, w["report"].id)
        assert (stored.what_happened, stored.story) == ("Twelve walks with 30 mums.", "")


def test_a_stale_need_decision_is_refused_saying_who_decided_and_what(app, client):
    from datetime import date

    from grants.collectives.models import Collective
    from grants.commissioning import operations as c_ops
    from grants.commissioning import queries as c_queries
    from grants.commissioning.models import Need
    from tests.commissioning.conftest import load_evidence
    from tests.commissioning.conftest import person as c_person

    with app.test_request_context("/", method="POST"):
        west = factories.collective("west", "West Birmingham Collective", themes=("Building trust",))
        facilitator = factories.member(west, c_person("Fola Adeyemi", "fola@example.org"), roles=("facilitator",))
        first = factories.member(west, c_person("Rachel Okafor", "rachel@example.org"), roles=("reviewer",))
        second = factories.member(west, c_person("Sam Second", "sam@example.org"), roles=("reviewer",))
        mosque = factories.organisation(west, "Winson Green Mosque", partner_type="mosque")
        db.session.commit()
        values = {"collective_id": west.id, "facilitator": facilitator}
        load_evidence(values)
        cycle = c_ops.create_cycle(db.session.get(Collective, west.id), name="2027", description="", actor=facilitator)
        [dataset] = c_queries.datasets(db.session.get(Collective, west.id))
        c_ops.set_cycle_evidence(cycle, [dataset.id], facilitator)
        fire(cycle, "start_engagement", facilitator)
        c_ops.record_event(cycle, title="Fair", held_on=date(2026, 9, 1), place="Park", kind="fair", participants=5,
                           notes="", host_ids=[mosque.id], by_community={}, actor=facilitator)
        fire(cycle, "record_needs", facilitator)
        need = c_ops.write_need(cycle, title="A need", statement="We need", evidence=[
            (dataset.id, "Ladywood", "white_roma")], feedback_ids=[], actor=facilitator)
        fire(cycle, "draft_priorities", facilitator)
        db.session.commit()
        url = f"/c/west/commissioning/cycles/{cycle.id}/needs/{need.id}"
        need_id = need.id
    factories.login(client, first)
    page = stale_save(url, client, second_client(app, second),
                      {"decision": "not_taken_forward", "note": "Funded elsewhere", "themes": []},
                      {"decision": "not_taken_forward", "note": "Not in our area", "themes": []})
    found = STALE.search(page)
    assert found and found.group(1) == "Sam Second"
    assert "What is saved now" in page and "Funded elsewhere" in page
    with app.app_context():
        assert db.session.get(Need, need_id).decision_reason == "Funded elsewhere"
