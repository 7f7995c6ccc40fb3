"""Operations of the partnership review: ratify, return with reasons, respond and resubmit."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from grants import audit
from grants.auth.models import Person
from grants.db import db
from grants.errors import Refused
from grants.review.models import Ratification, ReviewMessage
from grants.rounds.models import Round, latest_count
from grants.workflow.operations import fire
from workflows import GuardFailed


def ratify(round_: Round, reviewer: Person, note: str = "") -> bool:
    """Record this reviewer's ratification; the round is ratified once enough have. Returns
    whether the round is now ratified."""
    if round_.state != "partnership_review":
        raise Refused(_("This allocation is not waiting for the partnership's review"))
    if "reviewer" not in round_.actor_roles(reviewer):
        raise Refused(_("Only a reviewer of the locality partnership can ratify"))
    count = latest_count(round_)
    db.session.add(Ratification(round_id=round_.id, count_id=count.id, reviewer_id=reviewer.id, note=note.strip()))
    try:
        db.session.flush()
    except IntegrityError as error:
        raise Refused(_("You have already ratified this allocation")) from error
    db.session.add(ReviewMessage(round_id=round_.id, author_id=reviewer.id, author_label=audit.actor_label(reviewer),
                                 kind="ratified", text=note.strip() or "Ratified."))
    audit.record(reviewer, "round.ratification", round_, f"{reviewer.name} ratified the allocation")
    try:
        fire(round_, "ratify", reviewer)
    except GuardFailed:
        return False  # waiting for more reviewers: the ratification itself is kept
    return True


def return_allocation(round_: Round, reviewer: Person, reason: str) -> None:
    reason = reason.strip()
    fire(round_, "return_allocation", reviewer, data={"reason": reason})
    db.session.add(ReviewMessage(round_id=round_.id, author_id=reviewer.id, author_label=audit.actor_label(reviewer),
                                 kind="returned", text=reason))


def resubmit(round_: Round, facilitator: Person, response: str) -> None:
    """After a return and a recount or re-vote: send the allocation back with the facilitators' response."""
    response = response.strip()
    returned = messages(round_)
    if returned and returned[-1].kind == "returned" and not response:
        raise Refused(_("Say what you changed in response to the partnership's reasons"), field="response")
    fire(round_, "submit_for_review", facilitator)
    if response:
        db.session.add(ReviewMessage(round_id=round_.id, author_id=facilitator.id,
                                     author_label=audit.actor_label(facilitator), kind="response", text=response))


def messages(round_: Round) -> list[ReviewMessage]:
    return list(db.session.exec(select(ReviewMessage).where(ReviewMessage.round_id == round_.id)
                                .order_by(ReviewMessage.at, ReviewMessage.id)).all())


def ratifications(round_: Round) -> list[tuple[Ratification, Person]]:
    count = latest_count(round_)
    if count is None:
        return []
    return list(db.session.exec(select(Ratification, Person).join(Person, Person.id == Ratification.reviewer_id)
                                .where(Ratification.count_id == count.id).order_by(Ratification.at)).all())
