"""Open feedback to every applicant (issue 16): a facilitator's note on each proposal that was not
funded, beside the rule's explanation; the applicant reads both on the proposal's page and by email
once the results are published; the results page shows how the proposals fared and why."""

from __future__ import annotations

from sqlmodel import select

from grants.audit.models import AuditEvent
from grants.db import db
from grants.proposals import operations as proposal_ops
from grants.proposals.models import FEEDBACK_LIMIT, Proposal
from grants.review import operations as review_ops
from grants.rounds import operations as round_ops
from grants.rounds.models import Round
from tests import factories
from tests.rounds_helpers import counted_round

NOTE = "Your budget was clear. Next time, show how the sessions reach women who do not speak English."
# Greedy on equal support: the two cheaper projects fit the £10,000, the £4,500 one no longer does.
AMOUNTS = (300_000, 400_000, 450_000)


def _page(client, w, proposal_id: int) -> str:
    response = client.get(f"/c/west/rounds/{w['round'].id}/proposals/{proposal_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _post_note(client, w, proposal: Proposal, note: str, version: int | None = None):
    with client.application.app_context():
        version = db.session.get(Proposal, proposal.id).version if version is None else version
    return client.post(f"/c/west/rounds/{w['round'].id}/proposals/{proposal.id}/feedback",
                       data={"note": note, "version": str(version)})


def _not_selected(app, w) -> Proposal:
    with app.app_context():
        found = db.session.exec(select(Proposal).where(Proposal.round_id == w["round"].id,
                                                       Proposal.state == "not_selected")).one()
        db.session.expunge(found)
        return found


def _publish(app, w) -> None:
    """Submit the counted round for review and ratify it: the results are published."""
    with app.test_request_context("/", method="POST"):
        round_ = db.session.get(Round, w["round"].id)
        round_ops.move_round(round_, "submit_for_review", w["facilitator"])
        assert review_ops.ratify(round_, db.session.merge(w["reviewer"]))
        db.session.commit()


def test_the_note_and_the_explanation_reach_the_applicant_when_the_results_are_published(app, client, outbox):
    w = counted_round(app, amounts=AMOUNTS)
    unfunded = _not_selected(app, w)
    applicant = w["applicants"][w["proposals"].index(next(p for p in w["proposals"] if p.id == unfunded.id))]
    factories.login(client, w["facilitator"])
    page = _page(client, w, unfunded.id)
    assert "Why it was not funded" in page
    with app.app_context():
        sentence = proposal_ops.explanation(db.session.get(Proposal, unfunded.id))
    assert "only £3,000 was left, less than its cost of £4,500" in sentence and sentence in page
    assert "They see it, and are emailed it, when the results are published." in page

    outbox.clear()
    response = _post_note(client, w, unfunded, NOTE)
    assert response.status_code == 302 and response.location.endswith("#feedback")
    assert "when the results are published" in client.get(response.location).get_data(as_text=True)
    assert outbox == []  # nothing is sent before the results are published
    with app.app_context():
        assert db.session.get(Proposal, unfunded.id).feedback == NOTE
        event = db.session.exec(select(AuditEvent).where(AuditEvent.action == "proposal.feedback_saved")).one()
        assert event.object_id == unfunded.id and event.after == {"feedback": NOTE}

    applicant_client = app.test_client()
    factories.login(applicant_client, applicant)
    before = _page(applicant_client, w, unfunded.id)
    assert NOTE not in before and "Why it was not funded" not in before  # the count may still change

    _publish(app, w)
    to_applicant = [m for m in outbox if m["To"] == applicant.email]
    assert len(to_applicant) == 1
    body = to_applicant[0].get_content()
    assert to_applicant[0]["Subject"] == f"Results of {w['round'].name}: feedback on “{unfunded.title}”"
    assert "was not funded this time" in body and NOTE in body
    assert f"/c/west/rounds/{w['round'].id}/proposals/{unfunded.id}" in body
    with app.app_context():
        assert f"Why: {proposal_ops.explanation(db.session.get(Proposal, unfunded.id))}" in body
    # the organisation's contact is told too; the funded proposals' applicants are not sent this
    contacts = {m["To"] for m in outbox if "feedback on" in m["Subject"]}
    assert w["orgs"][w["applicants"].index(applicant)].contact_email in contacts
    assert not {a.email for a in w["applicants"] if a.id != applicant.id} & contacts

    after = _page(applicant_client, w, unfunded.id)
    assert "Why it was not funded" in after and NOTE in after
    assert "Feedback for the applicant" not in after  # the applicant reads it, never edits it

    # a note changed after publication is emailed at once
    outbox.clear()
    response = _post_note(client, w, unfunded, NOTE + " Come to our next workshop.")
    assert response.status_code == 302
    assert "We have emailed it to" in client.get(response.location).get_data(as_text=True)
    assert [m["Subject"] for m in outbox if m["To"] == applicant.email] == [
        f"New feedback on your proposal “{unfunded.title}”"]


def test_a_member_of_another_organisation_never_sees_the_note(app, client):
    w = counted_round(app, amounts=AMOUNTS)
    unfunded = _not_selected(app, w)
    factories.login(client, w["facilitator"])
    assert _post_note(client, w, unfunded, NOTE).status_code == 302
    _publish(app, w)
    for who in [w["members"][0], *[a for a in w["applicants"] if a.id != unfunded.created_by_id]]:
        other = app.test_client()
        factories.login(other, who)
        page = _page(other, w, unfunded.id)
        assert NOTE not in page and "Why it was not funded" not in page
    public = app.test_client().get(f"/c/west/rounds/{w['round'].id}/results").get_data(as_text=True)
    assert NOTE not in public and "Feedback to the applicant" not in public


def test_refusals_keep_what_was_typed_and_save_nothing(app, client):
    w = counted_round(app, amounts=AMOUNTS)
    unfunded = _not_selected(app, w)
    funded = next(p for p in w["proposals"] if p.id != unfunded.id)
    factories.login(client, w["facilitator"])

    too_long = "a" * (FEEDBACK_LIMIT + 1)
    response = _post_note(client, w, unfunded, too_long)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The feedback must be 2000 characters or fewer" in page
    assert too_long in page  # the box still holds what was typed

    response = _post_note(client, w, funded, NOTE)
    assert "A feedback note is for a proposal that was not eligible or not selected by the vote" in \
        response.get_data(as_text=True)

    # another facilitator saved first: the message, their note shown, what was typed kept
    with app.app_context():
        from grants.collectives.models import Collective

        second = factories.member(db.session.get(Collective, w["collective"].id),
                                  factories.person("Second", "second@example.org"), roles=("facilitator",))
        db.session.commit()
    loaded = _version(app, unfunded.id)
    other = app.test_client()
    factories.login(other, second)
    assert _post_note(other, w, unfunded, "Their note", loaded).status_code == 302
    response = _post_note(client, w, unfunded, "My note", loaded)
    page = response.get_data(as_text=True)
    assert "This was changed by Second" in page and "Their note" in page and "My note" in page
    with app.app_context():
        assert db.session.get(Proposal, unfunded.id).feedback == "Their note"
        assert db.session.get(Proposal, funded.id).feedback == ""

    for who in (w["members"][0], w["applicants"][0], w["reviewer"]):
        someone = app.test_client()
        factories.login(someone, who)
        assert _post_note(someone, w, unfunded, "Not mine to write").status_code == 403
    with app.app_context():
        assert db.session.get(Proposal, unfunded.id).feedback == "Their note"


def _version(app, proposal_id: int) -> int:
    with app.app_context():
        return db.session.get(Proposal, proposal_id).version


def test_an_ineligible_proposal_is_told_again_only_with_a_note(app, outbox):
    w = counted_round(app, amounts=AMOUNTS)
    with app.test_request_context("/", method="POST"):
        ineligible = [Proposal(collective_id=w["collective"].id, round_id=w["round"].id,
                               organisation_id=w["orgs"][n].id, state="ineligible", title=f"Late idea {n}",
                               summary="Late.", amount_requested=60_000, decision_reason="It arrived after the deadline.")
                      for n in (0, 1)]
        db.session.add_all(ineligible)
        db.session.flush()
        proposal_ops.save_feedback(ineligible[0], "Send it in earlier next round.", w["facilitator"])
        db.session.commit()
        titles = [p.title for p in ineligible]
    outbox.clear()
    _publish(app, w)
    subjects = [m["Subject"] for m in outbox if "feedback on" in m["Subject"]]
    assert any(titles[0] in s for s in subjects) and not any(titles[1] in s for s in subjects)
    body = next(m for m in outbox if titles[0] in m["Subject"]).get_content()
    assert "The facilitator's reason: It arrived after the deadline." in body
    assert "Send it in earlier next round." in body


def test_the_results_page_shows_how_the_proposals_fared_and_why(app, client):
    w = counted_round(app, amounts=AMOUNTS)
    with app.test_request_context("/", method="POST"):
        db.session.add(Proposal(collective_id=w["collective"].id, round_id=w["round"].id,
                                organisation_id=w["orgs"][0].id, state="ineligible", title="Late idea",
                                summary="Late.", amount_requested=60_000,
                                decision_reason="It arrived after the deadline."))
        db.session.commit()
    _publish(app, w)
    page = client.get(f"/c/west/rounds/{w['round'].id}/results").get_data(as_text=True)
    fared = page[page.index("How the proposals fared"):page.index("Communities the funded proposals serve")]
    text = " ".join(fared.replace("<", " <").split())
    for label, figure in (("Proposals submitted", "4"), ("Eligible", "3"), ("Funded", "2"),
                          ("Success rate of eligible proposals", "67%"), ("Success rate of submitted proposals", "50%")):
        assert f"{label} </dt> <dd class=\"govuk-summary-list__value\"> {figure}" in text, label
    assert "Why proposals were not funded" in fared
    assert "Not eligible" in fared and "It arrived after the deadline." in fared
    assert "Not selected by the vote" in fared and "Not enough money was left in its pot when its turn came" in fared


def test_the_email_explains_in_the_applicants_language(app, outbox):
    w = counted_round(app, amounts=AMOUNTS)
    unfunded = _not_selected(app, w)
    with app.app_context():
        from grants.auth.models import Person

        applicant = db.session.exec(select(Person).where(Person.id == unfunded.created_by_id)).one()
        applicant.preferred_language = "ur"
        db.session.commit()
        email = applicant.email
    outbox.clear()
    _publish(app, w)
    body = next(m for m in outbox if m["To"] == email).get_content()
    # written in Urdu, the rule's explanation and all
    assert "اس بار فنڈ نہیں ملا" in body and "was not funded this time" not in body
    assert "کیوں: عام فنڈ میں" in body and "Why:" not in body
