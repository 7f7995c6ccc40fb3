"""Importing a real election: a pabulib ``.pb`` file into a draft round.

``import_election(round_, source, actor)`` reads the file with the allocation package's reader
(``grants.allocation.pabulib.read_pb``) and turns it into the round's vote, so that the ordinary
count, the results page and the ``.pb`` export run on it and give the same election back. The
command line (``flask --app grants pabulib import-round``) calls it at once; the import page keeps
the uploaded file with ``queue_import`` for the worker, which calls it the same way
(``grants.rounds.uploads``), telling how far it has got through ``progress``.

Glossary
- *imported proposal*: one project of the file. Its title is the project's name (or its id), its
  amount the project's cost, its theme the first of the project's categories that names a theme
  the round funds (as ``grants.rounds.count.pot_category`` writes themes out). It is marked
  ``is_imported`` and belongs to one organisation made for the import (a proposal must belong to
  one; that organisation is named after the round, says in its description that nobody acts for
  it, has no contact, and is ``left`` so it is never offered as a member organisation).
- *in the vote*: imported proposals are created in the ``in_vote`` state, where the count reads
  them. They did not go through submission and eligibility here (they did, or did not, in the
  real election), so no transition is fired for each: like other bulk operations, the import
  writes ONE audit row saying what it created (how many proposals and ballots, from which file).
- *imported ballot*: one voter of the file, marked ``is_imported``, with no member (secret
  ballot: it points at nobody) and its marks as the round's voting method stores them (1 for an
  approval, the score, the points). A score or points of 0 is no mark, as on the ballot page.
- *numbers*: the file's costs and budget are taken in the round's unit (pence), so that the
  export writes back the same numbers. The round's budget becomes the file's (the round is a
  draft); its grant limits shrink to fit it if they must.

Refusals say what is wrong and on which line of the file, and nothing is saved: every check runs
before the first row is written, and the caller commits (or rolls back) the whole import.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from sqlmodel import func, select

from grants import audit, i18n, permissions, queue, versions
from grants.allocation import BallotKind, Election, PabulibError, read_pb
from grants.collectives.models import Theme
from grants.db import db, insert_many
from grants.errors import Refused
from grants.organisations.models import Organisation
from grants.proposals.models import TITLE_LIMIT, Proposal
from grants.rounds.count import pot_category
from grants.rounds.models import ElectionImport, Round, pots
from grants.timeutil import utcnow
from grants.voting.models import Ballot, BallotMark
from grants.voting.operations import MAX_SCORE

#: The pabulib vote type each voting method reads.
VOTE_TYPE_OF_METHOD = {"approval": BallotKind.APPROVAL, "approval_limited": BallotKind.APPROVAL,
                       "score": BallotKind.SCORING, "cumulative": BallotKind.CUMULATIVE}
METHOD_WORDS = {"approval": _l("approval"), "approval_limited": _l("approval of at most K proposals"),
                "score": _l("score (0 to 5)"), "cumulative": _l("cumulative points")}


class ImportRefused(Refused):
    """The file cannot be imported: ``line`` is the file's line (1-based) the problem is on."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(_("Line %(line)s: %(problem)s", line=line, problem=message) if line else message,
                         field="file")
        self.line = line


@dataclass(frozen=True)
class ImportedElection:
    """What was imported."""

    proposals: int
    ballots: int
    marks: int
    vote_type: str
    budget: int
    organisation_id: int


#: Ballots saved between two reports of progress ("Saving N of M ballots").
SAVE_CHUNK = 10_000


