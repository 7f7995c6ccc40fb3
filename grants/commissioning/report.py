"""The needs-analysis report: a cycle's evidence, engagement, needs and priorities as a PDF.

The report is a document people print and share, so every count of people by community in it
is published through :mod:`grants.disclosure` (users, not-stated users, participants, people
reached by "we did" entries and by the commissioned round's grants); where a group's users are
suppressed, so are its ratio and interval (they would give the count back), and only the
under-served flag is shown. Population figures are rounded by the same rules.

:func:`needs_analysis_values` reads a cycle into plain values; :func:`sample_values` builds the
same from the demo data without a database, for ``flask --app grants documents samples``.

The report is in the language it is built in (``force_locale`` in the worker): sentences are
worded with ``_()`` as they are read, labels declared elsewhere (groups, states, kinds of event,
decisions) are translated where they are read.
"""

from __future__ import annotations

import io
from dataclasses import asdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants import disclosure
from grants.collectives.models import Collective
from grants.commissioning import charts, csvfiles, delivery, demo, ethnicity, queries, stats, summary
from grants.commissioning.models import EVENT_KINDS, CommissioningCycle, ServiceUseDataset
from grants.db import db
from grants.documents.registry import DocumentKind, register
from grants.timeutil import utcnow
from grants.views import filename_words

MAX_UNDER_SERVED_ROWS = 200
NO_DATA = _l("No data")


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def published_gap_rows(area: stats.AreaGaps) -> list[dict]:
    """One area's gaps with users and population published, and ratios hidden where users are."""
    users = disclosure.publish_counts({g.ethnic_group: g.users for g in area.gaps if not g.no_data})
    people = disclosure.publish_counts({g.ethnic_group: g.population or 0 for g in area.gaps})
    rows = []
    for gap in area.gaps:
        if gap.no_data:
            rows.append({"area": area.area, "group": _(gap.label), "users": str(NO_DATA),
                         "population": "—" if gap.population is None else people.cells[gap.ethnic_group].text,
                         "ratio": "—", "interval": "—", "under_served": False})
            continue
        hidden = users.cells[gap.ethnic_group].suppressed
        rows.append({
            "area": area.area, "group": _(gap.label),
            "users": users.cells[gap.ethnic_group].text,
            "population": "—" if gap.population is None else people.cells[gap.ethnic_group].text,
            "ratio": disclosure.SUPPRESSED if hidden and gap.ratio is not None else _number(gap.ratio),
            "interval": (disclosure.SUPPRESSED if hidden and gap.ratio is not None
                         else ("—" if gap.ratio is None else _("%(low)s to %(high)s", low=f"{gap.ci_low:.2f}",
                                                                high=f"{gap.ci_high:.2f}"))),
            "under_served": gap.under_served,
        })
    return rows


def evidence_section(found: queries.DatasetGaps, threshold: float) -> dict:
    overall = found.overall
    svg = charts.ratio_chart(overall, threshold, _("%(service)s, %(period)s: all areas", service=found.dataset.service,
                                                   period=found.dataset.period))
    flagged = []
    for area in found.areas:
        flagged.extend(row for row in published_gap_rows(area) if row["under_served"])
    not_stated = disclosure.publish_count(overall.users_not_stated)
    return {
        "title": found.dataset.title,
        "coding": (_("NHS ethnic category codes (compared with the population folded to NHS categories)")
                   if found.dataset.coding == ethnicity.NHS else _("ONS 2021 ethnic groups")),
        "areas": len(found.areas),
        "chart": charts.data_uri(svg) if svg else "",
        "chart_alt": charts.alt_text(overall, threshold),
        "overall": published_gap_rows(overall),
        "users_total": disclosure.publish_count(overall.users_stated).text,
        "not_stated": not_stated.text,
        "under_served": flagged[:MAX_UNDER_SERVED_ROWS],
        "under_served_more": max(0, len(flagged) - MAX_UNDER_SERVED_ROWS),
    }


