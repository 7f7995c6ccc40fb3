"""Issue 13, items 5 and 20: "You said, we did" claims only what was checked, and demo data says
it is sample data.

(a) a round that offered its grants before the cycle began is refused and never credited;
(b) only grants a facilitator confirmed count, not every grant on a matching theme;
(c) a typed "we did" is published only once a reviewer other than its writer has checked it;
(d) absent from a usage file is "no data", not zero (the stats are in test_stats);
(20) the demo's figures are labelled "Sample data"; its budgets vary; no payment before its offer.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from grants.audit.models import AuditEvent
from grants.awards.models import Grant, Payment
from grants.collectives.models import Collective
from grants.commissioning import delivery, operations, report, summary
from grants.commissioning.models import CommissioningCycle, EvidenceImport, Priority, PriorityGrant
from grants.db import db
from grants.errors import Refused
from grants.proposals.models import BudgetLine, Proposal
from grants.timeutil import to_london
from tests import factories
from tests.commissioning.funded import awarded_round, cycle_with_priorities, report as file_report, take_up
from tests.commissioning.helpers import cycle_with_a_priority

GP = "Registering with a GP without papers"
BASE = "/c/west/commissioning"


def _cycle(cycle_id):
    db.session.expire_all()
    return db.session.get(CommissioningCycle, cycle_id)


def test_a_round_that_offered_its_grants_before_the_cycle_began_is_refused_and_never_credited(app):
    w = awarded_round(app)
    with app.test_request_context("/", method="POST"):
        cycle, priorities = cycle_with_priorities(w, {GP: ["Building trust"]}, began_before_award=False)
        facilitator = db.session.merge(w["facilitator"])
        with pytest.raises(Refused, match="before this cycle began") as refused:
            operations.choose_round(_cycle(cycle.id), w["round_id"], facilitator)
        assert refused.value.field == "round_id"
        db.session.rollback()
        assert _cycle(cycle.id).round_id is None
        # a link made some other way (an old one) still credits nothing
        cycle = _cycle(cycle.id)
        cycle.round_id = w["round_id"]
        db.session.add(cycle)
        db.session.commit()
        take_up(w, "Mosque diabetes circle")
        cycle = _cycle(cycle.id)
        priority = db.session.get(Priority, priorities[GP].id)
        assert delivery.candidates(cycle, priority) == []
        found = summary.cycle_summary(cycle).priorities[0].priority.delivery
        assert found is not None and found.grants == []


def test_a_grant_on_a_matching_theme_counts_only_once_a_facilitator_confirms_it(app, client):
    w = awarded_round(app)
    with app.test_request_context("/", method="POST"):
        cycle, priorities = cycle_with_priorities(w, {GP: ["Building trust"]})
        operations.choose_round(_cycle(cycle.id), w["round_id"], db.session.merge(w["facilitator"]))
        db.session.commit()
        take_up(w, "Mosque diabetes circle", confirm=False)
        take_up(w, "Registration navigators", confirm=False)
        file_report(w, "Mosque diabetes circle", people={"asian_pakistani": 30})
        cycle = _cycle(cycle.id)
        priority = db.session.get(Priority, priorities[GP].id)
        # matched by theme, but nobody has said they answer the need: nothing is credited
        assert [c.title for c in delivery.candidates(cycle, priority)] == ["Mosque diabetes circle",
                                                                           "Registration navigators"]
        assert summary.cycle_summary(cycle).priorities[0].priority.delivery.grants == []
        assert cycle.needs_without_response == [GP]
        facilitator_id, navigators = w["facilitator"].id, w["grants"]["Registration navigators"]
        diabetes, cycle_id, priority_id = w["grants"]["Mosque diabetes circle"], cycle.id, priority.id
    # the facilitator confirms the one that answers it, on the page
    factories.login(client, w["facilitator"])
    page_url = f"{BASE}/cycles/{cycle_id}/priorities/{priority_id}/grants"
    page = client.get(page_url).data.decode()
    assert "Mosque diabetes circle" in page and "Registration navigators" in page
    assert "Choose grants from the list" in client.post(page_url, data={"grants": ["999999"]}).data.decode()
    assert client.post(page_url, data={"grants": [str(navigators)]}).status_code == 302
    with app.app_context():
        cycle = _cycle(cycle_id)
        assert [g.title for g in summary.cycle_summary(cycle).priorities[0].priority.delivery.grants] == [
            "Registration navigators"]
        assert cycle.needs_without_response == [GP]       # its report is not in yet
        assert db.session.exec(select(PriorityGrant.grant_id)).all() == [navigators]
        event = db.session.exec(select(AuditEvent).where(AuditEvent.action == "priority.grants_confirmed")).one()
        assert event.actor_id == facilitator_id and event.after == {"grants": ["Registration navigators"]}
        assert diabetes not in {g.id for g in summary.cycle_summary(cycle).priorities[0].priority.delivery.grants}
    # a reviewer may not confirm
    factories.login(client, w["reviewer"])
    assert client.get(page_url).status_code == 403


def test_a_typed_we_did_is_published_only_after_another_person_checks_it(app, west):
    with app.test_request_context("/", method="POST"):
        cycle, priority = cycle_with_a_priority(west, checked=False)
        from grants.commissioning.models import WeDidEntry

        entry = db.session.exec(select(WeDidEntry)).one()
        cycle = _cycle(cycle.id)
        staff = summary.cycle_summary(cycle)
        assert [w.checked for w in staff.priorities[0].priority.we_did] == [False]
        assert summary.cycle_summary(cycle, public=True).priorities[0].priority.we_did == []
        assert report.needs_analysis_values(cycle.id)["priorities"][0]["we_did"] == []
        assert cycle.needs_without_response == [staff.priorities[0].title]
        # the facilitator who typed it cannot check it, even if they were also a reviewer
        with pytest.raises(Refused, match="Only a reviewer"):
            operations.check_we_did(entry, db.session.merge(west["facilitator"]))
        collective = db.session.get(Collective, west["collective_id"])
        both = factories.member(collective, factories.person("Both Roles", "both@example.org"),
                                roles=("facilitator", "reviewer"))
        entry.written_by_id = both.id
        db.session.commit()
        with pytest.raises(Refused, match="another reviewer"):
            operations.check_we_did(entry, both)
        operations.check_we_did(entry, db.session.merge(west["reviewer"]))
        db.session.commit()
        cycle = _cycle(cycle.id)
        published = summary.cycle_summary(cycle, public=True).priorities[0].priority.we_did
        assert [w.text for w in published] == ["Weekly registration drop-ins at three surgeries."]
        assert report.needs_analysis_values(cycle.id)["priorities"][0]["we_did"][0]["text"] == published[0].text
        with pytest.raises(Refused, match="checked this a moment ago"):
            operations.check_we_did(entry, db.session.merge(west["reviewer"]))


def test_the_demo_is_labelled_sample_data_varies_its_budgets_and_pays_after_each_offer(app, runner, client):
    app.config["COMMONPOT_DEMO"] = True
    result = runner.invoke(args=["seed-demo", "--force"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert {i.sample for i in db.session.exec(select(EvidenceImport)).all()} == {True}
        cycle = db.session.exec(select(CommissioningCycle)).one()
        assert report.needs_analysis_values(cycle.id)["sample"] is True
        # no two of the round in its vote's nine proposals share one split of their budget
        from grants.rounds.models import Round

        winter = db.session.exec(select(Round).where(Round.name == "Winter 2026 community health grants")).one()
        nine = db.session.exec(select(Proposal).where(Proposal.round_id == winter.id)).all()
        assert len(nine) == 9
        splits = set()
        for proposal in nine:
            lines = db.session.exec(select(BudgetLine.amount).where(BudgetLine.proposal_id == proposal.id)
                                    .order_by(BudgetLine.id)).all()
            assert sum(lines) == proposal.amount_requested
            splits.add(tuple(round(n / proposal.amount_requested, 3) for n in lines))
        assert len(splits) == 9
        payments = db.session.exec(select(Payment)).all()
        assert payments
        for payment in payments:
            grant = db.session.get(Grant, payment.grant_id)
            assert payment.paid_on >= to_london(grant.offered_at).date()
        facilitator = db.session.exec(select(factories.Person).where(
            factories.Person.email == "facilitator@demo.example.org")).one()
        cycle_id = cycle.id
    from grants.demo import DEMO_PASSWORD

    factories.login(client, facilitator, password=DEMO_PASSWORD)
    for path in ("/c/demo/commissioning/evidence/", "/c/demo/commissioning/evidence/gaps",
                 f"/c/demo/commissioning/cycles/{cycle_id}", "/c/demo/commissioning/"):
        page = client.get(path)
        assert page.status_code == 200 and "Sample data" in page.data.decode(), path


def test_real_evidence_is_not_labelled_sample_data(app, west, client):
    from tests.commissioning.conftest import load_evidence

    with app.app_context():
        load_evidence(west)
    factories.login(client, west["facilitator"])
    for path in (f"{BASE}/evidence/", f"{BASE}/evidence/gaps", f"{BASE}/"):
        page = client.get(path)
        assert page.status_code == 200 and "Sample data" not in page.data.decode(), path
