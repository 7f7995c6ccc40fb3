"""Every word a person reads is marked for translation.

The app runs in a pseudo-locale (``COMMONPOT_PSEUDO_LOCALE``) where every translated string comes
out wrapped in ⟦ ⟧. Every page of the route × role matrix is opened as each role, its visible text
taken (text nodes, and the attributes a screen reader or a tooltip shows), the marked parts and the
values that came from the database (names, titles, emails: people typed those) removed, and what is
left must hold no words. A literal added to a template or a route without ``_()`` fails here, named
with its page.

``PSEUDO_ONLY=commissioning`` limits the crawl to endpoints starting with that text (for working on
one part); the suite runs them all.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import String, Text, select as sa_select
from sqlmodel import SQLModel

from grants.db import db
from grants.i18n import LANGUAGES
from tests.test_tenancy import ROLES, ROUTES, _client_for, world  # noqa: F401 - world is a fixture

# Visible words that are not the interface's to translate.
NOT_WORDS = {"Commonpot", *LANGUAGES.values()}
MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"}
SHOWN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
MARKED = re.compile(r"⟦[^⟦⟧]*⟧")


@pytest.fixture
def app_config(app_config):
    return {**app_config, "THREESIXTY_PREFIX": "360G-tenancytest", "COMMONPOT_PSEUDO_LOCALE": True}


class _VisibleText(HTMLParser):
    """The text a person sees or hears: text outside <script>/<style>, and the shown attributes.
    An element marked ``translate="no"`` (a short name people typed, like a collective's
    ``alpha``) is not the interface's text."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._open: list[tuple[str, bool]] = []  # open elements, and whether each hides its text

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        hides = tag in ("script", "style", "template") or attributes.get("translate") == "no"
        if tag not in self.VOID:
            self._open.append((tag, hides))
            self._hidden += hides
        if self._hidden:
            return
        for name in SHOWN_ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(f" {attributes[name]} ")
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.parts.append(f" {attributes['value']} ")

    def handle_endtag(self, tag):
        if not any(name == tag for name, _hides in self._open):
            return  # a stray end tag
        while self._open:  # an element left open (a <p> before a <div>) ends with its parent
            name, hides = self._open.pop()
            self._hidden -= hides
            if name == tag:
                break

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def stored_values() -> re.Pattern:
    """Every text value in the database that could be shown (what people typed), as one pattern.

    Codes (``voting``, ``greedy_cost``) are left out: a page that shows a code shows it untranslated,
    and that must fail."""
    values: set[str] = set()
    for table in SQLModel.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
        if not columns:
            continue
        for row in db.session.execute(sa_select(*columns)):
            for value in row:
                if isinstance(value, str) and len(value.strip()) > 1 and not re.fullmatch(r"[a-z0-9_.-]+", value):
                    values.add(" ".join(value.split()))
    ordered = sorted(values, key=len, reverse=True)
    return re.compile("|".join(rf"(?<!\w){re.escape(v)}(?!\w)" for v in ordered)) if ordered else re.compile("(?!)")


def unmarked_words(html: str, stored: re.Pattern) -> list[str]:
    text = visible_text(html)
    while MARKED.search(text):
        text = MARKED.sub(" ", text)
    text = stored.sub(" ", text)
    for phrase in NOT_WORDS:
        text = text.replace(phrase, " ")
    words = re.findall(r"[^\W\d_][\w'’.-]*", text)
    return [w for w in words if w.strip(".") not in MONTHS]


@pytest.mark.parametrize("role", ROLES)
def test_every_visible_word_is_marked_for_translation(app, world, role):  # noqa: F811 - the world fixture
    only = os.environ.get("PSEUDO_ONLY", "")
    client = _client_for(app, world, role)
    ids = world["ids"]["alpha"]
    unmarked: dict[str, list[str]] = {}
    opened = 0
    with app.app_context():
        stored = stored_values()
    for endpoint, template, allowed in ROUTES:
        if role not in allowed or not endpoint.startswith(only):
            continue
        response = client.get(template.format(**ids))
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        opened += 1
        words = unmarked_words(response.get_data(as_text=True), stored)
        if words:
            unmarked[endpoint] = sorted(set(words))
    assert opened or only, "no page opened: the crawl reached nothing"
    assert not unmarked, "words shown without translation:\n" + "\n".join(
        f"  {endpoint}: {' '.join(words)}" for endpoint, words in unmarked.items())


def test_the_check_finds_an_unmarked_word_and_passes_marked_and_typed_ones():
    stored = re.compile(r"(?<!\w)Asha Begum(?!\w)")
    html = ('<html><title>⟦Home⟧</title><script>var x = "code";</script>'
            '<p>⟦Signed in as ⟦Asha⟧⟧</p><p>Asha Begum</p><button aria-label="Close">⟦Save⟧</button>'
            '<p>3 March 2027 £1,000</p><input type="submit" value="Send"><td translate="no">alpha</td></html>')
    assert unmarked_words(html, stored) == ["Close", "Send"]
