"""The shipped definitions: a table generated from them, key expectations by hand, the protocol.

The generated table covers every (workflow, state, transition, role) with a subject on which
every guard allows: the answer must follow from the definition alone (source state, roles, and
for the scheduler the timed date), ``check`` and ``fire`` must agree, and every refusal must say
why. The hand-written list pins the behaviour people rely on, wording included.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import workflows
from workflows import (
    Context,
    GuardFailed,
    Move,
    NotAllowed,
    Role,
    TransitionError,
    UnknownState,
    UnknownTransition,
    Workflow,
    WrongState,
)
from workflows.definitions.commissioning import CommissioningState
from workflows.definitions.grant import GrantState
from workflows.definitions.proposal import ProposalState
from workflows.definitions.report import ReportState
from workflows.definitions.round import RoundState

NOW = datetime(2027, 3, 3, 17, 0, tzinfo=UTC)

WORKFLOW_NAMES = ["round", "round_light", "proposal", "proposal_partner", "grant", "report", "variation", "commissioning",
                  "join_request", "invitation"]


def context(role: Role, now: datetime = NOW, **data: Any) -> Context:
    if role is Role.SCHEDULER:
        return Context.scheduler(now, data)
    return Context(actor=f"{role.value}-1", roles=frozenset({role}), now=now, data=data)


# -- the registry ------------------------------------------------------------------------------


def test_registry_holds_every_definition() -> None:
    assert list(workflows.WORKFLOWS) == WORKFLOW_NAMES
    for name, workflow in workflows.WORKFLOWS.items():
        assert workflows.get(name) is workflow and workflow.name == name


def test_get_names_the_known_workflows_when_asked_for_an_unknown_one() -> None:
    with pytest.raises(KeyError, match="known workflows: commissioning, grant, invitation"):
        workflows.get("rounds")


def test_effect_names_are_identifiers() -> None:
    names = workflows.effect_names()
    assert "create_grants" in names
    assert all(name.isidentifier() for name in names)


# The strings below are stored in the database. If this test fails, a state value changed:
# that needs a data migration, not an edit here.
STORED_VALUES = {
    RoundState: [
        "draft", "open_for_proposals", "eligibility_check", "voting", "counting",
        "partnership_review", "returned", "ratified", "awarded", "monitoring", "closed",
        "cancelled",
    ],
    ProposalState: [
        "draft", "submitted", "eligible", "ineligible", "in_vote", "selected", "not_selected",
        "ratified", "awarded", "withdrawn",
    ],
    GrantState: [
        "offered", "accepted", "paid", "reporting", "closed", "declined", "withdrawn",
        "funds_returned",
    ],
    ReportState: ["due", "overdue", "submitted", "changes_requested", "accepted", "waived"],
    CommissioningState: [
        "evidence", "engagement", "needs", "priorities", "commissioned", "delivered", "loop_closed",
    ],
}  # fmt: skip


@pytest.mark.parametrize("enum", list(STORED_VALUES), ids=lambda e: e.__name__)
def test_stored_state_values_never_change(enum: type) -> None:
    assert [state.value for state in enum] == STORED_VALUES[enum]
    for state in enum:
        assert state.staff_label.strip() and state.public_label.strip()


def test_round_variants_share_the_enum_and_light_omits_eligibility() -> None:
    round_, light = workflows.get("round"), workflows.get("round_light")
    assert round_.states is light.states is RoundState
    assert set(round_.used_states) - set(light.used_states) == {RoundState.ELIGIBILITY_CHECK}
    with pytest.raises(UnknownState):
        light.coerce_state("eligibility_check")
    with pytest.raises(UnknownTransition):
        light.transition("close_proposals")


def test_round_timed_transitions() -> None:
    timed = {t.name: t.timed_by for t in workflows.get("round").transitions if t.timed}
    assert timed == {
        "open_proposals": "proposals_open_at",
        "close_proposals": "proposals_close_at",
        "open_voting": "voting_opens_at",
        "close_voting": "voting_closes_at",
    }
    for name in timed:
        assert Role.FACILITATOR in workflows.get("round").transition(name).roles


def test_round_can_be_cancelled_from_every_state_before_awarded() -> None:
    for name in ("round", "round_light"):
        workflow = workflows.get(name)
        cancellable = set(workflow.transition("cancel").source)
        before_award = {s for s in workflow.used_states if not s.final} - {
            RoundState.AWARDED,
            RoundState.MONITORING,
        }
        assert cancellable == before_award


def test_proposal_can_be_withdrawn_from_every_step_before_award() -> None:
    workflow = workflows.get("proposal")
    withdrawable = set(workflow.transition("withdraw").source)
    assert withdrawable == {s for s in workflow.used_states if not s.final}


# -- the subject protocol is documented --------------------------------------------------------


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_every_protocol_attribute_and_data_key_is_documented(name: str, helpers: Any) -> None:
    workflow = workflows.get(name)
    docstring = sys.modules[workflow.states.__module__].__doc__ or ""
    for attribute in helpers.protocol_attributes(workflow) + [workflow.state_attribute]:
        assert f"``{attribute}``" in docstring, f"{name}: {attribute} is not documented"
    for key in helpers.data_keys(workflow):
        assert f"``{key}``" in docstring, f"{name}: ctx.data[{key!r}] is not documented"
    for effect in workflow.effect_names:
        assert f"``{effect}``" in docstring, f"{name}: effect {effect} is not documented"


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_the_test_protocol_covers_every_attribute(name: str, helpers: Any) -> None:
    for attribute in helpers.protocol_attributes(workflows.get(name)):
        assert attribute in helpers.permissive and attribute in helpers.strategies


# -- the generated table -----------------------------------------------------------------------


def expected_refusal(
    workflow: Workflow, state: Any, transition: Any, role: Role, subject: Any, now: datetime
) -> type[TransitionError] | None:
    """What the definition alone says, on a subject where every guard allows."""
    if state not in transition.source:
        return WrongState
    if role not in transition.roles:
        return NotAllowed
    if transition.timed and role is Role.SCHEDULER:
        due = getattr(subject, transition.timed_by)
        if due is None or now < due:
            return GuardFailed
    return None


TABLE = [
    (name, state)
    for name in WORKFLOW_NAMES
    for state in workflows.get(name).used_states
]


@pytest.mark.parametrize(("name", "state"), TABLE, ids=[f"{n}-{s.value}" for n, s in TABLE])
def test_generated_table(name: str, state: Any, helpers: Any) -> None:
    workflow = workflows.get(name)
    for transition in workflow.transitions:
        for role in Role:
            subject = helpers.make_subject(workflow, state)
            before = dict(vars(subject))
            ctx = context(role, **helpers.permissive_data)
            case = f"{name}: {state.value} --{transition.name}--> as {role.value}"
            expected = expected_refusal(workflow, state, transition, role, subject, NOW)
            option = workflow.check(subject, transition.name, ctx)
            assert option.refusal is expected, case
            if expected is None:
                move = workflow.fire(subject, transition.name, ctx)
                assert move == Move(
                    workflow=name,
                    transition=transition.name,
                    from_state=state,
                    to_state=transition.target,
                    effects=transition.effects,
                    actor=ctx.actor,
                    at=NOW,
                    data=helpers.permissive_data,
                ), case
            else:
                with pytest.raises(expected) as caught:
                    workflow.fire(subject, transition.name, ctx)
                assert caught.value.reasons == option.reasons, case
                assert all(reason.strip() for reason in option.reasons), case
                if expected is WrongState:
                    assert f"“{state.staff_label}”" in option.reason, case
                if expected is NotAllowed:
                    assert option.reason.startswith(("Only ", "It happens automatically")), case
            assert vars(subject) == before, case


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_options_match_the_table(name: str, helpers: Any) -> None:
    workflow = workflows.get(name)
    for state in workflow.used_states:
        subject = helpers.make_subject(workflow, state)
        for role in Role:
            options = workflow.options(subject, context(role, **helpers.permissive_data))
            assert [o.transition for o in options] == [
                t for t in workflow.transitions if state in t.source
            ]
            if state.final:
                assert options == []


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_due_transitions_are_the_timed_ones_the_scheduler_may_fire(name: str, helpers: Any) -> None:
    workflow = workflows.get(name)
    for state in workflow.used_states:
        subject = helpers.make_subject(workflow, state)
        due = workflow.due_transitions(subject, NOW)
        allowed = [
            o.transition for o in workflow.options(subject, Context.scheduler(NOW)) if o.allowed
        ]
        assert due == [t for t in allowed if t.timed]


# -- key expectations, by hand -----------------------------------------------------------------

A, M, F, R, S = Role.APPLICANT, Role.MEMBER, Role.FACILITATOR, Role.REVIEWER, Role.SCHEDULER
CLOSES = datetime(2027, 3, 3, 17, 0, tzinfo=UTC)
BEFORE = CLOSES - timedelta(minutes=5)
ALLOWED = None

# (workflow, state, transition, role, subject overrides, ctx.data, now, expected)
# expected: ALLOWED, or (refusal class, the exact reason).
KEY_EXPECTATIONS: list[tuple[str, str, str, Role, dict[str, Any], dict[str, Any], datetime, Any]] = [
    # round: who closes voting, and when
    ("round", "voting", "close_voting", M, {"voting_closes_at": CLOSES}, {}, BEFORE,
     (NotAllowed, "Only a facilitator can do this; it happens automatically on 3 March 2027 at 17:00")),
    ("round", "voting", "close_voting", F, {"voting_closes_at": CLOSES}, {}, BEFORE, ALLOWED),
    ("round", "voting", "close_voting", S, {"voting_closes_at": CLOSES}, {}, BEFORE,
     (GuardFailed, "Voting closes on 3 March 2027 at 17:00")),
    ("round", "voting", "close_voting", S, {"voting_closes_at": CLOSES}, {}, CLOSES, ALLOWED),
    ("round", "voting", "close_voting", S, {"voting_closes_at": None}, {}, CLOSES,
     (GuardFailed, "Voting closes: no date has been set")),
    ("round", "voting", "close_voting", S,
     {"voting_closes_at": datetime(2027, 7, 1, 16, 0, tzinfo=UTC)}, {}, CLOSES,
     (GuardFailed, "Voting closes on 1 July 2027 at 17:00")),
    # round: opening needs the settings, voting needs every eligibility decision
    ("round", "draft", "open_proposals", F, {"missing_settings": ["budget", "voting method"]}, {}, CLOSES,
     (GuardFailed, "Before the round can open, fill in: budget and voting method")),
    ("round", "eligibility_check", "open_voting", S, {"proposals_awaiting_eligibility": 2}, {}, CLOSES,
     (GuardFailed, "2 proposals still need an eligibility decision")),
    ("round", "eligibility_check", "open_voting", F, {"proposals_awaiting_eligibility": 1}, {}, CLOSES,
     (GuardFailed, "1 proposal still needs an eligibility decision")),
    ("round_light", "open_for_proposals", "open_voting", F, {}, {}, CLOSES, ALLOWED),
    ("round_light", "open_for_proposals", "close_proposals", F, {}, {}, CLOSES,
     (UnknownTransition, "The round_light workflow has no transition 'close_proposals'")),
    # round: review
    ("round", "counting", "submit_for_review", F, {"count_complete": False}, {}, CLOSES,
     (GuardFailed, "Run the count before submitting the allocation for review")),
    ("round", "partnership_review", "ratify", R, {}, {}, CLOSES, ALLOWED),
    ("round", "partnership_review", "ratify", F, {}, {}, CLOSES,
     (NotAllowed, "Only a reviewer can do this")),
    ("round", "partnership_review", "ratify", R, {"ratifications_count": 1, "ratifications_needed": 3}, {}, CLOSES,
     (GuardFailed, "1 of 3 reviewers has ratified this allocation; it needs 2 more ratifications")),
    ("round", "partnership_review", "return_allocation", R, {}, {}, CLOSES,
     (GuardFailed, "Say why you are returning the allocation")),
    ("round", "partnership_review", "return_allocation", R, {}, {"reason": "  "}, CLOSES,
     (GuardFailed, "Say why you are returning the allocation")),
    ("round", "partnership_review", "return_allocation", R, {}, {"reason": "Pot B is over budget"}, CLOSES, ALLOWED),
    ("round", "returned", "recount", F, {}, {}, CLOSES, ALLOWED),
    ("round", "returned", "revote", F, {"voting_closes_at": BEFORE}, {}, CLOSES,
     (GuardFailed, "Set a new closing date for voting, in the future, before voting again")),
    ("round", "returned", "revote", F, {}, {}, CLOSES, ALLOWED),
    ("round", "monitoring", "close_round", F, {"open_grants_count": 2}, {}, CLOSES,
     (GuardFailed, "2 grants are still open")),
    # round: cancelling
    ("round", "ratified", "cancel", F, {}, {"reason": "The fund was withdrawn"}, CLOSES, ALLOWED),
    ("round", "voting", "cancel", F, {}, {}, CLOSES, (GuardFailed, "Say why you are cancelling the round")),
    ("round", "awarded", "cancel", F, {}, {"reason": "Too late"}, CLOSES,
     (WrongState, "This round is at “Awarded”; “Cancel the round” is only possible from “Draft”, "
                  "“Open for proposals”, “Eligibility check”, “Voting”, “Counting”, "
                  "“Partnership review”, “Returned by the partnership” or “Ratified”")),
    ("round", "voting", "cancel", M, {}, {"reason": "x"}, CLOSES, (NotAllowed, "Only a facilitator can do this")),
    # proposal: submitting
    ("proposal", "draft", "submit", A, {}, {}, CLOSES, ALLOWED),
    ("proposal", "draft", "submit", M, {}, {}, CLOSES, (NotAllowed, "Only an applicant can do this")),
    ("proposal", "draft", "submit", A, {"budget_lines_total": 90_000, "amount_requested": 100_000}, {}, CLOSES,
     (GuardFailed, "The budget lines add up to £900, but you asked for £1,000")),
    ("proposal", "draft", "submit", A, {"missing_fields": ["project title", "summary"]}, {}, CLOSES,
     (GuardFailed, "Answer these questions first: project title and summary")),
    ("proposal", "draft", "submit", A, {"round_open_for_proposals": False}, {}, CLOSES,
     (GuardFailed, "The round is not open for proposals")),
    ("proposal", "submitted", "reopen", A, {}, {}, CLOSES, ALLOWED),
    ("proposal", "submitted", "reopen", A, {"round_open_for_proposals": False}, {}, CLOSES,
     (GuardFailed, "The round is not open for proposals")),
    # proposal: eligibility and the count
    ("proposal", "submitted", "mark_ineligible", F, {}, {}, CLOSES,
     (GuardFailed, "Say why the proposal is not eligible")),
    ("proposal", "submitted", "mark_eligible", S, {}, {}, CLOSES, ALLOWED),
    ("proposal", "in_vote", "mark_selected", S, {}, {}, CLOSES, ALLOWED),
    ("proposal", "in_vote", "mark_not_selected", F, {}, {}, CLOSES, ALLOWED),
    ("proposal", "not_selected", "reset_count", S, {}, {}, CLOSES, ALLOWED),
    ("proposal", "selected", "reset_count", F, {}, {}, CLOSES, ALLOWED),
    ("proposal", "in_vote", "mark_selected", M, {}, {}, CLOSES,
     (NotAllowed, "Only a facilitator can do this")),
    ("proposal", "selected", "ratify", R, {}, {}, CLOSES,
     (NotAllowed, "Only the system can do this; it happens automatically")),
    # proposal: withdrawing
    ("proposal", "submitted", "withdraw", A, {}, {}, CLOSES, ALLOWED),
    ("proposal", "ratified", "withdraw", A, {}, {}, CLOSES, ALLOWED),
    ("proposal", "awarded", "withdraw", A, {}, {}, CLOSES,
     (WrongState, "This proposal is at “Awarded”; “Withdraw the proposal” is only possible from "
                  "“Draft”, “Submitted”, “Eligible”, “Not eligible”, “In the vote”, "
                  "“Selected by the vote”, “Not selected by the vote” or “Ratified”")),
    ("proposal", "submitted", "withdraw", F, {}, {}, CLOSES,
     (GuardFailed, "Say why the proposal is being withdrawn")),
    ("proposal", "submitted", "withdraw", M, {}, {"reason": "x"}, CLOSES,
     (NotAllowed, "Only an applicant or a facilitator can do this")),
    # grant
    ("grant", "offered", "accept", A, {}, {"accepted_by_name": "Amina Okafor", "conditions_confirmed": True},
     BEFORE, ALLOWED),
    ("grant", "offered", "accept", A, {}, {"conditions_confirmed": True}, BEFORE,
     (GuardFailed, "Type your full name to accept the grant")),
    ("grant", "offered", "accept", A, {}, {"accepted_by_name": "Amina", "conditions_confirmed": "yes"}, BEFORE,
     (GuardFailed, "Confirm that you agree to the grant conditions")),
    ("grant", "offered", "accept", A, {"offer_expires_at": CLOSES},
     {"accepted_by_name": "Amina", "conditions_confirmed": True}, CLOSES,
     (GuardFailed, "This offer expired on 3 March 2027 at 17:00")),
    ("grant", "offered", "accept", F, {}, {"accepted_by_name": "Amina", "conditions_confirmed": True}, BEFORE,
     (NotAllowed, "Only an applicant can do this")),
    ("grant", "offered", "withdraw_offer", S, {"offer_expires_at": CLOSES}, {}, CLOSES, ALLOWED),
    ("grant", "offered", "withdraw_offer", S, {"offer_expires_at": CLOSES}, {}, BEFORE,
     (GuardFailed, "The offer expires on 3 March 2027 at 17:00")),
    ("grant", "offered", "withdraw_offer", F, {}, {}, BEFORE,
     (GuardFailed, "Say why you are withdrawing the offer")),
    ("grant", "offered", "decline", A, {}, {}, CLOSES, ALLOWED),
    ("grant", "offered", "decline", F, {}, {}, CLOSES,
     (GuardFailed, "Say why the grant is being declined on the applicant's behalf")),
    ("grant", "reporting", "close_grant", F, {"reports_outstanding": 1}, {}, CLOSES,
     (GuardFailed, "1 report is still outstanding")),
    ("grant", "paid", "record_funds_returned", F, {}, {"reason": "Project stopped"}, CLOSES, ALLOWED),
    ("grant", "closed", "record_funds_returned", F, {}, {"reason": "x"}, CLOSES,
     (WrongState, "This grant is at “Closed”; “Record funds returned” is only possible from “Paid” or “Reporting”")),
    # report
    ("report", "due", "mark_overdue", S, {"due_at": CLOSES}, {}, CLOSES, ALLOWED),
    ("report", "due", "mark_overdue", S, {"due_at": CLOSES}, {}, BEFORE,
     (GuardFailed, "The report is due on 3 March 2027 at 17:00")),
    ("report", "due", "mark_overdue", F, {"due_at": CLOSES}, {}, CLOSES,
     (NotAllowed, "It happens automatically on 3 March 2027 at 17:00")),
    ("report", "overdue", "submit", A, {}, {}, CLOSES, ALLOWED),
    ("report", "changes_requested", "submit", A, {"missing_fields": ["what you spent"]}, {}, CLOSES,
     (GuardFailed, "Answer these questions first: what you spent")),
    ("report", "submitted", "request_changes", F, {}, {}, CLOSES,
     (GuardFailed, "Say what needs to change in the report")),
    ("report", "submitted", "accept", A, {}, {}, CLOSES, (NotAllowed, "Only a facilitator can do this")),
    # a joint proposal waits for every partner
    ("proposal", "draft", "submit", A, {"partners_unconfirmed": ["Ladywood Mums", "Soho Youth"]}, {}, CLOSES,
     (GuardFailed, "Every partner must accept first; still to answer: Ladywood Mums and Soho Youth")),
    ("proposal_partner", "invited", "accept", A, {}, {}, CLOSES, ALLOWED),
    ("proposal_partner", "invited", "accept", F, {}, {}, CLOSES, (NotAllowed, "Only an applicant can do this")),
    ("proposal_partner", "declined", "remove", A, {}, {}, CLOSES,
     (WrongState, "This partner is at “Declined”; “Remove the partner” is only possible from “Invited” or "
                  "“Taking part”")),
    # variation: a facilitator approves small changes only; reviewers approve once enough have
    ("variation", "draft", "submit", A, {}, {}, CLOSES, ALLOWED),
    ("variation", "draft", "submit", F, {}, {}, CLOSES, (NotAllowed, "Only an applicant can do this")),
    ("variation", "requested", "approve", F, {}, {}, CLOSES, ALLOWED),
    ("variation", "requested", "approve", F, {"needs_partnership": True}, {}, CLOSES,
     (GuardFailed, "This change needs the partnership's approval")),
    ("variation", "requested", "approve", A, {}, {}, CLOSES, (NotAllowed, "Only a facilitator can do this")),
    ("variation", "requested", "approve", R, {}, {}, CLOSES, (NotAllowed, "Only a facilitator can do this")),
    ("variation", "requested", "refuse", F, {}, {}, CLOSES, (GuardFailed, "Say why the change is refused")),
    ("variation", "requested", "ask_for_information", F, {}, {}, CLOSES, (GuardFailed, "Say what you need to know")),
    ("variation", "with_partnership", "approve", F, {}, {}, CLOSES,
     (WrongState, "This variation is at “With the partnership”; “Approve the change” is only possible from "
                  "“Waiting for the facilitator”")),
    ("variation", "with_partnership", "partnership_approves", R, {"approvals_count": 1, "approvals_needed": 2}, {},
     CLOSES, (GuardFailed, "1 of 2 reviewers has approved this change")),
    ("variation", "with_partnership", "partnership_approves", R, {"approvals_count": 2, "approvals_needed": 2}, {},
     CLOSES, ALLOWED),
    ("variation", "with_partnership", "partnership_approves", F, {}, {}, CLOSES,
     (NotAllowed, "Only a reviewer can do this")),
    ("variation", "with_partnership", "partnership_refuses", R, {}, {"reason": "Outside the round's purpose"}, CLOSES,
     ALLOWED),
    ("variation", "more_information", "resubmit", A, {}, {}, CLOSES, ALLOWED),
    ("variation", "approved", "withdraw", A, {}, {}, CLOSES,
     (WrongState, "This variation is at “Approved”; “Withdraw the request” is only possible from “Waiting for "
                  "the facilitator”, “With the partnership” or “More information asked for”")),
    # commissioning
    ("commissioning", "evidence", "start_engagement", F, {"evidence_datasets_count": 0}, {}, CLOSES,
     (GuardFailed, "Add at least one service-use dataset before starting engagement")),
    ("commissioning", "needs", "gather_more_feedback", F, {}, {}, CLOSES, ALLOWED),
    ("commissioning", "priorities", "revise_needs", R, {}, {"reason": "Add mental health"}, CLOSES, ALLOWED),
    ("commissioning", "priorities", "commission", F, {"priorities_agreed": False, "commissioned_round_id": None},
     {}, CLOSES,
     (GuardFailed, "The partnership has not agreed these priorities yet; "
                   "Choose the round that will fund these priorities")),
    ("commissioning", "priorities", "commission", R, {}, {}, CLOSES, (NotAllowed, "Only a facilitator can do this")),
    ("commissioning", "delivered", "close_loop", F, {"needs_without_response": ["Leaflets", "Clinic hours"]}, {},
     CLOSES, (GuardFailed, "Say what was done about each need first: Leaflets and Clinic hours")),
    # join requests: only a facilitator decides, and declining needs a reason
    ("join_request", "pending", "approve", A, {}, {}, BEFORE,
     (NotAllowed, "Only a facilitator can do this")),
    ("join_request", "pending", "approve", F, {}, {}, BEFORE, ALLOWED),
    ("join_request", "pending", "decline", F, {}, {}, BEFORE,
     (GuardFailed, "Say why you are declining: the organisation will see your reason")),
    ("join_request", "pending", "withdraw", A, {}, {}, BEFORE, ALLOWED),
    ("join_request", "approved", "withdraw", A, {}, {}, BEFORE,
     (WrongState, "This join request is at “Approved”; “Withdraw the request” is only possible from “Waiting for a decision”")),
    # invitations: accepted before they expire; the scheduler expires them after
    ("invitation", "sent", "accept", M, {"expires_at": CLOSES}, {}, BEFORE, ALLOWED),
    ("invitation", "sent", "accept", M, {"expires_at": CLOSES}, {}, CLOSES,
     (GuardFailed, "This invitation expired on 3 March 2027 at 17:00. Ask for a new one.")),
    ("invitation", "sent", "expire", S, {"expires_at": CLOSES}, {}, CLOSES, ALLOWED),
    ("invitation", "sent", "expire", F, {"expires_at": CLOSES}, {}, CLOSES,
     (NotAllowed, "It happens automatically on 3 March 2027 at 17:00")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "state", "transition", "role", "overrides", "data", "now", "expected"),
    KEY_EXPECTATIONS,
    ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3].value}-{i}" for i, c in enumerate(KEY_EXPECTATIONS)],
)
def test_key_expectations(
    name: str,
    state: str,
    transition: str,
    role: Role,
    overrides: dict[str, Any],
    data: dict[str, Any],
    now: datetime,
    expected: Any,
    helpers: Any,
) -> None:
    workflow = workflows.get(name)
    subject = helpers.make_subject(workflow, state, **overrides)
    ctx = context(role, now, **data)
    if expected is ALLOWED:
        move = workflow.fire(subject, transition, ctx)
        assert move.from_state.value == state
        assert move.to_state is workflow.transition(transition).target
        assert workflow.check(subject, transition, ctx).allowed
        return
    refusal, reason = expected
    with pytest.raises(refusal) as caught:
        workflow.fire(subject, transition, ctx)
    assert caught.value.reason == reason


def test_issue_awards_creates_grants() -> None:
    assert workflows.get("round").transition("issue_awards").effects == ("create_grants",)


def test_a_returned_allocation_records_the_reason_in_the_move(helpers: Any) -> None:
    workflow = workflows.get("round")
    subject = helpers.make_subject(workflow, "partnership_review")
    move = workflow.fire(subject, "return_allocation", context(R, reason="Pot B is over budget"))
    assert move.reason == "Pot B is over budget"
    assert move.effects == ("notify_facilitators",)
