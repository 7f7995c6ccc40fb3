"""The grant round: from draft to closed, in a standard and a light-touch variant.

A round is one cycle of participatory grant-making: members propose, the facilitator checks
eligibility, members vote, the count selects projects, the locality partnership ratifies the
allocation, grants are awarded and monitored. A round chooses its variant when it is set up:

``round`` (standard)
    draft → open for proposals → eligibility check → voting → counting → partnership review →
    ratified → awarded → monitoring → closed.
``round_light`` (light-touch)
    The same without the eligibility check: when voting opens, submitted proposals are accepted
    and go straight to the vote. Proposals close when voting opens.

Both share :class:`RoundState`; ``round_light`` omits ``eligibility_check``.

Side paths: a reviewer may *return* the allocation with reasons; from "returned" the facilitator
goes back to counting (``recount``) or to voting (``revote``). A facilitator may *cancel* the round
from any state before it is awarded.

Timed transitions (the scheduler fires them once the date passes; a facilitator may fire them
early): ``open_proposals`` at ``proposals_open_at``, ``close_proposals`` at ``proposals_close_at``
(standard only), ``open_voting`` at ``voting_opens_at``, ``close_voting`` at ``voting_closes_at``.

Subject protocol — the attributes of a round the guards and the scheduler read:

``state``
    The state's string value (``RoundState``).
``proposals_open_at``, ``proposals_close_at``, ``voting_opens_at``, ``voting_closes_at``
    Timezone-aware datetimes or ``None`` (not set yet).
``missing_settings``
    List of human names of settings still to fill in before the round can open, e.g.
    ``["budget", "voting method"]``; empty when ready.
``proposals_awaiting_eligibility``
    Number of submitted proposals with no eligibility decision yet (standard variant).
``count_complete``
    ``True`` once the count has run for the current ballots.
``ratifications_count``, ``ratifications_needed``
    Reviewers' ratifications recorded so far *including the actor's own* (the app records the
    reviewer's ratification first, then fires ``ratify``; while the guard refuses, the round
    waits for more), and how many the partnership requires.
``open_grants_count``
    Number of this round's grants not yet in a final state.

``ctx.data`` keys: ``reason`` (returning the allocation, cancelling the round).

Effects (the app maps each name to an operation run after the move is stored):
``announce_round``, ``put_eligible_proposals_to_vote``, ``accept_submitted_proposals``,
``announce_voting`` (after the proposals entered the vote: it emails the members who may vote),
``run_count``, ``reset_count``, ``notify_reviewers``, ``notify_facilitators``,
``ratify_selected_proposals``, ``tell_unfunded_applicants`` (the results are published: each
applicant whose proposal was not funded is emailed why, with the facilitator's note),
``notify_members_revote``, ``create_grants``, ``withdraw_proposals``.
"""

from __future__ import annotations

from typing import Any

from workflows.engine import Context, Guard, Role, StateSpec, Transition, Workflow, WorkflowState
from workflows.guards import flag_set, nothing_missing, reason_given
from workflows.i18n import N_, gettext as _, ngettext

FACILITATOR = Role.FACILITATOR
REVIEWER = Role.REVIEWER


class RoundState(WorkflowState):
    """The states of a round. The values are stored in the database: never change them."""

    DRAFT = StateSpec("draft", N_("Draft"), N_("Being prepared"), initial=True)
    OPEN_FOR_PROPOSALS = StateSpec("open_for_proposals", N_("Open for proposals"), N_("Open for proposals"))
    ELIGIBILITY_CHECK = StateSpec("eligibility_check", N_("Eligibility check"), N_("Checking proposals"))
    VOTING = StateSpec("voting", N_("Voting"), N_("Voting open"))
    COUNTING = StateSpec("counting", N_("Counting"), N_("Counting votes"))
    PARTNERSHIP_REVIEW = StateSpec(
        "partnership_review", N_("Partnership review"), N_("Results being confirmed")
    )
    RETURNED = StateSpec("returned", N_("Returned by the partnership"), N_("Results being confirmed"))
    RATIFIED = StateSpec("ratified", N_("Ratified"), N_("Results confirmed"))
    AWARDED = StateSpec("awarded", N_("Awarded"), N_("Grants awarded"))
    MONITORING = StateSpec("monitoring", N_("Monitoring"), N_("Projects under way"))
    CLOSED = StateSpec("closed", N_("Closed"), N_("Closed"), final=True)
    CANCELLED = StateSpec("cancelled", N_("Cancelled"), N_("Cancelled"), final=True)