def import_election(round_: Round, source: bytes | str, actor, *, filename: str = "",
                    progress: Callable[[str, int, int], None] | None = None) -> ImportedElection:
    """Import the pabulib file ``source`` (its bytes or text) into the draft ``round_``.

    ``actor`` is a facilitator of the round's collective, or ``"cli"`` for an operator at the
    command line. Raises :class:`ImportRefused` (with the file's line) and writes nothing when
    anything is wrong; otherwise adds every row to the session, for the caller to commit.
    ``progress(stage, done, total)`` is told how far the import has got: ``reading`` the file,
    ``checking`` its ``total`` voters, ``saving`` them (``done`` of ``total`` so far).
    """
    report = progress or (lambda _stage, _done, _total: None)
    check_importable(round_, actor)
    report("reading", 0, 0)
    text = _text(source)
    try:
        election = read_pb(text)
    except PabulibError as error:
        raise ImportRefused(error.message, error.line) from None
    lines = _Lines(text)
    report("checking", 0, len(election.ballots))
    _check_method(round_, election, lines)
    budget = _whole(election.budget, lambda: _("The budget"), lambda: lines.meta("budget"))
    if budget <= 0:
        raise ImportRefused(_("The budget must be more than 0"), lines.meta("budget"))
    ring_fenced = sum(pot.amount for pot in pots(round_))
    if ring_fenced > budget:
        raise ImportRefused(_("The budget (%(budget)s) is less than the round's ring-fenced pots (%(pots)s)",
                              budget=budget, pots=ring_fenced), lines.meta("budget"))
    costs = {}
    for project in election.projects:
        cost = _whole(project.cost, lambda: _("The cost of project %(project)s", project=project.id),
                      lambda: lines.project(project.id))
        if cost <= 0:
            raise ImportRefused(_("Project %(project)s costs %(cost)s: a proposal must ask for more than 0",
                                  project=project.id, cost=cost), lines.project(project.id))
        costs[project.id] = cost
    marks = [_marks(round_, election.kind, ballot, lines) for ballot in election.ballots]

    # Every check has passed: write. The round moves on to its next version first (one conditional
    # UPDATE, grants.versions): a second import, a transition or a settings form loaded before this
    # import changed the round since it was read, and is refused, so the round is still the empty
    # draft it was checked to be, and a stale settings tab cannot put the old budget back.
    db.begin_write()
    versions.claim(round_, None, actor)
    now = utcnow()
    organisation = Organisation(
        collective_id=round_.collective_id, name=f"Imported election: {round_.name}"[:140] + f" (round {round_.id})",
        kind="unregistered", postcode="", contact_name="", contact_email="", status="left",
        description="The projects of a real election imported from a pabulib file"
                    + (f" ({filename})" if filename else "") + ". Nobody acts for this organisation.")
    db.session.add(organisation)
    db.session.flush()  # the organisation's id, for its proposals
    themes = _themes_by_category(round_)
    proposals = {}
    for project in election.projects:
        title = project.name or project.id
        proposal = Proposal(
            collective_id=round_.collective_id, round_id=round_.id, organisation_id=organisation.id, state="in_vote",
            title=title if len(title) <= TITLE_LIMIT else title[:TITLE_LIMIT - 1] + "…",
            summary=f"Project {project.id} of an imported election." + (f" {project.name}" if project.name
                                                                       and len(project.name) > TITLE_LIMIT else ""),
            amount_requested=costs[project.id], is_imported=True, created_at=now, updated_at=now,
            theme_id=next((themes[c.lower()] for c in project.categories if c.lower() in themes), None))
        proposals[project.id] = proposal
        db.session.add(proposal)
    db.session.flush()  # the proposals' ids, for the marks

    before = {"budget": round_.budget, "min_grant": round_.min_grant, "max_grant": round_.max_grant}
    round_.budget = budget
    round_.max_grant = min(round_.max_grant, budget)
    round_.min_grant = min(round_.min_grant, round_.max_grant)
    db.session.add(round_)

    # The ballots in bulk, as plain rows (no ORM object, no RETURNING per ballot: see _insert_ballots),
    # SAVE_CHUNK voters at a time so that progress can be told.
    proposal_ids = {project_id: proposal.id for project_id, proposal in proposals.items()}
    entered_by_id, saved, last_id, mark_count = getattr(actor, "id", None), 0, 0, 0
    report("saving", 0, len(marks))
    for start in range(0, len(marks), SAVE_CHUNK):
        chunk = marks[start:start + SAVE_CHUNK]
        ballot_ids = _insert_ballots(round_, len(chunk), entered_by_id, now, after=last_id)
        mark_rows = [(ballot_id, proposal_ids[project_id], value)
                     for ballot_id, chosen in zip(ballot_ids, chunk) for project_id, value in chosen]
        insert_many(BallotMark.__table__, ("ballot_id", "proposal_id", "value"), mark_rows)
        saved, last_id, mark_count = saved + len(chunk), ballot_ids[-1], mark_count + len(mark_rows)
        report("saving", saved, len(marks))

    vote_type = election.meta.get("vote_type", election.kind.value)
    audit.record(actor, "round.election_imported", round_,
                 f"Election imported into {round_.name}" + (f" from {filename}" if filename else "")
                 + f": {len(proposals)} proposals in the vote, {saved} {vote_type} ballots, "
                   f"budget {budget}",
                 before=before,
                 after={"budget": round_.budget, "min_grant": round_.min_grant, "max_grant": round_.max_grant,
                        "proposals": len(proposals), "ballots": saved, "marks": mark_count,
                        "vote_type": vote_type, "organisation_id": organisation.id})
    db.session.flush()
    return ImportedElection(proposals=len(proposals), ballots=saved, marks=mark_count,
                            vote_type=vote_type, budget=budget, organisation_id=organisation.id)


