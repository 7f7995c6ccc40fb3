"""Casting ballots (online and paper), turnout, the voting-open email and voting reminders.

``cast_ballot`` is the only code that writes a ballot. It checks, on the server, everything the
page also shows: the person is a member, the round is voting and its closing time has not
passed, every proposal is in this round's vote, none is of the member's own organisation, and
the marks obey the voting method (at most K approvals; scores 0–5; points adding up to at most
N). The ballot row is upserted and its marks replaced in one transaction, so a member always has
exactly one ballot, whole.

Glossary
- *abstention*: a ballot with no marks. The ballot page saves one only when the member presses
  "I choose not to support any proposal" (an empty ballot sent by accident is refused beside the
  field), so every empty ballot is a choice: it counts as having taken part, in the turnout and in
  the election file, and supports no proposal.
- *replacing an online ballot*: a facilitator's paper ballot for a member who voted online replaces
  it only when the facilitator has confirmed it for that very online ballot (its saved time); the
  member is then emailed who replaced it and when, never what either ballot said.
- *nothing to vote on*: a member whose organisation put forward every proposal in the vote. They
  are not emailed when voting opens, nor reminded to vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import bindparam, exists, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import delete, func, insert, select

from grants import audit, permissions
from grants.auth.models import Person
from grants.collectives.models import Collective, Membership
from grants.db import db
from grants.errors import Refused
from grants.mail import later, queue_mail
from grants.proposals.models import LIVE_PARTNER_STATES, Proposal, ProposalPartner
from grants.rounds.models import Round
from grants.timeutil import format_datetime, utcnow
from grants.urls import external_url
from grants.voting.models import Ballot, BallotMark, ReminderSent
from grants.workflow.operations import effect

MAX_SCORE = 5

# The statements of a ballot POST, built once with bound parameters: building a statement (and
# its cache key) costs more than running it, and casting a ballot is the hot path of a vote. They
# run on the session's connection, in its transaction, without ORM objects. ``make bench-ballots``
# on PostgreSQL (220 members, 4x8 gthread, load average 10-27), in the same runs: 68.5 and 70.1
# ballots/s so, 58.8 and 53.6 with the same queries built per request and run by ``session.exec``
# (+16%, +31%); in one process (SQLite, interleaved) a ballot POST took 45-53% more CPU with them
# built per request, run either way.
_ROUND_PROPOSALS = select(Proposal.id, Proposal.state, Proposal.organisation_id).where(
    Proposal.round_id == bindparam("round_id"))
# The round's joint proposals the member's organisation is a partner of (invited or taking part).
_PARTNER_PROPOSALS = (select(ProposalPartner.proposal_id).join(Proposal, Proposal.id == ProposalPartner.proposal_id)
                      .where(Proposal.round_id == bindparam("round_id"),
                             ProposalPartner.organisation_id == bindparam("organisation_id"),
                             ProposalPartner.state.in_(LIVE_PARTNER_STATES)))
# Once the ballot is about to be written: the round's state again, under a lock the transition
# closing the vote must wait for (FOR SHARE OF round on PostgreSQL; rendered as nothing on SQLite,
# where the write lock that begin_write takes does the same), and the member's earlier ballot.
_ROUND_AND_PREVIOUS_BALLOT = (
    select(Round.state, Round.voting_closes_at, Ballot.is_paper, Ballot.updated_at)
    .outerjoin(Ballot, (Ballot.round_id == Round.id) & (Ballot.member_id == bindparam("member_id")))
    .where(Round.id == bindparam("round_id"))
    .with_for_update(read=True, of=Round.__table__))
_DELETE_MARKS = delete(BallotMark).where(BallotMark.ballot_id == bindparam("ballot_id"))
_INSERT_MARK = insert(BallotMark)
_UPSERTS: dict[str, object] = {}


def _upsert_ballot(dialect: str):
    """INSERT the ballot, or UPDATE the member's existing one, RETURNING its id (one statement)."""
    if dialect not in _UPSERTS:
        table = Ballot.__table__
        values = {"is_paper": bindparam("is_paper"), "entered_by_id": bindparam("entered_by_id"),
                  "updated_at": bindparam("now", type_=table.c.updated_at.type)}
        statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).values(
            collective_id=bindparam("collective_id"), round_id=bindparam("round_id"),
            member_id=bindparam("member_id"), created_at=bindparam("now", type_=table.c.created_at.type),
            **values)
        _UPSERTS[dialect] = statement.on_conflict_do_update(
            index_elements=["round_id", "member_id"], set_=values).returning(table.c.id)
    return _UPSERTS[dialect]


