"""Operations on grants: made on ratification, accepted or declined, paid."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from sqlmodel import select

from grants import audit, permissions
from grants.auth.models import Person
from grants.awards.models import Grant, GrantBudgetLine, Payment
from grants.collectives.models import Collective, Membership
from grants.collectives.queries import acting_for, organisation_recipients
from grants.db import db
from grants.errors import Refused
from grants.mail import later, queue_mail
from grants.money import format_pence
from grants.organisations.models import Organisation
from grants.proposals.models import Proposal, budget_lines
from grants.rounds.models import Round
from grants.timeutil import format_date, format_datetime, london_today, to_london, utcnow
from grants.urls import external_url
from grants.workflow.operations import effect, fire, on_behalf_of


def notify_grantee(grant: Grant, subject: str, template: str, *, reminder: bool = False, **context) -> None:
    """Email the organisation's contact and the people who act for it (reminders respect their settings)."""
    organisation = db.session.get(Organisation, grant.organisation_id)
    collective = db.session.get(Collective, grant.collective_id)
    link = external_url("awards.show", slug=collective.slug, grant_id=grant.id)
    # Offers and decisions also go to the organisation's contact; reminders only to people who
    # have not turned reminders off (the contact has no account with settings to honour).
    recipients = ({p.email: p.name for p in acting_for(grant.organisation_id, grant.collective_id,
                                                       reminders_only=True)}
                  if reminder else organisation_recipients(organisation, grant.collective_id))
    for email, name in recipients.items():
        queue_mail(email, subject, template, name=name, grant=grant, organisation=organisation,
                   collective=collective, link=link, amount=later(format_pence, grant.amount), **context)


@effect("ratify_selected_proposals")
def _ratify_selected(round_: Round, _move, actor) -> None:
    for proposal in db.session.exec(select(Proposal).where(Proposal.round_id == round_.id,
                                                           Proposal.state == "selected")).all():
        fire(proposal, "ratify", on_behalf_of(actor))


@effect("notify_facilitators")
def _notify_facilitators(round_: Round, move, _actor) -> None:
    collective = db.session.get(Collective, round_.collective_id)
    facilitators = db.session.exec(select(Person).join(Membership, Membership.person_id == Person.id).where(
        Membership.collective_id == round_.collective_id, Membership.is_facilitator == True)).all()  # noqa: E712
    for person in facilitators:
        queue_mail(person.email, _l("%(round)s: the partnership returned the allocation", round=round_.name),
                   "allocation_returned.txt",
                   person=person, round=round_, reason=move.reason,
                   link=external_url("review.show", slug=collective.slug, round_id=round_.id))


@effect("create_grants")
def _create_grants(round_: Round, _move, actor) -> None:
    """Issuing awards: each ratified proposal becomes a grant offered to its organisation."""
    days = current_app.config.get("OFFER_DAYS", 30)
    now = utcnow()
    for proposal in db.session.exec(select(Proposal).where(Proposal.round_id == round_.id,
                                                           Proposal.state == "ratified").order_by(Proposal.id)).all():
        fire(proposal, "award", on_behalf_of(actor))
        grant = Grant(collective_id=round_.collective_id, round_id=round_.id, proposal_id=proposal.id,
                      organisation_id=proposal.organisation_id, amount=proposal.amount_requested, offered_at=now,
                      offer_expires_at=now + timedelta(days=days), purpose=proposal.summary,
                      outcome_ids=list(proposal.outcome_ids or []))
        db.session.add(grant)
        db.session.flush()
        db.session.add_all([GrantBudgetLine(grant_id=grant.id, position=n, description=line.description,
                                            amount=line.amount) for n, line in enumerate(budget_lines(proposal))])
        audit.record(on_behalf_of(actor), "grant.offered", grant,
                     f"Grant of {format_pence(grant.amount)} offered for “{proposal.title}”")
        notify_grantee(grant, _l("Your grant offer: %(amount)s for %(title)s", amount=later(format_pence, grant.amount),
                                 title=proposal.title), "grant_offer.txt",
                       proposal=proposal, round=round_, expires=later(format_datetime, grant.offer_expires_at))


