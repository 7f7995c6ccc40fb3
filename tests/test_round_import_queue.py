"""A real city's election through the import page (issue 15): a file larger than the app-wide
request limit is kept in the database and imported by the worker, all or nothing, retried, with
its progress and its refusal (the file's line, beside the file field) on the import's page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlmodel import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from grants import queue
from grants.db import db
from grants.proposals.models import Proposal
from grants.rounds import imports, uploads
from grants.rounds import operations as round_ops
from grants.rounds.models import ElectionImport
from grants.voting.models import Ballot, BallotMark
from tests import factories
from tests.rounds_helpers import round_values, world
from tests.test_round_import import SMALL

MB = 1024 * 1024


def city_file(voters: int, padding: int = 0) -> bytes:
    """An approval election of ``voters`` voters over 5 projects; ``padding`` characters of a
    ``neighbourhood`` column per voter make it as large as a real city's file."""
    lines = ["META", "key;value", "num_projects;5", f"num_votes;{voters}", "budget;900000", "vote_type;approval",
             "PROJECTS", "project_id;cost;name", *[f"{n};{100_000 * n};Project {n}" for n in range(1, 6)],
             "VOTES", "voter_id;vote;neighbourhood"]
    lines += [f"v{n};{n % 5 + 1},{(n + 2) % 5 + 1};{'x' * padding}" for n in range(voters)]
    return ("\n".join(lines) + "\n").encode()


def post_file(client, w, content: bytes, name: str = "city.pb", follow: bool = True):
    """The test client spools a big multipart body to a temporary file it never closes (a
    ResourceWarning, an error here): encode it in memory instead."""
    values = MultiDict({"submit": "Import the election"})
    values.add("file", FileStorage(io.BytesIO(content), filename=name, content_type="application/octet-stream"))
    boundary, body = encode_multipart(values)
    return client.post(f"/c/{w['collective'].slug}/rounds/{w['round'].id}/import", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}", follow_redirects=follow)


def _counts() -> tuple[int, int, int]:
    return tuple(db.session.exec(select(func.count()).select_from(model)).one()
                 for model in (Proposal, Ballot, BallotMark))


@pytest.fixture
def facilitator(app, client):
    with app.test_request_context("/", method="POST"):
        w = world()
    factories.login(client, w["facilitator"])
    return w


def test_a_city_sized_file_above_the_request_limit_is_imported_by_the_worker(app, client, facilitator):
    w = facilitator
    content = city_file(6_000, padding=350)
    assert len(content) > app.config["MAX_CONTENT_LENGTH"]   # the app-wide limit would refuse it
    sent = post_file(client, w, content, follow=False)
    assert sent.status_code == 302 and "/imports/" in sent.headers["Location"]
    page = client.get(sent.headers["Location"])   # the queue runs at once in the tests: the worker is done
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Done" in text and "5 proposals and 6,000 ballots imported into Spring 2027 small grants." in text
    assert f'href="/c/west/rounds/{w["round"].id}"' in text
    with app.app_context():
        assert _counts() == (5, 6_000, 12_000)
        row = db.session.exec(select(ElectionImport)).one()
        assert (row.state, row.proposals, row.ballots, row.size, row.filename) == ("done", 5, 6_000, len(content),
                                                                                   "city.pb")
        assert row.content is None and row.finished_at is not None   # the file is dropped once imported
    dashboard = client.get(f"/c/west/rounds/{w['round'].id}").get_data(as_text=True)
    assert "Project 1" in dashboard and "Project 5" in dashboard


def test_a_refused_file_is_told_on_its_page_beside_the_file_field_and_nothing_is_saved(app, client, facilitator):
    w = facilitator
    page = post_file(client, w, SMALL.replace("d;1,3", "d;1,9").encode(), name="bad.pb")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "/imports/" in page.request.path
    assert "The election was not imported" in text and 'Nothing was imported from <span dir="auto">bad.pb</span>' in text
    assert 'class="govuk-error-summary' in text and 'href="#file"' in text
    assert '<p id="file-error" class="govuk-error-message">' in text and "Line 18:" in text
    assert text.count("Line 18:") == 2   # in the error summary and beside the field
    assert 'action="/c/west/rounds/' in text and 'type="file"' in text   # the form again, to upload a fixed file
    assert "<title>Error: The election was not imported" in text
    with app.app_context():
        assert _counts() == (0, 0, 0)
        row = db.session.exec(select(ElectionImport)).one()
        assert (row.state, row.error_line, row.content) == ("failed", 18, None)
    fixed = post_file(client, w, SMALL.encode(), name="fixed.pb").get_data(as_text=True)
    assert "3 proposals and 4 ballots imported" in fixed


def test_a_file_over_the_imports_limit_is_refused_beside_the_field_and_a_body_over_the_routes_limit_gets_413(
        app, client, facilitator):
    w = facilitator
    app.config["ELECTION_IMPORT_BYTES"] = 1 * MB
    page = post_file(client, w, city_file(3_000, padding=400))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "The file must be smaller than 1 MB" in text and 'id="file-error"' in text
    assert 'data-max-bytes="1048576"' in text   # the page's script says the same before sending
    too_big = post_file(client, w, b"x" * (app.config["LARGE_FORM_MAX_BYTES"] + 1))
    assert too_big.status_code == 413
    with app.app_context():
        assert db.session.exec(select(func.count()).select_from(ElectionImport)).one() == 0


