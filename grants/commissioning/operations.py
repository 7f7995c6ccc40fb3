"""Operations of reverse commissioning: the only code that changes its rows.

Each operation checks what it is asked, changes rows, flushes, writes its audit row and queues
its emails; the caller (a route through ``attempt``, a CLI command, the demo seed) commits.
Refusals are :class:`grants.errors.Refused` with the field they belong beside; a file that
cannot be imported raises :class:`grants.commissioning.csvfiles.FileProblems` listing its lines.
The cycle itself moves only through :func:`grants.workflow.operations.fire`.
"""

from __future__ import annotations

import time
from datetime import date
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

import workflows
from grants import audit, queue, versions
from grants.collectives import queries as collective_queries
from grants.collectives.models import Collective, Theme
from grants.commissioning import csvfiles, ethnicity, notify, permissions, queries
from grants.commissioning.models import (
    EVENT_KINDS,
    CommissioningCycle,
    CommissioningSetting,
    CycleEvidence,
    EngagementEvent,
    EngagementHost,
    EngagementParticipation,
    EvidenceImport,
    EvidenceUpload,
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
    PriorityGrant,
    WeDidEntry,
    WeDidReach,
)
from grants.db import db
from grants.errors import Refused
from grants.i18n import formatting_locale
from grants.organisations.models import Organisation
from grants.timeutil import format_date, utcnow
from grants.workflow.operations import effect, fire
from workflows.i18n import N_
from workflows.text import join_words

# Rows per INSERT statement batch: large enough to be fast, small enough for any driver.
BATCH = 5_000


def _actor_id(actor) -> int | None:
    return getattr(actor, "id", None)


def _state_label(state: str) -> str:
    """The cycle's stage in the page's language."""
    return _(workflows.get("commissioning").coerce_state(state).staff_label)


def _require_state(cycle: CommissioningCycle, states: tuple[str, ...], message: str) -> None:
    """Refuse unless the cycle is at one of ``states``; ``message`` (marked with ``N_``) names what
    cannot be done, with ``%(allowed)s`` for the stages it can be done at and ``%(state)s`` for where it is."""
    if cycle.state not in states:
        quoted = [_("“%(state)s”", state=_state_label(s)) for s in states]
        # English keeps its wording ("“A” or “B” or “C”"); other languages join as their grammar does.
        allowed = join_words(quoted, "or") if formatting_locale() else " or ".join(quoted)
        raise Refused(_(message, allowed=allowed, state=_state_label(cycle.state)))


# -- settings ------------------------------------------------------------------------------------

def set_threshold(collective: Collective, percent: int | None, actor) -> None:
    """The collective's under-served threshold in hundredths (80 = 0.8); None for the default."""
    if percent is not None and not 0 < percent <= 100:
        raise Refused(_("Enter a threshold between 0.01 and 1"), field="threshold")
    setting = db.session.get(CommissioningSetting, collective.id) or CommissioningSetting(collective_id=collective.id)
    before = setting.underserved_threshold_percent
    setting.underserved_threshold_percent = percent
    db.session.add(setting)
    db.session.flush()
    audit.record(actor, "commissioning.settings_changed", setting, "Under-served threshold changed",
                 collective_id=collective.id, before={"threshold_percent": before},
                 after={"threshold_percent": percent})


# -- evidence ------------------------------------------------------------------------------------

