"""Downloads named in any script: an ASCII ``filename`` plus RFC 6266 ``filename*`` in UTF-8, from the
one helper every download uses (a non-Latin-1 name in a header used to be a 500)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from grants.db import db
from grants.organisations.models import Organisation
from tests import factories
from tests.test_awards import _awarded

NAMES = {"bengali": "ঢাকা মহিলা সমিতি", "urdu": "بیت الاطفال ویلفیئر"}


def _disposition(response) -> tuple[str, str]:
    header = response.headers["Content-Disposition"]
    header.encode("latin-1")  # a header must be Latin-1 (here: ASCII) to be sent at all
    parts = dict(part.strip().split("=", 1) for part in header.split(";")[1:])
    assert header.startswith("attachment;")
    ascii_name = parts["filename"].strip('"')
    # An ASCII name needs no filename* (werkzeug writes it only when the name is not ASCII).
    return ascii_name, unquote(parts.get("filename*", ascii_name).removeprefix("UTF-8''"))


@pytest.mark.parametrize("language", NAMES)
def test_an_award_letter_for_an_organisation_named_in_any_script_downloads(app, client, language):
    w = _awarded(app)
    grant = w["grants"][0]
    with app.app_context():
        organisation = db.session.get(Organisation, grant.organisation_id)
        organisation.name = NAMES[language]
        db.session.commit()
    factories.login(client, w["facilitator"])
    response = client.get(f"/c/west/grants/{grant.id}/award-letter.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    ascii_name, utf8_name = _disposition(response)
    assert ascii_name.isascii() and ascii_name.endswith(f"-{grant.id}.pdf")
    assert utf8_name.startswith("award-letter-") and utf8_name.endswith(f"-{grant.id}.pdf")
    assert utf8_name == f"award-letter-{'-'.join(NAMES[language].split())}-{grant.id}.pdf"  # in its own words


def test_every_kind_of_download_goes_through_the_helper(app, client):
    w = _awarded(app)
    factories.login(client, w["facilitator"])
    for path, name in [("/c/west/grants/grants.csv", "grants-west.csv"),
                       (f"/c/west/rounds/{w['round'].id}/election.pb", f"round-{w['round'].id}.pb")]:
        response = client.get(path)
        assert response.status_code == 200
        assert _disposition(response) == (name, name)