def queue_import(round_: Round, content: bytes, actor, *, filename: str = "") -> ElectionImport:
    """Keep an uploaded pabulib file in the database for the worker to import into the draft
    ``round_`` (:func:`grants.rounds.uploads.import_upload`, queued for after the commit).

    Refused beside the file field, before anything is kept: whatever :func:`check_importable`
    refuses, an empty file, a file over ``ELECTION_IMPORT_BYTES``, and a second file while one
    is still being imported into the round. The file itself is read only by the worker.
    """
    from grants.rounds import uploads

    check_importable(round_, actor)
    if not content:
        raise ImportRefused(_("The selected file is empty"))
    limit = current_app.config["ELECTION_IMPORT_BYTES"]
    if len(content) > limit:
        raise ImportRefused(_("The file must be smaller than %(size)s MB", size=f"{limit / (1024 * 1024):g}"))
    under_way = db.session.exec(select(ElectionImport.id).where(
        ElectionImport.round_id == round_.id, ElectionImport.state.in_(("queued", "running")))).first()
    if under_way is not None:
        raise ImportRefused(_("A file is already being imported into %(round)s: wait for it to finish",
                              round=round_.name))
    row = ElectionImport(collective_id=round_.collective_id, round_id=round_.id, filename=filename[:200],
                         content=content, size=len(content), language=i18n.current_language(), state="queued",
                         stage=uploads.WAITING, uploaded_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "round.election_import_queued", row,
                 f"Election file {filename or ''} ({len(content):,} bytes) queued to be imported into {round_.name}",
                 after={"round_id": round_.id, "size": len(content)})
    queue.enqueue(uploads.import_upload, row.id)
    return row


def check_importable(round_: Round, actor) -> None:
    """Refuse, before any file is read, an import the round or the person cannot take."""
    if not isinstance(actor, str) and not permissions.can_manage_collective(actor, round_.collective_id):
        raise ImportRefused(_("Only a facilitator of the collective can import an election into its round"))
    if round_.state != "draft":
        raise ImportRefused(_("%(round)s is not a draft: an election can only be imported into a draft round",
                              round=round_.name))
    existing = db.session.exec(select(func.count()).select_from(Proposal).where(Proposal.round_id == round_.id)).one()
    if existing:
        raise ImportRefused(_("%(round)s already has proposals: import an election into a round without any",
                              round=round_.name))


def _insert_ballots(round_: Round, voters: int, entered_by_id: int | None, now, *, after: int) -> list[int]:
    """Insert ``voters`` imported ballots into the round; their ids, in ascending order (all of
    them above ``after``, the last id of the ballots this import saved before).

    Imported ballots are alike but for their marks (no member, the same times), so which row
    carries which voter's marks does not matter: rather than ask for each new row's id in the
    order of the rows (RETURNING with ``sort_by_parameter_order``, one statement per row on
    SQLite), the rows go in at once (``grants.db.insert_many``) and their ids are read back with
    one SELECT.
    The round had no ballots before: it is a draft (nobody votes in a draft) and nothing else
    writes to it while the import holds its version (``versions.claim``).
    """
    row = (round_.collective_id, round_.id, None, False, True, entered_by_id, now, now)
    insert_many(Ballot.__table__, ("collective_id", "round_id", "member_id", "is_paper", "is_imported",
                                   "entered_by_id", "created_at", "updated_at"), [row] * voters)
    ids = list(db.session.scalars(select(Ballot.id).where(Ballot.round_id == round_.id, Ballot.id > after)
                                  .order_by(Ballot.id)))
    if len(ids) != voters:
        raise RuntimeError(f"round {round_.id} has {len(ids)} ballots after inserting {voters}")
    return ids


def _text(source: bytes | str) -> str:
    if isinstance(source, bytes):
        try:
            return source.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportRefused(_("The file is not UTF-8 text"), source.count(b"\n", 0, error.start) + 1) from None
    return source[1:] if source.startswith("\ufeff") else source


