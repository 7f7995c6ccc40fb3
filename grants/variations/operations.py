"""Operations on variations: asked for, sent where their size says, decided, and applied.

A *change* is what the grantee's form says the grant should become (plain values)::

    {"lines": [{"id": 12 or None, "description": "...", "amount": pence}, ...],
     "due_dates": {report_id: date}, "purpose": "...", "outcome_ids": [..],
     "returned": pence, "paid_back": pence, "paid_back_reference": "...", "reason": "..."}

:func:`problems` checks it against the grant as it is now (every problem beside its field),
:func:`needs_partnership` sizes it, :func:`request_variation` stores and sends it, and approving it
fires ``apply_variation``, which checks the money again (a payment may have been recorded since)
and changes the grant in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from grants import audit, permissions, versions
from grants.auth.models import Person
from grants.awards.models import Grant, GrantBudgetLine, Payment, grant_lines
from grants.awards.operations import facilitators_of, notify_grantee
from grants.collectives.models import Collective, Membership, Outcome
from grants.db import db
from grants.errors import Refused
from grants.mail import later, queue_mail
from grants.money import format_pence
from grants.reporting.models import Report
from grants.rounds.models import Round
from grants.timeutil import format_date, london_today, london_to_utc, to_london, utcnow
from grants.urls import external_url
from grants.variations.models import REASON_LIMIT, Variation, VariationApproval
from grants.workflow.operations import effect, fire, on_behalf_of
from workflows import GuardFailed
from workflows.i18n import N_

#: A grant can change while the money is in play: from its acceptance until it closes.
VARIABLE_GRANT_STATES = ("accepted", "paid", "reporting")
#: The reports whose due date can still move.
OPEN_REPORT_STATES = ("due", "overdue", "changes_requested")


def open_reports(grant: Grant) -> list[Report]:
    return list(db.session.exec(select(Report).where(Report.grant_id == grant.id,
                                                     Report.state.in_(OPEN_REPORT_STATES))
                                .order_by(Report.due_at, Report.id)).all())


def open_variation(grant: Grant) -> Variation | None:
    return db.session.exec(select(Variation).where(
        Variation.grant_id == grant.id,
        Variation.state.in_(("draft", "requested", "with_partnership", "more_information")))).first()


def variations_of(grant: Grant) -> list[Variation]:
    return list(db.session.exec(select(Variation).where(Variation.grant_id == grant.id)
                                .order_by(Variation.id.desc())).all())


def due_date(report: Report) -> date:
    """A report's due date as the grantee reads it: the day in London."""
    return to_london(report.due_at).date()


def snapshot(grant: Grant) -> dict:
    """The grant as it is now, as plain values: what a variation is asked against."""
    return {"lines": [{"id": line.id, "description": line.description, "amount": line.amount}
                      for line in grant_lines(grant)],
            "due_dates": {str(report.id): due_date(report).isoformat() for report in open_reports(grant)},
            "purpose": grant.purpose, "outcome_ids": list(grant.outcome_ids or []),
            "amount": grant.amount, "returned": grant.returned, "paid": grant.total_paid}


def moved(before: dict, change: dict) -> int:
    """Money moved between budget lines: what the lines gain (a new line gains all of its amount)."""
    old = {line["id"]: line["amount"] for line in before["lines"]}
    return sum(max(0, line["amount"] - old.get(line["id"], 0)) for line in change["lines"])


def _months_apart_at_most(old: date, new: date, months: int) -> bool:
    return old - relativedelta(months=months) <= new <= old + relativedelta(months=months)


def needs_partnership(collective: Collective, before: dict, change: dict) -> bool:
    """Too big for a facilitator alone: a change of purpose or outcomes, more than the collective's
    share of the grant moved between lines, or a date moved by more than its months (both limits
    included: moving exactly 20% of a grant, or a date by exactly 3 months, is small)."""
    if change["purpose"].strip() != before["purpose"].strip():
        return True
    if sorted(set(change["outcome_ids"])) != sorted(set(before["outcome_ids"])):
        return True
    net = before["amount"] - before["returned"]
    if moved(before, change) * 100 > collective.variation_move_percent * net:
        return True
    for report_id, new in change["due_dates"].items():
        old = before["due_dates"].get(str(report_id))
        if old is not None and not _months_apart_at_most(date.fromisoformat(old), new,
                                                          collective.variation_date_months):
            return True
    return False