def _published_delivery(found: delivery.PriorityDelivery | None) -> dict | None:
    """What the commissioned round's grants delivered for one priority, with people reached published."""
    if found is None:
        return None
    published = found.reach_published
    return {"round": found.round.name, "amount": found.amount, "reported": len(found.reported),
            "grants": [{"title": g.title, "organisation": g.organisation, "amount": g.amount,
                        "state": _(g.public_label)} for g in found.grants],
            "outcomes": [{"text": o.text, "projects": o.projects} for o in found.outcomes],
            "stories": [{"title": title, "story": story} for title, story in found.stories],
            "reach": asdict(published) if published else None}


def _published_cycle(cycle: summary.CycleSummary) -> dict:
    """The cycle's engagement, needs and priorities with every count by community published."""
    participation: dict[str, int] = {}
    for event in cycle.events:
        for code, n in event.by_community.items():
            participation[code] = participation.get(code, 0) + n
    return {
        "events": [{"title": e.title, "held_on": e.held_on, "place": e.place, "kind": _(e.kind_label),
                    "hosts": e.hosts, "participants": e.participants_published,
                    "feedback": [asdict(f) for f in e.feedback]} for e in cycle.events],
        "participants": disclosure.publish_count(cycle.participants).text,
        "participation": asdict(summary.published_counts(participation)) if participation else None,
        "needs": [{"title": n.title, "statement": n.statement, "decision": _(n.decision_label),
                   "reason": n.decision_reason if n.decision == "not_taken_forward" else "",
                   "evidence": [_evidence_line(g) for g in n.evidence],
                   "feedback": [f.text for f in n.feedback]} for n in cycle.needs],
        "priorities": [{"title": n.title, "themes": n.priority.themes, "note": n.priority.note,
                        "approved_by": n.priority.approved_by, "approved_at": n.priority.approved_at,
                        "we_did": [{"text": w.text, "created_at": w.created_at,
                                    "reach": asdict(w.reach_published) if w.reach else None}
                                   for w in n.priority.we_did if w.checked],
                        "delivery": _published_delivery(n.priority.delivery)}
                       for n in cycle.priorities],
    }


def _evidence_line(gap: summary.GapRef) -> str:
    values = {"service": gap.service, "period": gap.period, "group": _(gap.label), "area": gap.area}
    if gap.found:
        return _("%(service)s, %(period)s: %(group)s in %(area)s", **values)
    return _("%(service)s, %(period)s: %(group)s in %(area)s (no longer in the data)", **values)


def build_values(cycle: summary.CycleSummary, gap_sets: list[queries.DatasetGaps], threshold: float,
                 sample: bool = False) -> dict:
    """``sample``: the evidence is sample data (the demo seed's); every page of the PDF says so."""
    return {
        "sample": sample,
        "collective": cycle.collective_name,
        "cycle": cycle.name,
        "description": cycle.description,
        "state": _(cycle.state_label),
        "round": cycle.round.name if cycle.round else "",
        "generated_at": utcnow(),
        "threshold": f"{threshold:g}",
        "rounding": disclosure.settings()[1],
        "disclosure_threshold": disclosure.settings()[0],
        "evidence": [evidence_section(found, threshold) for found in gap_sets],
        **_published_cycle(cycle),
    }


def needs_analysis_values(cycle_id: int) -> dict:
    cycle = db.session.get(CommissioningCycle, cycle_id)
    if cycle is None:
        raise LookupError(f"There is no commissioning cycle with id {cycle_id}.")
    collective = db.session.get(Collective, cycle.collective_id)
    gap_sets = queries.gaps(collective, queries.cycle_datasets(cycle))
    datasets = [found.dataset for found in gap_sets]
    return build_values(summary.cycle_summary(cycle, gap_sets), gap_sets, queries.threshold(collective),
                        sample=queries.sample_data(collective, datasets))


def filename(values: dict) -> str:
    return f"needs-analysis-{filename_words(values['cycle'], 'cycle')}.pdf"