def _check_method(round_: Round, election: Election, lines: _Lines) -> None:
    expected = VOTE_TYPE_OF_METHOD[round_.voting_method]
    if election.kind != expected:
        vote_type = election.meta.get("vote_type", election.kind.value)
        raise ImportRefused(_("The file's votes are %(vote_type)s, but %(round)s votes by %(method)s "
                              "(vote_type %(expected)s in the file)", vote_type=vote_type, round=round_.name,
                              method=METHOD_WORDS[round_.voting_method], expected=expected.value),
                            lines.meta("vote_type"))


def _whole(value, what, line) -> int:
    """``value`` as an int, or a refusal: ``what`` and ``line`` are called only then (finding a
    line reads the file again, too slow to do for every project of a city's election)."""
    if isinstance(value, Fraction) and value.denominator != 1:
        raise ImportRefused(_("%(what)s is not a whole number", what=what()), line())
    return int(value)


def _marks(round_: Round, kind: BallotKind, ballot, lines: _Lines) -> list[tuple[str, int]]:
    """One voter's marks as the round stores them, or ImportRefused with the voter's line."""
    if ballot.weight != 1:
        raise ImportRefused(_("Voter %(voter)s has weight %(weight)s: each ballot is one voter",
                              voter=ballot.voter_id, weight=ballot.weight), lines.voter(ballot.voter_id))
    if kind is BallotKind.APPROVAL:
        if round_.voting_method == "approval_limited" and len(ballot.projects) > round_.approval_limit:
            raise ImportRefused(_("Voter %(voter)s approves %(approved)s projects; %(round)s allows at most %(limit)s",
                                  voter=ballot.voter_id, approved=len(ballot.projects), round=round_.name,
                                  limit=round_.approval_limit), lines.voter(ballot.voter_id))
        return [(project_id, 1) for project_id in ballot.projects]
    chosen = []
    for project_id, points in zip(ballot.projects, ballot.points):
        if isinstance(points, Fraction) or points < 0:
            raise ImportRefused(_("Voter %(voter)s gives %(points)s to project %(project)s: points are whole "
                                  "numbers, 0 or more", voter=ballot.voter_id, points=points, project=project_id),
                                lines.voter(ballot.voter_id))
        if kind is BallotKind.SCORING and points > MAX_SCORE:
            raise ImportRefused(_("Voter %(voter)s scores project %(project)s %(points)s: scores go from 0 to "
                                  "%(most)s", voter=ballot.voter_id, project=project_id, points=points,
                                  most=MAX_SCORE), lines.voter(ballot.voter_id))
        if points:
            chosen.append((project_id, int(points)))
    if kind is BallotKind.CUMULATIVE and sum(v for _p, v in chosen) > round_.cumulative_points:
        raise ImportRefused(_("Voter %(voter)s spreads %(spent)s points; %(round)s gives each voter %(points)s",
                              voter=ballot.voter_id, spent=sum(v for _p, v in chosen), round=round_.name,
                              points=round_.cumulative_points), lines.voter(ballot.voter_id))
    return chosen


def _themes_by_category(round_: Round) -> dict[str, int]:
    funded = round_.themes_funded
    if not funded:
        return {}
    return {pot_category(theme.name).lower(): theme.id
            for theme in db.session.exec(select(Theme).where(Theme.id.in_(funded))).all()}


class _Lines:
    """The line of a META key, a project or a voter in the file: looked up only when a refusal needs
    one (the reader has checked the file, so each is there exactly once)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def meta(self, key: str) -> int:
        return self._find("meta", None, key)

    def project(self, project_id: str) -> int:
        return self._find("projects", None, project_id)

    def voter(self, voter_id: str) -> int:
        return self._find("votes", "voter_id", voter_id)

    def _find(self, section: str, column: str | None, value: str) -> int:
        rows = csv.reader(io.StringIO(self.text, newline=""), delimiter=";")
        current, at = None, None
        for row in rows:
            if not row or not any(field.strip() for field in row):
                continue
            title = row[0].strip().lower()
            if title in ("meta", "projects", "votes") and not any(field.strip() for field in row[1:]):
                current, at = title, None
                continue
            if current != section:
                continue
            if at is None:
                header = [name.strip() for name in row]
                at = header.index(column) if column in header else 0
                continue
            if at < len(row) and row[at].strip() == value:
                return rows.line_num
        return 1
