"""The results chart: support for each proposal, funded ones in green (see ``grants.charts``)."""

from __future__ import annotations

from flask_babel import gettext as _

from grants.charts import chart_context, new_figure, svg_text

FUNDED = "#00703c"
NOT_FUNDED = "#b1b4b6"


def support_chart_svg(rows: list[dict]) -> str:
    """One bar per proposal, at its own position (two proposals may share a title), as SVG."""
    from matplotlib.ticker import MaxNLocator

    rows = sorted(rows, key=lambda r: (r["support"], -r["proposal_id"]))
    positions = range(len(rows))
    with chart_context({"font.size": 10}):
        figure = new_figure(figsize=(8, max(2.5, 0.45 * len(rows) + 1.2)), dpi=96)
        axes = figure.add_subplot()
        axes.barh(positions, [r["support"] for r in rows],
                  color=[FUNDED if r["selected"] else NOT_FUNDED for r in rows])
        axes.set_yticks(positions, [_short(r["title"]) for r in rows])
        for position, row in zip(positions, rows):
            axes.text(row["support"], position, "  " + (_("%(support)s  funded", support=row["support"]) if row["selected"] else str(row["support"])),
                      va="center", fontsize=9)
        # Votes, scores and points are whole numbers: no tick at 0.5.
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel(_("Support (votes, scores or points)"))
        axes.spines[["top", "right"]].set_visible(False)
        axes.margins(x=0.25)
        figure.tight_layout()
        return svg_text(figure)


def support_chart_alt(rows: list[dict], *, title: str) -> str:
    """The chart in words, most supported first."""
    rows = sorted(rows, key=lambda r: (-r["support"], r["proposal_id"]))
    bars = "; ".join(_("%(title)s: %(support)s (funded)", title=r["title"], support=r["support"]) if r["selected"]
                     else _("%(title)s: %(support)s", title=r["title"], support=r["support"]) for r in rows)
    return _("%(title)s. %(bars)s", title=title, bars=bars)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
