"""A commissioning cycle as plain values: for its page, the public page and the needs-analysis PDF.

:func:`cycle_summary` reads a cycle in a fixed number of queries and returns dataclasses holding
only plain values. Exact counts stay in it (facilitators and reviewers see them in the app);
:func:`published_counts` is how the public page and the PDF show counts of people by community:
through :mod:`grants.disclosure`, never exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _

import workflows
from grants import disclosure
from grants.collectives.models import Collective
from grants.commissioning import delivery, ethnicity, queries, stats
from grants.commissioning.models import CommissioningCycle
from grants.db import db


@dataclass
class PublishedRow:
    label: str
    count: str
    percent: str


@dataclass
class PublishedGroup:
    """A count by community after disclosure control: rows, and the total (if it may be shown)."""

    rows: list[PublishedRow]
    total: str


def published_counts(counts: dict[str, int]) -> PublishedGroup:
    """Counts of people by community (code → exact count) as the public may see them."""
    ordered = {code: counts[code] for code in sorted(counts, key=ethnicity.order)}
    published = disclosure.publish_counts(ordered)
    return PublishedGroup(
        rows=[PublishedRow(ethnicity.label(code), cell.text, published.percentages.get(code, ""))
              for code, cell in published.cells.items()],
        total=published.total.text if published.total is not None else "")


@dataclass
class GapRef:
    dataset_id: int
    service: str
    period: str
    area: str
    ethnic_group: str
    label: str
    users: int | None = None
    population: int | None = None
    ratio: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    under_served: bool = False
    found: bool = True

    @property
    def value(self) -> str:
        return f"{self.dataset_id}|{self.area}|{self.ethnic_group}"


@dataclass
class FeedbackSummary:
    id: int
    text: str
    event_title: str
    themes: list[str]
    communities: list[str]


@dataclass
class EventSummary:
    id: int
    title: str
    held_on: date
    place: str
    kind_label: str
    hosts: list[str]
    participants: int
    by_community: dict[str, int]
    notes: str
    feedback: list[FeedbackSummary] = field(default_factory=list)

    @property
    def participants_published(self) -> str:
        return disclosure.publish_count(self.participants).text

    @property
    def by_community_published(self) -> PublishedGroup | None:
        return published_counts(self.by_community) if self.by_community else None


@dataclass
class WeDidSummary:
    id: int
    text: str
    written_by: str
    created_at: datetime
    reach: dict[str, int]
    # Checked by a reviewer other than its writer: only then is it published.
    checked: bool = False
    checked_by: str = ""
    checked_at: datetime | None = None
    written_by_id: int | None = None

    @property
    def reach_total(self) -> int:
        return sum(self.reach.values())

    @property
    def reach_published(self) -> PublishedGroup | None:
        return published_counts(self.reach) if self.reach else None

    @property
    def reach_rows(self) -> list[tuple[str, int]]:
        return [(ethnicity.label(code), self.reach[code]) for code in sorted(self.reach, key=ethnicity.order)]


@dataclass
class PrioritySummary:
    id: int
    themes: list[str]
    note: str
    approved_by: str
    approved_at: datetime
    we_did: list[WeDidSummary] = field(default_factory=list)
    # What the commissioned round's grants delivered for it (None: the cycle has no round yet).
    delivery: delivery.PriorityDelivery | None = None

    @property
    def answered(self) -> bool:
        """Something checked is said about it: a checked "we did" entry, or a grant of the round
        confirmed to answer it."""
        return bool(any(w.checked for w in self.we_did) or (self.delivery and self.delivery.grants))


@dataclass
class NeedSummary:
    id: int
    title: str
    statement: str
    decision: str
    decision_label: str
    decision_reason: str
    decided_by: str
    evidence: list[GapRef] = field(default_factory=list)
    feedback: list[FeedbackSummary] = field(default_factory=list)
    priority: PrioritySummary | None = None


@dataclass
class CycleSummary:
    id: int
    name: str
    description: str
    state: str
    state_label: str
    public_label: str
    collective_name: str
    collective_slug: str
    created_at: datetime
    published_at: datetime | None
    datasets: list[str]
    events: list[EventSummary]
    needs: list[NeedSummary]
    round: delivery.RoundRef | None = None     # the round that funds the priorities

    @property
    def priorities(self) -> list[NeedSummary]:
        return [need for need in self.needs if need.priority is not None]

    @property
    def participants(self) -> int:
        return sum(event.participants for event in self.events)

    @property
    def participants_published(self) -> str:
        return disclosure.publish_count(self.participants).text

    @property
    def feedback(self) -> list[FeedbackSummary]:
        return [item for event in self.events for item in event.feedback]

    @property
    def hosts(self) -> list[str]:
        return sorted({host for event in self.events for host in event.hosts})


def _gap_lookup(gap_sets: list[queries.DatasetGaps]) -> dict[tuple[int, str, str], stats.Gap]:
    return {(d.dataset.id, gap.area, gap.ethnic_group): gap for d in gap_sets for gap in d.gaps}


def gap_ref(dataset, gap: stats.Gap | None, area: str, code: str) -> GapRef:
    ref = GapRef(dataset.id, dataset.service, dataset.period, area, code, ethnicity.label(code))
    if gap is None:
        ref.found = False
        return ref
    ref.users, ref.population, ref.ratio = gap.users, gap.population, gap.ratio
    ref.ci_low, ref.ci_high, ref.under_served = gap.ci_low, gap.ci_high, gap.under_served
    return ref


def cycle_summary(cycle: CommissioningCycle, gap_sets: list[queries.DatasetGaps] | None = None,
                  *, public: bool = False) -> CycleSummary:
    """The cycle as plain values; ``public`` leaves out what is not published yet ("we did" entries
    no reviewer has checked)."""
    collective = db.session.get(Collective, cycle.collective_id)
    state = workflows.get("commissioning").coerce_state(cycle.state)
    datasets = queries.cycle_datasets(cycle)
    if gap_sets is None:
        gap_sets = queries.gaps(collective, datasets)
    lookup = _gap_lookup(gap_sets)
    by_id = {d.id: d for d in queries.datasets(collective)}

    events = queries.events(cycle)
    event_ids = [e.id for e in events]
    hosts = queries.hosts(cycle.collective_id, event_ids)
    participation = queries.participation(cycle.collective_id, event_ids)
    items = queries.feedback(cycle)
    item_themes = queries.feedback_themes(cycle.collective_id, [i.id for i in items])
    titles = {e.id: e.title for e in events}
    feedback = {i.id: FeedbackSummary(i.id, i.text, titles.get(i.event_id, ""), item_themes.get(i.id, []),
                                      [ethnicity.label(c) for c in i.communities if c in ethnicity.ALL_CODES])
                for i in items}
    event_summaries = [EventSummary(e.id, e.title, e.held_on, e.place, e.kind_label, [o.name for o in hosts.get(e.id, [])],
                                    e.participants, participation.get(e.id, {}), e.notes,
                                    [feedback[i.id] for i in items if i.event_id == e.id])
                       for e in events]

    needs = queries.needs(cycle)
    need_ids = [n.id for n in needs]
    evidence = queries.need_evidence(cycle.collective_id, need_ids)
    need_items = queries.need_feedback(cycle.collective_id, need_ids)
    priorities = queries.priorities(cycle)
    themes = queries.priority_themes(cycle.collective_id, [p.id for p in priorities.values()])
    delivered = delivery.cycle_delivery(cycle, {p.id: [t.id for t in themes.get(p.id, [])]
                                                for p in priorities.values()})
    entries = queries.we_did(cycle.collective_id, [p.id for p in priorities.values()])
    reach = queries.reach(cycle.collective_id, [e.id for group in entries.values() for e in group])
    names = queries.people_named({n.decided_by_id for n in needs} | {p.approved_by_id for p in priorities.values()}
                                 | {e.written_by_id for group in entries.values() for e in group}
                                 | {e.checked_by_id for group in entries.values() for e in group})

    need_summaries = []
    for need in needs:
        priority = priorities.get(need.id)
        priority_summary = None
        if priority is not None:
            priority_summary = PrioritySummary(
                priority.id, [t.name for t in themes.get(priority.id, [])], priority.note,
                names.get(priority.approved_by_id, ""), priority.approved_at,
                [WeDidSummary(e.id, e.text, names.get(e.written_by_id, ""), e.created_at, reach.get(e.id, {}),
                              checked=e.checked, checked_by=names.get(e.checked_by_id, ""), checked_at=e.checked_at,
                              written_by_id=e.written_by_id)
                 for e in entries.get(priority.id, []) if e.checked or not public], delivered.get(priority.id))
        refs = [gap_ref(by_id[row.dataset_id], lookup.get((row.dataset_id, row.area, row.ethnic_group)),
                        row.area, row.ethnic_group)
                for row in evidence.get(need.id, []) if row.dataset_id in by_id]
        need_summaries.append(NeedSummary(
            need.id, need.title, need.statement, need.decision, need.decision_label, need.decision_reason,
            names.get(need.decided_by_id, ""), refs,
            [feedback[i.id] for i in need_items.get(need.id, []) if i.id in feedback], priority_summary))

    return CycleSummary(
        id=cycle.id, name=cycle.name, description=cycle.description, state=state.value,
        state_label=_(state.staff_label), public_label=_(state.public_label), collective_name=collective.name,
        collective_slug=collective.slug, created_at=cycle.created_at, published_at=cycle.published_at,
        datasets=[d.title for d in datasets], events=event_summaries, needs=need_summaries,
        round=next(iter(delivered.values())).round if delivered else delivery.round_ref(cycle))
