"""Diagrams generated from workflow definitions: Mermaid text and a self-drawn SVG.

Diagrams are never drawn by hand: they are produced from the same :class:`Workflow` objects the
engine runs, so they cannot drift from the rules.

``to_mermaid(workflow)``
    ``stateDiagram-v2`` text, for documentation and anywhere Mermaid renders.
``to_svg(workflow)``
    A standalone, accessible SVG (``role="img"``, ``<title>``, ``<desc>`` listing every state and
    transition) drawn by a small layered layout written here, with no external programs and no
    JavaScript.

Layout glossary (a simplified Sugiyama method):

node
    A state box, a transition label, the start dot, or a *dummy* point that long edges pass through.
    Each transition is drawn as its own node: lines run from each source state into the label and
    one arrow runs from the label to the target, so a transition with many sources (``cancel``)
    shows its name once.
rank
    The horizontal row a node sits in. Ranks come from the longest path from the start dot after
    *back edges* (those closing a cycle, such as ``recount``) are turned round; they are drawn
    pointing back up.
order
    Left-to-right position within a rank, chosen to reduce crossings (barycentre sweeps plus
    swapping neighbours).
placement
    x coordinates: each node is pulled towards the mean of its neighbours, keeping its order and
    a minimum gap, solved exactly per rank as an isotonic regression.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from workflows.engine import Transition, Workflow, WorkflowState
from workflows.i18n import N_, gettext as _, ngettext
from workflows.text import join_words


class _Words:
    """What the diagram writes in each box. The default shows the codes beside the labels (for
    developers: state values, transition names, date attributes); :class:`_PeopleWords` shows
    only translated labels, for the pages people read."""

    def title(self, workflow: Workflow) -> str:
        return workflow.label

    def state(self, state: WorkflowState) -> str:
        return state.staff_label

    def state_detail(self, state: WorkflowState) -> str:
        return state.value

    def transition(self, transition: Transition) -> str:
        return transition.name

    def timed(self, transition: Transition) -> str:
        return f"at {transition.timed_by}"


class _PeopleWords(_Words):
    def title(self, workflow: Workflow) -> str:
        return _(workflow.label)

    def state(self, state: WorkflowState) -> str:
        return _(state.staff_label)

    def state_detail(self, state: WorkflowState) -> str:
        return _(state.public_label)

    def transition(self, transition: Transition) -> str:
        return _(transition.label)

    def timed(self, transition: Transition) -> str:
        return _(transition.timed_label)


_CODES = _Words()
_PEOPLE = _PeopleWords()

# --------------------------------------------------------------------------------------------
# Mermaid


def _mermaid_text(text: str) -> str:
    # Mermaid ends a quoted label at a double quote and treats ":" in an edge label as markup.
    return text.replace('"', "#quot;").replace(":", "#colon;")


def to_mermaid(workflow: Workflow, *, for_people: bool = False) -> str:
    """The workflow as Mermaid ``stateDiagram-v2`` text, with staff labels and transition names
    (``for_people``: with the translated labels of the transitions instead of their names)."""
    words = _PEOPLE if for_people else _CODES
    lines = ["stateDiagram-v2", f"    %% {workflow.name}: {_mermaid_text(words.title(workflow))}"]
    for state in workflow.used_states:
        lines.append(f'    state "{_mermaid_text(words.state(state))}" as {state.value}')
    lines.append(f"    [*] --> {workflow.initial_state.value}")
    for transition in workflow.transitions:
        text = _mermaid_text(words.transition(transition)) if for_people else transition.name
        if transition.timed:
            text += (
                f" ({_mermaid_text(words.timed(transition))})"
                if for_people
                else f" (timed, at {transition.timed_by})"
            )
        for source in transition.source:
            lines.append(f"    {source.value} --> {transition.target.value} : {text}")
    for state in workflow.final_states:
        lines.append(f"    {state.value} --> [*]")
    lines.append("    classDef final stroke-width:3px")
    for state in workflow.final_states:
        lines.append(f"    class {state.value} final")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Text measurement (no font files are read: Arial/Helvetica advance widths in 1/1000 em)

_WIDTHS = {
    **dict.fromkeys("ijl'|", 222),
    **dict.fromkeys(" ft!,./:;[]\\I", 278),
    **dict.fromkeys('r()-"“”{}', 333),
    **dict.fromkeys("ckszvxyJ", 500),
    **dict.fromkeys("abdeghnopqu0123456789_#$?L£", 556),
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("ABEKPSVXY&", 667),
    **dict.fromkeys("wCDHNRU", 722),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("mM", 833),
    **dict.fromkeys("W@", 944),
    "%": 889,
    "’": 222,
    "‘": 222,
    "≥": 549,
    "—": 1000,
    "–": 556,
    "…": 1000,
}


def _text_width(text: str, size: float, *, bold: bool = False) -> float:
    units = sum(_WIDTHS.get(char, 600) for char in text)
    # Bold glyphs are about 8% wider; the small margin covers fonts that differ from Arial.
    return units * size / 1000 * (1.08 if bold else 1.0) * 1.04


# --------------------------------------------------------------------------------------------
# Layout

FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
STATE_LABEL_SIZE = 14.0
STATE_VALUE_SIZE = 11.0
TRANSITION_SIZE = 12.0
TIMED_SIZE = 10.5
STATE_HEIGHT = 44.0
STATE_PAD = 14.0
MIN_STATE_WIDTH = 96.0
RANK_GAP = 28.0
NODE_GAP = 26.0
DUMMY_GAP = 12.0
MARGIN = 20.0
TITLE_HEIGHT = 44.0

INK = "#0b0c0c"
SECONDARY = "#505a5f"
BORDER = "#b1b4b6"
PAPER = "#ffffff"
FINAL_FILL = "#f3f2f1"
INITIAL_FILL = "#e8f1f8"
TIMED = "#1d70b8"


@dataclass
class _Node:
    key: str
    kind: str  # "start", "state", "transition" or "dummy"
    width: float
    height: float
    state: WorkflowState | None = None
    transition: Transition | None = None
    rank: int = 0
    x: float = 0.0
    y: float = 0.0
    ups: list[tuple[str, float]] = field(default_factory=list)  # neighbours one rank up, weight
    downs: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class _Edge:
    source: str  # as defined (the arrow points from source to target)
    target: str
    arrow: bool
    dashed: bool
    chain: list[str] = field(default_factory=list)  # top-to-bottom node keys, dummies included
    flipped: bool = False  # True when source is drawn below target (a back edge)
    spine: bool = False  # on the main path, which is drawn as a straight line


@dataclass
class _Layout:
    nodes: dict[str, _Node]
    edges: list[_Edge]
    ranks: list[list[str]]
    bounds: list[tuple[float, float]]  # top and bottom y of each rank
    width: float
    height: float


def _state_key(state: WorkflowState) -> str:
    return f"s:{state.value}"


def _transition_key(transition: Transition) -> str:
    return f"t:{transition.name}"


def _build_graph(workflow: Workflow, words: _Words) -> tuple[dict[str, _Node], list[_Edge]]:
    nodes: dict[str, _Node] = {"start": _Node("start", "start", 14.0, 14.0)}
    for state in workflow.used_states:
        width = max(
            _text_width(words.state(state), STATE_LABEL_SIZE, bold=True),
            _text_width(words.state_detail(state), STATE_VALUE_SIZE),
        )
        nodes[_state_key(state)] = _Node(
            _state_key(state),
            "state",
            max(MIN_STATE_WIDTH, width + 2 * STATE_PAD),
            STATE_HEIGHT,
            state=state,
        )
    edges = [_Edge("start", _state_key(workflow.initial_state), arrow=True, dashed=False)]
    for transition in workflow.transitions:
        width = _text_width(words.transition(transition), TRANSITION_SIZE)
        height = 18.0
        if transition.timed:
            width = max(width, _text_width(words.timed(transition), TIMED_SIZE))
            height = 31.0
        key = _transition_key(transition)
        nodes[key] = _Node(key, "transition", width + 12.0, height, transition=transition)
        for source in transition.source:
            edges.append(_Edge(_state_key(source), key, arrow=False, dashed=transition.timed))
        edges.append(_Edge(key, _state_key(transition.target), arrow=True, dashed=transition.timed))
    _mark_spine(workflow, edges)
    return nodes, edges


def _mark_spine(workflow: Workflow, edges: list[_Edge]) -> None:
    """Mark the main path: from the initial state, the first-listed way on to a new state.

    Definitions list the usual path first, so this is the path most readers follow; keeping it
    straight makes the side paths read as side paths.
    """
    by_ends = {(edge.source, edge.target): edge for edge in edges}
    by_ends[("start", _state_key(workflow.initial_state))].spine = True
    state, seen = workflow.initial_state, {workflow.initial_state}
    while True:
        onward = [t for t in workflow.transitions_from(state) if t.target not in seen]
        if not onward:
            return
        transition = onward[0]
        by_ends[(_state_key(state), _transition_key(transition))].spine = True
        by_ends[(_transition_key(transition), _state_key(transition.target))].spine = True
        state = transition.target
        seen.add(state)


def _break_cycles(nodes: dict[str, _Node], edges: list[_Edge]) -> None:
    """Flip the edges that close a cycle, found by depth-first search in definition order."""
    out: dict[str, list[_Edge]] = {key: [] for key in nodes}
    for edge in edges:
        out[edge.source].append(edge)
    colour = dict.fromkeys(nodes, "new")
    for root in nodes:  # "start" first; the rest only matter for unreachable parts
        if colour[root] != "new":
            continue
        colour[root] = "open"
        stack = [(root, iter(out[root]))]
        while stack:
            key, pending = stack[-1]
            edge = next(pending, None)
            if edge is None:
                colour[key] = "done"
                stack.pop()
                continue
            if colour[edge.target] == "open":
                edge.flipped = True
            elif colour[edge.target] == "new":
                colour[edge.target] = "open"
                stack.append((edge.target, iter(out[edge.target])))


def _upper_lower(edge: _Edge) -> tuple[str, str]:
    return (edge.target, edge.source) if edge.flipped else (edge.source, edge.target)


def _assign_ranks(nodes: dict[str, _Node], edges: list[_Edge]) -> None:
    """Longest path from the start: a node sits one rank below the lowest of its predecessors."""
    preds: dict[str, list[str]] = {key: [] for key in nodes}
    succs: dict[str, list[str]] = {key: [] for key in nodes}
    for edge in edges:
        upper, lower = _upper_lower(edge)
        if upper != lower:
            preds[lower].append(upper)
            succs[upper].append(lower)
    remaining = {key: len(preds[key]) for key in nodes}
    ready = [key for key in nodes if remaining[key] == 0]
    while ready:
        key = ready.pop(0)
        for succ in succs[key]:
            nodes[succ].rank = max(nodes[succ].rank, nodes[key].rank + 1)
            remaining[succ] -= 1
            if remaining[succ] == 0:
                ready.append(succ)
    # A single-source label whose target is far below (a long forward jump) reads better just
    # above its target than hanging under its source: pull such labels down.
    for key, node in nodes.items():
        if node.kind == "transition" and len(preds[key]) == 1 and succs[key]:
            node.rank = max(node.rank, min(nodes[s].rank for s in succs[key]) - 1)


def _insert_dummies(nodes: dict[str, _Node], edges: list[_Edge]) -> None:
    counter = 0
    for edge in edges:
        upper, lower = _upper_lower(edge)
        chain = [upper]
        for rank in range(nodes[upper].rank + 1, nodes[lower].rank):
            counter += 1
            key = f"d:{counter}"
            nodes[key] = _Node(key, "dummy", 0.0, 0.0, rank=rank)
            chain.append(key)
        chain.append(lower)
        edge.chain = chain
        for a, b in zip(chain, chain[1:]):
            if edge.spine:
                nodes[a].downs.append((b, 12.0))
                nodes[b].ups.append((a, 12.0))
                continue
            # Long edges should run straight (dummy to dummy), but must not drag the states they
            # leave off the main line (state to dummy): so strong, weak and medium weights.
            kinds = (nodes[a].kind, nodes[b].kind)
            if kinds == ("dummy", "dummy"):
                weight = 8.0
            elif "dummy" in kinds:
                weight = 0.5
            else:
                weight = 3.0
            nodes[a].downs.append((b, weight))
            nodes[b].ups.append((a, weight))


def _crossings(upper: list[str], lower: list[str], nodes: dict[str, _Node]) -> int:
    position = {key: i for i, key in enumerate(lower)}
    segments = [
        (i, position[down])
        for i, key in enumerate(upper)
        for down, _ in nodes[key].downs
        if down in position
    ]
    return sum(
        1
        for n, (a1, b1) in enumerate(segments)
        for a2, b2 in segments[n + 1 :]
        if (a1 - a2) * (b1 - b2) < 0
    )


def _total_crossings(ranks: list[list[str]], nodes: dict[str, _Node]) -> int:
    return sum(_crossings(ranks[r], ranks[r + 1], nodes) for r in range(len(ranks) - 1))


def _order_ranks(nodes: dict[str, _Node], edges: list[_Edge]) -> list[list[str]]:
    depth = max(node.rank for node in nodes.values()) + 1
    ranks: list[list[str]] = [[] for _ in range(depth)]
    seen: set[str] = set()
    # Initial order: the order nodes are met walking the edges as defined, so the main path,
    # listed first in each definition, starts on the left.
    for edge in edges:
        for key in edge.chain:
            if key not in seen:
                seen.add(key)
                ranks[nodes[key].rank].append(key)
    for key, node in nodes.items():
        if key not in seen:
            ranks[node.rank].append(key)

    best = [list(rank) for rank in ranks]
    best_crossings = _total_crossings(ranks, nodes)
    for sweep in range(24):
        downward = sweep % 2 == 0
        indices = range(1, depth) if downward else range(depth - 2, -1, -1)
        for r in indices:
            reference = ranks[r - 1] if downward else ranks[r + 1]
            position = {key: i for i, key in enumerate(reference)}

            def barycentre(item: tuple[int, str]) -> float:
                index, key = item
                neighbours = nodes[key].ups if downward else nodes[key].downs
                linked = [position[n] for n, _ in neighbours if n in position]
                return sum(linked) / len(linked) if linked else float(index)

            ranks[r] = [key for _, key in sorted(enumerate(ranks[r]), key=barycentre)]
        _transpose(ranks, nodes)
        crossings = _total_crossings(ranks, nodes)
        if crossings < best_crossings:
            best, best_crossings = [list(rank) for rank in ranks], crossings
    return best


def _transpose(ranks: list[list[str]], nodes: dict[str, _Node]) -> None:
    """Swap neighbours within a rank while that removes crossings."""
    improved = True
    while improved:
        improved = False
        for r, rank in enumerate(ranks):
            for i in range(len(rank) - 1):
                before = _local_crossings(ranks, r, nodes)
                rank[i], rank[i + 1] = rank[i + 1], rank[i]
                if _local_crossings(ranks, r, nodes) < before:
                    improved = True
                else:
                    rank[i], rank[i + 1] = rank[i + 1], rank[i]


def _local_crossings(ranks: list[list[str]], r: int, nodes: dict[str, _Node]) -> int:
    total = 0
    if r > 0:
        total += _crossings(ranks[r - 1], ranks[r], nodes)
    if r + 1 < len(ranks):
        total += _crossings(ranks[r], ranks[r + 1], nodes)
    return total


def _isotonic(values: list[float], weights: list[float]) -> list[float]:
    """Weighted least-squares non-decreasing fit (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for value, weight in zip(values, weights):
        blocks.append([value, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean2, weight2, count2 = blocks.pop()
            mean1, weight1, count1 = blocks.pop()
            total = weight1 + weight2
            blocks.append([(mean1 * weight1 + mean2 * weight2) / total, total, count1 + count2])
    fitted: list[float] = []
    for mean, _, count in blocks:
        fitted.extend([mean] * int(count))
    return fitted


def _gap(a: _Node, b: _Node) -> float:
    return (a.width + b.width) / 2 + (DUMMY_GAP if "dummy" in (a.kind, b.kind) else NODE_GAP)


def _place_x(nodes: dict[str, _Node], ranks: list[list[str]], edges: list[_Edge]) -> None:
    spine = {key for edge in edges if edge.spine for key in edge.chain}
    runs: dict[str, list[str]] = {}  # dummy → all dummies of its edge
    for edge in edges:
        dummies = edge.chain[1:-1]
        for key in dummies:
            runs[key] = dummies
    for rank in ranks:
        x = 0.0
        for i, key in enumerate(rank):
            if i:
                x += _gap(nodes[rank[i - 1]], nodes[key])
            nodes[key].x = x
    widest = max(ranks, key=lambda rank: nodes[rank[-1]].x if rank else 0.0)
    centre = nodes[widest[-1]].x / 2 if widest else 0.0
    for rank in ranks:
        if rank:
            shift = centre - nodes[rank[-1]].x / 2
            for key in rank:
                nodes[key].x += shift

    # Sweeps pull nodes towards their neighbours; the last ones straighten each long edge so
    # it runs as one vertical line instead of jogging a few pixels at every rank.
    schedule = ["down", "up"] * 6 + ["both"] * 8 + ["straighten"] * 4
    for direction in schedule:
        order = range(len(ranks)) if direction != "up" else range(len(ranks) - 1, -1, -1)
        for r in order:
            rank = ranks[r]
            if not rank:
                continue
            desired, weights = [], []
            for key in rank:
                node = nodes[key]
                if key in spine:
                    # The main path is pinned to one vertical line; everything else arranges
                    # itself around it.
                    desired.append(0.0)
                    weights.append(1e6)
                    continue
                if direction == "straighten":
                    if key in runs:
                        desired.append(sum(nodes[d].x for d in runs[key]) / len(runs[key]))
                        weights.append(100.0)
                    else:
                        desired.append(node.x)
                        weights.append(1.0)
                    continue
                neighbours = {
                    "down": node.ups,
                    "up": node.downs,
                    "both": node.ups + node.downs,
                }[direction]
                total = sum(weight for _, weight in neighbours)
                if total:
                    desired.append(sum(nodes[n].x * w for n, w in neighbours) / total)
                    weights.append(total)
                else:
                    desired.append(node.x)
                    weights.append(0.25)
            offsets = [0.0]
            for a, b in zip(rank, rank[1:]):
                offsets.append(offsets[-1] + _gap(nodes[a], nodes[b]))
            fitted = _isotonic([d - o for d, o in zip(desired, offsets)], weights)
            for key, value, offset in zip(rank, fitted, offsets):
                nodes[key].x = value + offset


def _layout(workflow: Workflow, words: _Words) -> _Layout:
    nodes, edges = _build_graph(workflow, words)
    _break_cycles(nodes, edges)
    _assign_ranks(nodes, edges)
    _insert_dummies(nodes, edges)
    ranks = _order_ranks(nodes, edges)
    _place_x(nodes, ranks, edges)

    left = min(node.x - node.width / 2 for node in nodes.values())
    for node in nodes.values():
        node.x += MARGIN - left
    right = max(node.x + node.width / 2 for node in nodes.values()) + MARGIN

    y = TITLE_HEIGHT + MARGIN
    bounds = []
    for rank in ranks:
        height = max((nodes[key].height for key in rank), default=0.0)
        for key in rank:
            nodes[key].y = y + height / 2
        bounds.append((y, y + height))
        y += height + RANK_GAP
    return _Layout(nodes=nodes, edges=edges, ranks=ranks, bounds=bounds, width=right, height=y)


# --------------------------------------------------------------------------------------------
# Drawing


def _fmt(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _ports(layout: _Layout) -> dict[tuple[int, str], tuple[float, float]]:
    """Where each edge leaves or enters each node: spread along the box edge in x order.

    The main-path edge takes the middle of the box, so the spine stays a straight line; the
    others fan out to the side they are heading for.
    """
    nodes = layout.nodes
    ports: dict[tuple[int, str], tuple[float, float]] = {}
    for key, node in nodes.items():
        if node.kind == "dummy":
            continue
        for side in ("bottom", "top"):
            attached: list[tuple[float, int]] = []
            centre: int | None = None
            for index, edge in enumerate(layout.edges):
                chain = edge.chain
                if side == "bottom" and chain[0] == key:
                    attached.append((nodes[chain[1]].x, index))
                elif side == "top" and chain[-1] == key:
                    attached.append((nodes[chain[-2]].x, index))
                else:
                    continue
                if edge.spine:
                    centre = index
            attached.sort()
            y = node.y + node.height / 2 if side == "bottom" else node.y - node.height / 2
            span = node.width * (0.6 if node.kind == "state" else 0.7)
            if centre is None:
                count = len(attached)
                step = min(18.0, span / (count - 1)) if count > 1 else 0.0
                for i, (_, index) in enumerate(attached):
                    ports[(index, side)] = (node.x + (i - (count - 1) / 2) * step, y)
                continue
            ports[(centre, side)] = (node.x, y)
            others = [(x, index) for x, index in attached if index != centre]
            left = [index for x, index in others if x < node.x]
            right = [index for x, index in others if x >= node.x]
            step = min(18.0, span / 2 / max(len(left), len(right), 1))
            for i, index in enumerate(reversed(left), start=1):
                ports[(index, side)] = (node.x - i * step, y)
            for i, index in enumerate(right, start=1):
                ports[(index, side)] = (node.x + i * step, y)
    return ports


def _edge_path(points: list[tuple[float, float]]) -> str:
    (x0, y0), rest = points[0], points[1:]
    parts = [f"M{_fmt(x0)},{_fmt(y0)}"]
    for x, y in rest:
        middle = (y0 + y) / 2
        parts.append(f"C{_fmt(x0)},{_fmt(middle)} {_fmt(x)},{_fmt(middle)} {_fmt(x)},{_fmt(y)}")
        x0, y0 = x, y
    return " ".join(parts)


def _description(workflow: Workflow) -> str:
    states = []
    for state in workflow.used_states:
        flags = [flag for flag, on in (("initial", state.initial), ("final", state.final)) if on]
        states.append(state.staff_label + (f" ({', '.join(flags)})" if flags else ""))
    transitions = []
    for transition in workflow.transitions:
        sources = " or ".join(s.staff_label for s in transition.source)
        text = f"{transition.name}: from {sources} to {transition.target.staff_label}"
        if transition.timed:
            text += f", timed by {transition.timed_by}"
        transitions.append(text)
    return f"States: {'; '.join(states)}. Transitions: {'; '.join(transitions)}."


def _people_description(workflow: Workflow) -> str:
    states = []
    for state in workflow.used_states:
        if state.initial:
            states.append(_("%(state)s (start)", state=_(state.staff_label)))
        elif state.final:
            states.append(_("%(state)s (end)", state=_(state.staff_label)))
        else:
            states.append(_(state.staff_label))
    transitions = []
    for transition in workflow.transitions:
        sources = join_words([_(s.staff_label) for s in transition.source], "or")
        values = {"action": _(transition.label), "sources": sources,
                  "target": _(transition.target.staff_label)}
        if transition.timed:
            transitions.append(_("%(action)s: from %(sources)s to %(target)s, automatically when "
                                 "the date passes", **values))
        else:
            transitions.append(_("%(action)s: from %(sources)s to %(target)s", **values))
    return _("States: %(states)s. Transitions: %(transitions)s.",
             states="; ".join(states), transitions="; ".join(transitions))


def to_svg(workflow: Workflow, *, for_people: bool = False) -> str:
    """The workflow drawn as a standalone, accessible SVG document (a string).

    By default the boxes show the codes too (state values, transition names); ``for_people``
    draws only labels, in the reader's language (the workflow pages)."""
    words = _PEOPLE if for_people else _CODES
    layout = _layout(workflow, words)
    nodes = layout.nodes
    ident = f"workflow-{workflow.name.replace('_', '-')}"
    legend_y = layout.height + 6
    width = max(layout.width, 560.0)
    height = legend_y + 40
    out: list[str] = []
    add = out.append
    add(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_fmt(width)}" height="{_fmt(height)}" '
        f'viewBox="0 0 {_fmt(width)} {_fmt(height)}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="{FONT}">'
    )
    title = (
        _("Workflow: %(workflow)s", workflow=_(workflow.label))
        if for_people
        else f"{workflow.label} workflow ({workflow.name})"
    )
    description = _people_description(workflow) if for_people else _description(workflow)
    add(f'<title id="{ident}-title">{escape(title)}</title>')
    add(f'<desc id="{ident}-desc">{escape(description)}</desc>')
    add("<defs>")
    for marker, colour in ((f"{ident}-arrow", SECONDARY), (f"{ident}-arrow-timed", TIMED)):
        add(
            f'<marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    add("</defs>")
    add(f'<rect width="100%" height="100%" fill="{PAPER}"/>')
    add(
        f'<text x="{_fmt(MARGIN)}" y="{_fmt(MARGIN + 16)}" font-size="18" font-weight="bold" '
        f'fill="{INK}">{escape(words.title(workflow))}</text>'
    )
    if for_people:
        counts = " · ".join((
            ngettext("%(num)d state", "%(num)d states", len(workflow.used_states)),
            ngettext("%(num)d transition", "%(num)d transitions", len(workflow.transitions)),
        ))
    else:
        counts = (
            f"workflow “{escape(workflow.name)}” · {len(workflow.used_states)} states · "
            f"{len(workflow.transitions)} transitions"
        )
    add(
        f'<text x="{_fmt(MARGIN)}" y="{_fmt(MARGIN + 34)}" font-size="12" fill="{SECONDARY}">'
        f"{escape(counts) if for_people else counts}</text>"
    )

    ports = _ports(layout)
    add('<g fill="none" stroke-width="1.5">')
    for index, edge in enumerate(layout.edges):
        points = [ports[(index, "bottom")]]
        for key in edge.chain[1:-1]:
            # A long edge runs straight down through a rank (bends only between ranks), so it
            # never cuts across the boxes beside it.
            top, bottom = layout.bounds[nodes[key].rank]
            points.append((nodes[key].x, top))
            if bottom > top:
                points.append((nodes[key].x, bottom))
        points.append(ports[(index, "top")])
        if edge.flipped:
            points.reverse()  # draw in the direction of travel so the arrowhead lands on the target
        colour = TIMED if edge.dashed else SECONDARY
        attributes = f'stroke="{colour}"'
        if edge.dashed:
            attributes += ' stroke-dasharray="6 4"'
        if edge.arrow:
            marker = f"{ident}-arrow-timed" if edge.dashed else f"{ident}-arrow"
            attributes += f' marker-end="url(#{marker})"'
        add(f'<path d="{_edge_path(points)}" {attributes}/>')
    add("</g>")

    for key in (key for rank in layout.ranks for key in rank):
        node = nodes[key]
        if node.kind == "start":
            add(
                f'<circle cx="{_fmt(node.x)}" cy="{_fmt(node.y)}" r="7" fill="{INK}">'
                f"<title>{escape(_('Start') if for_people else 'Start')}</title></circle>"
            )
        elif node.kind == "state":
            out.extend(_draw_state(node, words, for_people))
        elif node.kind == "transition":
            out.extend(_draw_transition(node, words, for_people))

    out.extend(_draw_legend(legend_y, ident, for_people))
    add("</svg>")
    return "\n".join(out) + "\n"


def _draw_state(node: _Node, words: _Words, for_people: bool) -> list[str]:
    state = node.state
    if state is None:
        raise ValueError("a state node without its state")
    x, y = node.x - node.width / 2, node.y - node.height / 2
    fill = FINAL_FILL if state.final else (INITIAL_FILL if state.initial else PAPER)
    flags = ", ".join(
        flag for flag, on in (("initial state", state.initial), ("final state", state.final)) if on
    )
    if for_people:
        tooltip = _("%(state)s; what the public sees: %(public)s",
                    state=_(state.staff_label), public=_(state.public_label))
    else:
        tooltip = f"{state.staff_label} ({state.value}); public label: {state.public_label}"
        if flags:
            tooltip += f"; {flags}"
    parts = [f"<g><title>{escape(tooltip)}</title>"]
    parts.append(
        f'<rect x="{_fmt(x)}" y="{_fmt(y)}" '
        f'width="{_fmt(node.width)}" height="{_fmt(node.height)}" '
        f'rx="10" fill="{fill}" stroke="{INK}" stroke-width="{2 if state.final else 1.5}"/>'
    )
    if state.final:
        parts.append(
            f'<rect x="{_fmt(x + 4)}" y="{_fmt(y + 4)}" width="{_fmt(node.width - 8)}" '
            f'height="{_fmt(node.height - 8)}" rx="7" fill="none" stroke="{INK}" stroke-width="1"/>'
        )
    parts.append(
        f'<text x="{_fmt(node.x)}" y="{_fmt(node.y - 2)}" text-anchor="middle" '
        f'font-size="{_fmt(STATE_LABEL_SIZE)}" '
        f'font-weight="bold" fill="{INK}">{escape(words.state(state))}</text>'
    )
    parts.append(
        f'<text x="{_fmt(node.x)}" y="{_fmt(node.y + 13)}" text-anchor="middle" '
        f'font-size="{_fmt(STATE_VALUE_SIZE)}" '
        f'fill="{SECONDARY}">{escape(words.state_detail(state))}</text>'
    )
    parts.append("</g>")
    return parts


def _draw_transition(node: _Node, words: _Words, for_people: bool) -> list[str]:
    transition = node.transition
    if transition is None:
        raise ValueError("a transition node without its transition")
    x, y = node.x - node.width / 2, node.y - node.height / 2
    colour = TIMED if transition.timed else INK
    roles = ", ".join(sorted(str(role) for role in transition.roles))
    if for_people:
        who = join_words([role.label for role in transition.human_roles]) or _("Scheduler")
        tooltip = _("%(action)s; who: %(who)s", action=_(transition.label), who=who)
    else:
        tooltip = f"{transition.label} ({transition.name}); roles: {roles}"
    parts = [f"<g><title>{escape(tooltip)}</title>"]
    parts.append(
        f'<rect x="{_fmt(x)}" y="{_fmt(y)}" '
        f'width="{_fmt(node.width)}" height="{_fmt(node.height)}" '
        f'rx="4" fill="{PAPER}" stroke="{BORDER}"/>'
    )
    first_line = node.y + 4 if not transition.timed else node.y - 3
    parts.append(
        f'<text x="{_fmt(node.x)}" y="{_fmt(first_line)}" text-anchor="middle" '
        f'font-size="{_fmt(TRANSITION_SIZE)}" fill="{colour}">{escape(words.transition(transition))}</text>'
    )
    if transition.timed:
        parts.append(
            f'<text x="{_fmt(node.x)}" y="{_fmt(node.y + 10)}" text-anchor="middle" '
            f'font-size="{_fmt(TIMED_SIZE)}" font-style="italic" fill="{TIMED}">'
            f"{escape(words.timed(transition))}</text>"
        )
    parts.append("</g>")
    return parts


def _draw_legend(y: float, ident: str, for_people: bool = False) -> list[str]:
    def say(text: str) -> str:
        return escape(_(text)) if for_people else text

    x = MARGIN
    parts = [f'<g font-size="11" fill="{SECONDARY}">']
    parts.append(
        f'<path d="M{_fmt(x)},{_fmt(y + 8)} h28" stroke="{SECONDARY}" stroke-width="1.5" '
        f'marker-end="url(#{ident}-arrow)"/>'
    )
    parts.append(f'<text x="{_fmt(x + 36)}" y="{_fmt(y + 12)}">{say(N_("transition"))}</text>')
    x += 110
    parts.append(
        f'<path d="M{_fmt(x)},{_fmt(y + 8)} h28" stroke="{TIMED}" stroke-width="1.5" '
        f'stroke-dasharray="6 4" marker-end="url(#{ident}-arrow-timed)"/>'
    )
    timed_text = say(N_("timed (the scheduler fires it at the date)"))
    parts.append(f'<text x="{_fmt(x + 36)}" y="{_fmt(y + 12)}">{timed_text}</text>')
    x += 270
    parts.append(
        f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="28" height="16" rx="5" fill="{FINAL_FILL}" '
        f'stroke="{INK}" stroke-width="2"/>'
    )
    parts.append(
        f'<rect x="{_fmt(x + 3)}" y="{_fmt(y + 3)}" width="22" height="10" rx="3" fill="none" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    parts.append(f'<text x="{_fmt(x + 36)}" y="{_fmt(y + 12)}">{say(N_("final state"))}</text>')
    parts.append("</g>")
    return parts
