"""Read-side helpers for commissioning; each is one query (or a fixed few) whatever the data size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask import current_app
from sqlmodel import func, select

from grants.auth.models import Person
from grants.collectives.models import Collective, Theme
from grants.commissioning import stats
from grants.commissioning.models import (
    CommissioningCycle,
    CommissioningSetting,
    CycleEvidence,
    EngagementEvent,
    EngagementHost,
    EngagementParticipation,
    EvidenceImport,
    FeedbackItem,
    FeedbackTheme,
    Need,
    NeedEvidence,
    NeedFeedback,
    PopulationCount,
    Priority,
    PriorityTheme,
    ServiceUseCount,
    ServiceUseDataset,
    WeDidEntry,
    WeDidReach,
)
from grants.db import db
from grants.organisations.models import Organisation

PUBLIC_STATES = ("priorities", "commissioned", "delivered", "loop_closed")


# -- settings ------------------------------------------------------------------------------------

def threshold(collective: Collective) -> float:
    """The under-served threshold: the collective's own, else ``COMMONPOT_UNDERSERVED_THRESHOLD``."""
    setting = db.session.get(CommissioningSetting, collective.id)
    if setting is not None and setting.underserved_threshold_percent is not None:
        return setting.underserved_threshold_percent / 100
    return float(current_app.config.get("COMMONPOT_UNDERSERVED_THRESHOLD", stats.DEFAULT_THRESHOLD))


# -- evidence ------------------------------------------------------------------------------------

def datasets(collective: Collective, ids: list[int] | None = None) -> list[ServiceUseDataset]:
    query = select(ServiceUseDataset).where(ServiceUseDataset.collective_id == collective.id)
    if ids is not None:
        query = query.where(ServiceUseDataset.id.in_(ids or [-1]))
    return list(db.session.exec(query.order_by(ServiceUseDataset.service, ServiceUseDataset.period)).all())


def imports(collective: Collective, limit: int = 10) -> list[EvidenceImport]:
    return list(db.session.exec(select(EvidenceImport).where(EvidenceImport.collective_id == collective.id)
                                .order_by(EvidenceImport.imported_at.desc(), EvidenceImport.id.desc())
                                .limit(limit)).all())


def population_areas(collective: Collective) -> list[tuple[str, int, int]]:
    """(area, groups, people) for each area of the population baseline."""
    return list(db.session.exec(
        select(PopulationCount.area, func.count(), func.sum(PopulationCount.population))
        .where(PopulationCount.collective_id == collective.id)
        .group_by(PopulationCount.area).order_by(PopulationCount.area)).all())


def population(collective: Collective) -> dict[str, dict[str, int]]:
    """area → ethnic group → people."""
    result: dict[str, dict[str, int]] = defaultdict(dict)
    for area, code, people in db.session.exec(
            select(PopulationCount.area, PopulationCount.ethnic_group, PopulationCount.population)
            .where(PopulationCount.collective_id == collective.id)).all():
        result[area][code] = people
    return dict(result)


def dataset_counts(collective: Collective, chosen: list[ServiceUseDataset]) -> dict[int, stats.DatasetCounts]:
    counts: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    if chosen:
        rows = db.session.exec(
            select(ServiceUseCount.dataset_id, ServiceUseCount.area, ServiceUseCount.ethnic_group,
                   ServiceUseCount.users)
            .where(ServiceUseCount.collective_id == collective.id,
                   ServiceUseCount.dataset_id.in_([d.id for d in chosen]))).all()
        for dataset_id, area, code, users in rows:
            counts[dataset_id][(area, code)] = users
    return {d.id: stats.DatasetCounts(d.service, d.period, d.coding, counts[d.id]) for d in chosen}