def _flush_or_refuse(row, message: str, field: str | None = None) -> None:
    """Add and flush ``row``; if someone else saved the same unique thing a moment ago, say so."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError as error:
        raise Refused(message, field=field) from error


def _insert(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(table), rows[start:start + BATCH])


def import_usage(collective: Collective, stream: BinaryIO, *, actor, filename: str = "",
                 sample: bool = False) -> EvidenceImport:
    """Import a service-use file, all or nothing; each service and period in it replaces the old one.
    ``sample``: the figures are made up (the demo seed's), and every page showing them says so."""
    started = time.perf_counter()
    parsed = csvfiles.read_usage(stream)
    existing = {(d.service, d.period): d for d in queries.datasets(collective)}
    record = EvidenceImport(collective_id=collective.id, kind="usage", filename=filename[:200], rows=parsed.rows,
                            services=parsed.services, periods=parsed.periods, sample=sample,
                            areas=sorted({area for d in parsed.datasets.values() for area, _code in d.counts}),
                            imported_by_id=_actor_id(actor), imported_by_label=audit.actor_label(actor))
    db.session.add(record)
    db.session.flush()
    replaced = [existing[key] for key in parsed.datasets if key in existing]
    if replaced:
        db.session.execute(sa.delete(ServiceUseCount).where(
            ServiceUseCount.collective_id == collective.id,
            ServiceUseCount.dataset_id.in_([d.id for d in replaced])))
    now = utcnow()
    rows: list[dict] = []
    for (service, period), parsed_dataset in parsed.datasets.items():
        dataset = existing.get((service, period)) or ServiceUseDataset(
            collective_id=collective.id, service=service, period=period, coding=parsed_dataset.coding)
        dataset.coding, dataset.rows, dataset.import_id, dataset.updated_at = (
            parsed_dataset.coding, len(parsed_dataset.counts), record.id, now)
        _flush_or_refuse(dataset, _("%(service)s in %(period)s was imported by someone else at the same moment. "
                                    "Import the file again to replace theirs.", service=service, period=period), "file")
        rows.extend({"collective_id": collective.id, "dataset_id": dataset.id, "area": area,
                     "ethnic_group": code, "users": users}
                    for (area, code), users in parsed_dataset.counts.items())
    _insert(ServiceUseCount.__table__, rows)
    record.replaced = sorted(f"{d.service}, {d.period}" for d in replaced)
    record.milliseconds = round((time.perf_counter() - started) * 1000)
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "evidence.usage_imported", record,
                 f"Service use imported from {filename or 'a file'}: {parsed.rows:,} rows"
                 + (f", replacing {', '.join(record.replaced)}" if replaced else ""),
                 before={"replaced": record.replaced} if replaced else None,
                 after={"rows": parsed.rows, "services": record.services, "periods": record.periods})
    return record


def import_population(collective: Collective, stream: BinaryIO, *, actor, filename: str = "",
                      sample: bool = False) -> EvidenceImport:
    """Import a population baseline, all or nothing; each area in it replaces that area's baseline.
    ``sample``: the figures are made up (the demo seed's), and every page showing them says so."""
    started = time.perf_counter()
    parsed = csvfiles.read_population(stream)
    areas = sorted(parsed.areas)
    record = EvidenceImport(collective_id=collective.id, kind="population", filename=filename[:200],
                            rows=parsed.rows, areas=areas, sample=sample, imported_by_id=_actor_id(actor),
                            imported_by_label=audit.actor_label(actor))
    db.session.add(record)
    db.session.flush()
    replaced = sorted(db.session.exec(select(PopulationCount.area).distinct().where(
        PopulationCount.collective_id == collective.id, PopulationCount.area.in_(areas))).all())
    if replaced:
        db.session.execute(sa.delete(PopulationCount).where(
            PopulationCount.collective_id == collective.id, PopulationCount.area.in_(replaced)))
    try:
        with db.session.begin_nested():
            _insert(PopulationCount.__table__, [
                {"collective_id": collective.id, "area": area, "ethnic_group": code, "population": people,
                 "coding": holder.coding, "import_id": record.id}
                for area, holder in parsed.areas.items() for code, people in holder.counts.items()])
    except IntegrityError as error:
        raise Refused(_("A population baseline for these areas was imported by someone else at the same moment. "
                        "Import the file again to replace it."), field="file") from error
    record.replaced = replaced
    record.milliseconds = round((time.perf_counter() - started) * 1000)
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "evidence.population_imported", record,
                 f"Population baseline imported from {filename or 'a file'}: {parsed.rows:,} rows, "
                 f"{len(areas)} area{'s' if len(areas) != 1 else ''}"
                 + (f", replacing {len(replaced)}" if replaced else ""),
                 before={"replaced_areas": replaced} if replaced else None,
                 after={"rows": parsed.rows, "areas": areas})
    return record


