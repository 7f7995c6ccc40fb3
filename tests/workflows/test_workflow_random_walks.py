"""Random walks through every workflow (hypothesis stateful testing).

A machine holds a fake subject and the history of moves applied to it. Rules fire random
transitions as random actors (often refused), fire a transition an actor may fire (to walk deep),
change the subject's protocol attributes, and move the clock. Invariants: the subject's state is
always one the workflow uses; the history never skips (each move starts where the last ended);
every refusal explains itself; ``options`` and ``fire`` always agree; a final state has no way out.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

import workflows
from workflows import Context, Move, Role, TransitionError, UnknownTransition, Workflow

HUMAN_ROLES = [role for role in Role if role is not Role.SCHEDULER]


def machine_for(workflow: Workflow, helpers: Any) -> type[RuleBasedStateMachine]:
    attributes = helpers.protocol_attributes(workflow)
    names = [t.name for t in workflow.transitions]
    clocks = [helpers.now - timedelta(days=2), helpers.now, helpers.now + timedelta(days=2)]
    data_values = st.fixed_dictionaries(
        {},
        optional={
            "reason": st.sampled_from(["", "  ", "Because the group asked"]),
            "accepted_by_name": st.sampled_from(["", "Amina Okafor"]),
            "conditions_confirmed": st.sampled_from([True, False, "yes"]),
        },
    )
    contexts = st.one_of(
        st.builds(lambda: "scheduler"),
        st.frozensets(st.sampled_from(HUMAN_ROLES), max_size=3),
    )

    class WorkflowWalk(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.subject = helpers.make_subject(workflow, workflow.initial_state)
            self.history: list[Move] = []
            self.now = helpers.now

        def context(self, who: Any, data: dict[str, Any]) -> Context:
            if who == "scheduler":
                return Context.scheduler(self.now, data)
            return Context(actor="person-1", roles=who, now=self.now, data=data)

        def apply(self, move: Move) -> None:
            # What the app does, minus the database: compare-and-swap, then record history.
            assert move.from_state.value == self.subject.state
            self.subject.state = move.to_state.value
            self.history.append(move)

        def attempt(self, name: str, ctx: Context) -> None:
            before = dict(vars(self.subject))
            known = name in names
            option = workflow.check(self.subject, name, ctx) if known else None
            try:
                move = workflow.fire(self.subject, name, ctx)
            except TransitionError as error:
                assert error.reasons and all(r.strip() for r in error.reasons)
                assert error.reason.strip()
                if known:
                    assert option is not None and type(error) is option.refusal
                    assert error.reasons == option.reasons
                else:
                    assert isinstance(error, UnknownTransition)
                assert vars(self.subject) == before  # a refusal changes nothing
                return
            assert option is not None and option.allowed
            assert vars(self.subject) == before  # the engine never mutates the subject
            assert move.workflow == workflow.name and move.at == self.now and move.actor == ctx.actor
            self.apply(move)

        @rule(name=st.sampled_from([*names, "no_such_transition"]), who=contexts, data=data_values)
        def fire_anything(self, name: str, who: Any, data: dict[str, Any]) -> None:
            self.attempt(name, self.context(who, data))

        @rule(choice=st.data())
        def fire_something_allowed(self, choice: st.DataObject) -> None:
            """Pick an actor and a transition they may fire now, if there is one: walks deep."""
            candidates = []
            for who in ["scheduler", *[frozenset({role}) for role in HUMAN_ROLES]]:
                ctx = self.context(who, helpers.permissive_data)
                candidates += [(o.name, ctx) for o in workflow.options(self.subject, ctx) if o.allowed]
            onward = [(n, c) for n, c in candidates if not workflow.transition(n).target.final]
            # Mostly keep walking: ending in a final state early would leave most states unvisited.
            if onward and choice.draw(st.integers(0, 9)) > 0:
                candidates = onward
            if candidates:
                name, ctx = choice.draw(st.sampled_from(candidates))
                self.attempt(name, ctx)

        @rule(choice=st.data())
        def change_the_subject(self, choice: st.DataObject) -> None:
            if attributes:
                attribute = choice.draw(st.sampled_from(attributes))
                setattr(self.subject, attribute, choice.draw(helpers.strategies[attribute]))

        @rule(now=st.sampled_from(clocks))
        def move_the_clock(self, now: Any) -> None:
            self.now = now

        @rule()
        def scheduler_runs(self) -> None:
            for transition in workflow.due_transitions(self.subject, self.now):
                self.attempt(transition.name, Context.scheduler(self.now))
                break  # one move per run: the next run sees the new state

        @invariant()
        def state_is_in_the_definition(self) -> None:
            assert workflow.state_of(self.subject) in workflow.used_states

        @invariant()
        def history_never_skips(self) -> None:
            previous = workflow.initial_state
            for move in self.history:
                assert move.from_state is previous
                assert move.to_state in workflow.used_states
                assert workflow.transition(move.transition).target is move.to_state
                previous = move.to_state
            assert previous.value == self.subject.state

        @invariant()
        def final_states_have_no_way_out(self) -> None:
            state = workflow.state_of(self.subject)
            if state.final:
                for who in ["scheduler", frozenset(HUMAN_ROLES)]:
                    assert workflow.options(self.subject, self.context(who, {})) == []

    WorkflowWalk.__name__ = f"{workflow.name.title().replace('_', '')}Walk"
    return WorkflowWalk


@pytest.mark.parametrize("name", list(workflows.WORKFLOWS))
def test_random_walks(name: str, helpers: Any) -> None:
    run_state_machine_as_test(
        machine_for(workflows.get(name), helpers),
        settings=settings(
            max_examples=100,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
            database=None,
        ),
    )


@pytest.mark.parametrize("name", list(workflows.WORKFLOWS))
def test_every_state_is_reachable_by_firing_allowed_transitions(name: str, helpers: Any) -> None:
    """Breadth-first over allowed moves on a permissive subject: the definitions really connect."""
    workflow = workflows.get(name)
    reached = {workflow.initial_state}
    frontier = [workflow.initial_state]
    while frontier:
        state = frontier.pop()
        for role in Role:
            subject = helpers.make_subject(workflow, state)
            if role is Role.SCHEDULER:
                # the scheduler acts once the dates it watches have passed
                for attribute in workflow.date_attributes:
                    setattr(subject, attribute, helpers.past)
                ctx = Context.scheduler(helpers.now, helpers.permissive_data)
            else:
                ctx = Context(actor=1, roles={role}, now=helpers.now, data=helpers.permissive_data)
            for option in workflow.options(subject, ctx):
                if option.allowed:
                    target = workflow.fire(subject, option.name, ctx).to_state
                    if target not in reached:
                        reached.add(target)
                        frontier.append(target)
    assert reached == set(workflow.used_states)