def accept_grant(grant: Grant, person: Person, *, accepted_by_name: str, conditions_confirmed: bool) -> None:
    fire(grant, "accept", person,
         data={"accepted_by_name": accepted_by_name.strip(), "conditions_confirmed": conditions_confirmed is True},
         changes={"accepted_by_name": accepted_by_name.strip(), "accepted_at": utcnow()})
    notify_grantee(grant, _l("You accepted your grant of %(amount)s", amount=later(format_pence, grant.amount)),
                   "grant_accepted.txt",
                   accepted_by=accepted_by_name.strip())


def facilitators_of(collective_id: int) -> list[Person]:
    return list(db.session.exec(select(Person).join(Membership, Membership.person_id == Person.id).where(
        Membership.collective_id == collective_id, Membership.is_facilitator == True,  # noqa: E712
        Person.active == True)).all())  # noqa: E712


def decline_grant(grant: Grant, person: Person, reason: str) -> None:
    """Decline the offer (the grantee, or a facilitator on their behalf with a reason). The
    facilitators are told, with the reason; the grantee too when a facilitator declined for them."""
    reason = reason.strip()
    fire(grant, "decline", person, data={"reason": reason} if reason else {},
         changes={"declined_reason": reason})
    proposal = db.session.get(Proposal, grant.proposal_id)
    organisation = db.session.get(Organisation, grant.organisation_id)
    collective = db.session.get(Collective, grant.collective_id)
    link = external_url("awards.show", slug=collective.slug, grant_id=grant.id)
    for facilitator in facilitators_of(grant.collective_id):
        queue_mail(facilitator.email, _l("%(organisation)s declined the grant of %(amount)s",
                                         organisation=organisation.name, amount=later(format_pence, grant.amount)),
                   "grant_declined.txt", name=facilitator.name, grant=grant, organisation=organisation,
                   collective=collective, proposal=proposal, amount=later(format_pence, grant.amount), reason=reason,
                   declined_by=person.name, undo_until=later(format_datetime, grant.offer_expires_at), link=link)
    if "applicant" not in grant.actor_roles(person):
        notify_grantee(grant, _l("Your grant of %(amount)s was declined", amount=later(format_pence, grant.amount)),
                       "grant_declined_for_you.txt",
                       proposal=proposal, reason=reason, declined_by=person.name)


def can_undo_decline(grant: Grant, now=None) -> bool:
    """A decline can be undone while the offer would still have been open."""
    return grant.state == "declined" and (now or utcnow()) < grant.offer_expires_at


def undo_decline(grant: Grant, actor: Person) -> None:
    """Open the offer again (a facilitator, before it would have expired); the grantee is told."""
    if not permissions.can_manage_collective(actor, grant.collective_id):
        raise Refused(_("Only a facilitator can undo a decline"))
    fire(grant, "undo_decline", actor, changes={"declined_reason": ""})
    proposal = db.session.get(Proposal, grant.proposal_id)
    notify_grantee(grant, _l("Your grant offer of %(amount)s is open again", amount=later(format_pence, grant.amount)),
                   "grant_offer_reopened.txt", proposal=proposal, expires=later(format_datetime, grant.offer_expires_at))


