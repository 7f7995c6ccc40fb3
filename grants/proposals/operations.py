"""Operations on proposals: drafting, submitting, withdrawing, and eligibility decisions."""

from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from sqlmodel import select

from grants import audit, permissions, versions
from grants.auth.models import Person
from grants.collectives.models import Collective, Outcome, Theme
from grants.collectives.queries import acting_for, organisation_recipients
from grants.db import db
from grants.errors import Refused
from grants.mail import later, queue_mail
from grants.money import format_pence
from grants.organisations.models import Organisation
from grants.proposals.models import (FEEDBACK_LIMIT, LIVE_PARTNER_STATES, BudgetLine, Proposal, ProposalPartner,
                                    partners_of)
from grants.rounds.models import CountOutcome, Round, latest_count
from grants.rounds.queries import is_public, told
from grants.timeutil import format_datetime, utcnow
from grants.urls import external_url
from grants.workflow.operations import effect, fire

EDITABLE = ("title", "summary", "amount_requested", "theme_id", "communities_served", "outcome_ids", "people_reached")


def start_proposal(round_: Round, person: Person) -> Proposal:
    """A new draft for the organisation this person acts for, with its communities filled in."""
    membership = permissions.membership(person, round_.collective_id)
    if membership is None or not membership.is_applicant or membership.organisation_id is None:
        raise Refused(_("Only someone acting for an organisation of the collective can propose a project"))
    if not round_.is_open_for_proposals():
        raise Refused(_("%(round)s is not open for proposals", round=round_.name))
    organisation = db.session.get(Organisation, membership.organisation_id)
    proposal = Proposal(collective_id=round_.collective_id, round_id=round_.id, organisation_id=organisation.id,
                        created_by_id=person.id, communities_served=list(organisation.communities_served))
    db.session.add(proposal)
    db.session.flush()
    audit.record(person, "proposal.started", proposal, f"{organisation.name} started a proposal for {round_.name}")
    return proposal


def value_problems(proposal: Proposal, round_: Round, values: dict, lines: list[tuple[str, int]], *,
                   skip: frozenset[str] = frozenset()) -> list[Refused]:
    """Everything wrong with these values under the round's rules, each beside its field (not only the
    first: a person fixes them all in one go). ``skip`` names fields whose own check already failed."""
    problems = []
    amount = values["amount_requested"]
    if "amount_requested" not in skip and amount and not round_.min_grant <= amount <= round_.max_grant:
        problems.append(Refused(_("Ask for between %(least)s and %(most)s", least=format_pence(round_.min_grant),
                                  most=format_pence(round_.max_grant)), field="amount_requested"))
    if "theme_id" not in skip and values["theme_id"] is not None and values["theme_id"] not in round_.themes_funded:
        problems.append(Refused(_("Choose one of the themes this round funds"), field="theme_id"))
    known_outcomes = set(db.session.exec(select(Outcome.id).where(
        Outcome.collective_id == proposal.collective_id, Outcome.retired == False)).all())  # noqa: E712
    if "outcome_ids" not in skip and not set(values["outcome_ids"]) <= known_outcomes:
        problems.append(Refused(_("Choose outcomes from the collective's theory of change"), field="outcome_ids"))
    if len(lines) > 20:
        problems.append(Refused(_("Use at most 20 budget lines"), field="budget_lines"))
    return problems


#: What to say beside each question a submission still needs (the workflow's guard lists them by name).
MISSING_ANSWERS = {
    "title": _l("Enter a project title"),
    "summary": _l("Enter a summary of the project"),
    "amount_requested": _l("Enter the amount you are asking for"),
    "theme_id": _l("Choose a theme"),
    "communities_served": _l("Choose at least one community the project serves"),
    "budget_lines": _l("Enter at least one budget line: what it pays for and its amount"),
}


def submission_problems(values: dict, lines: list[tuple[str, int]], *,
                        skip: frozenset[str] = frozenset()) -> list[Refused]:
    """What stops these values being submitted, all at once: the unanswered questions and a budget
    that does not add up (the same rules as the ``proposal`` workflow's submit guards)."""
    given = {"title": values["title"].strip(), "summary": values["summary"].strip(),
             "amount_requested": values["amount_requested"] > 0, "theme_id": values["theme_id"] is not None,
             "communities_served": bool(values["communities_served"]), "budget_lines": bool(lines)}
    problems = [Refused(str(message), field=name) for name, message in MISSING_ANSWERS.items()
                if not given[name] and name not in skip]
    total, requested = sum(amount for _description, amount in lines), values["amount_requested"]
    if lines and requested > 0 and total != requested and not {"budget_lines", "amount_requested"} & skip:
        problems.append(Refused(_("The budget lines add up to %(total)s, but you asked for %(requested)s",
                                  total=format_pence(total), requested=format_pence(requested)), field="budget_lines"))
    return problems


