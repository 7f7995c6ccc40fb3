"""Languages: how a page's language is chosen, right to left for Urdu, and complete catalogues."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlmodel import select

from grants.audit.models import AuditEvent
from grants.auth.models import Person
from grants.db import db
from grants.i18n import COOKIE, LANGUAGES
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "grants" / "translations"
SHIPPED = ("ur", "pa", "bn")


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.get_data(as_text=True)).group(0)


def test_english_by_default(client):
    page = client.get("/login")
    assert '<html lang="en" dir="ltr"' in html_tag(page)
    assert "commonpot.css" in page.get_data(as_text=True)
    assert ">Sign in</a>" in page.get_data(as_text=True)


def test_a_browser_asking_for_urdu_gets_a_right_to_left_page(client):
    page = client.get("/login", headers={"Accept-Language": "ur-PK,ur;q=0.9,en;q=0.5"})
    text = page.get_data(as_text=True)
    assert '<html lang="ur" dir="rtl"' in html_tag(page)
    assert "commonpot.rtl.css" in text and "commonpot.css\"" not in text
    assert "سائن ان کریں" in text  # "Sign in" in the header
    assert "اصل مواد پر جائیں" in text  # the skip link


@pytest.mark.parametrize(("language", "shown"), [("en", "131,778"), ("ur", "131,778"), ("pa", "1,31,778"),
                                                  ("bn", "1,31,778")])
def test_whole_numbers_carry_the_languages_own_separators(app, language, shown):
    """The ``number`` filter of pages (and of documents): a city's ballots as people of each
    language write the number (Punjabi and Bengali group by lakh)."""
    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert app.jinja_env.from_string("{{ 131778 | number }} {{ 'x' | number }}").render() == f"{shown} x"


def test_an_unsupported_language_falls_back_to_english(client):
    page = client.get("/login", headers={"Accept-Language": "pl"})
    assert '<html lang="en" dir="ltr"' in html_tag(page)


def test_a_visitors_choice_is_a_cookie_and_beats_the_browser(client):
    response = client.get("/language/bn?next=/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert f"{COOKIE}=bn" in response.headers["Set-Cookie"]
    page = client.get("/login", headers={"Accept-Language": "ur"})
    assert '<html lang="bn" dir="ltr"' in html_tag(page)
    assert "সাইন ইন করুন" in page.get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "javascript:alert(1)", "\\\\x"])
def test_the_switcher_never_sends_anyone_to_another_site(client, target):
    response = client.get("/language/pa", query_string={"next": target})
    assert response.status_code == 302 and response.headers["Location"] in ("/", "http://localhost/")


def test_an_unknown_language_is_not_found(client):
    assert client.get("/language/xx").status_code == 404
    assert client.get("/language/pl").status_code == 404  # a preferred language, not an interface language


def test_the_switcher_names_each_language_in_its_own_script(client):
    text = client.get("/login").get_data(as_text=True)
    for code, name in LANGUAGES.items():
        if code != "en":
            assert f'lang="{code}"' in text and name in text
    assert 'lang="ur" dir="rtl"' in text


def test_a_signed_in_persons_preference_is_saved_audited_and_followed(app, client):
    with app.app_context():
        collective = factories.collective("alpha", "Alpha")
        person = factories.member(collective, roles=("member",))
        person_id = person.id
        db.session.commit()
    factories.login(client, person)
    # The header offers a form (a POST with its CSRF token) to a signed-in person.
    page = client.get("/c/alpha").get_data(as_text=True)
    assert re.search(r'<form method="post" action="/language/pa\?next=[^"]*"', page)
    response = client.post("/language/pa", data={"next": "/c/alpha"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Person, person_id).preferred_language == "pa"
        audit = db.session.exec(select(AuditEvent).where(AuditEvent.action == "account.updated")).all()
        assert any(event.after and event.after.get("preferred_language") == "pa" for event in audit)
    page = client.get("/c/alpha", headers={"Accept-Language": "ur"})
    assert '<html lang="pa" dir="ltr"' in html_tag(page)
    assert "ਸਾਈਨ ਆਊਟ ਕਰੋ" in page.get_data(as_text=True)  # "Sign out"
    # The saved preference wins over a cookie left from before signing in.
    client.set_cookie(COOKIE, "bn")
    assert '<html lang="pa"' in html_tag(client.get("/c/alpha"))


def test_error_pages_are_translated(client):
    page = client.get("/no-such-page", headers={"Accept-Language": "bn"})
    assert page.status_code == 404
    assert "পাতাটি পাওয়া যায়নি" in page.get_data(as_text=True)  # "Page not found"


# -- the catalogues ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict:
    """What `pybabel extract` finds in the code now (babel.cfg), as {msgid: message}."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "-k", "N_",
                    "--no-location", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        return {message.id: message for message in read_po(f) if message.id}