def record_payment(grant: Grant, actor: Person, *, paid_on: date, amount: int, reference: str) -> Payment:
    """A payment made to the grantee. The total paid never exceeds the award."""
    if not permissions.can_manage_collective(actor, grant.collective_id):
        raise Refused(_("Only a facilitator can record payments"))
    if grant.state not in ("accepted", "paid", "reporting"):
        raise Refused(_("Payments can only be recorded for an accepted grant"))
    if amount is None or amount <= 0:
        raise Refused(_("Enter an amount more than £0"), field="amount")
    if paid_on > london_today():
        raise Refused(_("The payment date cannot be in the future"), field="paid_on")
    offered_on = to_london(grant.offered_at).date()
    if paid_on < offered_on:
        raise Refused(_("The payment date cannot be before the grant was offered on %(offered)s: check the date "
                        "on the bank statement", offered=format_date(offered_on)), field="paid_on")
    # Lock the grant row so two payments recorded at once cannot together exceed the award.
    db.session.execute(select(Grant.id).where(Grant.id == grant.id).with_for_update())
    already = grant.total_paid
    # money handed back through a variation is no longer the grant's to pay
    if already + amount > grant.net_amount:
        raise Refused(_("That would pay %(total)s, more than the grant of %(grant)s (%(left)s is left to pay)",
                        total=format_pence(already + amount), grant=format_pence(grant.net_amount),
                        left=format_pence(grant.net_amount - already)), field="amount")
    payment = Payment(grant_id=grant.id, paid_on=paid_on, amount=amount, reference=reference.strip(),
                      recorded_by_id=actor.id)
    db.session.add(payment)
    db.session.flush()
    audit.record(actor, "grant.payment", grant, f"Payment of {format_pence(amount)} on {format_date(paid_on)} "
                 f"(reference {reference.strip()})", collective_id=grant.collective_id,
                 after={"amount": amount, "paid_on": paid_on.isoformat(), "reference": reference.strip()})
    if grant.state == "accepted":
        fire(grant, "record_payment", actor)
    return payment


def reverse_payment(payment: Payment, actor: Person, reason: str) -> Payment:
    """Correct a payment recorded wrongly: a new row with the opposite amount, pointing at it.

    Payments are never edited or deleted (the record of money must show what was recorded and what
    was corrected, and by whom); the grant's total paid, its page and the exports all use the net sum.
    """
    grant = db.session.get(Grant, payment.grant_id)
    if not permissions.can_manage_collective(actor, grant.collective_id):
        raise Refused(_("Only a facilitator can correct payments"))
    if payment.is_reversal:
        raise Refused(_("This entry is itself a correction: it cannot be reversed"))
    if payment.is_repayment:
        raise Refused(_("This is money the group paid back with an approved change to the grant: it cannot be reversed"))
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Say why the payment is being reversed"), field="reason")
    db.session.execute(select(Grant.id).where(Grant.id == grant.id).with_for_update())
    if db.session.exec(select(Payment.id).where(Payment.reverses_id == payment.id)).first() is not None:
        raise Refused(_("This payment has already been reversed"))
    reversal = Payment(grant_id=grant.id, paid_on=london_today(), amount=-payment.amount, reference=payment.reference,
                       recorded_by_id=actor.id, reverses_id=payment.id, reason=reason)
    db.session.add(reversal)
    db.session.flush()
    audit.record(actor, "grant.payment_reversed", grant,
                 f"Payment of {format_pence(payment.amount)} on {format_date(payment.paid_on)} (reference "
                 f"{payment.reference}) reversed: {reason}", collective_id=grant.collective_id,
                 before={"payment_id": payment.id, "amount": payment.amount},
                 after={"reversal_id": reversal.id, "amount": reversal.amount, "reason": reason})
    return reversal


def payments(grant: Grant) -> list[Payment]:
    """The grant's payments and reversals, each reversal straight after the payment it undoes."""
    rows = list(db.session.exec(select(Payment).where(Payment.grant_id == grant.id)
                                .order_by(Payment.paid_on, Payment.id)).all())
    reversals = {row.reverses_id: row for row in rows if row.is_reversal}
    ordered = []
    for row in rows:
        if not row.is_reversal:
            ordered.append(row)
            if row.id in reversals:
                ordered.append(reversals[row.id])
    return ordered


def grants_of(collective: Collective, organisation_id: int | None = None):
    query = (select(Grant, Proposal.title, Organisation.name).join(Proposal, Proposal.id == Grant.proposal_id)
             .join(Organisation, Organisation.id == Grant.organisation_id).where(Grant.collective_id == collective.id))
    if organisation_id is not None:
        query = query.where(Grant.organisation_id == organisation_id)
    return list(db.session.exec(query.order_by(Grant.offered_at.desc(), Grant.id)).all())