def sample_data(collective: Collective, chosen: list[ServiceUseDataset] | None = None) -> bool:
    """Whether the figures shown come (in part) from sample data: the population baseline, or the
    service-use datasets ``chosen`` (every dataset of the collective by default), imported as
    made-up figures (the demo seed's). Two queries."""
    population_sample = db.session.exec(
        select(PopulationCount.id).join(EvidenceImport, EvidenceImport.id == PopulationCount.import_id)
        .where(PopulationCount.collective_id == collective.id, EvidenceImport.sample == True)  # noqa: E712
        .limit(1)).first()
    if population_sample is not None:
        return True
    query = (select(ServiceUseDataset.id).join(EvidenceImport, EvidenceImport.id == ServiceUseDataset.import_id)
             .where(ServiceUseDataset.collective_id == collective.id, EvidenceImport.sample == True))  # noqa: E712
    if chosen is not None:
        query = query.where(ServiceUseDataset.id.in_([d.id for d in chosen] or [-1]))
    return db.session.exec(query.limit(1)).first() is not None


@dataclass
class DatasetGaps:
    dataset: ServiceUseDataset
    areas: list[stats.AreaGaps]
    overall: stats.AreaGaps

    @property
    def gaps(self) -> list[stats.Gap]:
        return stats.flatten(self.areas)


def gaps(collective: Collective, chosen: list[ServiceUseDataset] | None = None) -> list[DatasetGaps]:
    """The gaps of the chosen datasets (every dataset of the collective by default)."""
    chosen = datasets(collective) if chosen is None else chosen
    limit = threshold(collective)
    baseline = population(collective)
    counts = dataset_counts(collective, chosen)
    return [DatasetGaps(dataset, stats.dataset_gaps(counts[dataset.id], baseline, limit),
                        stats.all_areas(counts[dataset.id], baseline, limit))
            for dataset in chosen]


# -- cycles --------------------------------------------------------------------------------------

def cycles(collective: Collective) -> list[CommissioningCycle]:
    return list(db.session.exec(select(CommissioningCycle).where(CommissioningCycle.collective_id == collective.id)
                                .order_by(CommissioningCycle.created_at.desc(), CommissioningCycle.id.desc())).all())


def cycle_datasets(cycle: CommissioningCycle) -> list[ServiceUseDataset]:
    return list(db.session.exec(
        select(ServiceUseDataset).join(CycleEvidence, CycleEvidence.dataset_id == ServiceUseDataset.id)
        .where(CycleEvidence.collective_id == cycle.collective_id, CycleEvidence.cycle_id == cycle.id)
        .order_by(ServiceUseDataset.service, ServiceUseDataset.period)).all())


def events(cycle: CommissioningCycle) -> list[EngagementEvent]:
    return list(db.session.exec(select(EngagementEvent).where(
        EngagementEvent.collective_id == cycle.collective_id, EngagementEvent.cycle_id == cycle.id)
        .order_by(EngagementEvent.held_on, EngagementEvent.id)).all())


def hosts(collective_id: int, event_ids: list[int]) -> dict[int, list[Organisation]]:
    result: dict[int, list[Organisation]] = defaultdict(list)
    for event_id, organisation in db.session.exec(
            select(EngagementHost.event_id, Organisation)
            .join(Organisation, Organisation.id == EngagementHost.organisation_id)
            .where(EngagementHost.collective_id == collective_id, EngagementHost.event_id.in_(event_ids or [-1]))
            .order_by(Organisation.name)).all():
        result[event_id].append(organisation)
    return result


def participation(collective_id: int, event_ids: list[int]) -> dict[int, dict[str, int]]:
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for row in db.session.exec(select(EngagementParticipation).where(
            EngagementParticipation.collective_id == collective_id,
            EngagementParticipation.event_id.in_(event_ids or [-1]))).all():
        result[row.event_id][row.ethnic_group] = row.participants
    return result


def feedback(cycle: CommissioningCycle, event_id: int | None = None) -> list[FeedbackItem]:
    query = select(FeedbackItem).where(FeedbackItem.collective_id == cycle.collective_id,
                                       FeedbackItem.cycle_id == cycle.id)
    if event_id is not None:
        query = query.where(FeedbackItem.event_id == event_id)
    return list(db.session.exec(query.order_by(FeedbackItem.id)).all())