def queue_import(collective: Collective, kind: str, stream: BinaryIO, *, actor, filename: str = "") -> EvidenceUpload:
    """Keep a large evidence file in the database for the worker to import
    (:func:`grants.commissioning.uploads.import_upload`, queued for after the commit)."""
    from grants.commissioning import uploads

    if kind not in ("usage", "population"):
        raise Refused(_("Choose what the file contains"), field="kind")
    content = stream.read()
    if not content:
        raise Refused(_("The selected file is empty"), field="file")
    upload = EvidenceUpload(collective_id=collective.id, kind=kind, filename=filename[:200], content=content,
                            size=len(content), state="queued", stage=N_("Waiting to start"),
                            uploaded_by_id=_actor_id(actor), uploaded_by_label=audit.actor_label(actor))
    db.session.add(upload)
    db.session.flush()
    audit.record(actor, "evidence.import_queued", upload,
                 f"{'Service use' if kind == 'usage' else 'Population baseline'} file {filename or ''} "
                 f"({len(content):,} bytes) queued to be imported",
                 after={"kind": kind, "size": len(content)})
    queue.enqueue(uploads.import_upload, upload.id)
    return upload


# -- cycles --------------------------------------------------------------------------------------

def create_cycle(collective: Collective, *, name: str, description: str, actor) -> CommissioningCycle:
    taken = db.session.exec(select(CommissioningCycle.id).where(
        CommissioningCycle.collective_id == collective.id, CommissioningCycle.name == name)).first()
    if taken is not None:
        raise Refused(_("The collective already has a cycle with this name"), field="name")
    initial = workflows.get("commissioning").initial_state.value
    cycle = CommissioningCycle(collective_id=collective.id, name=name, description=description, state=initial,
                               created_by_id=_actor_id(actor))
    _flush_or_refuse(cycle, _("The collective already has a cycle with this name"), "name")
    audit.record(actor, "commissioning.cycle_created", cycle, f"Commissioning cycle “{name}” started",
                 after={"name": name})
    return cycle


def choose_round(cycle: CommissioningCycle, round_id: int | None, actor) -> None:
    """Choose the round that will fund the cycle's priorities (``None``: no round yet).

    The round must be one of the collective's and not cancelled. The ``commission`` transition's
    guard reads this choice, so the change is made like a transition's: only if the cycle still
    has the state and version it was read with (its version goes up), and a firing that read the
    old choice loses its compare-and-swap instead of commissioning the wrong round.
    """
    from grants.commissioning import delivery

    if cycle.state not in permissions.CHOOSE_ROUND_STATES:
        raise Refused(_("The round can be chosen until the priorities are commissioned; the cycle is at "
                        "“%(state)s”. To choose another round, reopen the priorities first.",
                        state=_state_label(cycle.state)), field="round_id")
    chosen = None
    if round_id is not None:
        chosen = delivery.chooseable_round(cycle.collective_id, round_id)
        if chosen is None:
            raise Refused(_("Choose a round from the list"), field="round_id")
        awarded = delivery.awarded_at(cycle.collective_id, chosen.id)
        if awarded is not None and awarded < cycle.created_at:
            raise Refused(_("“%(round)s” offered its grants on %(offered)s, before this cycle began on %(began)s: "
                            "they were not chosen to answer its needs. Choose a round that has not offered its grants "
                            "yet.", round=chosen.name, offered=format_date(awarded), began=format_date(cycle.created_at)),
                          field="round_id")
    if (chosen.id if chosen else None) == cycle.round_id:
        return                                  # nothing changes, so nothing is recorded
    before = delivery.round_ref(cycle)
    changed = db.session.execute(
        sa.update(CommissioningCycle)
        .where(CommissioningCycle.id == cycle.id, CommissioningCycle.state == cycle.state,
               CommissioningCycle.version == cycle.version)
        .values(round_id=chosen.id if chosen else None, version=cycle.version + 1))
    if changed.rowcount != 1:
        raise Refused(_("Someone else changed this cycle a moment ago. Reload the page to see it."), field="round_id")
    db.session.refresh(cycle)
    audit.record(actor, "commissioning.round_chosen", cycle,
                 f"“{chosen.name}” chosen to fund the priorities of “{cycle.name}”" if chosen
                 else f"No round funds the priorities of “{cycle.name}” any more",
                 before={"round_id": before.id if before else None, "round": before.name if before else None},
                 after={"round_id": chosen.id if chosen else None, "round": chosen.name if chosen else None})


def move_cycle(cycle: CommissioningCycle, transition: str, actor, *, reason: str = "") -> workflows.Move:
    """Move the cycle on (or back) through the ``commissioning`` workflow."""
    data = {"reason": reason.strip()} if reason.strip() else {}
    return fire(cycle, transition, actor, data=data)


