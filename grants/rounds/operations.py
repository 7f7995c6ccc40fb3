"""Operations on rounds: set-up, deadlines, moving the round on, and the effects its workflow names.

The round's own transitions go through ``grants.workflow.operations.fire``; its effects (open the
vote, run the count, ...) are registered here and fire the proposals' transitions as the system.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l
from sqlmodel import select

from grants import audit, permissions, versions
from grants.allocation import RULES
from grants.auth.models import Person
from grants.collectives import queries as collective_queries
from grants.collectives.models import Collective, Membership, Theme
from grants.db import db
from grants.urls import external_url
from grants.errors import Refused
from grants.mail import later, queue_mail
from grants.money import format_pence
from grants.proposals.models import Proposal
from grants.rounds.models import DATE_FIELDS, Pot, Round, RoundTheme, pots
from grants.timeutil import format_datetime, utcnow
from grants.workflow.operations import effect, fire, on_behalf_of
from workflows.i18n import N_

# The voting methods as a refusal names them ("cannot count score ballots").
METHOD_NAMES = {"approval": N_("approval"), "approval_limited": N_("approval limited"), "score": N_("score"),
                "cumulative": N_("cumulative")}
BALLOT_KINDS = {"approval": "approval", "approval_limited": "approval", "score": "scoring", "cumulative": "cumulative"}
DATE_LABELS = {
    "proposals_open_at": N_("Proposals open"), "proposals_close_at": N_("Proposals close"),
    "voting_opens_at": N_("Voting opens"), "voting_closes_at": N_("Voting closes"), "review_due_at": N_("Review due"),
}
# Each date must come after the one before; voting may open the moment proposals close.
DATE_ORDER = (
    ("proposals_open_at", "proposals_close_at", False),
    ("proposals_close_at", "voting_opens_at", True),
    ("voting_opens_at", "voting_closes_at", False),
    ("voting_closes_at", "review_due_at", False),
)
NOT_DRAFT = N_("Only a draft round's settings can change. To give people more time, extend a deadline.")
SETTINGS = ("name", "description", "variant", "budget", "min_grant", "max_grant", "voting_method", "approval_limit",
            "cumulative_points", "allocation_rule", *DATE_FIELDS, "reminder_hours", "small_grant_limit",
            "medium_grant_limit", "ratifications_needed")


def check_settings(values: dict, theme_ids: list[int], pot_amounts: dict[int, int]) -> None:
    """Refuse inconsistent settings, naming the field each problem belongs beside."""
    if values["min_grant"] > values["max_grant"]:
        raise Refused(_("The minimum grant must not be more than the maximum grant"), field="min_grant")
    if values["max_grant"] > values["budget"]:
        raise Refused(_("The maximum grant must not be more than the budget"), field="max_grant")
    for earlier, after, may_be_equal in DATE_ORDER:
        if values[after] < values[earlier] or (values[after] == values[earlier] and not may_be_equal):
            raise Refused(_("%(later)s must be after %(earlier)s", later=_(DATE_LABELS[after]),
                            earlier=_(DATE_LABELS[earlier]).lower()), field=after)
    if values["voting_method"] == "approval_limited" and not values.get("approval_limit"):
        raise Refused(_("Say how many proposals each member may approve"), field="approval_limit")
    if values["voting_method"] == "cumulative" and not values.get("cumulative_points"):
        raise Refused(_("Say how many points each member may spread"), field="cumulative_points")
    rule = RULES.get(values["allocation_rule"])
    if rule is None:
        raise Refused(_("Choose an allocation rule from the list"), field="allocation_rule")
    if not rule.supports(BALLOT_KINDS[values["voting_method"]]):
        raise Refused(_("%(rule)s cannot count %(method)s ballots: choose another rule or voting method",
                        rule=_(rule.label), method=_(METHOD_NAMES[values["voting_method"]])), field="allocation_rule")
    if not theme_ids:
        raise Refused(_("Choose at least one theme the round funds"), field="theme_ids")
    stray = set(pot_amounts) - set(theme_ids)
    if stray:
        raise Refused(_("A ring-fenced pot can only be for a theme the round funds"), field="pots")
    if sum(pot_amounts.values()) > values["budget"]:
        raise Refused(_("The ring-fenced pots add up to %(pots)s, more than the budget of %(budget)s",
                        pots=format_pence(sum(pot_amounts.values())), budget=format_pence(values["budget"])),
                      field="pots")
    if values["small_grant_limit"] > values["medium_grant_limit"]:
        raise Refused(_("The small-grant threshold must not be above the medium-grant threshold"),
                      field="small_grant_limit")


def _check_themes(collective: Collective, theme_ids: list[int]) -> None:
    mine = {t.id for t in collective_queries.themes(collective)}
    if not set(theme_ids) <= mine:
        raise Refused(_("Choose themes from the list"), field="theme_ids")


def create_round(collective: Collective, values: dict, *, theme_ids: list[int], pot_amounts: dict[int, int],
                 actor: Person) -> Round:
    _check_themes(collective, theme_ids)
    check_settings(values, theme_ids, pot_amounts)
    round_ = Round(collective_id=collective.id, **{key: values.get(key) for key in SETTINGS if key in values})
    db.session.add(round_)
    db.session.flush()
    _set_themes_and_pots(round_, theme_ids, pot_amounts)
    audit.record(actor, "round.created", round_, f"Round {round_.name} set up",
                 after=_settings_snapshot(round_, theme_ids, pot_amounts))
    return round_


def update_round(round_: Round, values: dict, *, theme_ids: list[int], pot_amounts: dict[int, int],
                 actor: Person, version: int | None = None) -> None:
    """Change a draft round's settings (once it opens, only deadlines move: see extend_deadline).

    ``version`` is the one the form was loaded from: a save over a newer one is refused (``grants.versions``)."""
    if round_.state != "draft":
        raise Refused(_(NOT_DRAFT))
    versions.claim(round_, version, actor)
    collective = db.session.get(Collective, round_.collective_id)
    _check_themes(collective, theme_ids)
    check_settings(values, theme_ids, pot_amounts)
    before = _settings_snapshot(round_, round_.themes_funded, {p.theme_id: p.amount for p in pots(round_)})
    for key in SETTINGS:
        if key in values:
            setattr(round_, key, values[key])
    db.session.add(round_)
    _set_themes_and_pots(round_, theme_ids, pot_amounts)
    audit.record(actor, "round.updated", round_, f"Settings of {round_.name} changed", before=before,
                 after=_settings_snapshot(round_, theme_ids, pot_amounts))


def _set_themes_and_pots(round_: Round, theme_ids: list[int], pot_amounts: dict[int, int]) -> None:
    for row in db.session.exec(select(RoundTheme).where(RoundTheme.round_id == round_.id)).all():
        db.session.delete(row)
    for row in db.session.exec(select(Pot).where(Pot.round_id == round_.id)).all():
        db.session.delete(row)
    db.session.flush()
    for theme_id in theme_ids:
        db.session.add(RoundTheme(round_id=round_.id, theme_id=theme_id))
    for theme_id, amount in pot_amounts.items():
        db.session.add(Pot(round_id=round_.id, theme_id=theme_id, amount=amount))
    db.session.flush()


def _settings_snapshot(round_: Round, theme_ids, pot_amounts) -> dict:
    snapshot = {key: getattr(round_, key) for key in SETTINGS}
    for key in DATE_FIELDS:
        snapshot[key] = snapshot[key].isoformat() if snapshot[key] else None
    snapshot["theme_ids"] = sorted(theme_ids)
    snapshot["pots"] = {str(k): v for k, v in sorted(pot_amounts.items())}
    return snapshot


def extend_deadline(round_: Round, field: str, new_value: datetime, actor: Person) -> None:
    """Move one of the round's dates later (never earlier), keeping the dates in order. Audited."""
    if field not in DATE_FIELDS:
        raise Refused(_("Choose which date to extend"), field="field")
    if round_.state in ("closed", "cancelled"):
        raise Refused(_("This round has ended"))
    old = getattr(round_, field)
    if new_value <= old:
        raise Refused(_("The new date must be later than the current one (%(when)s)", when=format_datetime(old)),
                      field="new_value")
    if new_value <= utcnow():
        raise Refused(_("The new date must be in the future"), field="new_value")
    following = DATE_FIELDS[DATE_FIELDS.index(field) + 1:]
    for after in following:
        if getattr(round_, after) < new_value:
            raise Refused(_("%(date)s cannot be after %(later)s (%(when)s): extend that first",
                            date=_(DATE_LABELS[field]), later=_(DATE_LABELS[after]).lower(),
                            when=format_datetime(getattr(round_, after))), field="new_value")
    setattr(round_, field, new_value)
    db.session.add(round_)
    db.session.flush()
    audit.record(actor, "round.deadline_extended", round_,
                 f"{DATE_LABELS[field]} moved from {format_datetime(old)} to {format_datetime(new_value)}",
                 before={field: old.isoformat()}, after={field: new_value.isoformat()})


