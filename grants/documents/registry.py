"""The kinds of document Commonpot renders: a small registry keyed by a stable name.

A domain package registers each of its documents once::

    register(DocumentKind(
        name="needs-analysis", title=_l("Needs-analysis report"), template="needs_analysis.html",
        load=needs_analysis_values,    # object id -> plain values, read from the database
        sample=sample_needs_analysis,  # () -> plain values, no database needed
        filename=lambda values: "needs-analysis-….pdf"))

and lists its module in :data:`PROVIDERS`, so that the ``flask --app grants documents`` commands
find every kind without importing the whole application. ``load`` raises ``LookupError`` when
there is no such object.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from grants.documents import render_pdf

# Modules that register document kinds when imported (add award letters etc. here).
PROVIDERS: tuple[str, ...] = ("grants.commissioning.report", "grants.awards.documents", "grants.reporting.impact",
                             "grants.variations.documents")


@dataclass(frozen=True)
class DocumentKind:
    name: str
    title: str
    template: str
    load: Callable[[int], dict]
    sample: Callable[[], dict]
    filename: Callable[[dict], str]
    # () -> the id of an object to show as this kind's sample (the newest in the database), or
    # None when there is none; kinds without it always use ``sample``.
    example: Callable[[], int | None] | None = None
    # (object id, variant) -> plain values, for kinds with more than one document per object
    # (a collective's impact report of each financial year); the variant is kept with its builds.
    load_variant: Callable[[int, str], dict] | None = None
    # object id -> the language this kind's document is written in for that object by default
    # (the award letter: its grantee's); None: the language of whoever asks for it.
    language: Callable[[int], str] | None = None

    def render(self, values: dict) -> bytes:
        return render_pdf(self.template, **values)

    def values(self, object_id: int, variant: str = "") -> dict:
        if not variant:
            return self.load(object_id)
        if self.load_variant is None:
            raise LookupError(f"{self.title} has no variants (asked for {variant!r})")
        return self.load_variant(object_id, variant)


_KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    if kind.name in _KINDS and _KINDS[kind.name] != kind:
        raise ValueError(f"document kind {kind.name!r} is registered twice")
    _KINDS[kind.name] = kind
    return kind


def kinds() -> dict[str, DocumentKind]:
    for module in PROVIDERS:
        importlib.import_module(module)
    return dict(sorted(_KINDS.items()))


def get(name: str) -> DocumentKind:
    found = kinds().get(name)
    if found is None:
        raise KeyError(f"no document kind {name!r} (known: {', '.join(kinds())})")
    return found
