"""Joining a collective: join requests and invitations.

``join_request`` — an organisation asks to join: pending → approved | declined (a facilitator
decides; declining needs a reason the applicant sees) | withdrawn (the person who asked changes
their mind).

``invitation`` — a facilitator invites an email address with roles: sent → accepted (by the
invited person, before it expires) | revoked (by a facilitator) | expired (the scheduler, once
``expires_at`` has passed, so a stale link can never be used).

Subject protocol — the attributes the guards and the scheduler read:

``state``
    The state's string value (``JoinRequestState`` or ``InvitationState``).
``expires_at`` (invitation)
    Timezone-aware datetime after which the invitation cannot be accepted (``None``: never).

``ctx.data`` keys: ``reason`` (declining a join request, revoking an invitation).

Effects: ``admit_organisation`` (an approved request makes the organisation active and the person
who asked a member and applicant for it), ``grant_invited_roles`` (an accepted invitation gives
the person the roles it offered).

The person who asked to join holds the ``applicant`` role for their own request; the invited
person holds the roles their invitation offers, for that invitation only.
"""

from __future__ import annotations

from typing import Any

from workflows.engine import Context, Guard, Role, StateSpec, Transition, Workflow, WorkflowState
from workflows.guards import reason_given
from workflows.text import format_when

APPLICANT = Role.APPLICANT
FACILITATOR = Role.FACILITATOR
INVITEES = {Role.APPLICANT, Role.MEMBER, Role.FACILITATOR, Role.REVIEWER}


class JoinRequestState(WorkflowState):
    """The states of a join request. The values are stored in the database: never change them."""

    PENDING = StateSpec("pending", "Waiting for a decision", "Waiting for a decision", initial=True)
    APPROVED = StateSpec("approved", "Approved", "Approved", final=True)
    DECLINED = StateSpec("declined", "Declined", "Declined", final=True)
    WITHDRAWN = StateSpec("withdrawn", "Withdrawn", "Withdrawn", final=True)


class InvitationState(WorkflowState):
    """The states of an invitation. The values are stored in the database: never change them."""

    SENT = StateSpec("sent", "Sent", "Waiting to be accepted", initial=True)
    ACCEPTED = StateSpec("accepted", "Accepted", "Accepted", final=True)
    REVOKED = StateSpec("revoked", "Revoked", "Cancelled", final=True)
    EXPIRED = StateSpec("expired", "Expired", "Expired", final=True)


J = JoinRequestState
I = InvitationState  # noqa: E741 - mirrors the S alias of the other definitions


def _not_expired(invitation: Any, ctx: Context) -> str | None:
    if invitation.expires_at is not None and ctx.now >= invitation.expires_at:
        return f"This invitation expired on {format_when(invitation.expires_at)}. Ask for a new one."
    return None


NOT_EXPIRED = Guard(
    name="invitation_not_expired",
    description="The invitation has not expired",
    check=_not_expired,
    reads=("expires_at",),
)

JOIN_REQUEST = Workflow(
    name="join_request",
    label="Request to join a collective",
    noun="join request",
    states=JoinRequestState,
    description="An organisation asks to join; a facilitator approves or declines.",
    transitions=(
        Transition(name="approve", source=J.PENDING, target=J.APPROVED, roles={FACILITATOR},
                   label="Approve", effects=("admit_organisation",)),
        Transition(name="decline", source=J.PENDING, target=J.DECLINED, roles={FACILITATOR},
                   label="Decline", guards=(reason_given("Say why you are declining: the organisation will see your reason"),)),
        Transition(name="withdraw", source=J.PENDING, target=J.WITHDRAWN, roles={APPLICANT},
                   label="Withdraw the request"),
    ),
)

INVITATION = Workflow(
    name="invitation",
    label="Invitation to a collective",
    noun="invitation",
    states=InvitationState,
    description="A single-use, expiring invitation to join a collective with roles.",
    transitions=(
        Transition(name="accept", source=I.SENT, target=I.ACCEPTED, roles=INVITEES,
                   label="Accept the invitation", guards=(NOT_EXPIRED,), effects=("grant_invited_roles",)),
        Transition(name="revoke", source=I.SENT, target=I.REVOKED, roles={FACILITATOR},
                   label="Cancel the invitation", guards=(reason_given("Say why you are cancelling the invitation"),)),
        Transition(name="expire", source=I.SENT, target=I.EXPIRED, roles=set(),
                   timed_by="expires_at", timed_label="The invitation expires"),
    ),
)

WORKFLOWS = (JOIN_REQUEST, INVITATION)