def changes_anything(before: dict, change: dict) -> bool:
    old_lines = [(line["id"], line["amount"]) for line in before["lines"]]
    new_lines = [(line["id"], line["amount"]) for line in change["lines"]]
    dates = {str(k): v.isoformat() for k, v in change["due_dates"].items()}
    return (old_lines != new_lines or any(before["due_dates"].get(k) != v for k, v in dates.items())
            or change["purpose"].strip() != before["purpose"].strip()
            or sorted(set(change["outcome_ids"])) != sorted(set(before["outcome_ids"])) or change["returned"] > 0)


def problems(grant: Grant, change: dict, *, before: dict | None = None) -> list[Refused]:
    """Everything wrong with ``change`` for ``grant`` as it is now, each beside its field."""
    before = before or snapshot(grant)
    found: list[Refused] = []
    known = {line["id"]: line for line in before["lines"]}
    given = [line["id"] for line in change["lines"] if line["id"] is not None]
    if sorted(given) != sorted(known):  # every line of the grant, each once: none left out or made up
        found.append(Refused(_("Change the lines of this grant's budget"), field="lines"))
        return found
    for line in change["lines"]:
        if line["amount"] is None or line["amount"] < 0:
            found.append(Refused(_("Amounts must be £0 or more"), field=_line_field(line)))
        if line["id"] is None and line["amount"] and not line["description"].strip():
            found.append(Refused(_("Say what the new line is for"), field="new_line_description"))
    returned, paid_back = change["returned"] or 0, change["paid_back"] or 0
    net_after = before["amount"] - before["returned"] - returned
    paid = before["paid"]
    if returned < 0 or paid_back < 0:
        found.append(Refused(_("Amounts must be £0 or more"), field="returned" if returned < 0 else "paid_back"))
    elif paid_back > paid:
        found.append(Refused(_("The group can pay back at most what it was paid: %(paid)s",
                               paid=format_pence(paid)), field="paid_back"))
    elif paid_back > returned:
        found.append(Refused(_("The money paid back is part of the money handed back: hand back at least %(amount)s",
                               amount=format_pence(paid_back)), field="returned"))
    elif returned > before["amount"] - before["returned"] - paid + paid_back:
        unpaid = before["amount"] - before["returned"] - paid
        found.append(Refused(_("Hand back at most the %(unpaid)s not paid yet, plus what the group pays back "
                               "(%(paid_back)s)", unpaid=format_pence(unpaid), paid_back=format_pence(paid_back)),
                             field="returned"))
    if paid_back and not change["paid_back_reference"].strip():
        found.append(Refused(_("Enter the reference of the money paid back"), field="paid_back_reference"))
    total = sum(line["amount"] or 0 for line in change["lines"])
    if not any(p.field and p.field.startswith("line") for p in found) and total != max(net_after, 0):
        found.append(Refused(_("The budget lines add up to %(total)s, but the grant less the money handed back is "
                               "%(net)s: move money between lines so they add up", total=format_pence(total),
                               net=format_pence(max(net_after, 0))), field="lines"))
    today = london_today()
    for report_id, new in change["due_dates"].items():
        if str(report_id) not in before["due_dates"]:
            found.append(Refused(_("Change the dates of this grant's open reports"), field="due_dates"))
        elif new is None:
            found.append(Refused(_("Enter a date"), field=f"due_{report_id}"))
        elif new < today and new.isoformat() != before["due_dates"][str(report_id)]:
            found.append(Refused(_("A new due date cannot be in the past"), field=f"due_{report_id}"))
    if not change["purpose"].strip():
        found.append(Refused(_("Say what the grant is for"), field="purpose"))
    allowed = set(before["outcome_ids"]) | set(db.session.exec(select(Outcome.id).where(
        Outcome.collective_id == grant.collective_id, Outcome.retired == False)).all())  # noqa: E712
    if not set(change["outcome_ids"]) <= allowed:
        found.append(Refused(_("Choose outcomes from the collective's theory of change"), field="outcome_ids"))
    if not change["reason"].strip():
        found.append(Refused(_("Say why the grant needs to change"), field="reason"))
    elif len(change["reason"]) > REASON_LIMIT:
        found.append(Refused(_("Write at most %(limit)s characters", limit=REASON_LIMIT), field="reason"))
    if not found and not changes_anything(before, change):
        found.append(Refused(_("Change at least one thing: a budget line, a date, the purpose, the outcomes or "
                               "money handed back")))
    return found