def feedback_themes(collective_id: int, feedback_ids: list[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = defaultdict(list)
    for feedback_id, name in db.session.exec(
            select(FeedbackTheme.feedback_id, Theme.name).join(Theme, Theme.id == FeedbackTheme.theme_id)
            .where(FeedbackTheme.collective_id == collective_id, FeedbackTheme.feedback_id.in_(feedback_ids or [-1]))
            .order_by(Theme.position, Theme.id)).all():
        result[feedback_id].append(name)
    return result


def needs(cycle: CommissioningCycle) -> list[Need]:
    return list(db.session.exec(select(Need).where(Need.collective_id == cycle.collective_id,
                                                   Need.cycle_id == cycle.id).order_by(Need.id)).all())


def need_evidence(collective_id: int, need_ids: list[int]) -> dict[int, list[NeedEvidence]]:
    result: dict[int, list[NeedEvidence]] = defaultdict(list)
    for row in db.session.exec(select(NeedEvidence).where(NeedEvidence.collective_id == collective_id,
                                                          NeedEvidence.need_id.in_(need_ids or [-1]))).all():
        result[row.need_id].append(row)
    return result


def need_feedback(collective_id: int, need_ids: list[int]) -> dict[int, list[FeedbackItem]]:
    result: dict[int, list[FeedbackItem]] = defaultdict(list)
    for need_id, item in db.session.exec(
            select(NeedFeedback.need_id, FeedbackItem).join(FeedbackItem, FeedbackItem.id == NeedFeedback.feedback_id)
            .where(NeedFeedback.collective_id == collective_id, NeedFeedback.need_id.in_(need_ids or [-1]))
            .order_by(FeedbackItem.id)).all():
        result[need_id].append(item)
    return result


def priorities(cycle: CommissioningCycle) -> dict[int, Priority]:
    """need id → its priority."""
    return {p.need_id: p for p in db.session.exec(select(Priority).where(
        Priority.collective_id == cycle.collective_id, Priority.cycle_id == cycle.id)).all()}


def priority_themes(collective_id: int, priority_ids: list[int]) -> dict[int, list[Theme]]:
    result: dict[int, list[Theme]] = defaultdict(list)
    for priority_id, theme in db.session.exec(
            select(PriorityTheme.priority_id, Theme).join(Theme, Theme.id == PriorityTheme.theme_id)
            .where(PriorityTheme.collective_id == collective_id, PriorityTheme.priority_id.in_(priority_ids or [-1]))
            .order_by(Theme.position, Theme.id)).all():
        result[priority_id].append(theme)
    return result


def we_did(collective_id: int, priority_ids: list[int]) -> dict[int, list[WeDidEntry]]:
    result: dict[int, list[WeDidEntry]] = defaultdict(list)
    for entry in db.session.exec(select(WeDidEntry).where(WeDidEntry.collective_id == collective_id,
                                                          WeDidEntry.priority_id.in_(priority_ids or [-1]))
                                 .order_by(WeDidEntry.created_at, WeDidEntry.id)).all():
        result[entry.priority_id].append(entry)
    return result


def reach(collective_id: int, entry_ids: list[int]) -> dict[int, dict[str, int]]:
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for row in db.session.exec(select(WeDidReach).where(WeDidReach.collective_id == collective_id,
                                                        WeDidReach.entry_id.in_(entry_ids or [-1]))).all():
        result[row.entry_id][row.ethnic_group] = row.people
    return result


def people_named(ids: set[int]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.exec(select(Person.id, Person.name).where(Person.id.in_(ids))).all())


def public_cycles(collective: Collective) -> list[CommissioningCycle]:
    """Cycles whose needs and priorities are public: from drafting priorities onwards."""
    return list(db.session.exec(select(CommissioningCycle).where(
        CommissioningCycle.collective_id == collective.id, CommissioningCycle.state.in_(PUBLIC_STATES))
        .order_by(CommissioningCycle.created_at.desc(), CommissioningCycle.id.desc())).all())
