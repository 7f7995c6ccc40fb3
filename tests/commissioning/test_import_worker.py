"""Large evidence files are kept in the database and imported by the worker: all or nothing, the
same line-numbered problems, progress on a page, and once, even when a worker stops half-way.
Small files are still imported while the person waits."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from grants import claims
from grants.audit.models import AuditEvent
from grants.commissioning import uploads
from grants.commissioning.models import EvidenceImport, EvidenceUpload, ServiceUseCount
from grants.db import db
from tests import factories
from tests.commissioning.conftest import USAGE_CSV
from tests.commissioning.test_import import count, upload
from tests.queue_helpers import drain, real_queue

BAD = USAGE_CSV + "GP registrations,2025-26,Aston,Pakistani,-3\nGP registrations,2025-26,Aston,Martian,4\n"


def _large(app, size: int = 100) -> None:
    """Files above ``size`` bytes go to the worker (USAGE_CSV is a few hundred)."""
    app.config["EVIDENCE_IMPORT_IN_REQUEST_BYTES"] = size


def _upload_row(app) -> EvidenceUpload:
    with app.app_context():
        return db.session.exec(select(EvidenceUpload)).one()


def test_a_small_file_is_still_imported_in_the_request(client, app, west):
    factories.login(client, west["facilitator"])
    response = upload(client, USAGE_CSV)
    assert "/evidence/imports/" in response.headers["Location"]
    with app.app_context():
        assert count(EvidenceUpload) == 0 and count(ServiceUseCount) == 9


def test_a_large_file_waits_for_the_worker_with_its_progress_then_shows_its_summary(client, app, west, tmp_path):
    _large(app)
    huey = real_queue(app, tmp_path / "huey.sqlite3")
    factories.login(client, west["facilitator"])
    response = upload(client, USAGE_CSV)
    status_url = response.headers["Location"]
    assert response.status_code == 302 and "/evidence/uploads/" in status_url
    page = client.get(status_url).data.decode()
    assert "Importing the service-use file" in page and "usage.csv" in page
    assert "0% done. Waiting to start." in page and 'role="status"' in page and "Check again" in page
    queued = _upload_row(app)
    with app.app_context():
        assert queued.state == "queued" and count(ServiceUseCount) == 0
        assert db.session.get(EvidenceUpload, queued.id).content == USAGE_CSV.encode()   # kept in the database
        assert db.session.exec(select(AuditEvent.action)).all() == ["evidence.import_queued"]

    assert drain(huey) == 1
    summary = client.get(status_url, follow_redirects=True).data.decode()
    assert "9 rows imported." in summary and "GP registrations" in summary and "Fola Adeyemi" in summary
    done = _upload_row(app)
    with app.app_context():
        assert (done.state, done.progress, done.attempts) == ("done", 100, 1) and done.import_id is not None
        assert db.session.get(EvidenceUpload, done.id).content is None               # the rows are the evidence
        assert count(ServiceUseCount) == 9 and count(EvidenceImport) == 1
        assert db.session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all() == [
            "evidence.import_queued", "evidence.usage_imported"]


def test_a_large_file_with_problems_imports_nothing_and_its_page_lists_the_lines(client, app, west):
    _large(app)
    factories.login(client, west["facilitator"])
    response = upload(client, BAD)                       # HUEY_IMMEDIATE: imported as the request commits
    page = client.get(response.headers["Location"]).data.decode()
    assert "Nothing was imported" in page and "The service-use file was not imported" in page
    assert "Line 11, column “count”: “-3” is negative: counts must be 0 or more" in page
    assert "Line 12, column “ethnic_group”: “Martian” is not an ONS 2021 ethnic group" in page
    assert "Upload a corrected file" in page
    failed = _upload_row(app)
    assert failed.state == "failed" and len(failed.problems) == 2
    with app.app_context():
        assert count(ServiceUseCount) == 0 and count(EvidenceImport) == 0


def test_an_upload_is_seen_only_in_its_collective_by_those_who_may_import(client, app, west):
    _large(app)
    factories.login(client, west["facilitator"])
    status_url = upload(client, USAGE_CSV).headers["Location"]
    client.post("/logout")
    factories.login(client, west["member"])
    assert client.get(status_url).status_code == 403
    with app.app_context():
        east = factories.collective("east", "East Collective")
        esi = factories.member(east, factories.person("Esi", "esi@example.org"), roles=("facilitator",))
        db.session.commit()
    stranger = app.test_client()
    factories.login(stranger, esi)
    assert stranger.get(status_url).status_code == 403
    assert stranger.get(status_url.replace("/c/west/", "/c/east/")).status_code == 404


def _stops_long_ago(app) -> None:
    with app.app_context():
        for row in db.session.exec(select(EvidenceUpload)).all():
            db.session.execute(sa.update(EvidenceUpload).where(EvidenceUpload.id == row.id).values(
                updated_at=row.updated_at - uploads.STUCK_AFTER - timedelta(minutes=1)))
        db.session.commit()


def test_an_import_whose_worker_stopped_is_imported_once_by_another(client, app, west, tmp_path):
    _large(app)
    huey = real_queue(app, tmp_path / "huey.sqlite3")
    factories.login(client, west["facilitator"])
    upload(client, USAGE_CSV)
    huey.flush()                                         # the first worker took the message, and died
    upload_id = _upload_row(app).id
    with app.app_context():
        stale = claims.claim(EvidenceUpload, upload_id, progress=10, stage="Checking every line and importing")
    _stops_long_ago(app)
    with app.app_context():
        assert uploads.requeue_stalled_uploads() == 1
        uploads.import_claimed(upload_id, stale)         # the first run, late: its import is rolled back
        assert count(EvidenceImport) == 0 and count(ServiceUseCount) == 0
        assert db.session.get(EvidenceUpload, upload_id).state == "queued"
    assert drain(huey) == 1
    with app.app_context():
        assert count(EvidenceImport) == 1 and count(ServiceUseCount) == 9
        done = db.session.get(EvidenceUpload, upload_id)
        assert (done.state, done.attempts) == ("done", 2) and done.claim != stale
        assert uploads.requeue_stalled_uploads() == 0
