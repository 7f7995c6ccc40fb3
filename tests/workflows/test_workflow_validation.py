"""Broken definitions are refused when they are built, with the workflow and the problem named."""

from __future__ import annotations

from typing import Any

import pytest

import workflows
from workflows import DefinitionError, Guard, Role, StateSpec, Transition, Workflow, WorkflowState


class Door(WorkflowState):
    CLOSED = StateSpec("closed", "Closed", "Closed", initial=True)
    OPEN = StateSpec("open", "Open", "Open")
    LOCKED = StateSpec("locked", "Locked", "Locked")
    GONE = StateSpec("gone", "Removed", "Removed", final=True)


D = Door


def good_transitions() -> list[Transition]:
    return [
        Transition("open", D.CLOSED, D.OPEN, {Role.MEMBER}),
        Transition("close", D.OPEN, D.CLOSED, {Role.MEMBER}),
        Transition("lock", D.CLOSED, D.LOCKED, {Role.FACILITATOR}),
        Transition("unlock", D.LOCKED, D.CLOSED, {Role.FACILITATOR}),
        Transition("remove", (D.CLOSED, D.OPEN, D.LOCKED), D.GONE, {Role.ADMIN}),
    ]


def build(transitions: list[Any] | None = None, **kwargs: Any) -> Workflow:
    options: dict[str, Any] = {"name": "door", "label": "Door", "states": Door}
    options.update(kwargs)
    return Workflow(transitions=tuple(good_transitions() if transitions is None else transitions), **options)


def problems_of(**kwargs: Any) -> tuple[str, ...]:
    with pytest.raises(DefinitionError) as caught:
        build(**kwargs)
    error = caught.value
    assert error.workflow == kwargs.get("name", "door")
    assert f"Workflow {error.workflow!r} is not valid" in str(error)
    return error.problems


def test_the_good_definition_is_valid() -> None:
    assert build().problems() == []


def test_unknown_state() -> None:
    class Other(WorkflowState):
        ELSEWHERE = StateSpec("elsewhere", "Elsewhere", "Elsewhere", initial=True)

    transitions = good_transitions() + [Transition("teleport", D.OPEN, Other.ELSEWHERE, {"member"})]
    (problem,) = problems_of(transitions=transitions)
    assert problem.startswith("transition 'teleport' goes to unknown state")


def test_a_plain_string_is_not_a_state() -> None:
    transitions = good_transitions() + [Transition("slam", "open", D.CLOSED, {"member"})]
    (problem,) = problems_of(transitions=transitions)
    assert problem == "transition 'slam' starts from unknown state 'open'"


def test_unknown_role() -> None:
    transitions = good_transitions() + [Transition("knock", D.CLOSED, D.OPEN, {"faciliator"})]
    (problem,) = problems_of(transitions=transitions)
    assert problem.startswith("transition 'knock' names unknown role 'faciliator' (known roles: applicant")


def test_no_roles() -> None:
    transitions = good_transitions() + [Transition("knock", D.CLOSED, D.OPEN, set())]
    assert problems_of(transitions=transitions) == ("transition 'knock' names no roles, so nobody could fire it",)


def test_unreachable_state() -> None:
    transitions = [t for t in good_transitions() if t.name != "lock"]
    assert problems_of(transitions=transitions) == (
        "state 'locked' cannot be reached from the initial state 'closed'",
    )


def test_non_final_state_with_no_way_out() -> None:
    transitions = [t for t in good_transitions() if t.name not in {"unlock", "remove"}]
    transitions.append(Transition("remove", (D.CLOSED, D.OPEN), D.GONE, {"admin"}))
    problems = problems_of(transitions=transitions)
    assert "state 'locked' is not final but has no transitions out" in problems


def test_states_that_can_never_finish() -> None:
    # "open" and "locked" have ways out, but only into each other: a trap, not a workflow.
    trap = [
        Transition("remove", D.CLOSED, D.GONE, {"admin"}),
        Transition("open", D.CLOSED, D.OPEN, {"member"}),
        Transition("lock", D.OPEN, D.LOCKED, {"facilitator"}),
        Transition("unlock", D.LOCKED, D.OPEN, {"facilitator"}),
    ]
    assert problems_of(transitions=trap) == (
        "state 'open' can never reach a final state",
        "state 'locked' can never reach a final state",
    )


def test_final_state_with_transitions_out() -> None:
    transitions = good_transitions() + [Transition("restore", D.GONE, D.CLOSED, {"admin"})]
    assert problems_of(transitions=transitions) == ("final state 'gone' has transitions out: restore",)


def test_duplicate_transition_names() -> None:
    transitions = good_transitions() + [Transition("open", D.LOCKED, D.OPEN, {"admin"})]
    assert problems_of(transitions=transitions) == ("duplicate transition name 'open'",)


