"""Issue 13, item 21 (the award letter and the grant report): what a printed page shows.

- The award letter has a letterhead (the collective's address and contact from its settings), a
  signature block (the facilitator who issued the awards, and their role), a contact line and the
  payment schedule, and fits on one page.
- The grant report's spend table is never split from its heading or its total.
"""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlmodel import select

from grants.awards import documents
from grants.awards import operations as award_ops
from grants.awards.models import Grant
from grants.collectives.models import Collective
from grants.db import db
from grants.timeutil import format_date, london_today
from tests.rounds_helpers import award_round, counted_round


def pages_text(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_sample_award_letter_is_one_page_with_letterhead_signature_contact_and_schedule(app):
    with app.app_context():
        pages = pages_text(documents.AWARD_LETTER.render(documents.sample_award_letter()))
    assert len(pages) == 1
    text = pages[0]
    assert "120 Soho Road" in text and "Birmingham B21 9DP" in text                  # letterhead
    assert "grants@westbirminghamhealth.example.org" in text and "0121 496 0134" in text  # contact
    assert "Payment schedule" in text and "paid in one instalment" in text
    assert "Folasade Adeyemi, Facilitator, West Birmingham Community Health Collective" in text  # signature
    assert text.index("With best wishes") > text.index("How to accept")


def test_a_real_letter_is_signed_by_who_issued_the_awards_and_lists_the_payments(app):
    w = counted_round(app)
    with app.test_request_context("/", method="POST"):
        collective = db.session.get(Collective, w["collective"].id)
        collective.postal_address = "Unit 4, Soho House\nBirmingham B21 9AA"
        collective.contact_email, collective.contact_phone = "hello@west.example.org", "0121 496 0000"
        db.session.add(collective)
        db.session.commit()
        award_round(w)
        grant = db.session.exec(select(Grant).order_by(Grant.id)).all()[2]            # £900
        award_ops.accept_grant(grant, w["applicants"][2], accepted_by_name="C", conditions_confirmed=True)
        award_ops.record_payment(db.session.get(Grant, grant.id), w["facilitator"], paid_on=london_today(),
                                 amount=50_000, reference="BACS 1")
        db.session.commit()
        grant_id = grant.id
    with app.app_context():
        pages = pages_text(documents.AWARD_LETTER.render(documents.AWARD_LETTER.load(grant_id)))
    assert len(pages) == 1
    text = pages[0]
    assert "Unit 4, Soho House" in text and "hello@west.example.org" in text and "0121 496 0000" in text
    assert f"{w['facilitator'].name}, Facilitator, {w['collective'].name}" in text
    assert f"{format_date(london_today())} £500" in text and "Paid so far £500" in text
    assert "The remaining £400 will be paid" in text
    assert w["facilitator"].email not in text


def test_the_grant_reports_spend_table_stays_with_its_heading_and_total(app):
    """Wherever the table falls (longer or shorter text above it), its heading, every line and
    its total are on one page."""
    lines = [{"description": f"Budget line number {n}", "budgeted": 10_000, "spent": 9_000} for n in range(1, 11)]
    placements = 0
    with app.app_context():
        for sentences in range(0, 60, 6):
            values = documents.sample_grant_report()
            values["report"] = {**values["report"], "spend": lines, "budgeted": 100_000, "spent": 90_000,
                                "what_happened": " ".join(["We ran another session at the family hub."] * 8 * sentences)}
            pages = pages_text(documents.GRANT_REPORT.render(values))
            where = [n for n, text in enumerate(pages) if "Spending against the budget" in text]
            assert len(where) == 1
            page = pages[where[0]]
            assert all(f"Budget line number {n} " in page for n in range(1, 11)), sentences
            assert "Total £1,000 £900" in page, sentences
            placements += where[0] > 0
    assert placements            # the table did move onto a later page at least once