S = RoundState


# -- guards --------------------------------------------------------------------------------

SETTINGS_COMPLETE = nothing_missing(
    "missing_settings",
    N_("Before the round can open, fill in: %(missing)s"),
    name="settings_complete",
    description=N_("Every setting the round needs is filled in"),
)


def _eligibility_decided(round_: Any, ctx: Context) -> str | None:
    waiting = round_.proposals_awaiting_eligibility
    if waiting:
        return ngettext(
            "%(num)d proposal still needs an eligibility decision",
            "%(num)d proposals still need an eligibility decision",
            waiting,
        )
    return None


ELIGIBILITY_DECIDED = Guard(
    name="eligibility_decided",
    description=N_("Every submitted proposal has an eligibility decision"),
    check=_eligibility_decided,
    reads=("proposals_awaiting_eligibility",),
)


COUNT_COMPLETE = flag_set(
    "count_complete",
    N_("Run the count before submitting the allocation for review"),
    name="count_complete",
    description=N_("The count has run on the current ballots"),
)


def _enough_ratifications(round_: Any, ctx: Context) -> str | None:
    count, needed = round_.ratifications_count, round_.ratifications_needed
    if count >= needed:
        return None
    more = ngettext(
        "it needs %(num)d more ratification", "it needs %(num)d more ratifications", needed - count
    )
    return ngettext(
        "%(num)d of %(needed)d reviewers has ratified this allocation; %(more)s",
        "%(num)d of %(needed)d reviewers have ratified this allocation; %(more)s",
        count,
        needed=needed,
        more=more,
    )


ENOUGH_RATIFICATIONS = Guard(
    name="enough_ratifications",
    description=N_("Enough reviewers have ratified the allocation"),
    check=_enough_ratifications,
    reads=("ratifications_count", "ratifications_needed"),
)


def _voting_closes_later(round_: Any, ctx: Context) -> str | None:
    closes = round_.voting_closes_at
    if closes is None or closes <= ctx.now:
        return _("Set a new closing date for voting, in the future, before voting again")
    return None


VOTING_CLOSES_LATER = Guard(
    name="voting_closes_later",
    description=N_("The voting closing date is in the future (otherwise voting would close at once)"),
    check=_voting_closes_later,
    reads=("voting_closes_at",),
)


def _grants_finished(round_: Any, ctx: Context) -> str | None:
    still_open = round_.open_grants_count
    if still_open:
        return ngettext("%(num)d grant is still open", "%(num)d grants are still open", still_open)
    return None


GRANTS_FINISHED = Guard(
    name="grants_finished",
    description=N_("Every grant of the round has finished (closed, declined, withdrawn or returned)"),
    check=_grants_finished,
    reads=("open_grants_count",),
)

RETURN_REASON = reason_given(N_("Say why you are returning the allocation"))
CANCEL_REASON = reason_given(N_("Say why you are cancelling the round"))


# -- transitions ---------------------------------------------------------------------------

# Cancelling is possible until grants are awarded: after that, money has been promised.
CANCELLABLE = (
    S.DRAFT,
    S.OPEN_FOR_PROPOSALS,
    S.ELIGIBILITY_CHECK,
    S.VOTING,
    S.COUNTING,
    S.PARTNERSHIP_REVIEW,
    S.RETURNED,
    S.RATIFIED,
)