def test_the_large_limit_is_the_import_routes_alone(app, client, facilitator):
    """Only the import page takes more than MAX_CONTENT_LENGTH: a round's other forms still refuse it."""
    w = facilitator
    values = MultiDict({"field": "voting_closes_at"})
    values.add("file", FileStorage(io.BytesIO(b"x" * (3 * MB)), filename="big.pb"))
    boundary, body = encode_multipart(values)
    response = client.post(f"/c/west/rounds/{w['round'].id}/deadlines", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413


def test_a_worker_that_fails_half_way_saves_nothing_and_the_retry_imports_it_once(app, client, facilitator,
                                                                                   monkeypatch):
    w = facilitator
    real_insert = imports.insert_many
    calls = []

    def breaks_once(*args, **kwargs):
        calls.append(args[0].name)
        if len(calls) == 3:   # the ballots and marks of the first chunk went in; the second chunk's ballots fail
            raise OSError("the database went away")
        return real_insert(*args, **kwargs)

    monkeypatch.setattr(imports, "SAVE_CHUNK", 2)
    monkeypatch.setattr(imports, "insert_many", breaks_once)
    sent = post_file(client, w, SMALL.encode(), follow=False)   # the queue's immediate run fails half-way
    with app.app_context():
        assert _counts() == (0, 0, 0)
        row = db.session.exec(select(ElectionImport)).one()
        assert (row.state, row.claim, row.attempts) == ("queued", None, 1)   # given back for the retry
        assert row.content is not None
        row_id = row.id
    waiting = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Importing the election" in waiting and "Waiting to start" in waiting and "Check again" in waiting
    monkeypatch.setattr(imports, "insert_many", real_insert)
    with app.app_context():
        uploads.import_upload(row_id)   # the queue's retry
        uploads.import_upload(row_id)   # and a duplicate delivery: a done row is left alone
        assert _counts() == (3, 4, 7)
        row = db.session.get(ElectionImport, row_id)
        assert (row.state, row.attempts, row.ballots) == ("done", 2, 4)


def test_an_import_whose_worker_stopped_is_queued_again_by_the_sweep(app, facilitator):
    w = facilitator
    with app.test_request_context("/", method="POST"):
        row = ElectionImport(collective_id=w["collective"].id, round_id=w["round"].id, filename="small.pb",
                             content=SMALL.encode(), size=len(SMALL), state="running", claim="a-dead-worker",
                             attempts=1, stage=uploads.READING, uploaded_by_id=w["facilitator"].id)
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    with app.app_context():
        stale = db.session.get(ElectionImport, row_id)
        stale.updated_at = stale.updated_at - uploads.STUCK_AFTER - timedelta(minutes=1)
        db.session.commit()
        assert uploads.requeue_stalled_imports() == 1   # queued again; the queue runs it at once here
        db.session.expire_all()
        row = db.session.get(ElectionImport, row_id)
        assert (row.state, row.attempts, row.ballots) == ("done", 2, 4) and _counts() == (3, 4, 7)


def test_a_running_import_shows_how_far_it_has_got_and_a_second_file_waits(app, client, facilitator):
    w = facilitator
    with app.test_request_context("/", method="POST"):
        row = ElectionImport(collective_id=w["collective"].id, round_id=w["round"].id, filename="warszawa.pb",
                             content=b"META", size=3_160_653, state="running", claim="working", attempts=1,
                             stage=uploads.READING, uploaded_by_id=w["facilitator"].id)
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    status = f"/c/west/rounds/{w['round'].id}/imports/{row_id}"
    assert "Reading the file" in client.get(status).get_data(as_text=True)
    with app.app_context():
        queue.huey_of(app).put(uploads.progress_key(row_id), {"stage": "saving", "done": 40_000, "total": 61_668})
    text = client.get(status).get_data(as_text=True)
    assert "Saving 40,000 of 61,668 ballots" in text and 'role="status"' in text
    assert '<progress class="govuk-!-width-full" max="100" value="70"' in text
    assert "3,160,653 bytes" in text and "js/election-import.js" in text and "Check again" in text
    # The import page sends the facilitator to the import under way, and a second file is refused.
    assert client.get(f"/c/west/rounds/{w['round'].id}/import").headers["Location"] == status
    refused = post_file(client, w, SMALL.encode()).get_data(as_text=True)
    assert "A file is already being imported into Spring 2027 small grants" in refused


def test_the_import_reports_reading_checking_and_saving_chunk_by_chunk(ctx, monkeypatch):
    w = world()
    monkeypatch.setattr(imports, "SAVE_CHUNK", 3)
    told = []
    imports.import_election(w["round"], SMALL.encode(), w["facilitator"], progress=lambda *a: told.append(a))
    assert told == [("reading", 0, 0), ("checking", 0, 4), ("saving", 0, 4), ("saving", 3, 4), ("saving", 4, 4)]


def test_an_import_is_only_for_the_facilitators_of_its_round(app, client, facilitator):
    w = facilitator
    post_file(client, w, SMALL.encode())
    with app.test_request_context("/", method="POST"):
        other = round_ops.create_round(w["collective"], round_values(name="Autumn"),
                                       theme_ids=[t.id for t in w["themes"].values()], pot_amounts={},
                                       actor=w["facilitator"]).id
        db.session.commit()
        row_id = db.session.exec(select(ElectionImport.id)).one()
    assert client.get(f"/c/west/rounds/{other}/imports/{row_id}").status_code == 404   # not that round's
    client.post("/logout")
    factories.login(client, w["members"][0])
    assert client.get(f"/c/west/rounds/{w['round'].id}/imports/{row_id}").status_code in (403, 404)
