"""Reverse commissioning in the reader's language: the public "You said, we did" page in Urdu (right
to left, its headings and the ONS groups translated, what people typed isolated with ``dir="auto"``),
and an evidence file's problems in Bengali, each still naming its line, from the page and from the
worker (written in the language of the person who uploaded the file)."""

from __future__ import annotations

import re

from sqlmodel import select

from grants.auth.models import Person
from grants.commissioning import csvfiles
from grants.commissioning.models import EvidenceUpload
from grants.db import db
from tests import factories
from tests.commissioning.conftest import USAGE_CSV, csv_bytes
from tests.commissioning.helpers import cycle_with_a_priority
from tests.commissioning.test_import import upload
from tests.queue_helpers import drain, real_queue

# Line 3 has a count that is not a number; line 4 an ethnic group nobody codes.
BAD = ("service,period,area,ethnic_group,count\n"
       "GP registrations,2025-26,Ladywood,Pakistani,12\n"
       "GP registrations,2025-26,Ladywood,Roma,abc\n"
       "GP registrations,2025-26,Ladywood,Martian,4\n")


def _speaks(app, who: Person, language: str) -> None:
    with app.app_context():
        person = db.session.get(Person, who.id)
        person.preferred_language = language
        db.session.commit()


def test_the_public_you_said_we_did_page_in_urdu(client, app, west):
    with app.app_context():
        cycle_with_a_priority(west)
    page = client.get("/c/west/you-said-we-did", headers={"Accept-Language": "ur"}).data.decode()
    assert '<html lang="ur" dir="rtl"' in page
    # the headings of the page, in Urdu
    assert "آپ نے کہا، ہم نے کیا" in page                                  # You said, we did
    assert '<h4 class="govuk-heading-s govuk-!-margin-bottom-1">آپ نے کہا</h4>' in page   # You said
    assert '<h4 class="govuk-heading-s govuk-!-margin-bottom-1">ہم نے کیا</h4>' in page   # We did
    assert "ترجیح کے طور پر منظور" in page                                 # Agreed as a priority
    assert "کمیونٹی" in page and "کل" in page                              # the reach table: Community, Total
    # the ONS groups of the people reached, in Urdu (Roma, African, Gypsy or Irish Traveller, Arab)
    assert "روما" in page and "افریقی" in page
    for english in ("Roma", "African", "Community", "You said", "We did", "Agreed as a priority"):
        assert f">{english}<" not in page
    # what people typed keeps its own direction, inside the right-to-left page
    assert ('<span dir="auto">Let us register with a doctor without a passport or a fixed address.</span>'
            in page)
    assert '<h3 class="govuk-heading-m" dir="auto">Registering with a GP without papers</h3>' in page
    assert '<p class="govuk-body" dir="auto">Weekly registration drop-ins at three surgeries.</p>' in page
    assert "&lt;span" not in page                                          # isolated, never escaped twice


def test_an_evidence_file_problem_in_bengali_keeps_its_line_number(client, app, west):
    _speaks(app, west["facilitator"], "bn")
    factories.login(client, west["facilitator"])
    page = upload(client, BAD).data.decode()
    assert '<html lang="bn"' in page
    assert "ফাইলে 2টি সমস্যা আছে, তাই কিছুই ইমপোর্ট হয়নি।" in page        # The file has 2 problems…
    assert "লাইন 3, কলাম “count”: “abc” পূর্ণসংখ্যা নয়" in page            # Line 3, column “count”: …
    assert re.search(r"লাইন 4, কলাম “ethnic_group”: “Martian” ONS 2021-এর জাতিগত গোষ্ঠী নয়", page)
    assert "Line 3" not in page and "is not a whole number" not in page


def test_the_reader_files_are_matched_in_english_whatever_the_language(app):
    """The ONS names in a file are English; reading one on a Bengali page still knows them."""
    with app.test_request_context(headers={"Accept-Language": "bn"}):
        parsed = csvfiles.read_usage(csv_bytes(USAGE_CSV))
    assert parsed.rows == 9


def test_the_worker_writes_the_problems_in_the_uploaders_language(client, app, west, tmp_path):
    app.config["EVIDENCE_IMPORT_IN_REQUEST_BYTES"] = 10           # every file goes to the worker
    huey = real_queue(app, tmp_path / "huey.sqlite3")
    _speaks(app, west["facilitator"], "bn")
    factories.login(client, west["facilitator"])
    status_url = upload(client, BAD).headers["Location"]
    assert drain(huey) == 1
    with app.app_context():
        failed = db.session.exec(select(EvidenceUpload)).one()
        assert failed.state == "failed"
        assert failed.problems[0] == "লাইন 3, কলাম “count”: “abc” পূর্ণসংখ্যা নয়"
    page = client.get(status_url).data.decode()
    assert "কিছুই ইমপোর্ট হয়নি" in page and "লাইন 4, কলাম “ethnic_group”" in page
