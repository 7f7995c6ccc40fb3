"""Charts that a proposal's title cannot break: no mathtext, one bar per proposal."""

from __future__ import annotations

import base64
import re

from tests import factories
from tests.rounds_helpers import counted_round

FUNDED_BAR = "fill: #00703c"


def _results_chart(client, w) -> str:
    factories.login(client, w["facilitator"])
    page = client.get(f"/c/{w['collective'].slug}/rounds/{w['round'].id}/results").get_data(as_text=True)
    uri = re.search(r'<img class="cp-chart" src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    return base64.b64decode(uri).decode("utf-8")


TITLES = ("$x^2$ costs $5", "From $5 to $10 a week", r"The $\frac$ club")


def test_a_title_with_dollar_signs_is_drawn_as_typed(app, client):
    # Mathtext would draw the second as pieces and raise on the third (a 500 on the results page).
    w = counted_round(app, titles=TITLES)
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", _results_chart(client, w))
    assert set(TITLES) <= set(labels)


def test_identical_titles_get_a_bar_each(app, client):
    w = counted_round(app, amounts=(300_000, 400_000, 90_000), titles=("Lunch club",) * 3)
    svg = _results_chart(client, w)
    assert svg.count(FUNDED_BAR) == 3
    assert re.findall(r"<text[^>]*>([^<]*)</text>", svg).count("Lunch club") == 3
