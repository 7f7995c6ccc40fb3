"""Charts drawn with matplotlib (its object API: no pyplot, no global state, safe in threads)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape  # nosec B406  # escapes text written into our SVG; parses nothing

from matplotlib.figure import Figure

FUNDED = "#00703c"
NOT_FUNDED = "#b1b4b6"


def support_chart_svg(rows: list[dict], *, title: str) -> str:
    """Support for each proposal, funded ones in green, as an accessible SVG."""
    rows = sorted(rows, key=lambda r: (r["support"], -r["proposal_id"]))
    height = max(2.5, 0.45 * len(rows) + 1.2)
    figure = Figure(figsize=(8, height), dpi=96)
    axes = figure.add_subplot()
    labels = [_short(r["title"]) for r in rows]
    axes.barh(labels, [r["support"] for r in rows], color=[FUNDED if r["selected"] else NOT_FUNDED for r in rows])
    for index, row in enumerate(rows):
        axes.text(row["support"], index, f"  {row['support']}" + ("  funded" if row["selected"] else ""),
                  va="center", fontsize=9)
    axes.set_xlabel("Support (votes, scores or points)")
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.25)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    summary = "; ".join(f"{r['title']}: {r['support']}{' (funded)' if r['selected'] else ''}" for r in reversed(rows))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title, {chr(34): "&quot;"})}. {escape(summary, {chr(34): "&quot;"})}" ', 1)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