def _transitions(*, light: bool) -> tuple[Transition, ...]:
    if light:
        to_voting = Transition(
            name="open_voting",
            source=S.OPEN_FOR_PROPOSALS,
            target=S.VOTING,
            roles={FACILITATOR},
            label=N_("Close proposals and open voting"),
            timed_by="voting_opens_at",
            timed_label=N_("Voting opens"),
            effects=("accept_submitted_proposals", "put_eligible_proposals_to_vote", "announce_voting"),
            description=N_("Proposals close; every submitted proposal goes to the vote."),
        )
        eligibility: tuple[Transition, ...] = (to_voting,)
    else:
        eligibility = (
            Transition(
                name="close_proposals", label=N_("Close proposals"),
                source=S.OPEN_FOR_PROPOSALS,
                target=S.ELIGIBILITY_CHECK,
                roles={FACILITATOR},
                timed_by="proposals_close_at",
                timed_label=N_("Proposals close"),
                description=N_("No more proposals; the facilitator checks eligibility."),
            ),
            Transition(
                name="open_voting", label=N_("Open voting"),
                source=S.ELIGIBILITY_CHECK,
                target=S.VOTING,
                roles={FACILITATOR},
                guards=(ELIGIBILITY_DECIDED,),
                timed_by="voting_opens_at",
                timed_label=N_("Voting opens"),
                effects=("put_eligible_proposals_to_vote", "announce_voting"),
            ),
        )
    before_award = tuple(s for s in CANCELLABLE if not (light and s is S.ELIGIBILITY_CHECK))
    return (
        Transition(
            name="open_proposals", label=N_("Open proposals"),
            source=S.DRAFT,
            target=S.OPEN_FOR_PROPOSALS,
            roles={FACILITATOR},
            guards=(SETTINGS_COMPLETE,),
            timed_by="proposals_open_at",
            timed_label=N_("Proposals open"),
            effects=("announce_round",),
        ),
        *eligibility,
        Transition(
            name="close_voting", label=N_("Close voting"),
            source=S.VOTING,
            target=S.COUNTING,
            roles={FACILITATOR},
            timed_by="voting_closes_at",
            timed_label=N_("Voting closes"),
            effects=("run_count",),
        ),
        Transition(
            name="submit_for_review", label=N_("Submit for review"),
            source=S.COUNTING,
            target=S.PARTNERSHIP_REVIEW,
            roles={FACILITATOR},
            guards=(COUNT_COMPLETE,),
            effects=("notify_reviewers",),
        ),
        Transition(
            name="ratify",
            source=S.PARTNERSHIP_REVIEW,
            target=S.RATIFIED,
            roles={REVIEWER},
            label=N_("Ratify the allocation"),
            guards=(ENOUGH_RATIFICATIONS,),
            effects=("ratify_selected_proposals", "tell_unfunded_applicants"),
        ),
        Transition(
            name="return_allocation", label=N_("Return allocation"),
            source=S.PARTNERSHIP_REVIEW,
            target=S.RETURNED,
            roles={REVIEWER},
            guards=(RETURN_REASON,),
            effects=("notify_facilitators",),
        ),
        Transition(
            name="recount",
            source=S.RETURNED,
            target=S.COUNTING,
            roles={FACILITATOR},
            label=N_("Count again"),
            effects=("reset_count", "run_count"),
        ),
        Transition(
            name="revote",
            source=S.RETURNED,
            target=S.VOTING,
            roles={FACILITATOR},
            label=N_("Vote again"),
            guards=(VOTING_CLOSES_LATER,),
            effects=("reset_count", "notify_members_revote"),
        ),
        Transition(
            name="issue_awards", label=N_("Issue awards"),
            source=S.RATIFIED,
            target=S.AWARDED,
            roles={FACILITATOR},
            effects=("create_grants",),
        ),
        Transition(
            name="start_monitoring", label=N_("Start monitoring"),
            source=S.AWARDED,
            target=S.MONITORING,
            roles={FACILITATOR},
        ),
        Transition(
            name="close_round", label=N_("Close round"),
            source=S.MONITORING,
            target=S.CLOSED,
            roles={FACILITATOR},
            guards=(GRANTS_FINISHED,),
        ),
        Transition(
            name="cancel",
            source=before_award,
            target=S.CANCELLED,
            roles={FACILITATOR},
            label=N_("Cancel the round"),
            guards=(CANCEL_REASON,),
            effects=("withdraw_proposals",),
        ),
    )


ROUND = Workflow(
    name="round",
    label=N_("Grant round (standard)"),
    noun=N_("round"),
    states=RoundState,
    transitions=_transitions(light=False),
    description=N_("A grant round with an eligibility check between proposals and voting."),
)

ROUND_LIGHT = Workflow(
    name="round_light",
    label=N_("Grant round (light-touch)"),
    noun=N_("round"),
    states=RoundState,
    omit=frozenset({S.ELIGIBILITY_CHECK}),
    transitions=_transitions(light=True),
    description=N_("A grant round without an eligibility check: submitted proposals go to the vote."),
)

WORKFLOWS = (ROUND, ROUND_LIGHT)