def move_round(round_: Round, transition: str, actor: Person, reason: str = "") -> None:
    """A facilitator (or reviewer) moves the round on by hand: open or close a step early, submit
    the allocation for review, cancel, ..."""
    fire(round_, transition, actor, data={"reason": reason.strip()} if reason.strip() else {})


# -- effects of the round workflow ------------------------------------------------------------

def _proposals(round_: Round, *states: str) -> list[Proposal]:
    return list(db.session.exec(select(Proposal).where(Proposal.round_id == round_.id, Proposal.state.in_(states))
                                .order_by(Proposal.id)).all())


def _people_with_role(round_: Round, role: str) -> list[Person]:
    return list(db.session.exec(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.collective_id == round_.collective_id, getattr(Membership, f"is_{role}") == True,  # noqa: E712
               Person.active == True)).all())  # noqa: E712


def _round_link(round_: Round) -> str:
    collective = db.session.get(Collective, round_.collective_id)
    return external_url("rounds.show", slug=collective.slug, round_id=round_.id)


@effect("announce_round")
def _announce_round(round_: Round, _move, _actor) -> None:
    for person in {p.id: p for role in ("applicant", "member") for p in _people_with_role(round_, role)}.values():
        queue_mail(person.email, _l("%(round)s is open for proposals", round=round_.name), "round_open.txt",
                   person=person, round=round_, closes=later(format_datetime, round_.proposals_close_at),
                   link=_round_link(round_))


