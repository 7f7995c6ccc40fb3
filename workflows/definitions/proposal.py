"""The proposal: from the applicant's draft to an award (after which the grant takes over).

draft → submitted → eligible | ineligible → in vote → selected | not selected → ratified → awarded.

- The applicant *submits* while the round is open for proposals, once the required answers are
  given and the budget lines add up to the amount requested; while the round is still open they
  may *reopen* a submitted proposal to change it.
- A facilitator marks eligibility; marking a proposal ineligible needs a reason, and a mistaken
  decision can be *reconsidered* (back to submitted, with a reason). In a light-touch round the
  system marks every submitted proposal eligible when voting opens.
- The count (the system, or a facilitator running it) marks proposals *selected* or *not
  selected*; a recount puts them back *in vote* (``reset_count``).
- When the round is ratified the system ratifies the selected proposals, and when awards are
  issued it marks them *awarded* — a final state: from there the grant workflow takes over.
- The applicant may *withdraw* at any step before the award; a facilitator (on the applicant's
  behalf, for example after a phone call) or the system (the round was cancelled) must give a
  reason.

Subject protocol — the attributes of a proposal the guards read:

``state``
    The state's string value (``ProposalState``).
``round_open_for_proposals``
    ``True`` while the proposal's round is open for proposals.
``missing_fields``
    List of human names of required answers not yet given, e.g. ``["project title", "summary"]``.
``budget_lines_total``, ``amount_requested``
    Integer pence: the sum of the budget lines, and the amount asked for.
``partners_unconfirmed``
    Names of the partner organisations (of a joint proposal) that have not accepted yet.

``ctx.data`` keys: ``reason`` (marking ineligible, reconsidering eligibility, and withdrawing
unless the actor is the applicant).

Effects: none — the round's effects (``put_eligible_proposals_to_vote``, ``run_count``,
``ratify_selected_proposals``, ``create_grants``…) fire these transitions as the system.
"""

from __future__ import annotations

from typing import Any

from workflows.engine import Context, Guard, Role, StateSpec, Transition, Workflow, WorkflowState
from workflows.guards import flag_set, nothing_missing, reason_given
from workflows.i18n import N_, gettext as _
from workflows.text import format_money

APPLICANT = Role.APPLICANT
FACILITATOR = Role.FACILITATOR
SCHEDULER = Role.SCHEDULER


class ProposalState(WorkflowState):
    """The states of a proposal. The values are stored in the database: never change them."""

    DRAFT = StateSpec("draft", N_("Draft"), N_("Draft"), initial=True)
    SUBMITTED = StateSpec("submitted", N_("Submitted"), N_("Submitted"))
    ELIGIBLE = StateSpec("eligible", N_("Eligible"), N_("Eligible"))
    INELIGIBLE = StateSpec("ineligible", N_("Not eligible"), N_("Not eligible"))
    IN_VOTE = StateSpec("in_vote", N_("In the vote"), N_("In the vote"))
    SELECTED = StateSpec("selected", N_("Selected by the vote"), N_("Selected"))
    NOT_SELECTED = StateSpec("not_selected", N_("Not selected by the vote"), N_("Not selected"))
    RATIFIED = StateSpec("ratified", N_("Ratified"), N_("Confirmed for funding"))
    AWARDED = StateSpec("awarded", N_("Awarded"), N_("Awarded"), final=True)
    WITHDRAWN = StateSpec("withdrawn", N_("Withdrawn"), N_("Withdrawn"), final=True)


S = ProposalState


# -- guards --------------------------------------------------------------------------------


ROUND_OPEN = flag_set(
    "round_open_for_proposals",
    N_("The round is not open for proposals"),
    name="round_open",
    description=N_("The proposal's round is open for proposals"),
)

FIELDS_COMPLETE = nothing_missing(
    "missing_fields",
    N_("Answer these questions first: %(missing)s"),
    name="fields_complete",
    description=N_("Every required question is answered"),
)


PARTNERS_CONFIRMED = nothing_missing(
    "partners_unconfirmed",
    N_("Every partner must accept first; still to answer: %(missing)s"),
    name="partners_confirmed",
    description=N_("Every partner organisation has accepted"),
)


