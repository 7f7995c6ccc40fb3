"""The gaps chart: representation ratios with their 95 % intervals, drawn server-side as SVG
(see ``grants.charts``). Every chart is shown with a text alternative and the same figures as a
table beside it. Under-served groups are marked by shape and in words as well as by colour.
"""

from __future__ import annotations

from flask_babel import gettext as _

from grants.charts import chart_context, data_uri, new_figure, svg_text
from grants.commissioning import stats

BLUE = "#1d70b8"
RED = "#d4351c"
GREY = "#505a5f"
MAX_AXIS = 4.0
STYLE = {"font.size": 9}


def ratio_chart(area: stats.AreaGaps, threshold: float, title: str) -> str | None:
    """The chart of one area's gaps as SVG text, or None when no group has a ratio."""
    gaps = [gap for gap in area.gaps if gap.ratio is not None]
    if not gaps:
        return None
    with chart_context(STYLE):
        figure = new_figure(figsize=(7, 0.24 * len(gaps) + 1.3), layout="constrained")
        axes = figure.subplots()
        top = min(MAX_AXIS, max(2.0, max(gap.ci_high for gap in gaps) * 1.05))
        labels = []
        for position, gap in enumerate(reversed(gaps)):
            colour, marker = (RED, "s") if gap.under_served else (BLUE, "o")
            axes.plot([gap.ci_low, min(gap.ci_high, top)], [position, position], color=colour, linewidth=2)
            axes.plot([gap.ratio], [position], marker=marker, color=colour, markersize=6)
            labels.append(_("%(group)s (under-served)", group=gap.label) if gap.under_served else gap.label)
        axes.axvline(1.0, color=GREY, linewidth=1)
        axes.axvline(threshold, color=RED, linewidth=1, linestyle="--")
        axes.set_yticks(range(len(labels)), labels)
        axes.set_xlim(0, top)
        axes.set_xlabel(_("Representation ratio with its %(percent)s interval\n(1 = a fair share; dashed line = the "
                          "threshold, %(threshold)s)", percent="95%", threshold=f"{threshold:g}"))
        axes.set_title(title, loc="left", fontsize=10)
        axes.grid(axis="x", color="#b1b4b6", linewidth=0.5)
        axes.set_axisbelow(True)
        return svg_text(figure)


def alt_text(area: stats.AreaGaps, threshold: float) -> str:
    """The chart in words: which groups are under-served, and where the full figures are."""
    flagged = [gap.label for gap in area.under_served]
    what = (_("Under-served (whole interval below %(threshold)s): %(groups)s.", threshold=f"{threshold:g}",
              groups=", ".join(flagged))
            if flagged else _("No group's whole interval is below %(threshold)s.", threshold=f"{threshold:g}"))
    where = _("All areas") if area.area == stats.ALL_AREAS else area.area
    return " ".join([_("Chart of representation ratios by ethnic group for %(service)s, %(period)s, %(area)s.",
                       service=area.service, period=area.period, area=where),
                     what, _("The table gives every figure.")])


__all__ = ["alt_text", "data_uri", "ratio_chart"]
