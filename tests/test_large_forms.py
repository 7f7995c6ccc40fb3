"""Issue 13, item 7: a summary or a photo too big for the form is refused beside its field, with
everything else that was typed kept, never a bare "too large" page; the limit is said beside the
field, and the page's script checks it before sending (tests/browser/test_proposal_journey.py)."""

from __future__ import annotations

import io
import os

from PIL import Image
from sqlmodel import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from grants.db import db
from grants.proposals.models import SUMMARY_LIMIT, Proposal
from grants.reporting.models import Report
from tests import factories
from tests.test_awards import _accepted_small_grant
from tests.test_proposal_form import answers, drafting  # noqa: F401 - the fixture

MB = 1024 * 1024


def noise_png(size_bytes: int) -> bytes:
    """A real photo-like PNG (noise does not compress) of about ``size_bytes``."""
    side = int((size_bytes / 3) ** 0.5) + 1
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def post_multipart(client, url: str, fields: dict, photo: bytes):
    """The test client spools a big multipart body to a temporary file it never closes (a
    ResourceWarning, an error here): encode it in memory instead."""
    values = MultiDict(fields)
    values.add("photo", FileStorage(io.BytesIO(photo), filename="walk.png", content_type="image/png"))
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_a_five_megabyte_summary_is_refused_beside_the_box_and_the_rest_is_kept(app, client, drafting):  # noqa: F811
    edit_url, theme_id = drafting
    huge = "We walk. " * (5 * MB // 9)
    response = client.post(edit_url, data={**answers(theme_id, summary=huge), "save": "y"})
    assert response.status_code == 200
    page = response.data.decode()
    assert f"The summary must be {SUMMARY_LIMIT} characters or fewer" in page
    assert 'value="Walking club"' in page and 'value="Walk leader"' in page  # nothing else lost
    with app.app_context():
        assert db.session.exec(select(Proposal)).one().summary == ""


def test_the_proposal_page_says_the_summary_limit_and_carries_it_for_the_browser(app, client, drafting):  # noqa: F811
    edit_url, _theme_id = drafting
    page = client.get(edit_url).data.decode()
    assert f"You can enter up to {SUMMARY_LIMIT} characters" in page
    assert f'data-max-chars="{SUMMARY_LIMIT}"' in page and "js/form-limits.js" in page


def test_a_phone_photo_of_five_and_a_half_megabytes_is_taken(app, client):
    w = _accepted_small_grant(app)
    factories.login(client, w["applicants"][2])
    url = f"/c/west/grants/{w['grant'].id}/reports/{w['report'].id}"
    photo = noise_png(int(5.5 * MB))
    assert len(photo) > 5 * MB
    response = post_multipart(client, url, {"what_happened": "Walks", "save": "y"}, photo)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.exec(select(Report)).one().has_photo


def test_a_photo_over_its_limit_is_refused_beside_the_field_and_what_was_typed_is_kept(app, client):
    w = _accepted_small_grant(app)
    app.config["REPORT_PHOTO_BYTES"] = 2 * MB
    factories.login(client, w["applicants"][2])
    url = f"/c/west/grants/{w['grant'].id}/reports/{w['report'].id}"
    page = client.get(url).data.decode()
    assert "A JPEG or PNG file, up to 2 MB." in page and f'data-max-bytes="{2 * MB}"' in page
    response = post_multipart(client, url, {"what_happened": "Twelve walks in the park", "people_black_african": "12",
                                            "save": "y"}, noise_png(3 * MB))
    assert response.status_code == 200  # not a bare 413 page
    page = response.data.decode()
    assert 'id="photo-error"' in page and "The photo must be smaller than 2 MB" in page
    assert "Twelve walks in the park" in page and 'value="12"' in page
    with app.app_context():
        assert db.session.exec(select(Report)).one().what_happened == ""


def test_beyond_the_large_form_limit_the_body_is_still_refused_unread(app, client):
    w = _accepted_small_grant(app)
    app.config["LARGE_FORM_MAX_BYTES"] = 3 * MB
    factories.login(client, w["applicants"][2])
    url = f"/c/west/grants/{w['grant'].id}/reports/{w['report'].id}"
    response = post_multipart(client, url, {"what_happened": "Walks", "save": "y"}, b"0" * 4 * MB)
    assert response.status_code == 413
    assert b"your browser" in response.data