def _budget_adds_up(proposal: Any, ctx: Context) -> str | None:
    total, requested = proposal.budget_lines_total, proposal.amount_requested
    if total == requested:
        return None
    return _(
        "The budget lines add up to %(total)s, but you asked for %(requested)s",
        total=format_money(total),
        requested=format_money(requested),
    )


BUDGET_ADDS_UP = Guard(
    name="budget_adds_up",
    description=N_("The budget lines add up to the amount requested"),
    check=_budget_adds_up,
    reads=("budget_lines_total", "amount_requested"),
)

INELIGIBLE_REASON = reason_given(N_("Say why the proposal is not eligible"))
RECONSIDER_REASON = reason_given(N_("Say why the eligibility decision is being reconsidered"))
WITHDRAW_REASON = reason_given(
    N_("Say why the proposal is being withdrawn"), unless_role=APPLICANT
)

# -- transitions ---------------------------------------------------------------------------

# Withdrawal is possible until the award: after that the grant has its own way out (declining).
BEFORE_AWARD = (
    S.DRAFT,
    S.SUBMITTED,
    S.ELIGIBLE,
    S.INELIGIBLE,
    S.IN_VOTE,
    S.SELECTED,
    S.NOT_SELECTED,
    S.RATIFIED,
)

PROPOSAL = Workflow(
    name="proposal",
    label=N_("Proposal"),
    noun=N_("proposal"),
    states=ProposalState,
    description=N_("A project proposed to a round, from draft to award."),
    transitions=(
        Transition(
            name="submit",
            source=S.DRAFT,
            target=S.SUBMITTED,
            roles={APPLICANT},
            label=N_("Submit the proposal"),
            guards=(ROUND_OPEN, FIELDS_COMPLETE, BUDGET_ADDS_UP, PARTNERS_CONFIRMED),
        ),
        Transition(
            name="reopen",
            source=S.SUBMITTED,
            target=S.DRAFT,
            roles={APPLICANT},
            label=N_("Reopen to make changes"),
            guards=(ROUND_OPEN,),
        ),
        Transition(
            name="mark_eligible", label=N_("Mark eligible"),
            source=S.SUBMITTED,
            target=S.ELIGIBLE,
            roles={FACILITATOR, SCHEDULER},
        ),
        Transition(
            name="mark_ineligible",
            source=S.SUBMITTED,
            target=S.INELIGIBLE,
            roles={FACILITATOR},
            label=N_("Mark not eligible"),
            guards=(INELIGIBLE_REASON,),
        ),
        Transition(
            name="reconsider_eligibility", label=N_("Reconsider eligibility"),
            source=S.INELIGIBLE,
            target=S.SUBMITTED,
            roles={FACILITATOR},
            guards=(RECONSIDER_REASON,),
        ),
        Transition(
            name="enter_vote",
            source=S.ELIGIBLE,
            target=S.IN_VOTE,
            roles={FACILITATOR, SCHEDULER},
            label=N_("Put to the vote"),
        ),
        Transition(
            name="mark_selected", label=N_("Mark selected"),
            source=S.IN_VOTE,
            target=S.SELECTED,
            roles={FACILITATOR, SCHEDULER},
        ),
        Transition(
            name="mark_not_selected", label=N_("Mark not selected"),
            source=S.IN_VOTE,
            target=S.NOT_SELECTED,
            roles={FACILITATOR, SCHEDULER},
        ),
        Transition(
            name="reset_count", label=N_("Reset count"),
            source=(S.SELECTED, S.NOT_SELECTED),
            target=S.IN_VOTE,
            roles={FACILITATOR, SCHEDULER},
            description=N_("A recount or re-vote puts the proposal back in the vote."),
        ),
        Transition(
            name="ratify", label=N_("Ratify"),
            source=S.SELECTED,
            target=S.RATIFIED,
            roles={SCHEDULER},
            description=N_("Fired by the system when the partnership ratifies the round."),
        ),
        Transition(
            name="award", label=N_("Award"),
            source=S.RATIFIED,
            target=S.AWARDED,
            roles={SCHEDULER},
            description=N_("Fired by the system when the round's awards are issued."),
        ),
        Transition(
            name="withdraw",
            source=BEFORE_AWARD,
            target=S.WITHDRAWN,
            roles={APPLICANT, FACILITATOR, SCHEDULER},
            label=N_("Withdraw the proposal"),
            guards=(WITHDRAW_REASON,),
        ),
    ),
)

WORKFLOWS = (PROPOSAL,)
