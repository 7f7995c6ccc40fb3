"""What every chart shares: drawn with matplotlib's object API (a bare ``Figure``, never pyplot, so
no window and no global figure state), written as SVG with its text kept as text, and shown as a
``data:`` image so that pages and PDFs fetch nothing and the page's Content-Security-Policy needs no
inline styles (matplotlib's SVG styles itself with ``style`` attributes).

People's words (a proposal's title, a service's name) are labels, never markup: with mathtext off
a title such as ``$x^2$ costs $5`` is drawn as typed instead of raising.
"""

from __future__ import annotations

import base64
import io
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Latin first, then the scripts of Urdu, Punjabi (Gurmukhi) and Bengali (Debian's fonts-noto-core),
# then DejaVu: matplotlib falls back glyph by glyph along the list, and the SVG keeps the text
# as text, so the browser or WeasyPrint shapes it (joined Arabic letters, Bengali conjuncts).
FONTS = ["Noto Sans", "Noto Naskh Arabic", "Noto Sans Gurmukhi", "Noto Sans Bengali", "DejaVu Sans"]
PLAIN_TEXT = {"text.parse_math": False, "text.usetex": False, "svg.fonttype": "none",
              "svg.hashsalt": "commonpot", "font.family": FONTS}


@cache
def _matplotlib():
    """matplotlib, with its file-only backend, imported when the first chart is drawn: it took a
    quarter of the time of starting the app (every web worker, the job worker, each command)."""
    import matplotlib

    matplotlib.use("Agg")
    return matplotlib


def chart_context(style: dict | None = None):
    """The rc settings a chart is drawn and saved under: ``PLAIN_TEXT`` plus the chart's own."""
    return _matplotlib().rc_context({**PLAIN_TEXT, **(style or {})})


def new_figure(**options) -> Figure:
    """A bare matplotlib ``Figure`` (``options`` as its own: size, dpi, layout)."""
    _matplotlib()
    from matplotlib.figure import Figure

    return Figure(**options)


def svg_text(figure: Figure) -> str:
    """The figure as SVG text (no date, so the same chart gives the same bytes)."""
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def data_uri(svg: str) -> str:
    """An ``<img src>`` for the chart: inline data, so pages and PDFs fetch nothing."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


__all__ = ["PLAIN_TEXT", "chart_context", "data_uri", "new_figure", "svg_text"]
