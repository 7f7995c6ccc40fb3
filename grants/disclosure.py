"""Disclosure control: the one way a count of people or proposals by community is published.

Anything the public sees (public pages, PDFs, exports) that counts people or proposals by
community goes through :func:`publish_counts` (a group of cells with its total) or
:func:`publish_count` (one figure on its own). Facilitators see exact figures inside the app.

The rules (threshold *t* = ``DISCLOSURE_THRESHOLD``, default 7; base *b* =
``DISCLOSURE_ROUNDING``, default 5):

1. **Small counts are suppressed**: 1 to *t* is shown as ``*``.
2. **Zero is shown as 0.** A true zero identifies nobody, and "nobody from this community was
   reached" is exactly what a "you said, we did" page must be able to say. (Suppressing zeros
   as well would hide that while protecting no one.)
3. **Other counts are rounded** to the nearest multiple of *b* (halves round up), and never to
   *t* or below: a published figure is 0 or above the threshold, so 7 people with *t* = 6 and
   *b* = 5 show as 10, not 5.
4. **Percentages are computed from the rounded figures** (rounded cell ÷ rounded total), so
   they never carry more precision than the figures beside them; a suppressed cell has none.
5. **Totals never reveal a suppressed cell** (secondary suppression): a total is computed from
   the exact figures and published by the same rules; if it is shown and exactly one cell of
   the group is suppressed, the next-smallest non-zero cell is suppressed too, so the gap
   between the total and the shown cells covers at least two cells. (If the other cells are all
   0 the total equals the hidden cell, so rule 1 has hidden the total already.)

These rules apply to one group at a time (one row of a table with its total). A table with both
row and column totals needs them applied along both directions, which nothing here publishes.
Where a thing can count in several cells (a proposal serving several communities), the group's
total is not the sum of its cells: pass it as ``total_count``.

**Who sees which figures** is decided in one place, :func:`figures_for`: facilitators and the
partnership's reviewers see exact figures on the collective's pages inside the app; everyone else
(members, applicants, the public) sees published figures, and so does every document (PDF,
export), whoever downloads it, because documents are passed on. Code that shows counts by
community asks for a :class:`Figures` (``figures_for(viewer, collective)`` on a page,
:data:`PUBLISHED` in a document) and calls its ``count``/``counts``; templates print ``.text``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from flask import current_app, has_app_context

SUPPRESSED = "*"
DEFAULT_THRESHOLD = 7
DEFAULT_ROUNDING = 5


@dataclass(frozen=True)
class Published:
    """One published figure: ``text`` is what to print, ``value`` the rounded number (None if hidden)."""

    text: str
    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return self.text


HIDDEN = Published(SUPPRESSED, None)


@dataclass(frozen=True)
class PublishedCounts:
    """A group of published cells (in the order given), its total and each cell's percentage."""

    cells: dict[Hashable, Published]
    total: Published | None
    percentages: dict[Hashable, str] = field(default_factory=dict)

    def __iter__(self):
        return iter(self.cells.items())


def settings() -> tuple[int, int]:
    """(threshold, rounding base) from the app's configuration, or the defaults outside an app."""
    if has_app_context():
        return (int(current_app.config.get("DISCLOSURE_THRESHOLD", DEFAULT_THRESHOLD)),
                int(current_app.config.get("DISCLOSURE_ROUNDING", DEFAULT_ROUNDING)))
    return DEFAULT_THRESHOLD, DEFAULT_ROUNDING


def _round(count: int, threshold: int, base: int) -> int:
    nearest = ((count + base // 2) // base) * base if base > 1 else count
    floor = (threshold // base + 1) * base if base > 1 else threshold + 1  # smallest multiple above t
    return max(nearest, floor)


def publish_count(count: int, *, threshold: int | None = None, rounding: int | None = None) -> Published:
    """One count by rules 1–3."""
    if count < 0:
        raise ValueError("a count of people cannot be negative")
    default_threshold, default_rounding = settings()
    threshold = default_threshold if threshold is None else threshold
    base = max(1, default_rounding if rounding is None else rounding)
    if count == 0:
        return Published("0", 0)
    if count <= threshold:
        return HIDDEN
    value = _round(count, threshold, base)
    return Published(f"{value:,}", value)


def publish_counts(counts: Mapping[Hashable, int], *, total: bool = True, total_count: int | None = None,
                   threshold: int | None = None, rounding: int | None = None) -> PublishedCounts:
    """A group of counts with (when ``total``) its total, by all five rules.

    ``total_count`` is the group's exact total when it is not the sum of the cells, because one
    thing can count in several of them; it is never more than that sum.
    """
    rules = {"threshold": threshold, "rounding": rounding}
    cells = {key: publish_count(count, **rules) for key, count in counts.items()}
    if total_count is not None and total_count > sum(counts.values()):
        raise ValueError("a group's total cannot be more than the sum of its cells")
    exact_total = sum(counts.values()) if total_count is None else total_count
    published_total = publish_count(exact_total, **rules) if total else None
    if published_total is not None and not published_total.suppressed:
        hidden = [key for key, cell in cells.items() if cell.suppressed]
        if len(hidden) == 1:
            # There is always one: with every other cell 0 the total would be at most the hidden
            # cell, and be hidden by rule 1 already.
            _count, _index, key = min((count, index, key) for index, (key, count) in enumerate(counts.items())
                                      if count > 0 and not cells[key].suppressed)
            cells[key] = HIDDEN
    percentages = {}
    if published_total is not None and published_total.value:
        for key, cell in cells.items():
            percentages[key] = (SUPPRESSED if cell.suppressed
                                else f"{round(100 * cell.value / published_total.value)}%")
    return PublishedCounts(cells=cells, total=published_total, percentages=percentages)


# -- who sees exact figures ----------------------------------------------------------------------

def exact_count(count: int) -> Published:
    """A count as it is, for the people who see exact figures."""
    if count < 0:
        raise ValueError("a count of people cannot be negative")
    return Published(f"{count:,}", count)


@dataclass(frozen=True)
class Figures:
    """How counts by community are shown to one audience: exactly, or published by the rules above.

    Both kinds answer with the same types (:class:`Published`, :class:`PublishedCounts`), so a
    template prints ``cell.text`` and never asks which audience it is showing.
    """

    exact: bool

    def count(self, count: int) -> Published:
        return exact_count(count) if self.exact else publish_count(count)

    def counts(self, counts: Mapping[Hashable, int], *, total: bool = True,
               total_count: int | None = None) -> PublishedCounts:
        if not self.exact:
            return publish_counts(counts, total=total, total_count=total_count)
        cells = {key: exact_count(count) for key, count in counts.items()}
        whole = (sum(counts.values()) if total_count is None else total_count) if total else None
        percentages = ({key: f"{round(100 * count / whole)}%" for key, count in counts.items()}
                       if whole else {})
        return PublishedCounts(cells=cells, total=exact_count(whole) if whole is not None else None,
                               percentages=percentages)


EXACT = Figures(exact=True)
PUBLISHED = Figures(exact=False)


def sees_exact_figures(viewer, collective) -> bool:
    """The one rule: the collective's facilitators and reviewers see exact figures inside the app."""
    from grants import permissions

    return permissions.can_oversee(viewer, collective)


def figures_for(viewer, collective) -> Figures:
    """The figures a page of ``collective`` shows ``viewer`` (a person, or anonymous)."""
    return EXACT if sees_exact_figures(viewer, collective) else PUBLISHED
