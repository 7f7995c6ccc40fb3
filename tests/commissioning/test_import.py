"""Importing evidence from the page and the command line: all or nothing, replacing, audited, fast."""

from __future__ import annotations

import io

from sqlmodel import func, select

from grants.audit.models import AuditEvent
from grants.commissioning.models import EvidenceImport, PopulationCount, ServiceUseCount, ServiceUseDataset
from grants.db import db
from tests import factories
from tests.commissioning.conftest import POPULATION_CSV, USAGE_CSV

UPLOAD = "/c/west/commissioning/evidence/import"


def upload(client, text: str | bytes, kind: str = "usage", filename: str = "usage.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    response = client.post(UPLOAD, data={"kind": kind, "file": (io.BytesIO(data), filename)},
                           content_type="multipart/form-data")
    response.get_data()
    response.request.input_stream.close()  # a large body was spooled to a temporary file
    return response


def count(model) -> int:
    return db.session.exec(select(func.count()).select_from(model)).one()


def test_facilitator_uploads_usage_and_sees_the_summary(client, app, west):
    factories.login(client, west["facilitator"])
    response = upload(client, USAGE_CSV)
    assert response.status_code == 302
    summary = client.get(response.headers["Location"]).data.decode()
    assert "9 rows imported." in summary
    assert "GP registrations" in summary and "2025-26" in summary
    assert "Nothing: all new" in summary
    with app.app_context():
        [dataset] = db.session.exec(select(ServiceUseDataset)).all()
        assert (dataset.service, dataset.period, dataset.coding, dataset.rows) == ("GP registrations", "2025-26", "ons", 9)
        assert count(ServiceUseCount) == 9
        roma = db.session.exec(select(ServiceUseCount).where(ServiceUseCount.area == "Ladywood",
                                                             ServiceUseCount.ethnic_group == "white_roma")).one()
        assert roma.users == 6 and roma.collective_id == west["collective_id"]


def test_a_reviewer_may_import_but_a_member_may_not(client, app, west):
    factories.login(client, west["reviewer"])
    assert upload(client, POPULATION_CSV, kind="population").status_code == 302
    client.post("/logout")
    factories.login(client, west["member"])
    assert upload(client, USAGE_CSV).status_code == 403
    with app.app_context():
        assert count(PopulationCount) == 8 and count(ServiceUseCount) == 0


def test_a_file_with_problems_imports_nothing_and_says_which_lines(client, app, west):
    factories.login(client, west["facilitator"])
    bad = USAGE_CSV + "GP registrations,2025-26,Aston,Pakistani,-3\nGP registrations,2025-26,Aston,Martian,4\n"
    page = upload(client, bad).data.decode()
    assert "The file has 2 problems, so nothing was imported." in page
    assert "Line 11, column “count”: “-3” is negative: counts must be 0 or more." in page
    assert "Line 12, column “ethnic_group”: “Martian” is not an ONS 2021 ethnic group" in page
    assert 'href="#file"' in page                                   # the error summary links to the field
    with app.app_context():
        assert count(ServiceUseCount) == 0 and count(EvidenceImport) == 0 and count(AuditEvent) == 0


def test_no_file_and_no_kind_are_asked_for(client, west):
    factories.login(client, west["facilitator"])
    page = client.post(UPLOAD, data={}, content_type="multipart/form-data").data.decode()
    assert "Choose what the file contains" in page and "Choose a CSV file to upload" in page


def test_reimporting_a_service_and_period_replaces_it_and_is_audited(client, app, west):
    factories.login(client, west["facilitator"])
    upload(client, USAGE_CSV)
    with app.app_context():
        dataset_id = db.session.exec(select(ServiceUseDataset.id)).one()
    replacement = ("service,period,area,ethnic_group,count\n"
                   "GP registrations,2025-26,Ladywood,Pakistani,300\n"
                   "GP registrations,2026-27,Ladywood,Pakistani,310\n")
    response = upload(client, replacement, filename="corrected.csv")
    summary = client.get(response.headers["Location"]).data.decode()
    assert "GP registrations, 2025-26" in summary                  # listed as replaced
    with app.app_context():
        datasets = {d.period: d for d in db.session.exec(select(ServiceUseDataset)).all()}
        assert set(datasets) == {"2025-26", "2026-27"}
        assert datasets["2025-26"].id == dataset_id                 # same dataset, new counts
        assert db.session.exec(select(ServiceUseCount.users).where(
            ServiceUseCount.dataset_id == dataset_id)).all() == [300]
        event = db.session.exec(select(AuditEvent).where(AuditEvent.action == "evidence.usage_imported")
                                .order_by(AuditEvent.id.desc())).first()
        assert event.before == {"replaced": ["GP registrations, 2025-26"]}
        assert "replacing GP registrations, 2025-26" in event.summary
        assert event.collective_id == west["collective_id"]


