"""The communities a round's funded proposals serve, as a table one audience may see.

The round's results page and its decision report show, per ONS 2021 high-level group and per
category, how many funded proposals serve it (and, to those who see exact figures, their money).
These are counts of proposals by community, so they go through :mod:`grants.disclosure`: exact for
facilitators and reviewers in the app, published for everyone else and in every document.
:func:`community_table` takes the audience as a :class:`~grants.disclosure.Figures` and applies the
rules to the whole table:

- A group row is the total of its category rows (not their sum: a proposal serving two
  categories counts in each), so each group is published with its categories as one group of
  cells, and a total never sits beside a single hidden category.
- The group rows have a total every reader knows exactly: the number of funded proposals, since
  each one is listed by name beside this table. So the group rows are published as one group
  with that total too; a group hidden only to protect another hides its categories as well
  (shown categories would add back up to it).
- If only 1 to *threshold* funded proposals name the communities they serve, that known total
  would give away any group shown alone: the table is not published at all, and says so.
- Money per community is shown with exact figures only. Published beside the listed amounts of
  the proposals, it would give the counts away: a hidden count's money tells which proposals it
  is, and a rounded count's money (ten proposals of £600 each) tells the exact count.
"""

from __future__ import annotations

from dataclasses import dataclass

from grants import disclosure
from grants.disclosure import Figures
from grants.money import format_pence
from grants.reference import ETHNIC_CATEGORY_BY_CODE
from grants.review.queries import by_community


@dataclass(frozen=True)
class CommunityRow:
    label: str
    proposals: str
    money: str | None    # only with exact figures
    group: bool          # a high-level group row (its categories follow it)


@dataclass(frozen=True)
class CommunityTable:
    rows: list[CommunityRow]
    exact: bool           # exact figures (facilitators and reviewers in the app)
    withheld: bool        # too few funded proposals name a community to publish any row
    naming: int           # funded proposals that name at least one community
    threshold: int
    rounding: int


def _naming(rows: list[dict]) -> int:
    return sum(1 for row in rows if row["selected"]
               and any(code in ETHNIC_CATEGORY_BY_CODE for code in row["communities"]))


def _money(figures: Figures, pence: int) -> str | None:
    return format_pence(pence) if figures.exact else None


def community_table(rows: list[dict], figures: Figures) -> CommunityTable:
    """``rows`` are the count's rows (:func:`grants.rounds.queries.results`)."""
    threshold, rounding = disclosure.settings()
    naming = _naming(rows)
    if not figures.exact and 0 < naming <= threshold:
        return CommunityTable(rows=[], exact=False, withheld=True, naming=naming, threshold=threshold,
                              rounding=rounding)
    groups = by_community(rows)
    published_groups = figures.counts({g["group"]: g["proposals"] for g in groups}, total_count=naming)
    table: list[CommunityRow] = []
    for group in groups:
        categories = sorted(group["categories"].items())
        group_cell = published_groups.cells[group["group"]]
        if group_cell.suppressed:
            category_cells = {name: disclosure.HIDDEN for name, _figures in categories}
        else:
            category_cells = figures.counts({name: c["proposals"] for name, c in categories},
                                            total_count=group["proposals"]).cells
        table.append(CommunityRow(group["group"], group_cell.text, _money(figures, group["money"]), True))
        table.extend(CommunityRow(name, category_cells[name].text, _money(figures, c["money"]), False)
                     for name, c in categories)
    return CommunityTable(rows=table, exact=figures.exact, withheld=False, naming=naming, threshold=threshold,
                          rounding=rounding)