def _line_field(line: dict) -> str:
    return f"line_{line['id']}" if line["id"] is not None else "new_line_amount"


def _check_can_ask(grant: Grant, person: Person) -> None:
    if "applicant" not in grant.actor_roles(person):
        raise Refused(_("Only someone acting for the grantee can ask to change the grant"))
    if grant.state not in VARIABLE_GRANT_STATES:
        raise Refused(_("Only an accepted grant that is not closed can change"))


def _stored(change: dict) -> dict:
    return {"lines": [{"id": line["id"], "description": line["description"].strip(), "amount": line["amount"]}
                      for line in change["lines"] if line["id"] is not None or line["amount"]],
            "due_dates": {str(k): v.isoformat() for k, v in change["due_dates"].items()},
            "purpose": change["purpose"].strip(), "outcome_ids": sorted(set(change["outcome_ids"])),
            "returned": change["returned"] or 0, "paid_back": change["paid_back"] or 0,
            "paid_back_reference": change["paid_back_reference"].strip(), "reason": change["reason"].strip()}


def _send(variation: Variation, grant: Grant, person: Person, change: dict, transition_small: str,
          transition_big: str) -> None:
    collective = db.session.get(Collective, grant.collective_id)
    before = snapshot(grant)
    found = problems(grant, change, before=before)
    if found:
        raise found[0]
    for key, value in _stored(change).items():
        setattr(variation, key, value)
    variation.before = before
    variation.needs_partnership = needs_partnership(collective, before, change)
    variation.approvals_needed = db.session.get(Round, grant.round_id).ratifications_needed
    db.session.add(variation)
    db.session.flush()
    fire(variation, transition_big if variation.needs_partnership else transition_small, person)


def request_variation(grant: Grant, person: Person, change: dict) -> Variation:
    """The grantee asks to change the grant: stored and sent to a facilitator, or to the
    partnership when the change is too big for a facilitator alone."""
    _check_can_ask(grant, person)
    # one request at a time: lock the grant so two tabs cannot both open one
    db.session.execute(select(Grant.id).where(Grant.id == grant.id).with_for_update())
    if open_variation(grant) is not None:
        raise Refused(_("This grant already has a change waiting for a decision: withdraw it, or wait for it"))
    variation = Variation(collective_id=grant.collective_id, grant_id=grant.id, requested_by_id=person.id,
                          state="draft")
    _send(variation, grant, person, change, "submit", "submit_to_partnership")
    audit.record(person, "variation.requested", variation, f"Change to grant {grant.id} asked for",
                 collective_id=grant.collective_id, after=_stored(change))
    return variation


def resend_variation(variation: Variation, person: Person, change: dict, *, version: int | None = None) -> None:
    """The grantee answers a request for more information: the changed request goes where its size says now."""
    grant = db.session.get(Grant, variation.grant_id)
    _check_can_ask(grant, person)
    if variation.state != "more_information":
        raise Refused(_("This request is not waiting for more information"))
    versions.claim(variation, version, person)
    _send(variation, grant, person, change, "resubmit", "resubmit_to_partnership")
    audit.record(person, "variation.resent", variation, f"Change to grant {grant.id} sent again",
                 collective_id=grant.collective_id, after=_stored(change))


