"""Documents people print or file, rendered as PDF by WeasyPrint from templates under ``templates/pdf/``.

Glossary
- *render*: :func:`render_pdf` turns one template and plain values (dicts, lists, dataclasses,
  strings, numbers, dates) into PDF bytes. Templates never get a database session or a model
  row: whatever they show was read and disclosure-controlled before rendering.
- *fetching*: user text ends up in PDFs, so the renderer fetches nothing from the file system
  or the network: only ``data:`` URIs (inline charts and images) load; anything else is refused
  and left out.
- *page*: A4, numbered "Page 2 of 5" by CSS ``@page`` counters; fonts are Noto (Latin, Urdu,
  Gurmukhi, Bengali) then DejaVu Sans (Debian's fonts-noto-core and fonts-dejavu-core), never
  downloaded.
- *language*: a document is rendered in the current Flask-Babel locale (the worker sets it with
  ``force_locale`` to the build's language): ``_()`` / ``ngettext`` / ``{% trans %}`` in the
  templates, and the ``date``, ``datetime``, ``money`` and ``number`` filters, come out in it, and
  ``<html lang dir>`` says which (Urdu right to left). Typed text (names, titles) carries
  ``dir="auto"``, which :func:`render_html` resolves to ``ltr`` or ``rtl`` by the text's first
  letter (WeasyPrint does not), so an English title in an Urdu letter keeps its full stop.
- *document kind*: a registered kind of document (:mod:`grants.documents.registry`) with a
  template, a loader from the database and a sample, used by ``flask --app grants documents``.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from html import unescape as html_unescape

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from grants import REPO_ROOT
from grants.money import format_pence
from grants.timeutil import format_date, format_datetime

log = logging.getLogger(__name__)
PDF_TEMPLATES = REPO_ROOT / "templates" / "pdf"
_PLAIN = (str, int, float, bool, type(None), date, datetime)


class RefusedURL(ValueError):
    """A PDF asked for something outside itself (a file, a web address)."""


def _fetcher():
    from weasyprint.urls import URLFetcher

    class DataOnlyFetcher(URLFetcher):
        """Loads ``data:`` URIs only; ``file://``, ``http(s)://`` and the rest are refused."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data"}, allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if not url.lower().startswith("data:"):
                self.refused.append(url)
                log.warning("PDF asked for %s: refused (only data: URIs load)", url[:200])
                raise RefusedURL(f"only data: URIs may be loaded in a PDF, not {url[:80]}")
            return super().fetch(url, headers)

    return DataOnlyFetcher()


@lru_cache(maxsize=1)
def environment() -> Environment:
    from flask_babel import get_translations

    from grants import i18n

    env = Environment(loader=FileSystemLoader(str(PDF_TEMPLATES)), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      extensions=["jinja2.ext.i18n"])
    # As the app's own templates: newstyle gettext, {% trans %} blocks whitespace-normalised (as
    # babel.cfg extracts them), the translations of the current locale (the build's language).
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(gettext=lambda s: get_translations().ugettext(s),
                                  ngettext=lambda s, p, n: get_translations().ungettext(s, p, n), newstyle=True)
    env.filters["date"] = format_date
    env.filters["datetime"] = format_datetime
    env.filters["money"] = format_pence
    env.filters["number"] = i18n.whole_number
    env.globals.update(current_language=i18n.current_language, text_direction=i18n.text_direction,
                       page_of_pages=page_of_pages, typed=typed, strong=strong, ltr=ltr, words=words)
    env.filters["typed"] = typed
    return env


def typed(value) -> Markup:
    """Text someone typed (a name, a title), in a sentence: its own direction (``dir="auto"``),
    so an Urdu name in an English letter, or an English one in an Urdu letter, reads whole."""
    return Markup('<span dir="auto">{}</span>').format("" if value is None else value)


def strong(value) -> Markup:
    return Markup("<strong>{}</strong>").format(value)


def ltr(value) -> Markup:
    """An address (web, email) or a phone number: always left to right, in an Urdu letter too."""
    return Markup('<span dir="ltr">{}</span>').format(value)


def words(values, separator: str = ", ") -> Markup:
    """Names typed by people, listed with commas (or ``separator``), each in its own direction."""
    return escape(separator).join(typed(value) for value in values)


def page_of_pages():
    """The page footer's CSS ``content``, "Page 2 of 5" in the document's language: the
    translated sentence cut at its placeholders (a language may put them in either order), each
    piece a CSS string, the numbers the page counters."""
    from flask_babel import gettext

    text = gettext("Page %(page)s of %(pages)s", page="\x00", pages="\x01")
    parts = []
    for piece in re.split("([\x00\x01])", text):
        if piece == "\x00":
            parts.append("counter(page)")
        elif piece == "\x01":
            parts.append("counter(pages)")
        elif piece:
            parts.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ") + '"')
    return Markup(" ".join(parts))  # nosec B704  # CSS strings from the catalogue, quotes, backslashes and "<" escaped


def check_plain(value, path: str = "values", depth: int = 0) -> None:
    """Refuse anything but plain values: no model rows, no sessions, nothing that can query."""
    if depth > 12:
        raise TypeError(f"{path} is nested too deeply for a document")
    if isinstance(value, _PLAIN):
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            check_plain(item, f"{path}[{key!r}]", depth + 1)
        return
    if isinstance(value, (list, tuple, set, frozenset)):
        for index, item in enumerate(value):
            check_plain(item, f"{path}[{index}]", depth + 1)
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            check_plain(getattr(value, item.name), f"{path}.{item.name}", depth + 1)
        return
    raise TypeError(f"{path} is a {type(value).__name__}: documents get plain values (dicts, lists, "
                    "dataclasses), never model rows or sessions")


def render_html(template_name: str, **plain_values) -> str:
    check_plain(plain_values)
    return resolve_auto_direction(environment().get_template(template_name).render(**plain_values))


_AUTO = re.compile(r'dir="auto"([^>]*)>([^<]*)')


def _first_strong(text: str) -> str | None:
    for char in html_unescape(text):
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return None


def resolve_auto_direction(html: str) -> str:
    """``dir="auto"`` made explicit, for WeasyPrint (which does not resolve ``auto``): each
    element's direction is its text's first strong letter's, as a browser would decide (Latin:
    left to right; Urdu: right to left); text with no letter keeps its parent's direction."""
    def resolve(match: re.Match) -> str:
        found = _first_strong(match.group(2))
        attribute = f'dir="{found}"' if found else ""
        return f"{attribute}{match.group(1)}>{match.group(2)}"

    return _AUTO.sub(resolve, html)


def render_pdf(template_name: str, **plain_values) -> bytes:
    """Render ``templates/pdf/<template_name>`` with plain values into PDF bytes."""
    from weasyprint import HTML

    html = render_html(template_name, **plain_values)
    return HTML(string=html, url_fetcher=_fetcher(), base_url=None).write_pdf()