def set_cycle_evidence(cycle: CommissioningCycle, dataset_ids: list[int], actor) -> None:
    """Choose which of the collective's service-use datasets this cycle uses as evidence."""
    _require_state(cycle, permissions.ATTACH_EVIDENCE_STATES,
                   N_("You can change the evidence while the cycle is at %(allowed)s; it is at “%(state)s”."))
    collective = db.session.get(Collective, cycle.collective_id)
    chosen = queries.datasets(collective, ids=list(dataset_ids))
    if len(chosen) != len(set(dataset_ids)):
        raise Refused(_("Choose datasets from the list"), field="datasets")
    before = sorted(d.title for d in queries.cycle_datasets(cycle))
    db.session.execute(sa.delete(CycleEvidence).where(CycleEvidence.collective_id == cycle.collective_id,
                                                      CycleEvidence.cycle_id == cycle.id))
    db.session.add_all(CycleEvidence(cycle_id=cycle.id, dataset_id=d.id, collective_id=cycle.collective_id)
                       for d in chosen)
    db.session.flush()
    audit.record(actor, "commissioning.evidence_chosen", cycle, f"Evidence of “{cycle.name}” chosen",
                 before={"datasets": before}, after={"datasets": sorted(d.title for d in chosen)})


# -- engagement ----------------------------------------------------------------------------------

def _check_by_community(counts: dict[str, int], total: int | None, field: str, negative: str,
                        too_many: str = "") -> dict[str, int]:
    """``negative`` and ``too_many`` are the refusals (marked with ``N_``; ``too_many`` has
    ``%(counted)s`` and ``%(total)s``)."""
    counts = {code: int(n) for code, n in counts.items() if n is not None}
    if any(code not in ethnicity.STATED_CODES for code in counts):
        raise Refused(_("Choose communities from the list"), field=field)
    if any(n < 0 for n in counts.values()):
        raise Refused(_(negative), field=field)
    if total is not None and sum(counts.values()) > total:
        raise Refused(_(too_many, counted=f"{sum(counts.values()):,}", total=f"{total:,}"), field=field)
    return {code: n for code, n in counts.items() if n > 0}


def record_event(cycle: CommissioningCycle, *, title: str, held_on: date, place: str, kind: str,
                 participants: int, notes: str, host_ids: list[int], by_community: dict[str, int],
                 actor) -> EngagementEvent:
    """Record an engagement event with its hosts and (optionally) participants by community."""
    _require_state(cycle, permissions.ENGAGEMENT_STATES,
                   N_("You can record engagement while the cycle is at %(allowed)s; it is at “%(state)s”."))
    if kind not in EVENT_KINDS:
        raise Refused(_("Choose what kind of event it was"), field="kind")
    if participants < 0:
        raise Refused(_("The number of participants cannot be negative"), field="participants")
    collective = db.session.get(Collective, cycle.collective_id)
    hosts = {o.id: o for o in collective_queries.organisations(collective)}
    if not host_ids:
        raise Refused(_("Choose the community partners who hosted the event"), field="hosts")
    if any(host_id not in hosts for host_id in host_ids):
        raise Refused(_("Choose hosts from the collective's organisations"), field="hosts")
    by_community = _check_by_community(
        by_community, participants, "participants", N_("The number of participants cannot be negative"),
        N_("The participants by community add up to %(counted)s, more than the %(total)s in total"))
    event = EngagementEvent(collective_id=cycle.collective_id, cycle_id=cycle.id, title=title, held_on=held_on,
                            place=place, kind=kind, participants=participants, notes=notes,
                            created_by_id=_actor_id(actor))
    db.session.add(event)
    db.session.flush()
    db.session.add_all(EngagementHost(event_id=event.id, organisation_id=host_id, collective_id=cycle.collective_id)
                       for host_id in dict.fromkeys(host_ids))
    db.session.add_all(EngagementParticipation(event_id=event.id, ethnic_group=code, participants=n,
                                               collective_id=cycle.collective_id)
                       for code, n in by_community.items())
    db.session.flush()
    audit.record(actor, "engagement.recorded", event, f"{event.kind_label} “{title}” recorded",
                 after={"held_on": held_on.isoformat(), "place": place, "participants": participants,
                        "hosts": [hosts[i].name for i in dict.fromkeys(host_ids)]})
    return event