class ConfirmReplacing(Refused):
    """A paper ballot would replace the member's online ballot, which the facilitator has not
    confirmed (or confirmed for an earlier online ballot): ``saved_at`` is the one to confirm."""

    def __init__(self, member: Person, saved_at: datetime) -> None:
        super().__init__(_("Confirm that this paper ballot replaces %(name)s's online ballot of %(when)s",
                           name=member.name, when=format_datetime(saved_at)), field="replace_online")
        self.saved_at = saved_at


@dataclass(frozen=True)
class SavedBallot:
    """What ``cast_ballot`` saved, and the member's earlier ballot it replaced, if any."""

    ballot_id: int
    replaced_kind: str | None = None      # "online" or "paper"
    replaced_at: datetime | None = None   # when the replaced ballot was saved

    @property
    def replaced(self) -> bool:
        return self.replaced_kind is not None


def ballot_proposals(round_: Round) -> list[Proposal]:
    return list(db.session.exec(select(Proposal).where(Proposal.round_id == round_.id, Proposal.state == "in_vote")
                                .order_by(Proposal.theme_id, Proposal.title, Proposal.id)).all())


def own_organisation_id(person: Person, round_: Round) -> int | None:
    membership = permissions.membership(person, round_.collective_id)
    return membership.organisation_id if membership else None


def partner_proposal_ids(organisation_id: int | None, round_: Round) -> set[int]:
    """The round's joint proposals ``organisation_id`` is a partner of: its members never vote on them."""
    if organisation_id is None:
        return set()
    return set(db.session.connection().execute(
        _PARTNER_PROPOSALS, {"round_id": round_.id, "organisation_id": organisation_id}).scalars())


def check_marks(round_: Round, marks: dict[int, int], *, in_vote: set[int], own: set[int]) -> dict[int, int]:
    """The marks as the method allows them (zeros dropped), or Refused saying what is wrong."""
    cleaned: dict[int, int] = {}
    for proposal_id, value in marks.items():
        if proposal_id not in in_vote:
            raise Refused(_("Your ballot includes a proposal that is not in this round's vote. Reload the page."))
        if proposal_id in own and value:
            raise Refused(_("That is your organisation's proposal — you can't vote on it"))
        if value < 0:
            raise Refused(_("Marks cannot be negative"))
        if value:
            cleaned[proposal_id] = value
    method = round_.voting_method
    if method in ("approval", "approval_limited"):
        if any(value != 1 for value in cleaned.values()):
            raise Refused(_("An approval is a tick: yes or no"))
        if method == "approval_limited" and len(cleaned) > round_.approval_limit:
            raise Refused(_("You can approve at most %(limit)s proposals; you ticked %(ticked)s",
                            limit=round_.approval_limit, ticked=len(cleaned)))
    elif method == "score":
        if any(value > MAX_SCORE for value in cleaned.values()):
            raise Refused(_("Scores go from 0 to %(most)s", most=MAX_SCORE))
    elif method == "cumulative":
        spent = sum(cleaned.values())
        if spent > round_.cumulative_points:
            raise Refused(_("You have %(points)s points to spread; you used %(spent)s",
                            points=round_.cumulative_points, spent=spent))
    return cleaned