@effect("accept_submitted_proposals")
def _accept_submitted(round_: Round, _move, actor) -> None:
    """Light-touch rounds have no eligibility check: submitted proposals are eligible as voting opens."""
    for proposal in _proposals(round_, "submitted"):
        fire(proposal, "mark_eligible", on_behalf_of(actor))


@effect("put_eligible_proposals_to_vote")
def _to_vote(round_: Round, _move, actor) -> None:
    for proposal in _proposals(round_, "eligible"):
        fire(proposal, "enter_vote", on_behalf_of(actor))


@effect("run_count")
def _run_count(round_: Round, _move, actor) -> None:
    from grants.rounds.count import run_count

    run_count(round_, actor)


@effect("reset_count")
def _reset_count(round_: Round, _move, actor) -> None:
    from grants.rounds.count import reset_count

    reset_count(round_, actor)


@effect("notify_reviewers")
def _notify_reviewers(round_: Round, _move, _actor) -> None:
    for person in _people_with_role(round_, "reviewer"):
        queue_mail(person.email, _l("%(round)s: the allocation is ready for your review", round=round_.name),
                   "review_requested.txt", person=person, round=round_,
                   due=later(format_datetime, round_.review_due_at), link=_round_link(round_))


@effect("notify_members_revote")
def _notify_revote(round_: Round, _move, _actor) -> None:
    from grants.voting.operations import members_who_may_vote

    # Members whose organisation put forward every proposal in the vote have nothing to vote on.
    for person in db.session.exec(members_who_may_vote(round_)).all():
        queue_mail(person.email, _l("%(round)s: please vote again", round=round_.name), "revote.txt", person=person,
                   round=round_, closes=later(format_datetime, round_.voting_closes_at), link=_round_link(round_))


@effect("withdraw_proposals")
def _withdraw_proposals(round_: Round, move, actor) -> None:
    reason = f"The round was cancelled: {move.reason}" if move.reason else "The round was cancelled"
    for proposal in _proposals(round_, "draft", "submitted", "eligible", "ineligible", "in_vote", "selected",
                               "not_selected", "ratified"):
        fire(proposal, "withdraw", on_behalf_of(actor), data={"reason": reason})


def can_manage(person, round_: Round) -> bool:
    return permissions.can_manage_collective(person, round_.collective_id)


def theme_names(round_: Round) -> dict[int, str]:
    ids = round_.themes_funded
    return {t.id: t.name for t in db.session.exec(select(Theme).where(Theme.id.in_(ids))).all()} if ids else {}
