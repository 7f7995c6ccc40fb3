"""Choosing a language in a real browser: a visitor switches to Urdu (right to left) and to Bengali
with the links under the header, signs in, and the page stays accessible (axe) in each; a
signed-in member's choice is saved with the header's buttons."""

from __future__ import annotations

import pytest

from grants.auth.models import Person
from grants.db import db
from tests import factories

pytestmark = pytest.mark.browser


def test_a_visitor_reads_urdu_then_bengali_and_a_member_saves_punjabi(checked_page, live_app):
    with live_app.app_context():
        collective = factories.collective("west", "West Birmingham Collective")
        member = factories.member(collective, roles=("member",))
        email, member_id = member.email, member.id
        db.session.commit()
    p = checked_page
    p.goto("/login")
    p.click_link("اردو")
    assert p.page.get_attribute("html", "lang") == "ur" and p.page.get_attribute("html", "dir") == "rtl"
    assert "سائن ان کریں" in p.text()
    # Mirrored: the heading's words end at the right edge of its box, and the checkbox sits to the
    # right of its label.
    words = p.page.evaluate("""() => { const r = document.createRange();
        r.selectNodeContents(document.querySelector('h1')); const w = r.getBoundingClientRect();
        const h = document.querySelector('h1').getBoundingClientRect();
        return {gap_right: h.right - w.right, gap_left: w.left - h.left}; }""")
    assert words["gap_right"] < 2 < words["gap_left"]
    box = p.page.locator(".govuk-checkboxes__input").first.bounding_box()
    label = p.page.locator(".govuk-checkboxes__label").first.bounding_box()
    assert box["x"] > label["x"]
    p.screenshot("language-urdu-sign-in")

    p.click_link("বাংলা")
    assert p.page.get_attribute("html", "lang") == "bn" and p.page.get_attribute("html", "dir") == "ltr"
    p.fill("ইমেইল ঠিকানা", email)
    p.fill("পাসওয়ার্ড", factories.PASSWORD)
    p.submit("সাইন ইন করুন")
    p.screenshot("language-bengali-signed-in")

    # Signed in, the member's saved preference (English) decides until they choose with a button.
    assert p.page.get_attribute("html", "lang") == "en"
    p.submit("ਪੰਜਾਬੀ")
    assert p.page.get_attribute("html", "lang") == "pa"
    assert "ਸਾਈਨ ਆਊਟ ਕਰੋ" in p.page.inner_text("header")
    with live_app.app_context():
        assert db.session.get(Person, member_id).preferred_language == "pa"