def cast_ballot(round_: Round, member: Person, marks: dict[int, int], *, actor: Person, paper: bool = False,
                replacing_online: datetime | None = None, now: datetime | None = None) -> SavedBallot:
    """Save ``member``'s whole ballot, replacing any earlier one (online or paper).

    A paper ballot replaces an online one only if ``replacing_online`` is that online ballot's
    saved time (the facilitator confirmed replacing it); otherwise :class:`ConfirmReplacing`.
    The member is then emailed (after the commit) that their ballot was replaced.

    Five statements on the session's connection when nothing is wrong (the route has usually
    cached the member's membership): the round's proposals; then, holding the write lock, the
    round's state again with the member's earlier ballot, the ballot upsert, its marks deleted
    and inserted. The audit row is added to the session and written with the commit.
    """
    now = now or utcnow()
    if not permissions.can_vote(member, round_.collective_id):
        raise Refused(_("Only members of the collective can vote"))
    if paper and not permissions.can_manage_collective(actor, round_.collective_id):
        raise Refused(_("Only a facilitator can enter a paper ballot"))
    if not paper and actor.id != member.id:
        raise Refused(_("You can only cast your own ballot"))
    if round_.state != "voting" or now >= round_.voting_closes_at:
        raise Refused(_("Voting for %(round)s is closed: your ballot was not saved", round=round_.name))
    # One query for the round's proposals: which are in the vote, which are the member's organisation's.
    own_org = own_organisation_id(member, round_)
    in_vote, own = set(), set()
    for proposal_id, state, organisation_id in db.session.connection().execute(_ROUND_PROPOSALS,
                                                                                {"round_id": round_.id}):
        if state == "in_vote":
            in_vote.add(proposal_id)
        if own_org is not None and organisation_id == own_org:
            own.add(proposal_id)
    # a joint proposal is the own organisation's for every partner's members too
    own |= partner_proposal_ids(own_org, round_)
    cleaned = check_marks(round_, marks, in_vote=in_vote, own=own)

    # Writing from here. On SQLite the ballot page read all of the above without the write lock and
    # takes it now. Either way the vote may have closed since the round was read (and its count
    # begun): ask again, under a lock the closing transition waits for.
    db.begin_write()
    connection = db.session.connection()
    keys = {"round_id": round_.id, "member_id": member.id}
    state, closes_at, was_paper, saved_at = connection.execute(_ROUND_AND_PREVIOUS_BALLOT, keys).one()
    if state != "voting" or now >= closes_at:
        raise Refused(_("Voting for %(round)s is closed: your ballot was not saved", round=round_.name))
    replaced_kind = None if saved_at is None else ("paper" if was_paper else "online")
    if paper and replaced_kind == "online" and not _same_moment(replacing_online, saved_at):
        raise ConfirmReplacing(member, saved_at)
    ballot_id = connection.execute(_upsert_ballot(db.engine.dialect.name),
                                   {**keys, "collective_id": round_.collective_id, "is_paper": paper,
                                    "entered_by_id": actor.id, "now": now}).scalar_one()
    # The marks are replaced whole, in the same transaction.
    connection.execute(_DELETE_MARKS, {"ballot_id": ballot_id})
    if cleaned:
        connection.execute(_INSERT_MARK, [
            {"ballot_id": ballot_id, "proposal_id": pid, "value": value} for pid, value in sorted(cleaned.items())])
    # Secret ballot: the audit row says that a ballot was cast, never what it says,
    # and it carries no ballot id: the log is ordered by time, like the ballot ids, so an id here
    # would tie each ballot to a name for anyone who reads the log beside a ballot's id elsewhere.
    if paper:
        action = "ballot.paper_entered"
        summary = (f"Paper ballot entered for {member.name}"
                   + (f", replacing their {replaced_kind} ballot" if replaced_kind else ""))
    else:
        action = "ballot.cast" if replaced_kind is None else "ballot.replaced"
        summary = f"{member.name} {'cast' if replaced_kind is None else 'replaced'} their ballot"
    audit.record(actor, action, None, summary, object_type="ballot", collective_id=round_.collective_id)
    if paper and replaced_kind == "online":
        _tell_member_ballot_replaced(round_, member, actor, online_at=saved_at, now=now)
    return SavedBallot(ballot_id, replaced_kind, saved_at)


