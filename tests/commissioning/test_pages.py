"""The commissioning pages: each form checks its input beside the field, saves once, and hides what it may not do."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from grants.audit.models import AuditEvent
from grants.commissioning.models import (
    CommissioningCycle,
    EngagementEvent,
    EngagementParticipation,
    FeedbackItem,
    Need,
    NeedEvidence,
    Priority,
    ServiceUseDataset,
    WeDidEntry,
    WeDidReach,
)
from grants.db import db
from tests import factories
from tests.commissioning.conftest import load_evidence
from tests.commissioning.helpers import untyped

BASE = "/c/west/commissioning"


@pytest.fixture
def evidence(app, west):
    with app.app_context():
        load_evidence(west)
        return db.session.exec(select(ServiceUseDataset.id)).one()


def login(client, who):
    client.post("/logout")
    assert factories.login(client, who).status_code == 302


def state_of(app, cycle_id):
    with app.app_context():
        return db.session.get(CommissioningCycle, cycle_id).state


def move(client, cycle_id, transition, reason=""):
    return client.post(f"{BASE}/cycles/{cycle_id}", data={"transition": transition, "reason": reason})


def start_cycle(client, app, west, dataset_id) -> int:
    login(client, west["facilitator"])
    response = client.post(f"{BASE}/cycles/new", data={"name": "2027 community health", "description": "GP and diabetes"})
    cycle_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert client.post(f"{BASE}/cycles/{cycle_id}/evidence", data={"datasets": [str(dataset_id)]}).status_code == 302
    assert move(client, cycle_id, "start_engagement").status_code == 302
    return cycle_id


def test_the_whole_cycle_through_the_pages(client, app, west, evidence):
    cycle_id = start_cycle(client, app, west, evidence)
    assert state_of(app, cycle_id) == "engagement"

    # an event, with one mistake first: the form keeps what was typed
    event = {"title": "Workshop after Jummah", "held_on": ["31", "2", "2026"], "place": "Winson Green Mosque",
             "kind": "workshop", "hosts": [str(west["mosque"])], "participants": "46",
             "count_asian_pakistani": "22", "count_asian_bangladeshi": "lots"}
    page = client.post(f"{BASE}/cycles/{cycle_id}/events/new", data=event).data.decode()
    assert "Enter participants (Bangladeshi) as a whole number, like 12" in page
    assert "Enter a real date, with the day, month and year" in page
    assert 'value="Workshop after Jummah"' in page
    event.update(count_asian_bangladeshi="11", count_asian_pakistani="40", held_on=["9", "10", "2026"])
    page = client.post(f"{BASE}/cycles/{cycle_id}/events/new", data=event).data.decode()
    assert "The participants by community add up to 51, more than the 46 in total" in page
    event["count_asian_pakistani"] = "22"
    response = client.post(f"{BASE}/cycles/{cycle_id}/events/new", data=event)
    assert response.status_code == 302
    event_page = response.headers["Location"]
    with app.app_context():
        saved = db.session.exec(select(EngagementEvent)).one()
        assert (saved.title, saved.held_on.isoformat(), saved.participants) == ("Workshop after Jummah", "2026-10-09", 46)
        assert {p.ethnic_group: p.participants for p in db.session.exec(select(EngagementParticipation)).all()} == {
            "asian_pakistani": 22, "asian_bangladeshi": 11}

    page = client.post(event_page, data={"text": "", "themes": []}).data.decode()
    assert "Write what was said" in page
    response = client.post(event_page, data={"text": "The diabetes course is only in English.",
                                             "themes": [str(west["themes"]["Diabetes, obesity and asthma"])],
                                             "communities": ["asian_pakistani", "asian_bangladeshi"]})
    assert response.status_code == 302
    page = client.get(event_page).data.decode()
    assert "The diabetes course is only in English." in page and "Diabetes, obesity and asthma" in page
    with app.app_context():
        item_id = db.session.exec(select(FeedbackItem.id)).one()

    assert move(client, cycle_id, "record_needs").status_code == 302
    form = client.get(f"{BASE}/cycles/{cycle_id}/needs/new").data.decode()
    gap_value = f"{evidence}|Ladywood|white_roma"
    assert f'value="{gap_value}"' in form                 # only under-served gaps are offered
    assert f'value="{evidence}|Ladywood|white_british"' not in form
    page = client.post(f"{BASE}/cycles/{cycle_id}/needs/new", data={"title": "Diabetes classes in Urdu",
                                                                     "statement": "Teach us in Urdu and Bengali"}).data.decode()
    assert "Link the need to at least one gap or piece of feedback" in page
    response = client.post(f"{BASE}/cycles/{cycle_id}/needs/new", data={
        "title": "Diabetes classes in Urdu", "statement": "Teach us in Urdu and Bengali, at the mosque.",
        "evidence": [gap_value], "feedback": [str(item_id)]})
    assert response.status_code == 302
    with app.app_context():
        need = db.session.exec(select(Need)).one()
        assert [(e.area, e.ethnic_group) for e in db.session.exec(select(NeedEvidence)).all()] == [
            ("Ladywood", "white_roma")]
    assert move(client, cycle_id, "draft_priorities").status_code == 302

    # the facilitator cannot decide; the reviewer can
    need_page = f"{BASE}/cycles/{cycle_id}/needs/{need.id}"
    assert "Decide this need" not in client.get(need_page).data.decode()
    assert client.post(need_page, data={"decision": "priority"}).status_code == 403
    login(client, west["reviewer"])
    page = client.get(need_page).data.decode()
    assert "Decide this need" in page and "Teach us in Urdu and Bengali" in page
    page = client.post(need_page, data={"decision": "priority"}).data.decode()
    assert "Choose at least one theme that will answer this priority" in page
    page = client.post(need_page, data={"decision": "not_taken_forward"}).data.decode()
    assert "Say why the need is not taken forward" in page
    response = client.post(need_page, data={"decision": "priority", "note": "Start in Soho",
                                            "themes": [str(west["themes"]["Diabetes, obesity and asthma"])]})
    assert response.status_code == 302
    assert "Agreed as a priority" in client.get(need_page).data.decode()

    # "we did", with people reached by community
    login(client, west["facilitator"])
    with app.app_context():
        priority_id = db.session.exec(select(Priority.id)).one()
    we_did = f"{BASE}/cycles/{cycle_id}/priorities/{priority_id}/we-did"
    assert "Record what was done" in client.get(need_page).data.decode()
    page = client.post(we_did, data={"text": "Classes", "count_asian_pakistani": "-3"}).data.decode()
    assert "Enter people reached (Pakistani) as 0 or more" in page
    response = client.post(we_did, data={"text": "Urdu and Bengali classes ran at the mosque every week.",
                                          "count_asian_pakistani": "31", "count_asian_bangladeshi": "4"})
    assert response.status_code == 302
    page = client.get(need_page).data.decode()
    assert "Urdu and Bengali classes ran at the mosque every week." in page
    assert ">31<" in page and ">35<" in page                         # exact figures inside the app
    with app.app_context():
        assert db.session.exec(select(WeDidEntry)).one().written_by_id == west["facilitator"].id
        assert len(db.session.exec(select(WeDidReach)).all()) == 2

    # issue 13, item 5: a typed "we did" waits for a reviewer's check before it is public
    assert "Awaiting check" in page
    assert "Urdu and Bengali classes ran" not in client.get("/c/west/you-said-we-did").data.decode()
    with app.app_context():
        entry_id = db.session.exec(select(WeDidEntry)).one().id
    check = f"{BASE}/cycles/{cycle_id}/we-did/{entry_id}/check"
    assert client.get(check).status_code == 403                      # the facilitator who typed it
    assert client.post(check, data={}).status_code == 403
    login(client, west["reviewer"])
    assert "It is right: publish it" in client.get(check).data.decode()
    assert client.post(check, data={}).status_code == 302
    page = untyped(client.get(need_page).data.decode())
    assert "Awaiting check" not in page and "Checked by Rachel Okafor" in page
    with app.app_context():
        entry = db.session.get(WeDidEntry, entry_id)
        assert entry.checked_by_id == west["reviewer"].id
        assert db.session.exec(select(AuditEvent).where(AuditEvent.action == "we_did.checked")).one().object_id \
            == entry_id

    # the public page: no sign-in, disclosure-controlled figures only
    client.post("/logout")
    public = client.get("/c/west/you-said-we-did").data.decode()
    assert "Teach us in Urdu and Bengali, at the mosque." in public
    assert "Urdu and Bengali classes ran at the mosque every week." in public
    assert "Diabetes, obesity and asthma" in public
    # 4 Bangladeshi people are hidden, so the 31 Pakistani people are hidden too beside the total (35)
    assert public.count('numeric">*</td>') == 4                      # two counts and their two shares
    assert ">31<" not in public and 'numeric">35</td>' in public
    assert "45 people took part" in public                            # 46 rounded
    assert "lots" not in public

    # the cycle page lists everything, and the PDF downloads
    login(client, west["facilitator"])
    page = client.get(f"{BASE}/cycles/{cycle_id}").data.decode()
    assert "Diabetes classes in Urdu" in page and "Workshop after Jummah" in page
    assert "Status:" in page and "Priorities" in page
    pdf = client.get(f"{BASE}/cycles/{cycle_id}/needs-analysis.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert 'filename=needs-analysis-2027-community-health.pdf' in pdf.headers["Content-Disposition"]


def test_going_back_asks_for_a_reason_beside_the_field(client, app, west, evidence):
    cycle_id = start_cycle(client, app, west, evidence)
    page = client.get(f"{BASE}/cycles/{cycle_id}").data.decode()
    assert 'value="revisit_evidence"' in page and 'value="record_needs"' not in page   # only what is allowed
    page = move(client, cycle_id, "record_needs").data.decode()
    assert "Not a valid choice" in page
    assert move(client, cycle_id, "revisit_evidence").status_code == 302
    assert state_of(app, cycle_id) == "evidence"


def test_members_see_none_of_it_and_the_public_page_before_priorities_is_empty(client, app, west, evidence):
    cycle_id = start_cycle(client, app, west, evidence)
    login(client, west["member"])
    for path in (f"{BASE}/", f"{BASE}/cycles/{cycle_id}", f"{BASE}/evidence/gaps", f"{BASE}/evidence/gaps.csv"):
        assert client.get(path).status_code == 403, path
    assert "/commissioning/" not in client.get("/c/west").data.decode()        # no nav link either
    login(client, west["reviewer"])
    assert 'href="/c/west/commissioning/"' in client.get("/c/west").data.decode()
    page = client.get(f"{BASE}/cycles/{cycle_id}").data.decode()
    assert "Record an event" not in page and "Choose the evidence" not in page
    assert client.get(f"{BASE}/cycles/{cycle_id}/events/new").status_code == 403
    client.post("/logout")
    assert "Nothing has been published yet" in client.get("/c/west/you-said-we-did").data.decode()


def test_out_of_stage_pages_explain_instead_of_failing(client, app, west, evidence):
    cycle_id = start_cycle(client, app, west, evidence)
    response = client.get(f"{BASE}/cycles/{cycle_id}/needs/new", follow_redirects=True)
    assert "Needs can be written while the cycle is at" in response.data.decode()


def test_gaps_page_chart_and_csv(client, app, west, evidence):
    login(client, west["reviewer"])
    page = untyped(client.get(f"{BASE}/evidence/gaps?dataset={evidence}&area=Ladywood").data.decode())
    assert "GP registrations, 2025-26: Ladywood" in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert "Under-served (whole interval below 0.8): African, Roma." in page        # the chart's text alternative
    assert "50 (4.4% of all users)" in page          # not stated: 50 of 1,126, beside the shares
    response = client.get(f"{BASE}/evidence/gaps.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert len(rows) == 8
    roma = next(r for r in rows if r["area"] == "Ladywood" and r["ethnic_group"] == "white_roma")
    assert (roma["users"], roma["population"], roma["under_served"], roma["area_users_not_stated"]) == ("6", "500", "yes", "50")
    assert float(roma["ratio"]) == pytest.approx((6 / 1076) / (500 / 12000), abs=1e-4)


def test_csv_cells_that_look_like_formulas_are_defused(client, app, west):
    login(client, west["facilitator"])
    client.post(f"{BASE}/evidence/import", data={"kind": "usage", "file": (io.BytesIO(
        b"service,period,area,ethnic_group,count\n=HYPERLINK(1),2025,@area,Pakistani,4\n"), "x.csv")},
        content_type="multipart/form-data")
    body = client.get(f"{BASE}/evidence/gaps.csv").data.decode()
    assert "'=HYPERLINK(1)" in body and "'@area" in body


def test_threshold_setting_changes_who_is_under_served(client, app, west, evidence):
    login(client, west["facilitator"])
    page = client.post(f"{BASE}/settings", data={"threshold": "1.5"}).data.decode()
    assert "Enter a threshold between 0.01 and 1" in page
    assert client.post(f"{BASE}/settings", data={"threshold": "0.2"}).status_code == 302
    page = client.get(f"{BASE}/evidence/gaps?dataset={evidence}&area=Ladywood").data.decode()
    assert "below 0.2" in page and "whole interval is below 0.2." in page        # nobody is that far below
    with app.app_context():
        event = db.session.exec(select(AuditEvent).where(AuditEvent.action == "commissioning.settings_changed")).one()
        assert event.after == {"threshold_percent": 20}
    client.post(f"{BASE}/settings", data={"threshold": ""})
    assert "below 0.8" in client.get(f"{BASE}/evidence/gaps").data.decode()


def test_config_sets_the_default_threshold(app, west, evidence):
    app.config["COMMONPOT_UNDERSERVED_THRESHOLD"] = 0.5
    client = app.test_client()
    login(client, west["facilitator"])
    assert "below 0.5" in client.get(f"{BASE}/evidence/gaps").data.decode()
