"""Commissioning objects for the tenancy matrix (tests/test_tenancy.py): one set in each collective.

Rows are set straight into the tables, in the stage each page needs (the matrix is about who may
open which page; how cycles move is tested in this package): a cycle gathering needs (with an
event and a need), one still at its evidence, one agreeing priorities (with a priority), and an
import with its dataset and population.
"""

from __future__ import annotations

from datetime import date

from grants.commissioning.models import (
    CommissioningCycle,
    CycleEvidence,
    EngagementEvent,
    EngagementHost,
    EvidenceImport,
    Need,
    PopulationCount,
    Priority,
    ServiceUseCount,
    ServiceUseDataset,
    WeDidEntry,
)
from grants.db import db


def commissioning_objects(collective, organisation) -> dict:
    name = collective.name
    record = EvidenceImport(collective_id=collective.id, kind="usage", filename=f"{name} usage.csv", rows=2,
                            services=[f"{name} service"], periods=["2025-26"], areas=["Ward"],
                            imported_by_label=f"Importer for {name} <importer@example.org>")
    db.session.add(record)
    db.session.flush()
    dataset = ServiceUseDataset(collective_id=collective.id, service=f"{name} service", period="2025-26",
                                coding="ons", rows=2, import_id=record.id)
    db.session.add(dataset)
    db.session.flush()
    db.session.add_all([
        ServiceUseCount(collective_id=collective.id, dataset_id=dataset.id, area="Ward", ethnic_group="white_roma",
                        users=3),
        ServiceUseCount(collective_id=collective.id, dataset_id=dataset.id, area="Ward", ethnic_group="white_british",
                        users=400),
        PopulationCount(collective_id=collective.id, area="Ward", ethnic_group="white_roma", population=300,
                        coding="ons"),
        PopulationCount(collective_id=collective.id, area="Ward", ethnic_group="white_british", population=4000,
                        coding="ons"),
    ])
    cycles = {}
    for key, state in (("cycle", "needs"), ("early_cycle", "evidence"), ("agreed_cycle", "priorities")):
        cycle = CommissioningCycle(collective_id=collective.id, name=f"{name} {key}", state=state)
        db.session.add(cycle)
        db.session.flush()
        db.session.add(CycleEvidence(cycle_id=cycle.id, dataset_id=dataset.id, collective_id=collective.id))
        cycles[key] = cycle
    event = EngagementEvent(collective_id=collective.id, cycle_id=cycles["cycle"].id, title=f"{name} workshop",
                            held_on=date(2026, 10, 9), place="Hall", kind="workshop", participants=12)
    need = Need(collective_id=collective.id, cycle_id=cycles["cycle"].id, title=f"{name} need", statement="Secret need")
    agreed = Need(collective_id=collective.id, cycle_id=cycles["agreed_cycle"].id, title=f"{name} agreed need",
                  statement="Secret agreed need", decision="priority")
    db.session.add_all([event, need, agreed])
    db.session.flush()
    db.session.add(EngagementHost(event_id=event.id, organisation_id=organisation.id, collective_id=collective.id))
    priority = Priority(collective_id=collective.id, cycle_id=cycles["agreed_cycle"].id, need_id=agreed.id)
    db.session.add(priority)
    db.session.flush()
    we_did = WeDidEntry(collective_id=collective.id, priority_id=priority.id, text=f"{name} secret we did")
    db.session.add(we_did)
    db.session.flush()
    return {"we_did": we_did.id,"import": record.id, "cycle": cycles["cycle"].id, "early_cycle": cycles["early_cycle"].id,
            "agreed_cycle": cycles["agreed_cycle"].id, "event": event.id, "need": need.id,
            "priority": priority.id}