def test_more_than_one_initial_state() -> None:
    class TwoStarts(WorkflowState):
        A = StateSpec("a", "A", "A", initial=True)
        B = StateSpec("b", "B", "B", initial=True)
        END = StateSpec("end", "End", "End", final=True)

    transitions = [
        Transition("a_to_b", TwoStarts.A, TwoStarts.B, {"member"}),
        Transition("finish", TwoStarts.B, TwoStarts.END, {"member"}),
    ]
    problems = problems_of(states=TwoStarts, transitions=transitions, name="two_starts")
    assert problems == ("there is more than one initial state: a, b",)


def test_no_initial_and_no_final_state() -> None:
    class Flat(WorkflowState):
        A = StateSpec("a", "A", "A")
        B = StateSpec("b", "B", "B")

    transitions = [
        Transition("there", Flat.A, Flat.B, {"member"}),
        Transition("back", Flat.B, Flat.A, {"member"}),
    ]
    problems = problems_of(states=Flat, transitions=transitions)
    assert "there is no initial state" in problems
    assert "there is no final state" in problems


def test_timed_transition_without_its_date_attribute() -> None:
    transitions = good_transitions() + [Transition("auto_lock", D.CLOSED, D.LOCKED, {"facilitator"}, timed_by="")]
    assert problems_of(transitions=transitions) == (
        "timed transition 'auto_lock' has no date attribute name (timed_by='')",
    )


def test_timed_by_must_be_an_attribute_name() -> None:
    transitions = good_transitions() + [
        Transition("auto_lock", D.CLOSED, D.LOCKED, {"facilitator"}, timed_by="locks at")
    ]
    (problem,) = problems_of(transitions=transitions)
    assert problem.startswith("timed transition 'auto_lock' has no date attribute name")


def test_shared_state_values() -> None:
    class Aliased(WorkflowState):
        START = StateSpec("start", "Start", "Start", initial=True)
        BEGIN = StateSpec("start", "Begin", "Begin")
        END = StateSpec("end", "End", "End", final=True)

    transitions = [Transition("finish", Aliased.START, Aliased.END, {"member"})]
    assert problems_of(states=Aliased, transitions=transitions) == (
        "states START and BEGIN share the value 'start'",
    )


def test_bad_names_guards_and_effects() -> None:
    transitions = good_transitions() + [
        Transition("knock knock", D.CLOSED, D.OPEN, {"member"}),
        Transition("ring", D.CLOSED, D.OPEN, {"member"}, guards=("is_home",), effects=("ding dong",)),  # type: ignore[arg-type]
    ]
    problems = problems_of(transitions=transitions)
    assert "transition name 'knock knock' is not a valid identifier" in problems
    assert "transition 'ring' has a guard that is not a Guard: 'is_home'" in problems
    assert "transition 'ring' has an effect 'ding dong' that is not an identifier" in problems


def test_states_must_be_a_workflow_state_enum() -> None:
    assert problems_of(states=dict) == ("states must be a WorkflowState enum, got <class 'dict'>",)


def test_every_problem_is_reported_at_once() -> None:
    transitions = good_transitions() + [
        Transition("open", D.LOCKED, D.OPEN, {"admin"}),
        Transition("restore", D.GONE, D.CLOSED, {"wizard"}),
    ]
    problems = problems_of(transitions=transitions)
    assert len(problems) == 3
    assert any("duplicate transition name 'open'" in p for p in problems)
    assert any("unknown role 'wizard'" in p for p in problems)
    assert any("final state 'gone' has transitions out: restore" in p for p in problems)


# -- variants that use part of an enum ---------------------------------------------------------


def test_a_variant_may_omit_states_and_is_validated_over_the_rest() -> None:
    transitions = [t for t in good_transitions() if t.name not in {"lock", "unlock", "remove"}]
    transitions.append(Transition("remove", (D.CLOSED, D.OPEN), D.GONE, {"admin"}))
    # Without omitting "locked" it is unreachable; omitting it makes the variant valid.
    assert "state 'locked' cannot be reached from the initial state 'closed'" in problems_of(
        transitions=transitions
    )
    variant = build(transitions=transitions, name="door_simple", omit={D.LOCKED})
    assert variant.used_states == (D.CLOSED, D.OPEN, D.GONE)


def test_a_variant_may_not_use_a_state_it_omits() -> None:
    problems = problems_of(omit={D.LOCKED})
    assert "transition 'lock' goes to state 'locked', which this workflow omits" in problems
    assert "transition 'unlock' starts from state 'locked', which this workflow omits" in problems


def test_omitting_the_initial_state_leaves_none() -> None:
    problems = problems_of(omit={D.CLOSED})
    assert "there is no initial state" in problems


# -- the registry ------------------------------------------------------------------------------


def test_registered_definitions_are_valid() -> None:
    for workflow in workflows.WORKFLOWS.values():
        assert workflow.problems() == [], workflow.name


def test_guard_objects_describe_themselves() -> None:
    for workflow in workflows.WORKFLOWS.values():
        for transition in workflow.transitions:
            for guard in transition.guards:
                assert isinstance(guard, Guard)
                assert guard.name.isidentifier() and guard.description.strip()
