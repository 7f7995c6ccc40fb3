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
- *document kind*: a registered kind of document (:mod:`grants.documents.registry`) with a
  template, a loader from the database and a sample, used by ``flask --app grants documents``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

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
    env = Environment(loader=FileSystemLoader(str(PDF_TEMPLATES)), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["date"] = format_date
    env.filters["datetime"] = format_datetime
    env.filters["money"] = format_pence
    env.filters["number"] = lambda value: f"{value:,}" if isinstance(value, int) else value
    return env


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
    return environment().get_template(template_name).render(**plain_values)


def render_pdf(template_name: str, **plain_values) -> bytes:
    """Render ``templates/pdf/<template_name>`` with plain values into PDF bytes."""
    from weasyprint import HTML

    html = render_html(template_name, **plain_values)
    return HTML(string=html, url_fetcher=_fetcher(), base_url=None).write_pdf()
