"""The engine itself, on a small hand-made workflow: contexts, states, firing, options, timing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from workflows import (
    Context,
    Guard,
    GuardFailed,
    Move,
    NotAllowed,
    Role,
    StateSpec,
    Transition,
    TransitionError,
    UnknownState,
    UnknownTransition,
    Workflow,
    WorkflowState,
    WrongState,
    format_money,
    format_when,
)
from workflows.text import join_words, plural

NOW = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)


class Lamp(WorkflowState):
    OFF = StateSpec("off", "Off", "Dark", initial=True)
    ON = StateSpec("on", "On", "Lit")
    BROKEN = StateSpec("broken", "Broken", "Out of order", final=True)


def _bulb_fitted(lamp: object, ctx: Context) -> str | None:
    return None if getattr(lamp, "bulb") else "Fit a bulb first"


BULB = Guard("bulb_fitted", "A bulb is fitted", _bulb_fitted, reads=("bulb",))

LAMP = Workflow(
    name="lamp",
    label="Lamp",
    noun="lamp",
    states=Lamp,
    transitions=(
        Transition("switch_on", Lamp.OFF, Lamp.ON, {Role.MEMBER}, guards=(BULB,), effects=("glow",)),
        Transition(
            "switch_off",
            Lamp.ON,
            Lamp.OFF,
            {Role.FACILITATOR},
            timed_by="lights_out_at",
            timed_label="Lights go out",
        ),
        Transition("smash", (Lamp.OFF, Lamp.ON), Lamp.BROKEN, {"member", "facilitator"}),
    ),
)


def lamp(state: str = "off", *, bulb: bool = True, lights_out_at: datetime | None = None) -> SimpleNamespace:
    return SimpleNamespace(state=state, bulb=bulb, lights_out_at=lights_out_at)


def member(**data: object) -> Context:
    return Context(actor=42, roles=frozenset({"member"}), now=NOW, data=data)


def facilitator() -> Context:
    return Context(actor="fac-1", roles=frozenset({Role.FACILITATOR}), now=NOW)


# -- states ------------------------------------------------------------------------------------


def test_state_members_are_their_stored_strings_with_labels_and_flags() -> None:
    assert Lamp.ON == "on"
    assert Lamp("on") is Lamp.ON
    assert (Lamp.ON.staff_label, Lamp.ON.public_label) == ("On", "Lit")
    assert Lamp.OFF.initial and not Lamp.OFF.final
    assert Lamp.BROKEN.final and not Lamp.BROKEN.initial


def test_state_members_must_be_declared_with_statespec() -> None:
    with pytest.raises(TypeError, match="StateSpec"):

        class Bad(WorkflowState):
            A = "a"


def test_state_of_reads_the_string_value_or_the_member() -> None:
    assert LAMP.state_of(lamp("on")) is Lamp.ON
    assert LAMP.state_of(SimpleNamespace(state=Lamp.BROKEN)) is Lamp.BROKEN


@pytest.mark.parametrize("stored", ["lit", "", None, 3, "ON"])
def test_state_of_raises_on_unknown_values(stored: object) -> None:
    with pytest.raises(UnknownState, match="lamp"):
        LAMP.state_of(SimpleNamespace(state=stored))


def test_a_member_of_another_enum_is_not_accepted_even_with_the_same_value() -> None:
    class Other(WorkflowState):
        ON = StateSpec("on", "On", "On", initial=True)

    with pytest.raises(UnknownState):
        LAMP.coerce_state(Other.ON)


def test_state_attribute_can_be_renamed() -> None:
    other = Workflow(
        name="lamp_status",
        label="Lamp",
        states=Lamp,
        transitions=LAMP.transitions,
        state_attribute="status",
    )
    assert other.state_of(SimpleNamespace(status="on")) is Lamp.ON


# -- context -----------------------------------------------------------------------------------


def test_context_normalises_roles_and_rejects_unknown_ones() -> None:
    ctx = Context(actor=1, roles=["member", Role.REVIEWER], now=NOW)
    assert ctx.roles == frozenset({Role.MEMBER, Role.REVIEWER})
    with pytest.raises(ValueError, match="unknown role 'faciliator'"):
        Context(actor=1, roles={"faciliator"}, now=NOW)
    with pytest.raises(TypeError):
        Context(actor=1, roles="member", now=NOW)


def test_context_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Context(actor=1, roles=frozenset(), now=datetime(2027, 3, 3, 12))


@pytest.mark.parametrize(
    ("actor", "roles"),
    [("scheduler", {"member"}), (5, {"scheduler"}), ("scheduler", {"scheduler", "facilitator"})],
)
def test_the_scheduler_role_belongs_to_the_scheduler_actor_alone(actor: object, roles: set[str]) -> None:
    with pytest.raises(ValueError, match="scheduler"):
        Context(actor=actor, roles=roles, now=NOW)


def test_scheduler_context() -> None:
    ctx = Context.scheduler(NOW, {"cause": "round ratified"})
    assert ctx.actor == "scheduler" and ctx.is_scheduler
    assert ctx.roles == {Role.SCHEDULER}
    assert ctx.data == {"cause": "round ratified"}


# -- firing ------------------------------------------------------------------------------------


def test_fire_returns_a_move_and_leaves_the_subject_alone() -> None:
    subject = lamp()
    before = dict(vars(subject))
    move = LAMP.fire(subject, "switch_on", member(note="evening"))
    assert move == Move(
        workflow="lamp",
        transition="switch_on",
        from_state=Lamp.OFF,
        to_state=Lamp.ON,
        effects=("glow",),
        actor=42,
        at=NOW,
        data={"note": "evening"},
    )
    assert vars(subject) == before
    assert move.reason is None


def test_move_data_is_a_copy_and_reason_is_exposed() -> None:
    data = {"reason": "  Smashed by the wind "}
    move = LAMP.fire(lamp(), "smash", Context(actor=1, roles={"member"}, now=NOW, data=data))
    data["reason"] = "changed later"
    assert move.reason == "  Smashed by the wind "


def test_unknown_transition() -> None:
    with pytest.raises(UnknownTransition) as caught:
        LAMP.fire(lamp(), "explode", member())
    assert caught.value.reason == "The lamp workflow has no transition 'explode'"
    assert isinstance(caught.value, TransitionError)


def test_wrong_state_names_the_current_and_possible_states() -> None:
    with pytest.raises(WrongState) as caught:
        LAMP.fire(lamp("on"), "switch_on", member())
    assert caught.value.reason == "This lamp is at “On”; “Switch on” is only possible from “Off”"
    assert (caught.value.workflow, caught.value.transition) == ("lamp", "switch_on")


def test_final_states_refuse_everything() -> None:
    for transition in LAMP.transitions:
        with pytest.raises(WrongState):
            LAMP.fire(lamp("broken"), transition.name, facilitator())


def test_role_missing() -> None:
    with pytest.raises(NotAllowed, match="^Only a member can do this$"):
        LAMP.fire(lamp(), "switch_on", facilitator())
    nobody = Context(actor=7, roles=frozenset(), now=NOW)
    with pytest.raises(NotAllowed, match="^Only a member or a facilitator can do this$"):
        LAMP.fire(lamp(), "smash", nobody)


def test_guard_refusal_carries_the_reason() -> None:
    with pytest.raises(GuardFailed) as caught:
        LAMP.fire(lamp(bulb=False), "switch_on", member())
    assert caught.value.reasons == ("Fit a bulb first",)
    assert str(caught.value) == "Fit a bulb first"


def test_all_guard_reasons_are_collected() -> None:
    def never(subject: object, ctx: Context) -> str | None:
        return "Not today"

    workflow = Workflow(
        name="lamp_two_guards",
        label="Lamp",
        states=Lamp,
        transitions=(
            Transition("switch_on", Lamp.OFF, Lamp.ON, {"member"}, guards=(BULB, Guard("never", "Never", never))),
            *LAMP.transitions[1:],
        ),
    )
    option = workflow.check(lamp(bulb=False), "switch_on", member())
    assert option.reasons == ("Fit a bulb first", "Not today")
    assert option.reason == "Fit a bulb first; Not today"


@pytest.mark.parametrize("bad", ["", "   ", 0, False])
def test_a_guard_that_refuses_without_a_reason_is_a_bug(bad: object) -> None:
    guard = Guard("mute", "Says nothing", lambda subject, ctx: bad)
    with pytest.raises(TypeError, match="mute"):
        guard(lamp(), member())


def test_transition_error_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="needs a reason"):
        GuardFailed("lamp", "switch_on", [])
    with pytest.raises(ValueError, match="needs a reason"):
        NotAllowed("lamp", "switch_on", [" "])


# -- options and checks ------------------------------------------------------------------------


def test_options_list_every_way_out_with_reasons() -> None:
    options = LAMP.options(lamp("on", lights_out_at=NOW + timedelta(hours=5)), member())
    assert [(o.name, o.allowed) for o in options] == [("switch_off", False), ("smash", True)]
    switch_off = options[0]
    assert switch_off.refusal is NotAllowed
    assert switch_off.label == "Switch off"
    assert switch_off.reason == (
        "Only a facilitator can do this; it happens automatically on 3 March 2027 at 17:00"
    )
    assert options[1].reason is None and options[1].reasons == ()


def test_options_for_a_final_state_are_empty() -> None:
    assert LAMP.options(lamp("broken"), facilitator()) == []


def test_check_answers_for_any_transition() -> None:
    assert LAMP.check(lamp(), "switch_on", member()).allowed
    assert LAMP.check(lamp("on"), "switch_on", member()).refusal is WrongState
    with pytest.raises(UnknownTransition):
        LAMP.check(lamp(), "nope", member())


# -- timed transitions -------------------------------------------------------------------------


def test_timed_transitions_always_allow_the_scheduler_role() -> None:
    assert Role.SCHEDULER in LAMP.transition("switch_off").roles
    assert LAMP.transition("switch_off").human_roles == (Role.FACILITATOR,)


def test_scheduler_fires_a_timed_transition_only_after_its_date() -> None:
    due = NOW + timedelta(minutes=1)
    with pytest.raises(GuardFailed, match="^Lights go out on 3 March 2027 at 12:01$"):
        LAMP.fire(lamp("on", lights_out_at=due), "switch_off", Context.scheduler(NOW))
    move = LAMP.fire(lamp("on", lights_out_at=due), "switch_off", Context.scheduler(due))
    assert (move.actor, move.to_state) == ("scheduler", Lamp.OFF)


def test_scheduler_waits_when_no_date_is_set() -> None:
    with pytest.raises(GuardFailed, match="^Lights go out: no date has been set$"):
        LAMP.fire(lamp("on"), "switch_off", Context.scheduler(NOW))


def test_a_human_role_may_fire_a_timed_transition_early() -> None:
    move = LAMP.fire(lamp("on", lights_out_at=NOW + timedelta(days=9)), "switch_off", facilitator())
    assert move.to_state is Lamp.OFF


def test_the_scheduler_cannot_fire_untimed_transitions_it_is_not_listed_on() -> None:
    with pytest.raises(NotAllowed, match="^Only a member or a facilitator can do this$"):
        LAMP.fire(lamp(), "smash", Context.scheduler(NOW))


def test_due_transitions() -> None:
    subject = lamp("on", lights_out_at=NOW)
    assert [t.name for t in LAMP.due_transitions(subject, NOW)] == ["switch_off"]
    assert LAMP.due_transitions(subject, NOW - timedelta(seconds=1)) == []
    assert LAMP.due_transitions(lamp("on"), NOW) == []
    assert LAMP.due_transitions(lamp("off"), NOW) == []


def test_a_naive_or_wrong_typed_date_is_an_error_not_a_silent_no() -> None:
    with pytest.raises(TypeError, match="lights_out_at must be a timezone-aware datetime"):
        LAMP.due_transitions(lamp("on", lights_out_at=datetime(2027, 1, 1)), NOW)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="lights_out_at"):
        LAMP.due_transitions(SimpleNamespace(state="on", bulb=True, lights_out_at="tomorrow"), NOW)


def test_default_timed_label() -> None:
    transition = Transition("close", Lamp.ON, Lamp.OFF, {"facilitator"}, timed_by="closes_at")
    assert transition.timed_label == "“Close” is due"


# -- workflow facts ----------------------------------------------------------------------------


def test_workflow_facts() -> None:
    assert LAMP.initial_state is Lamp.OFF
    assert LAMP.final_states == (Lamp.BROKEN,)
    assert LAMP.date_attributes == {"lights_out_at"}
    assert LAMP.effect_names == {"glow"}
    assert [t.name for t in LAMP.transitions_from("on")] == ["switch_off", "smash"]


# -- wording helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2027, 3, 3, 17, 0, tzinfo=UTC), "3 March 2027 at 17:00"),
        (datetime(2027, 7, 1, 16, 30, tzinfo=UTC), "1 July 2027 at 17:30"),  # British Summer Time
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "31 December 2026 at 23:59"),
    ],
)
def test_format_when_shows_london_time(moment: datetime, shown: str) -> None:
    assert format_when(moment) == shown


def test_format_when_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        format_when(datetime(2027, 3, 3, 17, 0))


@pytest.mark.parametrize(
    ("pence", "shown"),
    [(100_000, "£1,000"), (123_450, "£1,234.50"), (5, "£0.05"), (0, "£0"), (-250, "-£2.50")],
)
def test_format_money(pence: int, shown: str) -> None:
    assert format_money(pence) == shown


@pytest.mark.parametrize("bad", [1.5, "100", True])
def test_format_money_wants_integer_pence(bad: object) -> None:
    with pytest.raises(TypeError):
        format_money(bad)  # type: ignore[arg-type]


def test_join_words_and_plural() -> None:
    assert join_words([]) == ""
    assert join_words(["a"]) == "a"
    assert join_words(["a", "b"], "or") == "a or b"
    assert join_words(["a", "b", "c"]) == "a, b and c"
    assert plural(1, "grant") == "1 grant"
    assert plural(2, "grant") == "2 grants"


def test_role_articles() -> None:
    assert Role.APPLICANT.with_article == "an applicant"
    assert Role.REVIEWER.with_article == "a reviewer"
    assert Role.SCHEDULER.with_article == "the scheduler"