def _themes(collective_id: int, theme_ids: list[int], field: str) -> list[Theme]:
    found = list(db.session.exec(select(Theme).where(Theme.collective_id == collective_id,
                                                     Theme.id.in_(theme_ids or [-1]),
                                                     Theme.retired == False)).all())  # noqa: E712
    if len(found) != len(set(theme_ids)):
        raise Refused(_("Choose themes from the list"), field=field)
    return found


def add_feedback(event: EngagementEvent, *, text: str, theme_ids: list[int], communities: list[str],
                 actor) -> FeedbackItem:
    cycle = db.session.get(CommissioningCycle, event.cycle_id)
    _require_state(cycle, permissions.ENGAGEMENT_STATES,
                   N_("You can record feedback while the cycle is at %(allowed)s; it is at “%(state)s”."))
    text = text.strip()
    if not text:
        raise Refused(_("Write what was said"), field="text")
    themes = _themes(event.collective_id, theme_ids, "themes")
    if any(code not in ethnicity.STATED_CODES for code in communities):
        raise Refused(_("Choose communities from the list"), field="communities")
    item = FeedbackItem(collective_id=event.collective_id, cycle_id=event.cycle_id, event_id=event.id, text=text,
                        communities=list(dict.fromkeys(communities)), created_by_id=_actor_id(actor))
    db.session.add(item)
    db.session.flush()
    db.session.add_all(FeedbackTheme(feedback_id=item.id, theme_id=t.id, collective_id=event.collective_id)
                       for t in themes)
    db.session.flush()
    audit.record(actor, "engagement.feedback_added", item, f"Feedback recorded from “{event.title}”",
                 after={"text": text, "themes": [t.name for t in themes], "communities": item.communities})
    return item


# -- needs and priorities ------------------------------------------------------------------------

def write_need(cycle: CommissioningCycle, *, title: str, statement: str,
               evidence: list[tuple[int, str, str]], feedback_ids: list[int], actor) -> Need:
    """A need in the community's words, with the gaps and feedback that support it."""
    _require_state(cycle, permissions.NEED_STATES,
                   N_("You can write needs while the cycle is at %(allowed)s; it is at “%(state)s”."))
    title, statement = title.strip(), statement.strip()
    if db.session.exec(select(Need.id).where(Need.collective_id == cycle.collective_id, Need.cycle_id == cycle.id,
                                             Need.title == title)).first() is not None:
        raise Refused(_("This cycle already has a need with this title"), field="title")
    cycle_dataset_ids = {d.id for d in queries.cycle_datasets(cycle)}
    if any(dataset_id not in cycle_dataset_ids or code not in ethnicity.STATED_CODES
           for dataset_id, _area, code in evidence):
        raise Refused(_("Choose evidence from the list"), field="evidence")
    known_feedback = {item.id for item in queries.feedback(cycle)}
    if any(feedback_id not in known_feedback for feedback_id in feedback_ids):
        raise Refused(_("Choose feedback from the list"), field="feedback")
    if not evidence and not feedback_ids:
        raise Refused(_("Link the need to at least one gap or piece of feedback that supports it"), field="evidence")
    need = Need(collective_id=cycle.collective_id, cycle_id=cycle.id, title=title, statement=statement,
                created_by_id=_actor_id(actor))
    _flush_or_refuse(need, _("This cycle already has a need with this title"), "title")
    db.session.add_all(NeedEvidence(need_id=need.id, dataset_id=dataset_id, area=area, ethnic_group=code,
                                    collective_id=cycle.collective_id)
                       for dataset_id, area, code in dict.fromkeys(evidence))
    db.session.add_all(NeedFeedback(need_id=need.id, feedback_id=feedback_id, collective_id=cycle.collective_id)
                       for feedback_id in dict.fromkeys(feedback_ids))
    db.session.flush()
    audit.record(actor, "need.written", need, f"Need “{title}” written",
                 after={"statement": statement, "evidence": [list(e) for e in evidence], "feedback": feedback_ids})
    return need


