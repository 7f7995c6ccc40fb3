"""Reverse commissioning: from evidence of who is under-served to "you said, we did".

evidence → engagement → needs → priorities → commissioned → delivered → loop closed.

evidence
    Service-use data by ethnic group against the population baseline, showing who is under-served.
engagement
    Workshops with community partners (churches, mosques, gurdwaras, synagogues, temples,
    community groups).
needs
    What communities said ("you said").
priorities
    Priorities drafted from the needs, to be agreed with the partnership.
commissioned
    A round carries the priorities as its themes and ring-fenced pots.
delivered
    The commissioned round has closed and its grant reports are in.
loop closed
    "We did" is published back to the communities who spoke (final).

A real team goes back as well as forward, so there are backward moves: new data arrives
(``revisit_evidence``), the needs are thin (``gather_more_feedback``), the partnership asks for
changes to the priorities (``revise_needs``, with a reason), or the commissioned round is
cancelled (``reopen_priorities``, with a reason).

Subject protocol — the attributes of a commissioning cycle the guards read:

``state``
    The state's string value (``CommissioningState``).
``evidence_datasets_count``
    Number of service-use datasets attached.
``engagement_sessions_count``
    Number of engagement sessions recorded.
``needs_count``
    Number of needs ("you said") recorded.
``priorities_agreed``
    ``True`` once the partnership has recorded its agreement to the priorities.
``commissioned_round_id``
    The id of the round that commissions the priorities, or ``None``.
``commissioned_round_closed``
    ``True`` once that round is closed.
``needs_without_response``
    List of the titles of needs with no "we did" response yet.

``ctx.data`` keys: ``reason`` (revising needs, reopening priorities).

Effects: ``publish_you_said_we_did``.
"""

from __future__ import annotations

from typing import Any

from workflows.engine import Context, Guard, Role, StateSpec, Transition, Workflow, WorkflowState
from workflows.guards import at_least_one, flag_set, nothing_missing, reason_given
from workflows.i18n import N_, gettext as _

FACILITATOR = Role.FACILITATOR
REVIEWER = Role.REVIEWER


class CommissioningState(WorkflowState):
    """The states of a commissioning cycle. The values are stored in the database: never change."""

    EVIDENCE = StateSpec("evidence", N_("Evidence"), N_("Looking at the evidence"), initial=True)
    ENGAGEMENT = StateSpec("engagement", N_("Engagement"), N_("Talking with communities"))
    NEEDS = StateSpec("needs", N_("Needs (you said)"), N_("You said"))
    PRIORITIES = StateSpec("priorities", N_("Priorities"), N_("Agreeing priorities"))
    COMMISSIONED = StateSpec("commissioned", N_("Commissioned"), N_("Funding round set up"))
    DELIVERED = StateSpec("delivered", N_("Delivered"), N_("Projects delivered"))
    LOOP_CLOSED = StateSpec("loop_closed", N_("Loop closed (we did)"), N_("We did"), final=True)


S = CommissioningState


HAS_EVIDENCE = at_least_one(
    "evidence_datasets_count",
    N_("Add at least one service-use dataset before starting engagement"),
    name="has_evidence",
    description=N_("At least one service-use dataset is attached"),
)
HAS_ENGAGEMENT = at_least_one(
    "engagement_sessions_count",
    N_("Record at least one engagement session first"),
    name="has_engagement",
    description=N_("At least one engagement session is recorded"),
)
HAS_NEEDS = at_least_one(
    "needs_count",
    N_("Record at least one need (“you said”) first"),
    name="has_needs",
    description=N_("At least one need is recorded"),
)
PRIORITIES_AGREED = flag_set(
    "priorities_agreed",
    N_("The partnership has not agreed these priorities yet"),
    name="priorities_agreed",
    description=N_("The partnership has recorded its agreement to the priorities"),
)


def _round_linked(cycle: Any, ctx: Context) -> str | None:
    if cycle.commissioned_round_id is None:
        return _("Choose the round that will fund these priorities")
    return None


ROUND_LINKED = Guard(
    name="round_linked",
    description=N_("A round is linked to fund the priorities"),
    check=_round_linked,
    reads=("commissioned_round_id",),
)
ROUND_CLOSED = flag_set(
    "commissioned_round_closed",
    N_("The commissioned round has not closed yet"),
    name="round_closed",
    description=N_("The commissioned round is closed"),
)
EVERY_NEED_ANSWERED = nothing_missing(
    "needs_without_response",
    N_("Say what was done about each need first: %(missing)s"),
    name="every_need_answered",
    description=N_("Every need has a “we did” response"),
)
REVISE_REASON = reason_given(N_("Say what needs to change in the needs or priorities"))
REOPEN_REASON = reason_given(N_("Say why the priorities are being reopened"))

COMMISSIONING = Workflow(
    name="commissioning",
    label=N_("Reverse commissioning"),
    noun=N_("commissioning cycle"),
    states=CommissioningState,
    description=N_("Evidence and community voice turned into a round's priorities, and back again."),
    transitions=(
        Transition(
            name="start_engagement", label=N_("Start engagement"),
            source=S.EVIDENCE,
            target=S.ENGAGEMENT,
            roles={FACILITATOR},
            guards=(HAS_EVIDENCE,),
        ),
        Transition(
            name="revisit_evidence", label=N_("Revisit evidence"),
            source=S.ENGAGEMENT,
            target=S.EVIDENCE,
            roles={FACILITATOR},
            description=N_("New service-use data arrived or the evidence needs another look."),
        ),
        Transition(
            name="record_needs", label=N_("Record needs"),
            source=S.ENGAGEMENT,
            target=S.NEEDS,
            roles={FACILITATOR},
            guards=(HAS_ENGAGEMENT,),
        ),
        Transition(
            name="gather_more_feedback", label=N_("Gather more feedback"),
            source=S.NEEDS,
            target=S.ENGAGEMENT,
            roles={FACILITATOR},
        ),
        Transition(
            name="draft_priorities", label=N_("Draft priorities"),
            source=S.NEEDS,
            target=S.PRIORITIES,
            roles={FACILITATOR},
            guards=(HAS_NEEDS,),
        ),
        Transition(
            name="revise_needs", label=N_("Revise needs"),
            source=S.PRIORITIES,
            target=S.NEEDS,
            roles={FACILITATOR, REVIEWER},
            guards=(REVISE_REASON,),
            description=N_("The partnership or the collective wants the needs looked at again."),
        ),
        Transition(
            name="commission", label=N_("Commission"),
            source=S.PRIORITIES,
            target=S.COMMISSIONED,
            roles={FACILITATOR},
            guards=(PRIORITIES_AGREED, ROUND_LINKED),
        ),
        Transition(
            name="reopen_priorities", label=N_("Reopen priorities"),
            source=S.COMMISSIONED,
            target=S.PRIORITIES,
            roles={FACILITATOR},
            guards=(REOPEN_REASON,),
            description=N_("The commissioned round was cancelled or its themes must change."),
        ),
        Transition(
            name="mark_delivered", label=N_("Mark delivered"),
            source=S.COMMISSIONED,
            target=S.DELIVERED,
            roles={FACILITATOR},
            guards=(ROUND_CLOSED,),
        ),
        Transition(
            name="close_loop",
            source=S.DELIVERED,
            target=S.LOOP_CLOSED,
            roles={FACILITATOR},
            label=N_("Publish “we did” and close the loop"),
            guards=(EVERY_NEED_ANSWERED,),
            effects=("publish_you_said_we_did",),
        ),
    ),
)

WORKFLOWS = (COMMISSIONING,)