def save_proposal(proposal: Proposal, values: dict, lines: list[tuple[str, int]], actor: Person,
                  version: int | None = None) -> None:
    """Save the draft as it is (incomplete is fine); budget lines are replaced as a whole.

    ``version`` is the one the form was loaded from: a save over a newer one is refused (``grants.versions``)."""
    round_ = db.session.get(Round, proposal.round_id)
    if proposal.state != "draft":
        raise Refused(_("Only a draft can be changed. If proposals are still open, reopen it first."))
    if not round_.is_open_for_proposals():
        raise Refused(_("Proposals for %(round)s closed on %(when)s", round=round_.name,
                        when=format_datetime(round_.proposals_close_at)))
    if "applicant" not in proposal.actor_roles(actor):
        raise Refused(_("Only someone acting for the organisation can change its proposal"))
    versions.claim(proposal, version, actor)
    problems = value_problems(proposal, round_, values, lines)
    if problems:
        raise problems[0]
    for key in EDITABLE:
        setattr(proposal, key, values[key])
    proposal.updated_at = utcnow()
    db.session.add(proposal)
    for line in db.session.exec(select(BudgetLine).where(BudgetLine.proposal_id == proposal.id)).all():
        db.session.delete(line)
    db.session.flush()
    for position, (description, amount) in enumerate(lines):
        db.session.add(BudgetLine(proposal_id=proposal.id, position=position, description=description, amount=amount))
    db.session.flush()
    audit.record(actor, "proposal.saved", proposal, f"Draft “{proposal.title or 'untitled'}” saved")


def submit_proposal(proposal: Proposal, actor: Person) -> None:
    fire(proposal, "submit", actor)
    round_ = db.session.get(Round, proposal.round_id)
    queue_mail(actor.email, _l("We have your proposal: %(title)s", title=proposal.title), "proposal_submitted.txt",
               person=actor, proposal=proposal, round=round_, amount=later(format_pence, proposal.amount_requested))


def reopen_proposal(proposal: Proposal, actor: Person) -> None:
    fire(proposal, "reopen", actor)


def withdraw_proposal(proposal: Proposal, actor: Person, reason: str = "") -> None:
    fire(proposal, "withdraw", actor, data={"reason": reason.strip()} if reason.strip() else {})


def decide_eligibility(proposal: Proposal, *, eligible: bool, reason: str, actor: Person) -> None:
    """A facilitator marks a submitted proposal eligible or not; the applicant sees the reason."""
    reason = reason.strip()
    fire(proposal, "mark_eligible" if eligible else "mark_ineligible", actor,
         data={"reason": reason} if reason else {}, changes={"decision_reason": reason})
    if not eligible:
        organisation = db.session.get(Organisation, proposal.organisation_id)
        collective = db.session.get(Collective, proposal.collective_id)
        queue_mail(organisation.contact_email, _l("Your proposal “%(title)s” is not eligible", title=proposal.title),
                   "proposal_ineligible.txt", organisation=organisation, proposal=proposal, reason=reason,
                   collective=collective)


def themes_of(round_: Round) -> list[Theme]:
    ids = round_.themes_funded
    return list(db.session.exec(select(Theme).where(Theme.id.in_(ids)).order_by(Theme.position)).all()) if ids else []


# -- feedback to applicants whose proposals were not funded --------------------------------------

#: The states of a proposal that went no further for a reason the applicant is owed: not eligible
#: (the facilitator's reason) or not selected by the vote (the allocation rule's explanation).
NOT_FUNDED = ("ineligible", "not_selected")


def explanation(proposal: Proposal) -> str:
    """Why ``proposal`` was not funded, in the reader's language: the facilitator's reason for one
    not eligible, the current count's sentence for one not selected by the vote; "" otherwise."""
    if proposal.state == "ineligible":
        return proposal.decision_reason
    outcome = counted_outcome(proposal)
    return told(outcome) if outcome is not None else ""