def _sample_delivery() -> delivery.PriorityDelivery:
    """The demo's awarded round and its reported grant (grants.demo.REPORTED_GRANT), without a database."""
    from grants import demo as site_demo

    title = site_demo.REPORTED_GRANT["title"]
    org_index, _title, _summary, amount, theme_index = next(p for p in site_demo.AWARDED_PROPOSALS if p[1] == title)
    grant = delivery.GrantDelivered(
        1, title, site_demo.ORGANISATIONS[org_index]["name"], amount, site_demo.THEMES[theme_index][0], "Closed",
        "Completed", reports_accepted=1, people=dict(site_demo.REPORTED_GRANT["people_reached"]),
        outcomes=[(site_demo.OUTCOMES[i][1], how) for i, how in sorted(site_demo.REPORTED_GRANT["outcomes"].items())],
        story=site_demo.REPORTED_GRANT["story"])
    return delivery.PriorityDelivery(delivery.RoundRef(1, "Summer 2026 community health grants", "awarded",
                                                       "Awarded", "Grants awarded"), [grant])


def sample_values() -> dict:
    """The demo cycle as it would read, computed from the demo files without a database."""
    usage = csvfiles.read_usage(io.BytesIO(demo.usage_csv()))
    baseline = {area: held.counts for area, held in csvfiles.read_population(io.BytesIO(demo.population_csv())).areas.items()}
    gap_sets = []
    for number, ((service, period), parsed) in enumerate(sorted(usage.datasets.items()), start=1):
        dataset = ServiceUseDataset(id=number, collective_id=0, service=service, period=period, coding=parsed.coding)
        counts = stats.DatasetCounts(service, period, parsed.coding, parsed.counts)
        gap_sets.append(queries.DatasetGaps(dataset, stats.dataset_gaps(counts, baseline),
                                            stats.all_areas(counts, baseline)))
    now = utcnow()
    events = []
    for number, values in enumerate(demo.EVENTS, start=1):
        events.append(summary.EventSummary(
            number, values["title"], values["held_on"], values["place"], EVENT_KINDS[values["kind"]],
            [values["host"]], values["participants"], values["by_community"], values["notes"],
            [summary.FeedbackSummary(0, text, values["title"], themes, [ethnicity.label(c) for c in communities])
             for text, themes, communities in values["feedback"]]))
    feedback = [item for event in events for item in event.feedback]
    needs = []
    funded = _sample_delivery()
    for number, values in enumerate(demo.NEEDS, start=1):
        priority = None
        if values["decision"] == "priority":
            we_did = ([summary.WeDidSummary(1, demo.WE_DID["text"], "Facilitator", now, demo.WE_DID["reach"],
                                            checked=True, checked_by="Reviewer", checked_at=now)]
                      if demo.WE_DID["need"] == number - 1 else [])
            priority = summary.PrioritySummary(number, values["themes"], values["note"], "Reviewer", now, we_did,
                                               delivery.PriorityDelivery(funded.round, [
                                                   g for g in funded.grants if g.theme in values["themes"]]))
        evidence = [summary.GapRef(0, service, demo.PERIOD, area, code, ethnicity.label(code))
                    for service, area, code in values["evidence"]]
        needs.append(summary.NeedSummary(
            number, values["title"], values["statement"], values["decision"],
            {"priority": "Agreed as a priority", "not_taken_forward": "Not taken forward"}[values["decision"]],
            values["note"] if values["decision"] == "not_taken_forward" else "", "Reviewer", evidence,
            [feedback[i] for i in values["feedback"]], priority))
    cycle = summary.CycleSummary(
        id=0, name=demo.CYCLE_NAME, description="A sample needs-analysis report from the demo data.",
        state="commissioned", state_label="Commissioned", public_label="Funding round set up", round=funded.round,
        collective_name="West Birmingham Community Health Collective", collective_slug="demo", created_at=now,
        published_at=None, datasets=[found.dataset.title for found in gap_sets], events=events, needs=needs)
    return build_values(cycle, gap_sets, stats.DEFAULT_THRESHOLD, sample=True)


NEEDS_ANALYSIS = register(DocumentKind(
    name="needs-analysis", title=_l("Needs-analysis report"), template="needs_analysis.html",
    load=needs_analysis_values, sample=sample_values, filename=filename))
