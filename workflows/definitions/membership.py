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
from workflows.i18n import N_, gettext as _
from workflows.text import format_when

APPLICANT = Role.APPLICANT
FACILITATOR = Role.FACILITATOR
INVITEES = {Role.APPLICANT, Role.MEMBER, Role.FACILITATOR, Role.REVIEWER}


class JoinRequestState(WorkflowState):
    """The states of a join request. The values are stored in the database: never change them."""

    PENDING = StateSpec("pending", N_("Waiting for a decision"), N_("Waiting for a decision"), initial=True)
    APPROVED = StateSpec("approved", N_("Approved"), N_("Approved"), final=True)
    DECLINED = StateSpec("declined", N_("Declined"), N_("Declined"), final=True)
    WITHDRAWN = StateSpec("withdrawn", N_("Withdrawn"), N_("Withdrawn"), final=True)


class InvitationState(WorkflowState):
    """The states of an invitation. The values are stored in the database: never change them."""

    SENT = StateSpec("sent", N_("Sent"), N_("Waiting to be accepted"), initial=True)
    ACCEPTED = StateSpec("accepted", N_("Accepted"), N_("Accepted"), final=True)
    REVOKED = StateSpec("revoked", N_("Revoked"), N_("Cancelled"), final=True)
    EXPIRED = StateSpec("expired", N_("Expired"), N_("Expired"), final=True)


J = JoinRequestState
I = InvitationState  # noqa: E741 - mirrors the S alias of the other definitions


def _not_expired(invitation: Any, ctx: Context) -> str | None:
    if invitation.expires_at is not None and ctx.now >= invitation.expires_at:
        return _("This invitation expired on %(when)s. Ask for a new one.",
                 when=format_when(invitation.expires_at))
    return None


NOT_EXPIRED = Guard(
    name="invitation_not_expired",
    description=N_("The invitation has not expired"),
    check=_not_expired,
    reads=("expires_at",),
)

JOIN_REQUEST = Workflow(
    name="join_request",
    label=N_("Request to join a collective"),
    noun=N_("join request"),
    states=JoinRequestState,
    description=N_("An organisation asks to join; a facilitator approves or declines."),
    transitions=(
        Transition(name="approve", source=J.PENDING, target=J.APPROVED, roles={FACILITATOR},
                   label=N_("Approve"), effects=("admit_organisation",)),
        Transition(name="decline", source=J.PENDING, target=J.DECLINED, roles={FACILITATOR},
                   label=N_("Decline"), guards=(reason_given(N_("Say why you are declining: the organisation will see your reason")),)),
        Transition(name="withdraw", source=J.PENDING, target=J.WITHDRAWN, roles={APPLICANT},
                   label=N_("Withdraw the request")),
    ),
)

INVITATION = Workflow(
    name="invitation",
    label=N_("Invitation to a collective"),
    noun=N_("invitation"),
    states=InvitationState,
    description=N_("A single-use, expiring invitation to join a collective with roles."),
    transitions=(
        Transition(name="accept", source=I.SENT, target=I.ACCEPTED, roles=INVITEES,
                   label=N_("Accept the invitation"), guards=(NOT_EXPIRED,), effects=("grant_invited_roles",)),
        Transition(name="revoke", source=I.SENT, target=I.REVOKED, roles={FACILITATOR},
                   label=N_("Cancel the invitation"), guards=(reason_given(N_("Say why you are cancelling the invitation")),)),
        Transition(name="expire", label=N_("Expire"), source=I.SENT, target=I.EXPIRED, roles=set(),
                   timed_by="expires_at", timed_label=N_("The invitation expires")),
    ),
)

WORKFLOWS = (JOIN_REQUEST, INVITATION)