def _same_moment(confirmed: datetime | None, saved_at: datetime) -> bool:
    # Stored times come back naive from SQLite and aware from PostgreSQL; both are UTC.
    if confirmed is None:
        return False
    return confirmed.replace(tzinfo=None) == saved_at.replace(tzinfo=None)


def _tell_member_ballot_replaced(round_: Round, member: Person, actor: Person, *, online_at: datetime,
                                 now: datetime) -> None:
    """The member learns who replaced their online ballot and when; never what either ballot said."""
    if not member.active:
        return
    collective = db.session.get(Collective, round_.collective_id)
    queue_mail(member.email, _l("%(round)s: your online ballot was replaced by a paper ballot", round=round_.name),
               "ballot_replaced.txt", person=member, round=round_, collective=collective, facilitator=actor,
               online_at=later(format_datetime, online_at), replaced_at=later(format_datetime, now),
               closes=later(format_datetime, round_.voting_closes_at),
               link=external_url("voting.ballot", slug=collective.slug, round_id=round_.id))


def my_ballot(round_: Round, member: Person) -> tuple[Ballot | None, dict[int, int]]:
    ballot = db.session.exec(select(Ballot).where(Ballot.round_id == round_.id, Ballot.member_id == member.id)).first()
    if ballot is None:
        return None, {}
    marks = dict(db.session.exec(select(BallotMark.proposal_id, BallotMark.value)
                                 .where(BallotMark.ballot_id == ballot.id)).all())
    return ballot, marks


def turnout(round_: Round) -> list[dict]:
    """Who has voted and who has not, and how (online or paper) — never what anyone voted."""
    rows = db.session.exec(
        select(Person, Ballot.is_paper, Ballot.updated_at)
        .join(Membership, Membership.person_id == Person.id)
        .join(Ballot, (Ballot.member_id == Person.id) & (Ballot.round_id == round_.id), isouter=True)
        .where(Membership.collective_id == round_.collective_id, Membership.is_member == True)  # noqa: E712
        .order_by(Person.name)).all()
    return [{"person": person, "voted": updated_at is not None, "paper": bool(is_paper), "at": updated_at}
            for person, is_paper, updated_at in rows]


def ballot_count(round_: Round) -> int:
    return db.session.exec(select(func.count()).select_from(Ballot).where(Ballot.round_id == round_.id)).one()


def send_voting_reminders(now: datetime | None = None) -> int:
    """Remind members who have not voted, ``reminder_hours`` before voting closes; once each.

    Idempotent: each reminder is recorded (a unique row per round, member and kind) in the same
    transaction as the email is queued, so a second run, or a second scheduler, sends nothing.
    """
    now = now or utcnow()
    sent = 0
    rounds = db.session.exec(select(Round).where(Round.state == "voting", Round.voting_closes_at > now)).all()
    for round_ in rounds:
        if now < round_.voting_closes_at - timedelta(hours=round_.reminder_hours):
            continue
        collective = db.session.get(Collective, round_.collective_id)
        # (NOT IN over a NULL would match nobody: an erased member's ballot has no member.)
        voted = select(Ballot.member_id).where(Ballot.round_id == round_.id, Ballot.member_id.is_not(None))
        reminded = select(ReminderSent.member_id).where(ReminderSent.round_id == round_.id,
                                                        ReminderSent.kind == "voting")
        people = db.session.exec(
            members_who_may_vote(round_).where(Person.wants_reminders == True,  # noqa: E712
                                               Person.id.not_in(voted), Person.id.not_in(reminded))).all()
        for person in people:
            db.session.add(ReminderSent(round_id=round_.id, member_id=person.id, kind="voting"))
            _queue_reminder(round_, collective, person)
            sent += 1
        db.session.commit()
    return sent


