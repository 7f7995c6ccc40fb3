"""A stale tab cannot silently undo another's save (issue 13, item 2), and edit pages of what cannot
change show it read-only with the reason (item 15).

Every edit form carries the version of the row it was loaded from; a save over a newer version is
refused with who changed it and when, the saved values beside the form, and the typed ones kept.
Each case: two pages loaded (two GETs), then two saves (two POSTs).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
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