def counted_outcome(proposal: Proposal) -> CountOutcome | None:
    """The current count's outcome for a proposal not selected by the vote (None for any other)."""
    if proposal.state != "not_selected":
        return None
    count = latest_count(db.session.get(Round, proposal.round_id))
    return db.session.exec(select(CountOutcome).where(
        CountOutcome.count_id == count.id, CountOutcome.proposal_id == proposal.id)).first() if count else None


def save_feedback(proposal: Proposal, note: str, actor: Person, *, version: int | None = None) -> bool:
    """A facilitator's note to the applicant of a proposal that was not funded. The applicant reads
    it beside the explanation once the round's results are published (and is emailed both then);
    a note written or changed after that is emailed at once. True when the note changed."""
    if proposal.state not in NOT_FUNDED:
        raise Refused(_("A feedback note is for a proposal that was not eligible or not selected by the vote"),
                      field="note")
    note = note.strip()
    if len(note) > FEEDBACK_LIMIT:
        raise Refused(_("Write at most %(limit)s characters", limit=FEEDBACK_LIMIT), field="note")
    versions.claim(proposal, version, actor)
    before = proposal.feedback
    if note == before:
        return False
    proposal.feedback = note
    proposal.updated_at = utcnow()
    audit.record(actor, "proposal.feedback_saved", proposal,
                 f"Feedback note {'saved' if note else 'removed'} for “{proposal.title}”",
                 before={"feedback": before}, after={"feedback": note})
    round_ = db.session.get(Round, proposal.round_id)
    if note and is_public(round_):
        tell_applicant(proposal, round_, note_only=True)
    return True


def tell_applicant(proposal: Proposal, round_: Round, *, note_only: bool = False) -> None:
    """Email the organisation's contact and the people who act for it why the proposal was not
    funded, with the facilitator's note (``note_only``: a note added after the results came out)."""
    organisation = db.session.get(Organisation, proposal.organisation_id)
    collective = db.session.get(Collective, proposal.collective_id)
    link = external_url("proposals.show", slug=collective.slug, round_id=round_.id, proposal_id=proposal.id)
    if note_only:
        subject = _l("New feedback on your proposal “%(title)s”", title=proposal.title)
    else:
        subject = _l("Results of %(round)s: feedback on “%(title)s”", round=round_.name, title=proposal.title)
    # told again in each recipient's language, from the count's outcome read once
    outcome = counted_outcome(proposal)
    why = later(told, outcome) if outcome is not None else proposal.decision_reason
    for email, name in organisation_recipients(organisation, collective.id).items():
        queue_mail(email, subject, "proposal_not_funded.txt", name=name, proposal=proposal, round=round_,
                   collective=collective, organisation=organisation, link=link, note_only=note_only,
                   explanation=why, note=proposal.feedback)


@effect("tell_unfunded_applicants")
def _tell_unfunded_applicants(round_: Round, _move, _actor) -> None:
    """The results are published: every proposal not selected by the vote is told why, with its
    note; a proposal not eligible (told its reason when it was decided) only when it has a note."""
    for proposal in db.session.exec(select(Proposal).where(
            Proposal.round_id == round_.id, Proposal.state.in_(NOT_FUNDED)).order_by(Proposal.id)).all():
        if proposal.state == "not_selected" or proposal.feedback:
            tell_applicant(proposal, round_)


# -- joint proposals: partner organisations -------------------------------------------------------

def partner_candidates(proposal: Proposal) -> list[Organisation]:
    """The collective's active organisations that may be invited: not the lead, not already on it."""
    taken = {p.organisation_id for p in partners_of(proposal)} | {proposal.organisation_id}
    return [o for o in db.session.exec(select(Organisation).where(
        Organisation.collective_id == proposal.collective_id, Organisation.status == "active")
        .order_by(Organisation.name)).all() if o.id not in taken]


def _acts_for(person: Person, collective_id: int, organisation_id: int) -> bool:
    return "applicant" in permissions.organisation_roles(person, collective_id, organisation_id)