def test_reimporting_population_replaces_only_the_areas_in_the_file(client, app, west):
    factories.login(client, west["facilitator"])
    upload(client, POPULATION_CSV, kind="population")
    upload(client, "area,ethnic_group,population\nLadywood,Roma,650\n", kind="population")
    with app.app_context():
        rows = db.session.exec(select(PopulationCount.area, PopulationCount.ethnic_group, PopulationCount.population)
                               .where(PopulationCount.area == "Ladywood")).all()
        assert rows == [("Ladywood", "white_roma", 650)]
        assert count(PopulationCount) == 5                          # Handsworth's four rows are untouched
        event = db.session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.action == "evidence.population_imported" and event.before == {"replaced_areas": ["Ladywood"]}


def test_files_larger_than_the_app_limit_but_within_20_mb_are_accepted(client, app, west):
    factories.login(client, west["facilitator"])
    rows = "".join(f"GP registrations,2025-26,Area {i:06d},Pakistani,{i % 50}\n" for i in range(70_000))
    data = ("service,period,area,ethnic_group,count\n" + rows).encode()
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    assert upload(client, data).status_code == 302
    with app.app_context():
        assert count(ServiceUseCount) == 70_000


def test_a_50_mb_upload_gets_a_clear_page_not_an_error(client, app, west):
    factories.login(client, west["facilitator"])
    response = upload(client, b"x" * (50 * 1024 * 1024))
    assert response.status_code == 413
    page = response.data.decode()
    assert "The file or form is too large" in page and "larger than 20 MB" in page
    with app.app_context():
        assert count(EvidenceImport) == 0


def test_the_upload_page_checks_the_csrf_token_itself(app_config, west):
    import re

    from grants import create_app

    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    try:
        client = app.test_client()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").data.decode())[1]
        client.post("/login", data={"email": "fola@example.org", "password": factories.PASSWORD, "csrf_token": token})
        refused = client.post(UPLOAD, data={"kind": "usage", "file": (io.BytesIO(USAGE_CSV.encode()), "u.csv")},
                              content_type="multipart/form-data")
        assert refused.status_code == 400 and "Your form expired" in refused.data.decode()
        page = client.get(UPLOAD).data.decode()
        form_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
        response = client.post(UPLOAD, data={"kind": "usage", "csrf_token": form_token,
                                             "file": (io.BytesIO(USAGE_CSV.encode()), "u.csv")},
                               content_type="multipart/form-data")
        assert response.status_code == 302
        with app.app_context():
            assert count(ServiceUseCount) == 9
    finally:
        app.extensions["commonpot_db"].dispose()


def test_cli_imports_and_refuses_a_bad_file_with_its_lines(runner, app, west, tmp_path):
    usage, population, bad = tmp_path / "usage.csv", tmp_path / "population.csv", tmp_path / "bad.csv"
    usage.write_text(USAGE_CSV)
    population.write_text(POPULATION_CSV)
    bad.write_text("area,ethnic_group,population\nLadywood,Roma,many\n")
    result = runner.invoke(args=["commissioning", "import-population", "--collective", "west", str(population)])
    assert result.exit_code == 0, result.output
    assert "Imported 8 rows from population.csv into west (2 area(s))" in result.output
    result = runner.invoke(args=["commissioning", "import-usage", "--collective", "west", str(usage)])
    assert "Imported 9 rows from usage.csv into west (1 service(s), 1 period(s))" in result.output
    result = runner.invoke(args=["commissioning", "import-population", "--collective", "west", str(bad)])
    assert result.exit_code == 1
    assert "Line 2, column “population”: “many” is not a whole number" in result.output
    result = runner.invoke(args=["commissioning", "import-usage", "--collective", "nowhere", str(usage)])
    assert result.exit_code == 2 and "there is no collective 'nowhere'" in result.output
    with app.app_context():
        assert count(PopulationCount) == 8 and count(ServiceUseCount) == 9
        labels = db.session.exec(select(EvidenceImport.imported_by_label)).all()
        assert labels == ["cli", "cli"]


def hundred_thousand_rows() -> bytes:
    """5 services × 4 periods × 263 areas × 19 groups = 99,940 rows, plus 60 not-stated rows."""
    from grants.commissioning.ethnicity import STATED_CODES

    lines = ["service,period,area,ethnic_group,count"]
    for s in range(5):
        for p in range(4):
            for a in range(263):
                lines.extend(f"Service {s},202{p}-2{p + 1},Area {a:03d},{code},{(s + p + a + i) % 90}"
                             for i, code in enumerate(STATED_CODES))
    lines.extend(f"Service 0,2020-21,Area {a:03d},Z,{a}" for a in range(60))
    return ("\n".join(lines) + "\n").encode()


def test_a_100000_row_file_imports_whole(app, ctx, west):
    """A city's year of service use in one file: every row saved, every dataset made (its speed is
    the evidence-import benchmark's business, not a test's)."""
    from grants.collectives.models import Collective
    from grants.commissioning import operations

    data = hundred_thousand_rows()
    collective = db.session.get(Collective, west["collective_id"])
    record = operations.import_usage(collective, io.BytesIO(data), actor="cli", filename="big.csv")
    db.session.commit()
    assert record.rows == 100_000
    assert count(ServiceUseCount) == 100_000
    assert len(record.services) == 5 and len(record.periods) == 4
    assert count(ServiceUseDataset) == 20