def members_who_may_vote(round_: Round):
    """A query of the active members with something they may vote on in ``round_``: at least one
    proposal in the vote that is not their own organisation's, as lead or partner (members of no
    organisation may vote on every one). A member whose organisation put forward every proposal is left out."""
    partner = exists().where(ProposalPartner.proposal_id == Proposal.id,
                             ProposalPartner.organisation_id == Membership.organisation_id,
                             ProposalPartner.state.in_(LIVE_PARTNER_STATES))
    something_to_vote_on = exists().where(
        Proposal.round_id == round_.id, Proposal.state == "in_vote",
        or_(Membership.organisation_id.is_(None),
            (Proposal.organisation_id != Membership.organisation_id) & ~partner))
    return (select(Person).join(Membership, Membership.person_id == Person.id)
            .where(Membership.collective_id == round_.collective_id, Membership.is_member == True,  # noqa: E712
                   Person.active == True, something_to_vote_on)  # noqa: E712
            .order_by(Person.id))


def _queue_reminder(round_: Round, collective: Collective, person: Person) -> None:
    queue_mail(person.email, _l("Reminder: vote in %(round)s by %(closes)s", round=round_.name,
                                closes=later(format_datetime, round_.voting_closes_at)),
               "voting_reminder.txt", person=person, round=round_, collective=collective,
               closes=later(format_datetime, round_.voting_closes_at),
               link=external_url("voting.ballot", slug=collective.slug, round_id=round_.id))


@effect("announce_voting")
def announce_voting(round_: Round, _move, _actor) -> int:
    """Email every member with something to vote on that voting is open; once each.

    Runs in the transaction of the transition that opens the vote (after the proposals entered
    it), so a job that fails rolls its emails back with it; each email is recorded (a unique row
    per round, member and kind), so a transition run again, or a second scheduler, sends no second one.
    """
    collective = db.session.get(Collective, round_.collective_id)
    told = select(ReminderSent.member_id).where(ReminderSent.round_id == round_.id,
                                                ReminderSent.kind == "voting_opened")
    people = db.session.exec(members_who_may_vote(round_).where(Person.id.not_in(told))).all()
    for person in people:
        db.session.add(ReminderSent(round_id=round_.id, member_id=person.id, kind="voting_opened"))
        queue_mail(person.email, _l("Voting is open in %(round)s until %(closes)s", round=round_.name,
                                    closes=later(format_datetime, round_.voting_closes_at)),
                   "voting_open.txt", person=person, round=round_, collective=collective,
                   closes=later(format_datetime, round_.voting_closes_at), proposals=len(ballot_proposals(round_)),
                   link=external_url("voting.ballot", slug=collective.slug, round_id=round_.id))
    return len(people)


def remind_now(round_: Round, actor: Person, now: datetime | None = None) -> int:
    """A facilitator reminds, now, every member who may vote, has not, and wants reminders (audited).

    Unlike the scheduler's reminder (once, near the close) this may be sent again; the route is
    rate-limited (``LIMIT_VOTING_REMINDERS``)."""
    now = now or utcnow()
    if not permissions.can_manage_collective(actor, round_.collective_id):
        raise Refused(_("Only a facilitator can send voting reminders"))
    if round_.state != "voting" or now >= round_.voting_closes_at:
        raise Refused(_("Voting for %(round)s is not open: no reminder was sent", round=round_.name))
    collective = db.session.get(Collective, round_.collective_id)
    voted = select(Ballot.member_id).where(Ballot.round_id == round_.id, Ballot.member_id.is_not(None))
    people = db.session.exec(members_who_may_vote(round_).where(Person.wants_reminders == True,  # noqa: E712
                                                                Person.id.not_in(voted))).all()
    if not people:
        raise Refused(_("Nobody to remind: every member who can vote has voted or has turned reminders off"))
    for person in people:
        _queue_reminder(round_, collective, person)
    audit.record(actor, "round.voting_reminder_sent", round_,
                 f"Voting reminder sent to {len(people)} member{'s' if len(people) != 1 else ''} "
                 f"who had not voted in {round_.name}", after={"reminded": len(people)})
    return len(people)