def invite_partner(proposal: Proposal, actor: Person, organisation_id: int | None, share: int | None) -> ProposalPartner:
    """The lead invites another organisation of the collective to take part, with its share of the budget."""
    if not _acts_for(actor, proposal.collective_id, proposal.organisation_id):
        raise Refused(_("Only someone acting for the lead organisation can invite partners"))
    if proposal.state != "draft":
        raise Refused(_("Partners can be added only while the proposal is a draft: reopen it first"))
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or organisation.collective_id != proposal.collective_id or organisation.status != "active":
        raise Refused(_("Choose an organisation of the collective"), field="organisation_id")
    if organisation.id == proposal.organisation_id:
        raise Refused(_("Your own organisation leads the proposal: choose another"), field="organisation_id")
    existing = db.session.exec(select(ProposalPartner).where(ProposalPartner.proposal_id == proposal.id,
                                                             ProposalPartner.organisation_id == organisation.id)).first()
    if existing is not None and existing.state in LIVE_PARTNER_STATES:
        raise Refused(_("%(organisation)s is already a partner", organisation=organisation.name), field="organisation_id")
    share = share or 0
    if share < 0:
        raise Refused(_("Enter a share of £0 or more"), field="share")
    others = sum(p.share for p in partners_of(proposal))
    if proposal.amount_requested and others + share > proposal.amount_requested:
        raise Refused(_("The partners' shares would come to %(total)s, more than the %(amount)s asked for",
                        total=format_pence(others + share), amount=format_pence(proposal.amount_requested)),
                      field="share")
    if existing is not None:  # asked again after a decline or a removal: a fresh invitation
        db.session.delete(existing)
        db.session.flush()
    partner = ProposalPartner(collective_id=proposal.collective_id, proposal_id=proposal.id,
                              organisation_id=organisation.id, share=share, invited_by_id=actor.id)
    db.session.add(partner)
    db.session.flush()
    audit.record(actor, "proposal.partner_invited", proposal,
                 f"{organisation.name} invited to take part in “{proposal.title}”", after={"share": share})
    lead = db.session.get(Organisation, proposal.organisation_id)
    collective = db.session.get(Collective, proposal.collective_id)
    link = external_url("proposals.show", slug=collective.slug, round_id=proposal.round_id, proposal_id=proposal.id)
    for email, name in organisation_recipients(organisation, collective.id).items():
        queue_mail(email, _l("%(lead)s invites %(organisation)s to a joint proposal", lead=lead.name,
                             organisation=organisation.name),
                   "partner_invited.txt", name=name, lead=lead, organisation=organisation, proposal=proposal,
                   collective=collective, link=link, share=later(format_pence, share))
    return partner


def answer_partner(partner: ProposalPartner, actor: Person, accept: bool) -> None:
    if not _acts_for(actor, partner.collective_id, partner.organisation_id):
        raise Refused(_("Only someone acting for the invited organisation can answer"))
    # a proposal with a partner still to answer cannot be submitted: answers come while it is a draft
    if db.session.get(Proposal, partner.proposal_id).state != "draft":
        raise Refused(_("This proposal has gone too far to change who takes part"))
    fire(partner, "accept" if accept else "decline", actor)


def remove_partner(partner: ProposalPartner, actor: Person) -> None:
    proposal = db.session.get(Proposal, partner.proposal_id)
    if not _acts_for(actor, proposal.collective_id, proposal.organisation_id):
        raise Refused(_("Only someone acting for the lead organisation can remove a partner"))
    if proposal.state != "draft":
        raise Refused(_("Partners can be removed only while the proposal is a draft: reopen it first"))
    fire(partner, "remove", actor)


@effect("tell_lead_of_partner")
def _tell_lead(partner: ProposalPartner, move, _actor) -> None:
    proposal = db.session.get(Proposal, partner.proposal_id)
    lead = db.session.get(Organisation, proposal.organisation_id)
    organisation = db.session.get(Organisation, partner.organisation_id)
    collective = db.session.get(Collective, proposal.collective_id)
    link = external_url("proposals.show", slug=collective.slug, round_id=proposal.round_id, proposal_id=proposal.id)
    accepted = move.to_state.value == "accepted"
    subject = (_l("%(organisation)s takes part in “%(title)s”", organisation=organisation.name, title=proposal.title)
               if accepted else
               _l("%(organisation)s declined to take part in “%(title)s”", organisation=organisation.name,
                  title=proposal.title))
    for person in acting_for(lead.id, collective.id):
        queue_mail(person.email, subject, "partner_answered.txt", name=person.name, organisation=organisation,
                   proposal=proposal, collective=collective, link=link, accepted=accepted)
