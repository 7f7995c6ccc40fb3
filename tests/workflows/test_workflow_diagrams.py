"""Diagrams generated from the definitions: Mermaid text and the self-drawn SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

import workflows
from workflows import Role, StateSpec, Transition, Workflow, WorkflowState, to_mermaid, to_svg

SVG = "{http://www.w3.org/2000/svg}"
NAMES = list(workflows.WORKFLOWS)


@pytest.mark.parametrize("name", NAMES)
def test_mermaid_has_every_state_and_transition(name: str) -> None:
    workflow = workflows.get(name)
    text = to_mermaid(workflow)
    assert text.startswith("stateDiagram-v2\n")
    for state in workflow.used_states:
        assert f'state "{state.staff_label}" as {state.value}' in text
    for transition in workflow.transitions:
        for source in transition.source:
            assert re.search(
                rf"^    {source.value} --> {transition.target.value} : {transition.name}\b",
                text,
                re.MULTILINE,
            ), transition.name
    assert f"[*] --> {workflow.initial_state.value}" in text
    for state in workflow.final_states:
        assert f"{state.value} --> [*]" in text


def test_mermaid_marks_timed_transitions() -> None:
    text = to_mermaid(workflows.get("round"))
    assert "voting --> counting : close_voting (timed, at voting_closes_at)" in text


def test_mermaid_omits_states_a_variant_does_not_use() -> None:
    assert "eligibility_check" not in to_mermaid(workflows.get("round_light"))


def test_mermaid_escapes_quotes_and_colons() -> None:
    class Quoted(WorkflowState):
        START = StateSpec("start", 'The "start"', "Start", initial=True)
        END = StateSpec("end", "End: done", "End", final=True)

    workflow = Workflow(
        name="quoted",
        label="Quoted",
        states=Quoted,
        transitions=(Transition("finish", Quoted.START, Quoted.END, {Role.MEMBER}),),
    )
    text = to_mermaid(workflow)
    assert 'state "The #quot;start#quot;" as start' in text
    assert 'state "End#colon; done" as end' in text


def _text_content(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("name", NAMES)
def test_svg_is_xml_with_every_state_label_and_transition_name(name: str) -> None:
    workflow = workflows.get(name)
    root = ET.fromstring(to_svg(workflow))
    assert root.tag == f"{SVG}svg"
    texts = _text_content(root)
    for state in workflow.used_states:
        assert state.staff_label in texts
    for transition in workflow.transitions:
        assert transition.name in texts


@pytest.mark.parametrize("name", NAMES)
def test_svg_is_accessible(name: str) -> None:
    workflow = workflows.get(name)
    root = ET.fromstring(to_svg(workflow))
    assert root.get("role") == "img"
    ids = root.get("aria-labelledby", "").split()
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert ids == [title.get("id"), desc.get("id")]
    assert workflow.label in (title.text or "")
    for state in workflow.used_states:
        assert state.staff_label in (desc.text or "")
    for transition in workflow.transitions:
        assert transition.name in (desc.text or "")


def test_svg_ids_differ_between_workflows_so_several_can_share_a_page() -> None:
    ids = [
        element.get("id")
        for name in NAMES
        for element in ET.fromstring(to_svg(workflows.get(name))).iter()
        if element.get("id")
    ]
    assert len(ids) == len(set(ids))


def test_svg_draws_timed_transitions_dashed_and_final_states_doubled() -> None:
    workflow = workflows.get("round")
    root = ET.fromstring(to_svg(workflow))
    dashed = [p for p in root.iter(f"{SVG}path") if p.get("stroke-dasharray")]
    # One dashed line into each timed label and one out of it, plus the legend sample.
    timed = [t for t in workflow.transitions if t.timed]
    assert len(dashed) == sum(len(t.source) + 1 for t in timed) + 1
    inner_borders = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "none"]
    assert len(inner_borders) == len(workflow.final_states) + 1  # plus the legend sample


@pytest.mark.parametrize("name", NAMES)
def test_svg_boxes_do_not_overlap(name: str) -> None:
    root = ET.fromstring(to_svg(workflows.get(name)))
    boxes = []
    for group in root.iter(f"{SVG}g"):
        rect = group.find(f"{SVG}rect")
        if rect is not None and group.find(f"{SVG}title") is not None:
            x, y = float(rect.get("x", 0)), float(rect.get("y", 0))
            boxes.append((x, y, x + float(rect.get("width", 0)), y + float(rect.get("height", 0))))
    assert len(boxes) == len(workflows.get(name).used_states) + len(workflows.get(name).transitions)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


@pytest.mark.parametrize("name", NAMES)
def test_svg_fits_its_canvas(name: str) -> None:
    root = ET.fromstring(to_svg(workflows.get(name)))
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    for rect in root.iter(f"{SVG}rect"):
        if rect.get("width", "").endswith("%"):
            continue
        assert 0 <= float(rect.get("x", 0)) and float(rect.get("x", 0)) + float(rect.get("width", 0)) <= width
        assert 0 <= float(rect.get("y", 0)) and float(rect.get("y", 0)) + float(rect.get("height", 0)) <= height


def test_svg_is_deterministic() -> None:
    workflow = workflows.get("proposal")
    assert to_svg(workflow) == to_svg(workflow)


def test_svg_escapes_labels() -> None:
    class Risky(WorkflowState):
        START = StateSpec("start", "Fish & <chips>", "Start", initial=True)
        END = StateSpec("end", "End", "End", final=True)

    workflow = Workflow(
        name="risky",
        label="Risky & odd",
        states=Risky,
        transitions=(Transition("finish", Risky.START, Risky.END, {Role.MEMBER}),),
    )
    root = ET.fromstring(to_svg(workflow))
    assert "Fish & <chips>" in _text_content(root)


def test_svg_draws_a_self_loop() -> None:
    class Loop(WorkflowState):
        OPEN = StateSpec("open", "Open", "Open", initial=True)
        DONE = StateSpec("done", "Done", "Done", final=True)

    workflow = Workflow(
        name="looping",
        label="Looping",
        states=Loop,
        transitions=(
            Transition("extend", Loop.OPEN, Loop.OPEN, {Role.FACILITATOR}),
            Transition("finish", Loop.OPEN, Loop.DONE, {Role.FACILITATOR}),
        ),
    )
    root = ET.fromstring(to_svg(workflow))
    assert "extend" in _text_content(root)
