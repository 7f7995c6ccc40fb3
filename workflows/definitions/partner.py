"""A partner of a joint proposal: another organisation of the collective, invited by the lead.

invited → accepted | declined; invited or accepted → removed (the lead takes the partner off, while
the proposal is a draft).

- The lead organisation's applicant *invites* a partner (the row starts at "invited") and may
  *remove* it while the proposal is still a draft.
- Someone acting for the partner organisation *accepts* (their organisation takes part, with its
  share of the budget) or *declines*; a decline says why only if they wish.
- The proposal cannot be submitted until every partner still on it has accepted (the proposal
  workflow's ``partners_confirmed`` guard); the partner's members never vote on it.

Subject protocol: ``state`` only. ``ctx.data`` keys: none.

Effects: ``tell_lead_of_partner`` (a partner accepted or declined: the lead's people are emailed).
"""

from __future__ import annotations

from workflows.engine import Role, StateSpec, Transition, Workflow, WorkflowState
from workflows.i18n import N_

APPLICANT = Role.APPLICANT


class PartnerState(WorkflowState):
    """The states of a proposal's partner. The values are stored in the database: never change them."""

    INVITED = StateSpec("invited", N_("Invited"), N_("Invited"), initial=True)
    ACCEPTED = StateSpec("accepted", N_("Taking part"), N_("Taking part"))
    DECLINED = StateSpec("declined", N_("Declined"), N_("Declined"), final=True)
    REMOVED = StateSpec("removed", N_("Removed by the lead"), N_("Removed"), final=True)


S = PartnerState

PARTNER = Workflow(
    name="proposal_partner",
    label=N_("Partner in a joint proposal"),
    noun=N_("partner"),
    states=PartnerState,
    description=N_("Another organisation invited to take part in a proposal, and its answer."),
    transitions=(
        Transition(name="accept", label=N_("Take part"), source=S.INVITED, target=S.ACCEPTED,
                   roles={APPLICANT}, effects=("tell_lead_of_partner",)),
        Transition(name="decline", label=N_("Decline to take part"), source=S.INVITED, target=S.DECLINED,
                   roles={APPLICANT}, effects=("tell_lead_of_partner",)),
        Transition(name="remove", label=N_("Remove the partner"), source=(S.INVITED, S.ACCEPTED),
                   target=S.REMOVED, roles={APPLICANT}),
    ),
)

WORKFLOWS = (PARTNER,)
