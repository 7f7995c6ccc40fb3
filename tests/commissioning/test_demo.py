"""The demo collective gains a commissioning cycle that every commissioning page and document can show."""

from __future__ import annotations

from sqlmodel import select

from grants.commissioning import queries, report
from grants.commissioning.models import (
    CommissioningCycle,
    EngagementEvent,
    EngagementHost,
    Need,
    Priority,
    PriorityTheme,
    ServiceUseDataset,
    WeDidEntry,
)
from grants.db import db
from grants.organisations.models import Organisation
from tests.commissioning.test_documents import text_of
from tests.commissioning.helpers import untyped


def test_the_demo_seed_has_a_cycle_with_evidence_engagement_needs_priorities_and_we_did(app, runner):
    app.config["COMMONPOT_DEMO"] = True   # the seed runs only for the demo, by its flag
    result = runner.invoke(args=["seed-demo", "--force"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        cycle = db.session.exec(select(CommissioningCycle)).one()
        # the cycle chose the demo's awarded round and its priorities are commissioned
        from grants.rounds.models import Round

        funded = db.session.get(Round, cycle.round_id)
        assert (cycle.name, cycle.state) == ("2027 community health", "commissioned")
        assert (funded.name, funded.state) == ("Summer 2026 community health grants", "awarded")
        # GP registration: a checked "we did" and the confirmed cards grant; diabetes education: no
        # grant of the round was confirmed to answer it (sharing a theme is not enough)
        assert cycle.commissioned_round_closed is False
        assert cycle.needs_without_response == ["Diabetes education in our languages, at the mosque"]
        datasets = {d.service: d for d in db.session.exec(select(ServiceUseDataset)).all()}
        assert {s: d.coding for s, d in datasets.items()} == {"New GP registrations": "ons",
                                                              "Diabetes structured education": "nhs"}
        host_kinds = db.session.exec(select(Organisation.kind).join(
            EngagementHost, EngagementHost.organisation_id == Organisation.id).join(
            EngagementEvent, EngagementEvent.id == EngagementHost.event_id)
            .where(EngagementEvent.kind == "workshop")).all()
        assert host_kinds == ["faith_group"]
        decisions = sorted(db.session.exec(select(Need.decision)).all())
        assert decisions == ["not_taken_forward", "priority", "priority"]
        assert len(db.session.exec(select(PriorityTheme)).all()) == 4
        assert len(db.session.exec(select(WeDidEntry)).all()) == 1
        assert cycle.priorities_agreed is True
        gaps = {(g.service, g.area, g.ethnic_group): g for found in queries.gaps(cycle_collective(cycle))
                for g in found.gaps}
        assert gaps[("New GP registrations", "Handsworth", "white_roma")].under_served
        assert gaps[("Diabetes structured education", "Handsworth", "asian_bangladeshi")].under_served
        assert ("Diabetes structured education", "Handsworth", "white_roma") not in gaps   # folded into Other White
        assert not gaps[("New GP registrations", "Ladywood", "white_british")].under_served
        _reader, text = text_of(report.NEEDS_ANALYSIS.render(report.needs_analysis_values(cycle.id)))
        text = " ".join(text.split())                      # table cells wrap onto several lines
        assert "Health and wellbeing workshop after Jummah" in text and "Winson Green Mosque Health Circle" in text
        priority_count = len(db.session.exec(select(Priority)).all())
        assert priority_count == 2

    public = untyped(app.test_client().get("/c/demo/you-said-we-did").data.decode())
    assert "Registering with a GP without papers" in public
    assert "Not taken forward:" in public and "translation service for GP letters" in public
    assert "Roma Families Birmingham and the Eritrean Community ran weekly GP registration drop-ins" in public
    # "we did" from the round's grant whose end report was accepted: 38 Pakistani people → 40; 5 Arab
    # people hidden, and the 21 Bangladeshi people hidden beside them because the total (64 → 65) shows
    assert "Translated GP registration cards, by Winson Green Mosque Health Circle (£600): completed" in public
    assert "More people from under-served communities know how to register with a GP (1 project)" in public
    assert "Nobody asked for her passport." in public
    assert 'numeric">40</td>' in public and 'numeric">65</td>' in public and ">38<" not in public
    # the grant still waiting for its report to be accepted, on a theme no priority has, is not there
    assert "Stay-and-play sessions" not in public
    # a second run changes nothing
    assert runner.invoke(args=["seed-demo", "--force"]).exit_code == 0
    with app.app_context():
        assert len(db.session.exec(select(CommissioningCycle)).all()) == 1


def cycle_collective(cycle):
    from grants.collectives.models import Collective

    return db.session.get(Collective, cycle.collective_id)
