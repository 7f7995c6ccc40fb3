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

``ctx.data`` keys: ``reason`` (marking ineligible, reconsidering eligibility, and withdrawing
unless the actor is the applicant).

Effects: none — the round's effects (``put_eligible_proposals_to_vote``, ``run_count``,
``ratify_selected_proposals``, ``create_grants``…) fire these transitions as the system.
"""

from __future__ import annotations

from typing import Any

from workflows.engine import Context, Guard, Role, StateSpec, Transition, Workflow, WorkflowState
from workflows.guards import flag_set, nothing_missing, reason_given
from workflows.text import format_money

APPLICANT = Role.APPLICANT
FACILITATOR = Role.FACILITATOR
SCHEDULER = Role.SCHEDULER


class ProposalState(WorkflowState):
    """The states of a proposal. The values are stored in the database: never change them."""

    DRAFT = StateSpec("draft", "Draft", "Draft", initial=True)
    SUBMITTED = StateSpec("submitted", "Submitted", "Submitted")
    ELIGIBLE = StateSpec("eligible", "Eligible", "Eligible")
    INELIGIBLE = StateSpec("ineligible", "Not eligible", "Not eligible")
    IN_VOTE = StateSpec("in_vote", "In the vote", "In the vote")
    SELECTED = StateSpec("selected", "Selected by the vote", "Selected")
    NOT_SELECTED = StateSpec("not_selected", "Not selected by the vote", "Not selected")
    RATIFIED = StateSpec("ratified", "Ratified", "Confirmed for funding")
    AWARDED = StateSpec("awarded", "Awarded", "Awarded", final=True)
    WITHDRAWN = StateSpec("withdrawn", "Withdrawn", "Withdrawn", final=True)


S = ProposalState


# -- guards --------------------------------------------------------------------------------


ROUND_OPEN = flag_set(
    "round_open_for_proposals",
    "The round is not open for proposals",
    name="round_open",
    description="The proposal's round is open for proposals",
)

FIELDS_COMPLETE = nothing_missing(
    "missing_fields",
    "Answer these questions first",
    name="fields_complete",
    description="Every required question is answered",
)


def _budget_adds_up(proposal: Any, ctx: Context) -> str | None:
    total, requested = proposal.budget_lines_total, proposal.amount_requested
    if total == requested:
        return None
    return (
        f"The budget lines add up to {format_money(total)}, "
        f"but you asked for {format_money(requested)}"
    )


BUDGET_ADDS_UP = Guard(
    name="budget_adds_up",
    description="The budget lines add up to the amount requested",
    check=_budget_adds_up,
    reads=("budget_lines_total", "amount_requested"),
)

INELIGIBLE_REASON = reason_given("Say why the proposal is not eligible")
RECONSIDER_REASON = reason_given("Say why the eligibility decision is being reconsidered")
WITHDRAW_REASON = reason_given(
    "Say why the proposal is being withdrawn", unless_role=APPLICANT
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
    label="Proposal",
    noun="proposal",
    states=ProposalState,
    description="A project proposed to a round, from draft to award.",
    transitions=(
        Transition(
            name="submit",
            source=S.DRAFT,
            target=S.SUBMITTED,
            roles={APPLICANT},
            label="Submit the proposal",
            guards=(ROUND_OPEN, FIELDS_COMPLETE, BUDGET_ADDS_UP),
        ),
        Transition(
            name="reopen",
            source=S.SUBMITTED,
            target=S.DRAFT,
            roles={APPLICANT},
            label="Reopen to make changes",
            guards=(ROUND_OPEN,),
        ),
        Transition(
            name="mark_eligible",
            source=S.SUBMITTED,
            target=S.ELIGIBLE,
            roles={FACILITATOR, SCHEDULER},
        ),
        Transition(
            name="mark_ineligible",
            source=S.SUBMITTED,
            target=S.INELIGIBLE,
            roles={FACILITATOR},
            label="Mark not eligible",
            guards=(INELIGIBLE_REASON,),
        ),
        Transition(
            name="reconsider_eligibility",
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
            label="Put to the vote",
        ),
        Transition(
            name="mark_selected",
            source=S.IN_VOTE,
            target=S.SELECTED,
            roles={FACILITATOR, SCHEDULER},
        ),
        Transition(
            name="mark_not_selected",
            source=S.IN_VOTE,
            target=S.NOT_SELECTED,
            roles={FACILITATOR, SCHEDULER},
        ),
        Transition(
            name="reset_count",
            source=(S.SELECTED, S.NOT_SELECTED),
            target=S.IN_VOTE,
            roles={FACILITATOR, SCHEDULER},
            description="A recount or re-vote puts the proposal back in the vote.",
        ),
        Transition(
            name="ratify",
            source=S.SELECTED,
            target=S.RATIFIED,
            roles={SCHEDULER},
            description="Fired by the system when the partnership ratifies the round.",
        ),
        Transition(
            name="award",
            source=S.RATIFIED,
            target=S.AWARDED,
            roles={SCHEDULER},
            description="Fired by the system when the round's awards are issued.",
        ),
        Transition(
            name="withdraw",
            source=BEFORE_AWARD,
            target=S.WITHDRAWN,
            roles={APPLICANT, FACILITATOR, SCHEDULER},
            label="Withdraw the proposal",
            guards=(WITHDRAW_REASON,),
        ),
    ),
)

WORKFLOWS = (PROPOSAL,)
