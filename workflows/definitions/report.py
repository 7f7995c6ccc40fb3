"""The grant report: one proportionate report a grantee owes (mid-point or end).

due → submitted → accepted, or → changes requested → submitted again; due → overdue when
``due_at`` passes (the scheduler moves it and a reminder goes out); an overdue report can still be
submitted, and goes back to due when an approved variation moves its due date later (the system
fires ``extend_due_date``). A facilitator may *waive* a report that is no longer needed (the group has folded, the
round's thresholds changed) with a reason, so the grant can close.

The grantee (applicant) submits; a facilitator may submit on their behalf (a report given at a
meeting or on paper). A facilitator accepts a report or asks for changes, saying what to change.

Subject protocol — the attributes of a report the guards and the scheduler read:

``state``
    The state's string value (``ReportState``).
``due_at``
    Timezone-aware datetime the report is due, or ``None`` (no deadline).
``missing_fields``
    List of human names of required answers not yet given, e.g. ``["what you spent"]``.

``ctx.data`` keys: ``reason`` (asking for changes, waiving).

Effects: ``send_overdue_reminder``.
"""

from __future__ import annotations

from workflows.engine import Role, StateSpec, Transition, Workflow, WorkflowState
from workflows.guards import nothing_missing, reason_given
from workflows.i18n import N_

APPLICANT = Role.APPLICANT
FACILITATOR = Role.FACILITATOR
SCHEDULER = Role.SCHEDULER


class ReportState(WorkflowState):
    """The states of a report. The values are stored in the database: never change them."""

    DUE = StateSpec("due", N_("Due"), N_("Due"), initial=True)
    OVERDUE = StateSpec("overdue", N_("Overdue"), N_("Overdue"))
    SUBMITTED = StateSpec("submitted", N_("Submitted"), N_("Submitted"))
    CHANGES_REQUESTED = StateSpec("changes_requested", N_("Changes requested"), N_("Changes requested"))
    ACCEPTED = StateSpec("accepted", N_("Accepted"), N_("Accepted"), final=True)
    WAIVED = StateSpec("waived", N_("Waived"), N_("Not needed"), final=True)


S = ReportState

FIELDS_COMPLETE = nothing_missing(
    "missing_fields",
    N_("Answer these questions first: %(missing)s"),
    name="fields_complete",
    description=N_("Every required question is answered"),
)
CHANGES_REASON = reason_given(N_("Say what needs to change in the report"))
WAIVE_REASON = reason_given(N_("Say why this report is no longer needed"))

REPORT = Workflow(
    name="report",
    label=N_("Grant report"),
    noun=N_("report"),
    states=ReportState,
    description=N_("A report a grantee owes, from due to accepted."),
    transitions=(
        Transition(
            name="submit",
            source=(S.DUE, S.OVERDUE, S.CHANGES_REQUESTED),
            target=S.SUBMITTED,
            roles={APPLICANT, FACILITATOR},
            label=N_("Submit the report"),
            guards=(FIELDS_COMPLETE,),
        ),
        Transition(
            name="accept",
            source=S.SUBMITTED,
            target=S.ACCEPTED,
            roles={FACILITATOR},
            label=N_("Accept the report"),
        ),
        Transition(
            name="request_changes", label=N_("Request changes"),
            source=S.SUBMITTED,
            target=S.CHANGES_REQUESTED,
            roles={FACILITATOR},
            guards=(CHANGES_REASON,),
        ),
        Transition(
            name="mark_overdue", label=N_("Mark overdue"),
            source=S.DUE,
            target=S.OVERDUE,
            roles=set(),
            timed_by="due_at",
            timed_label=N_("The report is due"),
            effects=("send_overdue_reminder",),
        ),
        Transition(
            name="extend_due_date", label=N_("Give more time"),
            source=S.OVERDUE,
            target=S.DUE,
            roles={SCHEDULER},
            description=N_("Fired by the system when an approved variation moves the due date later."),
        ),
        Transition(
            name="waive",
            source=(S.DUE, S.OVERDUE, S.CHANGES_REQUESTED),
            target=S.WAIVED,
            roles={FACILITATOR},
            label=N_("Waive the report"),
            guards=(WAIVE_REASON,),
        ),
    ),
)

WORKFLOWS = (REPORT,)
