"""A round in the community's languages, in a real browser: an applicant who reads Urdu drafts a
proposal, checks the answers and submits it on right-to-left pages; a member who reads Bengali
casts a ballot. Buttons and messages are found by the catalogue's own translation (so the test
reads the page as its reader does), axe checks every page, and text people typed keeps its own
direction inside the other script's page."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.support import Translations
from sqlmodel import select

from grants.auth.models import Person
from grants.db import db
from grants.proposals.models import Proposal
from grants.voting.models import Ballot
from tests.browser.conftest import CheckedPage, browser_context
from tests.rounds_helpers import open_round, proposal, to_voting, world

pytestmark = pytest.mark.browser
CATALOGUES = Path(__file__).resolve().parents[2] / "grants" / "translations"


def translator(language: str):
    catalogue = Translations.load(str(CATALOGUES), [language])

    def tr(message: str, **params) -> str:
        text = catalogue.gettext(message)
        assert text != message, f"{message!r} has no {language} translation"
        return text % params if params else text

    return tr


def _speaks(person_id: int, language: str) -> None:
    person = db.session.get(Person, person_id)
    person.preferred_language = language
    db.session.commit()


def _direction(p, selector: str) -> str:
    return p.page.locator(selector).first.evaluate("e => e.matches(':dir(rtl)') ? 'rtl' : 'ltr'")


def test_an_urdu_applicant_drafts_and_submits_and_a_bengali_member_votes(checked_page, live_app, playwright_browser):
    ur, bn = translator("ur"), translator("bn")
    with live_app.test_request_context("/", method="POST"):
        w = world(organisations=2, extra_members=1)
        open_round(w)
        applicant, member, round_id = w["applicants"][0], w["members"][0], w["round"].id
        _speaks(applicant.id, "ur")
        _speaks(member.id, "bn")
    p = checked_page
    p.sign_in(applicant)
    assert p.page.get_attribute("html", "lang") == "ur" and p.page.get_attribute("html", "dir") == "rtl"
    p.goto(f"/c/west/rounds/{round_id}")
    p.submit(ur("Start a proposal"))
    p.screenshot("urdu-proposal-form")
    p.page.locator("#title").fill("Walking club")  # an English title inside an Urdu page
    p.page.locator("#summary").fill("ہفتہ وار سیر، نئی ماؤں کے لیے۔")
    p.page.locator("#amount_requested").fill("1200")
    p.page.locator("input[name=theme_id]").first.check()
    p.page.locator("#budget_lines-0-description").fill("سیر کی رہنمائی")
    p.page.locator("#budget_lines-0-amount").fill("1200")
    # Mirrored: a radio sits to the right of its label.
    radio = p.page.locator(".govuk-radios__input").first.bounding_box()
    label = p.page.locator(".govuk-radios__label").first.bounding_box()
    assert radio["x"] > label["x"]
    p.submit(ur("Save draft"))
    assert ur("Your draft is saved. You can come back to it until proposals close.") in p.text()
    with live_app.app_context():
        assert db.session.exec(select(Proposal.state)).one() == "draft"

    p.click_link(ur("Change or submit"))
    p.submit(ur("Save and check your answers"))
    p.screenshot("urdu-check-answers")
    text = p.text()
    assert "Walking club" in text and "ہفتہ وار سیر" in text
    # The English title reads left to right inside the right-to-left page.
    title = p.page.locator("[dir=auto]", has_text="Walking club").first
    assert title.evaluate("e => e.matches(':dir(ltr)')")
    p.submit(ur("Submit proposal"))
    assert ur("Your proposal is submitted. We have emailed you a copy.") in p.text()
    p.screenshot("urdu-submitted")
    with live_app.test_request_context("/", method="POST"):
        submitted = db.session.exec(select(Proposal)).one()
        assert submitted.state == "submitted"
        other = proposal(w, 1, title="بچوں کا کلب", amount=80_000)
        to_voting(w, [submitted, other])

    context = browser_context(playwright_browser)
    voter = CheckedPage(context.new_page(), live_app.base_url)
    try:
        voter.sign_in(member)
        assert voter.page.get_attribute("html", "lang") == "bn"
        voter.goto(f"/c/west/rounds/{round_id}/ballot")
        voter.screenshot("bengali-ballot")
        # The Urdu title reads right to left inside the Bengali page.
        assert voter.page.locator("[dir=auto]", has_text="بچوں کا کلب").first.evaluate("e => e.matches(':dir(rtl)')")
        voter.page.locator("input[type=checkbox]").first.check()
        voter.submit(bn("Save my ballot"))
        assert voter.page.get_attribute("html", "lang") == "bn"
        voter.screenshot("bengali-ballot-saved")
        with live_app.app_context():
            assert db.session.exec(select(Ballot).where(Ballot.member_id == member.id)).one()
    finally:
        context.close()
