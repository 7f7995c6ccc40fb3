"""The grant report: one proportionate report a grantee owes (mid-point or end).

due → submitted → accepted, or → changes requested → submitted again; due → overdue when
``due_at`` passes (the scheduler moves it and a reminder goes out); an overdue report can still be
submitted. A facilitator may *waive* a report that is no longer needed (the group has folded, the
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

APPLICANT = Role.APPLICANT
FACILITATOR = Role.FACILITATOR


class ReportState(WorkflowState):
    """The states of a report. The values are stored in the database: never change them."""

    DUE = StateSpec("due", "Due", "Due", initial=True)
    OVERDUE = StateSpec("overdue", "Overdue", "Overdue")
    SUBMITTED = StateSpec("submitted", "Submitted", "Submitted")
    CHANGES_REQUESTED = StateSpec("changes_requested", "Changes requested", "Changes requested")
    ACCEPTED = StateSpec("accepted", "Accepted", "Accepted", final=True)
    WAIVED = StateSpec("waived", "Waived", "Not needed", final=True)


S = ReportState

FIELDS_COMPLETE = nothing_missing(
    "missing_fields",
    "Answer these questions first",
    name="fields_complete",
    description="Every required question is answered",
)
CHANGES_REASON = reason_given("Say what needs to change in the report")
WAIVE_REASON = reason_given("Say why this report is no longer needed")

REPORT = Workflow(
    name="report",
    label="Grant report",
    noun="report",
    states=ReportState,
    description="A report a grantee owes, from due to accepted.",
    transitions=(
        Transition(
            name="submit",
            source=(S.DUE, S.OVERDUE, S.CHANGES_REQUESTED),
            target=S.SUBMITTED,
            roles={APPLICANT, FACILITATOR},
            label="Submit the report",
            guards=(FIELDS_COMPLETE,),
        ),
        Transition(
            name="accept",
            source=S.SUBMITTED,
            target=S.ACCEPTED,
            roles={FACILITATOR},
            label="Accept the report",
        ),
        Transition(
            name="request_changes",
            source=S.SUBMITTED,
            target=S.CHANGES_REQUESTED,
            roles={FACILITATOR},
            guards=(CHANGES_REASON,),
        ),
        Transition(
            name="mark_overdue",
            source=S.DUE,
            target=S.OVERDUE,
            roles=set(),
            timed_by="due_at",
            timed_label="The report is due",
            effects=("send_overdue_reminder",),
        ),
        Transition(
            name="waive",
            source=(S.DUE, S.OVERDUE, S.CHANGES_REQUESTED),
            target=S.WAIVED,
            roles={FACILITATOR},
            label="Waive the report",
            guards=(WAIVE_REASON,),
        ),
    ),
)

WORKFLOWS = (REPORT,)
