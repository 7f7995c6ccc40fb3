"""A round in the community's languages, in a real browser: an applicant who reads Urdu (right to
left) or Bengali drafts a proposal, checks the answers and submits it; a member who reads the other
language casts a ballot. Buttons and messages are found by the catalogue's own translation (so the test
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


@pytest.mark.parametrize("applicant_reads, member_reads", [("ur", "bn"), ("bn", "ur")])
def test_an_applicant_drafts_and_submits_and_a_member_votes(checked_page, live_app, playwright_browser,
                                                            applicant_reads, member_reads):
    applicant_says, member_says = translator(applicant_reads), translator(member_reads)
    with live_app.test_request_context("/", method="POST"):
        w = world(organisations=2, extra_members=1)
        open_round(w)
        applicant, member, round_id = w["applicants"][0], w["members"][0], w["round"].id
        _speaks(applicant.id, applicant_reads)
        _speaks(member.id, member_reads)
    rtl = {"ur": "rtl", "bn": "ltr"}
    p = checked_page
    p.sign_in(applicant)
    assert p.page.get_attribute("html", "lang") == applicant_reads
    assert p.page.get_attribute("html", "dir") == rtl[applicant_reads]
    p.goto(f"/c/west/rounds/{round_id}")
    p.submit(applicant_says("Start a proposal"))
    p.screenshot(f"{applicant_reads}-proposal-form")
    p.page.locator("#title").fill("Walking club")  # an English title inside an Urdu page
    p.page.locator("#summary").fill("ہفتہ وار سیر، نئی ماؤں کے لیے۔")
    p.page.locator("#amount_requested").fill("1200")
    p.page.locator("input[name=theme_id]").first.check()
    p.page.locator("#budget_lines-0-description").fill("سیر کی رہنمائی")
    p.page.locator("#budget_lines-0-amount").fill("1200")
    # Mirrored in Urdu: a radio sits to the right of its label (to its left in Bengali).
    radio = p.page.locator(".govuk-radios__input").first.bounding_box()
    label = p.page.locator(".govuk-radios__label").first.bounding_box()
    assert (radio["x"] > label["x"]) == (applicant_reads == "ur")
    p.submit(applicant_says("Save draft"))
    assert applicant_says("Your draft is saved. You can come back to it until proposals close.") in p.text()
    with live_app.app_context():
        assert db.session.exec(select(Proposal.state)).one() == "draft"

    p.click_link(applicant_says("Change or submit"))
    p.submit(applicant_says("Save and check your answers"))
    p.screenshot(f"{applicant_reads}-check-answers")
    text = p.text()
    assert "Walking club" in text and "ہفتہ وار سیر" in text
    # The English title reads left to right, in the Urdu page too.
    title = p.page.locator("[dir=auto]", has_text="Walking club").first
    assert title.evaluate("e => e.matches(':dir(ltr)')")
    p.submit(applicant_says("Submit proposal"))
    assert applicant_says("Your proposal is submitted. We have emailed you a copy.") in p.text()
    p.screenshot(f"{applicant_reads}-submitted")
    with live_app.test_request_context("/", method="POST"):
        submitted = db.session.exec(select(Proposal)).one()
        assert submitted.state == "submitted"
        other = proposal(w, 1, title="بچوں کا کلب", amount=80_000)
        to_voting(w, [submitted, other])

    context = browser_context(playwright_browser)
    voter = CheckedPage(context.new_page(), live_app.base_url)
    try:
        voter.sign_in(member)
        assert voter.page.get_attribute("html", "lang") == member_reads
        voter.goto(f"/c/west/rounds/{round_id}/ballot")
        voter.screenshot(f"{member_reads}-ballot")
        # The Urdu title reads right to left, in the Bengali page too.
        assert voter.page.locator("[dir=auto]", has_text="بچوں کا کلب").first.evaluate("e => e.matches(':dir(rtl)')")
        voter.page.locator("input[type=checkbox]").first.check()
        voter.submit(member_says("Save my ballot"))
        assert voter.page.get_attribute("html", "lang") == member_reads
        saved = member_says("Your ballot is saved. You can change it until voting closes on %(closes)s.")
        assert saved.split("%(closes)s")[0].strip() in voter.text()
        voter.screenshot(f"{member_reads}-ballot-saved")
        with live_app.app_context():
            assert db.session.exec(select(Ballot).where(Ballot.member_id == member.id)).one()
    finally:
        context.close()
