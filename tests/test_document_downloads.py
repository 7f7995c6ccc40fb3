"""Downloads never render a PDF: they serve the built file, or queue one build and say it is being
prepared, however many people ask; after a failed build they do not build again at once."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from grants.db import db
from grants.documents import builds
from grants.documents.models import DocumentBuild
from grants.reporting import impact
from tests.queue_helpers import drain, real_queue
from tests.test_impact_report import _awarded, _counted, read


def _rows(app) -> list[DocumentBuild]:
    with app.app_context():
        return db.session.exec(select(DocumentBuild).order_by(DocumentBuild.id)).all()


def test_the_public_impact_report_is_built_once_by_the_worker_however_many_ask(app, tmp_path, monkeypatch):
    w = _awarded(app, _counted(app))
    huey = real_queue(app, tmp_path / "huey.sqlite3")
    url = f"/c/west/rounds/{w['round'].id}/impact-report.pdf"

    def no_render(*_args, **_kwargs):
        raise AssertionError("a request rendered a PDF")

    monkeypatch.setattr(builds, "render_html", no_render)
    for _ in range(5):                                       # the public, signed out, asking again and again
        waiting = app.test_client().get(url)
        assert waiting.status_code == 202 and waiting.mimetype == "text/html"
        assert waiting.headers["Retry-After"] == "60" and waiting.headers["Cache-Control"] == "no-store"
        page = waiting.data.decode()
        assert "Impact report (round) is being prepared" in page and "ready in a minute" in page
        assert f'href="{url}">Try the download again</a>' in page
    assert [(b.kind, b.state) for b in _rows(app)] == [("impact-report", "queued")]
    assert huey.pending_count() == 1
    monkeypatch.undo()

    assert drain(huey) == 1                                  # the worker builds it
    for _ in range(2):
        response = app.test_client().get(url)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"] == "attachment; filename=impact-report-spring-2027-small-grants.pdf"
        assert "£6,000 awarded in 6 grants" in read(response.data)[1]
    assert huey.pending_count() == 0 and len(_rows(app)) == 1


def test_after_a_failed_build_a_download_says_so_and_does_not_build_again_at_once(app, tmp_path):
    w = _awarded(app, _counted(app))
    huey = real_queue(app, tmp_path / "huey.sqlite3")
    url = f"/c/west/rounds/{w['round'].id}/impact-report.pdf"
    assert app.test_client().get(url).status_code == 202
    with app.app_context():
        db.session.execute(sa.update(DocumentBuild).values(state="failed", error="RuntimeError: out of paper"))
        db.session.commit()
    huey.flush()
    for _ in range(3):
        failed = app.test_client().get(url)
        assert failed.status_code == 503 and failed.headers["Retry-After"] == "60"
        page = failed.data.decode()
        assert "is not ready" in page and "out of paper" not in page    # plain words, not the error
    assert huey.pending_count() == 0 and [b.state for b in _rows(app)] == ["failed"]

    # some minutes on, a download tries again
    with app.app_context():
        build = db.session.exec(select(DocumentBuild)).one()
        db.session.execute(sa.update(DocumentBuild).values(updated_at=build.updated_at - builds.STUCK_AFTER))
        db.session.commit()
    assert app.test_client().get(url).status_code == 202 and huey.pending_count() == 1
    drain(huey)
    assert app.test_client().get(url).mimetype == "application/pdf"
    assert [b.state for b in _rows(app)] == ["done"]                     # the failed one is cleared away


def test_a_document_whose_name_is_not_ascii_downloads_under_its_name(app):
    response = None
    with app.test_request_context("/"):
        response = builds.pdf_response(b"%PDF-1.7", "impact-report-café-2027-28.pdf")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=impact-report-cafe-2027-28.pdf")
    assert "filename*=UTF-8''impact-report-caf%C3%A9-2027-28.pdf" in disposition
    assert response.mimetype == "application/pdf"
    response.close()


def test_impact_reports_of_two_years_are_built_and_kept_apart(app):
    w = _awarded(app, _counted(app))
    from tests import factories

    client = app.test_client()
    factories.login(client, w["facilitator"])
    years = [impact.current_year() - 1, impact.current_year()]
    for year in years:
        response = client.get(f"/c/west/impact-reports/{year}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert impact.year_label(year) in read(response.data)[1]
    rows = _rows(app)
    assert sorted(b.variant for b in rows) == sorted(str(year) for year in years)
    assert {b.object_id for b in rows} == {w["collective"].id}