def withdraw_variation(variation: Variation, person: Person) -> None:
    fire(variation, "withdraw", person, changes={"decided_at": utcnow()})


def decide(variation: Variation, person: Person, decision: str, reason: str = "") -> bool:
    """A facilitator (a small change) or a reviewer (one that needs the partnership) approves,
    refuses with a reason, or asks for more information. True when the variation is decided now
    (a reviewer's approval may wait for others)."""
    reason = reason.strip()
    data = {"reason": reason} if reason else {}
    partnership = variation.state == "with_partnership"
    if decision == "approve" and partnership:
        if "reviewer" not in variation.actor_roles(person):
            raise Refused(_("Only a reviewer of the locality partnership can approve this change"))
        db.session.add(VariationApproval(variation_id=variation.id, reviewer_id=person.id, note=reason))
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError as error:
            raise Refused(_("You have already approved this change")) from error
        audit.record(person, "variation.approval", variation, f"{person.name} approved the change",
                     collective_id=variation.collective_id)
        try:
            fire(variation, "partnership_approves", person, changes={"decided_at": utcnow()})
        except GuardFailed:
            return False  # waiting for more reviewers: the approval itself is kept
        return True
    transitions = {("approve", False): "approve", ("refuse", False): "refuse",
                   ("refuse", True): "partnership_refuses", ("ask", False): "ask_for_information",
                   ("ask", True): "partnership_asks"}
    if (decision, partnership) not in transitions:
        raise Refused(_("Choose approve, refuse or ask for more information"), field="decision")
    changes = {"decision_reason": reason}
    if decision != "ask":
        changes["decided_at"] = utcnow()
    fire(variation, transitions[(decision, partnership)], person, data=data, changes=changes)
    return decision != "ask"


# -- effects ----------------------------------------------------------------------------------------

@effect("apply_variation")
def _apply(variation: Variation, move, actor) -> None:
    """The approved change, made to the grant in the transaction of the approval."""
    grant = db.session.get(Grant, variation.grant_id)
    db.session.execute(select(Grant.id).where(Grant.id == grant.id).with_for_update())
    now = snapshot(grant)
    change = {"lines": [dict(line) for line in variation.lines],
              "due_dates": {k: date.fromisoformat(v) for k, v in variation.due_dates.items()},
              "purpose": variation.purpose, "outcome_ids": list(variation.outcome_ids),
              "returned": variation.returned, "paid_back": variation.paid_back,
              "paid_back_reference": variation.paid_back_reference, "reason": variation.reason}
    if [(line["id"], line["amount"]) for line in now["lines"]] != \
            [(line["id"], line["amount"]) for line in variation.before["lines"]]:
        raise Refused(_("The grant's budget changed since this was asked for: ask the grantee to ask again"))
    found = problems(grant, change, before={**now, "due_dates": {**now["due_dates"], **variation.before["due_dates"]}})
    if found:
        raise Refused(_("This change no longer fits the grant: %(problem)s", problem=found[0].message))
    lines = {line.id: line for line in grant_lines(grant)}
    for position, line in enumerate(change["lines"]):
        if line["id"] is None:
            db.session.add(GrantBudgetLine(grant_id=grant.id, position=position, description=line["description"],
                                           amount=line["amount"]))
        else:
            lines[line["id"]].amount, lines[line["id"]].position = line["amount"], position
            db.session.add(lines[line["id"]])
    reports = {str(report.id): report for report in open_reports(grant)}
    for report_id, new in change["due_dates"].items():
        report = reports.get(report_id)
        if report is None or due_date(report) == new:
            continue
        # due at the end of the day in London: the grantee has the whole of that day
        report.due_at = london_to_utc(datetime.combine(new, time(23, 59)))
        db.session.add(report)
        if report.state == "overdue" and report.due_at > utcnow():
            fire(report, "extend_due_date", on_behalf_of(actor))
    due = [report.due_at for report in reports.values()]
    if grant.state in ("accepted", "paid") and due:
        grant.reporting_starts_at = min(due) - timedelta(days=30)  # as when the reports were first set
    grant.purpose, grant.outcome_ids = change["purpose"], list(change["outcome_ids"])
    grant.returned += change["returned"]
    db.session.add(grant)
    if change["paid_back"]:
        db.session.add(Payment(grant_id=grant.id, paid_on=london_today(), amount=-change["paid_back"],
                               reference=change["paid_back_reference"], recorded_by_id=getattr(actor, "id", None),
                               reason=f"Paid back with change {variation.id} to the grant", variation_id=variation.id))
    db.session.flush()
    audit.record(on_behalf_of(actor), "grant.varied", grant, f"Grant {grant.id} changed by an approved variation",
                 collective_id=grant.collective_id, before=variation.before, after=snapshot(grant))