def decide_need(need: Need, *, approve: bool, theme_ids: list[int], note: str, actor,
                version: int | None = None) -> Priority | None:
    """A reviewer agrees a need as a priority (answered by themes) or says why it is not taken forward.

    ``version`` is the one the form was loaded from: a decision over a newer one is refused (``grants.versions``)."""
    cycle = db.session.get(CommissioningCycle, need.cycle_id)
    if "reviewer" not in actor_roles(actor, cycle):
        raise Refused(_("Only a reviewer of the partnership can decide priorities"))
    versions.claim(need, version, actor)
    _require_state(cycle, permissions.DECISION_STATES,
                   N_("You can decide priorities while the cycle is at %(allowed)s; it is at “%(state)s”."))
    if need.decision != "undecided":
        raise Refused(_("This need has already been decided: %(decision)s.", decision=need.decision_label.lower()))
    note = note.strip()
    if not approve and not note:
        raise Refused(_("Say why the need is not taken forward: the community will see your reason"), field="note")
    if approve and not theme_ids:
        raise Refused(_("Choose at least one theme that will answer this priority"), field="themes")
    themes = _themes(need.collective_id, theme_ids, "themes") if approve else []
    now = utcnow()
    decision = "priority" if approve else "not_taken_forward"
    # Of two reviewers deciding at once, exactly one wins; the other is told, not shown an error page.
    decided = db.session.execute(
        sa.update(Need).where(Need.id == need.id, Need.decision == "undecided")
        .values(decision=decision, decision_reason=note, decided_by_id=_actor_id(actor), decided_at=now))
    if decided.rowcount != 1:
        raise Refused(_("Someone else decided this need a moment ago. Reload the page to see their decision."))
    db.session.refresh(need)
    if not approve:
        audit.record(actor, "need.not_taken_forward", need, f"Need “{need.title}” not taken forward",
                     before={"decision": "undecided"}, after={"decision": need.decision, "reason": note})
        return None
    priority = Priority(collective_id=need.collective_id, cycle_id=need.cycle_id, need_id=need.id, note=note,
                        approved_by_id=_actor_id(actor), approved_at=now)
    db.session.add(priority)
    db.session.flush()
    db.session.add_all(PriorityTheme(priority_id=priority.id, theme_id=t.id, collective_id=need.collective_id)
                       for t in themes)
    db.session.flush()
    audit.record(actor, "priority.approved", priority, f"Need “{need.title}” agreed as a priority",
                 before={"decision": "undecided"},
                 after={"decision": "priority", "themes": [t.name for t in themes], "note": note})
    return priority


def actor_roles(actor, cycle: CommissioningCycle) -> set[str]:
    return cycle.actor_roles(actor) if getattr(actor, "is_authenticated", False) else set()


def record_we_did(priority: Priority, *, text: str, reach: dict[str, int], actor) -> WeDidEntry:
    """What was done about a priority, with the people reached by community (exact, stored)."""
    cycle = db.session.get(CommissioningCycle, priority.cycle_id)
    _require_state(cycle, permissions.WE_DID_STATES,
                   N_("You can record what was done while the cycle is at %(allowed)s; it is at “%(state)s”."))
    text = text.strip()
    if not text:
        raise Refused(_("Say what was done"), field="text")
    reach = _check_by_community(reach, None, "reach", N_("The number of people reached cannot be negative"))
    entry = WeDidEntry(collective_id=priority.collective_id, priority_id=priority.id, text=text,
                       written_by_id=_actor_id(actor))
    db.session.add(entry)
    db.session.flush()
    db.session.add_all(WeDidReach(entry_id=entry.id, ethnic_group=code, people=n, collective_id=priority.collective_id)
                       for code, n in reach.items())
    db.session.flush()
    need = db.session.get(Need, priority.need_id)
    audit.record(actor, "we_did.recorded", entry, f"“We did” recorded for “{need.title}”",
                 after={"text": text, "reach": reach})
    return entry


def check_we_did(entry: WeDidEntry, actor) -> None:
    """A reviewer of the partnership, not the person who wrote it, checks a "we did" entry: from
    then on it is published (the public page and the needs-analysis report)."""
    priority = db.session.get(Priority, entry.priority_id)
    cycle = db.session.get(CommissioningCycle, priority.cycle_id)
    if "reviewer" not in actor_roles(actor, cycle):
        raise Refused(_("Only a reviewer of the partnership can check what was done"))
    if entry.written_by_id is not None and entry.written_by_id == _actor_id(actor):
        raise Refused(_("You wrote this: another reviewer of the partnership must check it"))
    _require_state(cycle, permissions.WE_DID_STATES,
                   N_("You can check what was done while the cycle is at %(allowed)s; it is at “%(state)s”."))
    now = utcnow()
    checked = db.session.execute(
        sa.update(WeDidEntry).where(WeDidEntry.id == entry.id, WeDidEntry.checked_at.is_(None))
        .values(checked_by_id=_actor_id(actor), checked_at=now))
    if checked.rowcount != 1:
        raise Refused(_("Someone else checked this a moment ago. Reload the page to see it."))
    db.session.refresh(entry)
    need = db.session.get(Need, priority.need_id)
    audit.record(actor, "we_did.checked", entry, f"“We did” for “{need.title}” checked and published",
                 before={"checked": False}, after={"checked": True, "text": entry.text})


