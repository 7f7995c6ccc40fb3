"""Issue 13, item 16: a person sees only the actions they can take, in plain words: no "Mark
eligible: not available — Only a facilitator can do this" for an applicant, no field names
("accepted by name, conditions confirmed") for a grantee."""

from __future__ import annotations

from grants.db import db
from tests import factories
from tests.rounds_helpers import open_round, proposal, world
from tests.test_awards import _awarded


def _panel(page: str) -> str:
    return page[page.index('id="workflow-heading"'):]


def test_an_applicant_sees_what_they_can_do_with_their_proposal_and_nothing_a_facilitator_does(client, app):
    with app.app_context():
        w = world()
        open_round(w)
        submitted = proposal(w, 0, title="Walking club", amount=100_000)
        url = f"/c/west/rounds/{w['round'].id}/proposals/{submitted.id}"
        applicant, facilitator = w["applicants"][0], w["facilitator"]
    factories.login(client, applicant)
    panel = _panel(client.get(url).data.decode())
    for internal in ("Mark eligible", "Mark not eligible", "Only a facilitator can do this", "Only the system",
                     "not available"):
        assert internal not in panel
    assert "Reopen to make changes: <strong>you can do this now</strong>" in panel
    assert "Withdraw the proposal: <strong>you can do this now</strong>" in panel
    client.post("/logout")
    # the facilitator still sees the eligibility actions
    factories.login(client, facilitator)
    panel = _panel(client.get(url).data.decode())
    assert "Mark not eligible" in panel
    assert "Reopen to make changes" not in panel  # the applicant's, not theirs


def test_a_grantee_is_asked_in_plain_words_not_field_names(client, app):
    w = _awarded(app)
    with app.app_context():
        grant = db.session.merge(w["grants"][0])
        grant_id = grant.id
    factories.login(client, w["applicants"][0])
    page = client.get(f"/c/west/grants/{grant_id}").data.decode()
    panel = _panel(page)
    for internal in ("accepted by name", "conditions confirmed", "accepted_by_name", "Only a facilitator can do this",
                     "not available"):
        assert internal not in panel
    assert "you will be asked for your full name and to confirm you agree to the grant conditions" in panel
    assert "Accept or decline the grant" in page
