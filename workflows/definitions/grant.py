"""The grant: from the offer to closing, after a proposal is awarded.

offered → accepted → paid → reporting → closed.

- The applicant *accepts* the offer by typing their name and confirming the grant conditions,
  before the offer expires (the typed name is their signature, so only they can accept); or
  *declines* it (a facilitator may record a decline on their behalf, with a reason). A facilitator
  may *undo the decline* until the offer would have expired; the offer is then open again.
- A facilitator may *withdraw* the offer (with a reason); the scheduler withdraws it when
  ``offer_expires_at`` passes.
- Accepting creates the report requirements, proportionate to the grant size.
- A facilitator *records the payment*; reporting starts at ``reporting_starts_at`` (the
  scheduler moves the grant on; a facilitator may start it early).
- The grant *closes* when no report is outstanding. If the group gives money back, a facilitator
  records *funds returned* (with a reason) from paid or reporting.

Subject protocol — the attributes of a grant the guards and the scheduler read:

``state``
    The state's string value (``GrantState``).
``offer_expires_at``
    Timezone-aware datetime after which the offer lapses, or ``None`` (no expiry).
``reporting_starts_at``
    Timezone-aware datetime when reporting starts, or ``None`` (not set yet).
``reports_outstanding``
    Number of the grant's reports not yet accepted (or waived).

``ctx.data`` keys: ``accepted_by_name`` (the full name typed by the person accepting),
``conditions_confirmed`` (``True`` when the conditions box is ticked), ``reason`` (withdrawing
the offer, declining on the applicant's behalf, funds returned).

Effects: ``create_report_requirements`` (on acceptance: the reports the grant owes, by its size).
"""

from __future__ import annotations

from typing import Any

from workflows.engine import Context, Guard, Role, StateSpec, Transition, Workflow, WorkflowState
from workflows.guards import confirmed, reason_given, text_given
from workflows.i18n import N_, gettext as _, ngettext
from workflows.text import format_when

APPLICANT = Role.APPLICANT
FACILITATOR = Role.FACILITATOR


class GrantState(WorkflowState):
    """The states of a grant. The values are stored in the database: never change them."""

    OFFERED = StateSpec("offered", N_("Offered"), N_("Offered"), initial=True)
    ACCEPTED = StateSpec("accepted", N_("Accepted"), N_("Accepted"))
    PAID = StateSpec("paid", N_("Paid"), N_("Funded"))
    REPORTING = StateSpec("reporting", N_("Reporting"), N_("Funded"))
    CLOSED = StateSpec("closed", N_("Closed"), N_("Completed"), final=True)
    # Not final: a facilitator can undo a decline (a mis-click, a misunderstanding) while the offer
    # would still have been open; after that a declined grant simply stays declined.
    DECLINED = StateSpec("declined", N_("Declined"), N_("Declined"))
    WITHDRAWN = StateSpec("withdrawn", N_("Offer withdrawn"), N_("Offer withdrawn"), final=True)
    FUNDS_RETURNED = StateSpec("funds_returned", N_("Funds returned"), N_("Funds returned"), final=True)


S = GrantState

# -- guards --------------------------------------------------------------------------------

NAME_GIVEN = text_given(
    "accepted_by_name",
    N_("Type your full name to accept the grant"),
    name="name_given",
    description=N_('The person accepting typed their full name'),
)

CONDITIONS_CONFIRMED = confirmed(
    "conditions_confirmed",
    N_("Confirm that you agree to the grant conditions"),
    name="conditions_confirmed",
    description=N_('The grant conditions are confirmed'),
)


def _offer_open(grant: Any, ctx: Context) -> str | None:
    expires = grant.offer_expires_at
    if expires is not None and ctx.now >= expires:
        return _("This offer expired on %(when)s", when=format_when(expires))
    return None


OFFER_OPEN = Guard(
    name="offer_open",
    description=N_("The offer has not expired"),
    check=_offer_open,
    reads=("offer_expires_at",),
)


def _no_reports_outstanding(grant: Any, ctx: Context) -> str | None:
    outstanding = grant.reports_outstanding
    if outstanding:
        return ngettext(
            "%(num)d report is still outstanding", "%(num)d reports are still outstanding", outstanding
        )
    return None


NO_REPORTS_OUTSTANDING = Guard(
    name="no_reports_outstanding",
    description=N_("Every report is accepted or waived"),
    check=_no_reports_outstanding,
    reads=("reports_outstanding",),
)

DECLINE_REASON = reason_given(
    N_("Say why the grant is being declined on the applicant's behalf"), unless_role=APPLICANT
)
WITHDRAW_REASON = reason_given(N_("Say why you are withdrawing the offer"), unless_scheduler=True)
RETURN_REASON = reason_given(N_("Say why the funds were returned"))

# -- the workflow --------------------------------------------------------------------------

GRANT = Workflow(
    name="grant",
    label=N_("Grant"),
    noun=N_("grant"),
    states=GrantState,
    description=N_("A grant offered to an awarded proposal, from offer to close."),
    transitions=(
        Transition(
            name="accept",
            source=S.OFFERED,
            target=S.ACCEPTED,
            roles={APPLICANT},
            label=N_("Accept the grant"),
            guards=(NAME_GIVEN, CONDITIONS_CONFIRMED, OFFER_OPEN),
            # The reports a grant owes follow from its size, so they are set when it is accepted.
            effects=("create_report_requirements",),
        ),
        Transition(
            name="decline",
            source=S.OFFERED,
            target=S.DECLINED,
            roles={APPLICANT, FACILITATOR},
            label=N_("Decline the grant"),
            guards=(DECLINE_REASON,),
        ),
        Transition(
            name="undo_decline",
            source=S.DECLINED,
            target=S.OFFERED,
            roles={FACILITATOR},
            label=N_("Undo the decline"),
            guards=(OFFER_OPEN,),
        ),
        Transition(
            name="withdraw_offer", label=N_("Withdraw offer"),
            source=S.OFFERED,
            target=S.WITHDRAWN,
            roles={FACILITATOR},
            guards=(WITHDRAW_REASON,),
            timed_by="offer_expires_at",
            timed_label=N_("The offer expires"),
        ),
        Transition(
            name="record_payment", label=N_("Record payment"),
            source=S.ACCEPTED,
            target=S.PAID,
            roles={FACILITATOR},
        ),
        Transition(
            name="start_reporting", label=N_("Start reporting"),
            source=S.PAID,
            target=S.REPORTING,
            roles={FACILITATOR},
            timed_by="reporting_starts_at",
            timed_label=N_("Reporting starts"),
        ),
        Transition(
            name="close_grant", label=N_("Close grant"),
            source=S.REPORTING,
            target=S.CLOSED,
            roles={FACILITATOR},
            guards=(NO_REPORTS_OUTSTANDING,),
        ),
        Transition(
            name="record_funds_returned", label=N_("Record funds returned"),
            source=(S.PAID, S.REPORTING),
            target=S.FUNDS_RETURNED,
            roles={FACILITATOR},
            guards=(RETURN_REASON,),
        ),
    ),
)

WORKFLOWS = (GRANT,)