#: What the grantee is emailed at each decision: the subject (marked here, translated when sent) and body.
DECIDED = {
    "approved": (N_("Your change to the grant for %(title)s is approved"), "variation_approved.txt"),
    "refused": (N_("Your change to the grant for %(title)s is refused"), "variation_refused.txt"),
    "more_information": (N_("More information needed about your change to the grant for %(title)s"),
                         "variation_more_information.txt"),
}


@effect("tell_grantee_of_variation")
def _tell_grantee(variation: Variation, move, actor) -> None:
    grant = db.session.get(Grant, variation.grant_id)
    subject, template = DECIDED[move.to_state.value]
    title = _grant_title(grant)
    notify_grantee(grant, _l(subject, title=title), template,
                   variation=variation, title=title, reason=variation.decision_reason,
                   variation_link=external_url("variations.show", slug=_slug(grant), grant_id=grant.id,
                                               variation_id=variation.id))


@effect("tell_deciders_of_variation")
def _tell_deciders(variation: Variation, move, actor) -> None:
    """A request sent: its deciders are asked to decide, and the grantee gets a receipt."""
    grant = db.session.get(Grant, variation.grant_id)
    collective = db.session.get(Collective, grant.collective_id)
    partnership = move.to_state.value == "with_partnership"
    if partnership:
        people = db.session.exec(select(Person).join(Membership, Membership.person_id == Person.id).where(
            Membership.collective_id == grant.collective_id, Membership.is_reviewer == True,  # noqa: E712
            Person.active == True)).all()  # noqa: E712
    else:
        people = facilitators_of(grant.collective_id)
    title, organisation = _grant_title(grant), _organisation_name(grant)
    link = external_url("variations.show", slug=collective.slug, grant_id=grant.id, variation_id=variation.id)
    notify_grantee(grant, _l("We have your request to change the grant for %(title)s", title=title),
                   "variation_received.txt", title=title, variation=variation, partnership=partnership,
                   variation_link=link)
    for person in people:
        queue_mail(person.email, _l("%(organisation)s asks to change its grant for %(title)s",
                                    organisation=organisation, title=title),
                   "variation_requested.txt", person=person, grant=grant, variation=variation, title=title,
                   organisation=organisation, collective=collective, link=link,
                   partnership=partnership, amount=later(format_pence, grant.amount))


def _grant_title(grant: Grant) -> str:
    from grants.proposals.models import Proposal

    return db.session.get(Proposal, grant.proposal_id).title


def _organisation_name(grant: Grant) -> str:
    from grants.organisations.models import Organisation

    return db.session.get(Organisation, grant.organisation_id).name


def _slug(grant: Grant) -> str:
    return db.session.get(Collective, grant.collective_id).slug


def can_decide(person, variation: Variation) -> bool:
    """Whether ``person`` decides ``variation`` now: a facilitator while it waits for one, a
    reviewer while it is with the partnership."""
    if variation.state == "requested":
        return permissions.can_manage_collective(person, variation.collective_id)
    if variation.state == "with_partnership":
        return permissions.can_review(person, variation.collective_id)
    return False


def format_day(value: date | str) -> str:
    return format_date(date.fromisoformat(value) if isinstance(value, str) else value)