@pytest.mark.database_free
@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_in_the_code_is_translated(extracted, language):
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = read_po(f, locale=language)
    missing, empty, fuzzy = [], [], []
    for msgid in extracted:
        message = catalogue.get(msgid if isinstance(msgid, str) else msgid[0])
        if message is None:
            missing.append(msgid)
        elif not all(message.string) if isinstance(message.string, tuple) else not message.string:
            empty.append(msgid)
        elif message.fuzzy:
            fuzzy.append(msgid)
    assert (missing, empty, fuzzy) == ([], [], []), "run scripts/extract-messages.sh and translate"
    # Babel's checkers: the placeholders of the English string, and the plural forms of the language.
    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalogue.check()]
    assert problems == []


@pytest.mark.database_free
def test_the_english_placeholders_are_in_every_translation(extracted):
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    for language in SHIPPED:
        with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
            catalogue = read_po(f, locale=language)
        for msgid in extracted:
            key = msgid if isinstance(msgid, str) else msgid[0]
            english = set(placeholder.findall(key))
            strings = catalogue[key].string
            for text in strings if isinstance(strings, tuple) else (strings,):
                assert set(placeholder.findall(text)) == english, (language, key)


def test_the_sign_in_page_and_its_errors_are_in_the_readers_language(client):
    page = client.get("/login", headers={"Accept-Language": "bn"}).get_data(as_text=True)
    assert "ইমেইল ঠিকানা" in page and "পাসওয়ার্ড" in page  # the field labels
    wrong = client.post("/login", data={"email": "nobody@example.org", "password": "not it"},
                        headers={"Accept-Language": "ur"})
    text = wrong.get_data(as_text=True)
    assert "درست ای میل ایڈریس اور پاس ورڈ لکھیں" in text  # beside the field and in the summary
    assert 'value="nobody@example.org"' in text  # what was typed is kept
    empty = client.post("/login", data={"email": "", "password": ""}, headers={"Accept-Language": "pa"})
    assert "ਆਪਣਾ ਈਮੇਲ ਪਤਾ ਲਿਖੋ" in empty.get_data(as_text=True)  # "Enter your email address"


def test_registration_offers_the_language_the_visitor_reads_in(client):
    page = client.get("/register", headers={"Accept-Language": "ur"}).get_data(as_text=True)
    assert re.search(r'<option value="ur" selected>', page)
    english = client.get("/register", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert re.search(r'<option value="en" selected>', english)


def test_dates_money_and_lists_follow_the_pages_language(app):
    from datetime import date, datetime, timezone

    from grants.money import format_pence
    from grants.timeutil import format_date, format_datetime
    from workflows.text import format_money, format_when, join_words

    five_pm = datetime(2027, 3, 3, 17, 0, tzinfo=timezone.utc)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        # English keeps the house style, word for word.
        assert format_datetime(five_pm) == format_when(five_pm) == "3 March 2027 at 17:00"
        assert format_pence(100_000_00) == format_money(100_000_00) == "£100,000"
        assert format_pence(123_450) == "£1,234.50"
        assert join_words(["budget", "dates", "voting method"]) == "budget, dates and voting method"
    with app.test_request_context("/", headers={"Accept-Language": "ur"}):
        assert format_date(date(2027, 3, 3)) == "3 مارچ 2027"
        assert format_datetime(five_pm) == format_when(five_pm) == "3 مارچ 2027، 17:00 بجے"
        assert join_words(["الف", "ب", "ج"]) == "الف، ب، اور ج"
        # An amount reads left to right inside Urdu (isolated: "£1,200", never "1,200£").
        assert format_pence(120_000) == format_money(120_000) == "\u2066£1,200\u2069"
    with app.test_request_context("/", headers={"Accept-Language": "bn"}):
        # Bengali groups in lakhs and puts the sign after the amount (CLDR); digits stay as typed.
        assert format_pence(100_000_00) == format_money(100_000_00) == "1,00,000£"
        assert format_pence(123_450) == "1,234.50£"
        assert format_date(date(2027, 12, 25)) == "25 ডিসেম্বর 2027"
    with app.test_request_context("/", headers={"Accept-Language": "pa"}):
        assert format_pence(250_000_00) == "£2,50,000"