def confirm_grants(priority: Priority, grant_ids: list[int], actor) -> None:
    """A facilitator says which of the grants matched to a priority by theme really answer it
    (``grant_ids``, replacing the earlier choice); only those count in "we did"."""
    from grants.commissioning import delivery

    cycle = db.session.get(CommissioningCycle, priority.cycle_id)
    if not permissions.can_manage_commissioning(actor, cycle.collective_id):
        raise Refused(_("Only a facilitator can confirm which grants answer a priority"))
    _require_state(cycle, permissions.WE_DID_STATES,
                   N_("You can confirm which grants answer a priority while the cycle is at %(allowed)s; it is at "
                      "“%(state)s”."))
    offered = {c.id: c for c in delivery.candidates(cycle, priority)}
    wanted = set(grant_ids)
    if any(grant_id not in offered for grant_id in wanted):
        raise Refused(_("Choose grants from the list"), field="grants")
    before = sorted(c.title for c in offered.values() if c.confirmed)
    kept = {grant_id for grant_id, c in offered.items() if c.confirmed}
    if wanted == kept:
        return                                  # nothing changes, so nothing is recorded
    db.session.execute(sa.delete(PriorityGrant).where(PriorityGrant.collective_id == priority.collective_id,
                                                      PriorityGrant.priority_id == priority.id,
                                                      PriorityGrant.grant_id.not_in(wanted or {-1})))
    for grant_id in sorted(wanted - kept):
        _flush_or_refuse(PriorityGrant(priority_id=priority.id, grant_id=grant_id, collective_id=priority.collective_id,
                                       confirmed_by_id=_actor_id(actor)),
                         _("Someone else confirmed these grants a moment ago. Reload the page to see it."), "grants")
    db.session.flush()
    need = db.session.get(Need, priority.need_id)
    audit.record(actor, "priority.grants_confirmed", priority, f"Grants answering “{need.title}” confirmed",
                 before={"grants": before}, after={"grants": sorted(offered[i].title for i in wanted)})


@effect("publish_you_said_we_did")
def _publish_you_said_we_did(cycle: CommissioningCycle, move, actor) -> None:
    """Closing the loop publishes the cycle's "you said, we did" and tells those who spoke.

    The page is public from the priorities onwards; closing the loop stamps it as final and
    emails the community partners who hosted the engagement, and the facilitators and reviewers.
    """
    cycle.published_at = move.at
    db.session.add(cycle)
    collective = db.session.get(Collective, cycle.collective_id)
    host_emails = db.session.exec(
        select(Organisation.contact_email).distinct()
        .join(EngagementHost, EngagementHost.organisation_id == Organisation.id)
        .join(EngagementEvent, EngagementEvent.id == EngagementHost.event_id)
        .where(EngagementEvent.collective_id == cycle.collective_id, EngagementEvent.cycle_id == cycle.id)).all()
    from grants.collectives.models import Membership
    from grants.auth.models import Person

    staff = db.session.exec(
        select(Person.email).join(Membership, Membership.person_id == Person.id)
        .where(Membership.collective_id == cycle.collective_id, Person.active == True,  # noqa: E712
               (Membership.is_facilitator == True) | (Membership.is_reviewer == True))).all()  # noqa: E712
    recipients = list(dict.fromkeys(email.lower() for email in [*host_emails, *staff] if email))
    link = notify.external_url("commissioning.public", slug=collective.slug)
    for email in recipients:
        notify.queue(email, _l("You said, we did: %(cycle)s", cycle=cycle.name), "loop_closed.txt", collective=collective,
                     cycle=cycle, link=link)
    audit.record(actor, "commissioning.published", cycle, f"“You said, we did” of “{cycle.name}” published",
                 after={"recipients": len(recipients)})
