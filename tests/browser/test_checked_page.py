"""The journeys' accessibility check: axe runs again whenever what it reads has changed, and a page
identical to one it passed (its CSRF token aside) is not run through axe twice."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from tests.browser import conftest


def _counting_axe_runs(page, monkeypatch) -> list[str]:
    runs: list[str] = []
    real_run = page.axe.run

    def run(browser_page, **kwargs):
        runs.append(browser_page.url)
        return real_run(browser_page, **kwargs)

    monkeypatch.setattr(page.axe, "run", run)
    return runs


def test_a_page_seen_again_is_not_rechecked_but_a_changed_one_is_and_its_violation_fails(checked_page, monkeypatch):
    p = checked_page
    monkeypatch.setattr(conftest, "PASSED_AXE", set())
    runs = _counting_axe_runs(p, monkeypatch)
    p.goto("/login")
    first_token = p.page.locator("input[name=csrf_token]").first.get_attribute("value")
    # the same page with a new CSRF token: a token carries the second it was signed in, so two loads
    # within one second give the same one; the second load happens a few seconds later
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(seconds=3)):
        p.goto("/login")
    assert p.page.locator("input[name=csrf_token]").first.get_attribute("value") != first_token
    assert len(runs) == 1 and len(p.checked) == 2

    p.goto("/register")
    assert len(runs) == 2

    # the same page with something typed into it (not in its markup) is what axe reads: run again
    p.fill("Email address", "someone@example.org")
    p.check()
    assert len(runs) == 3

    # the same address, changed: an image without alternative text is a violation axe must see
    p.goto("/login")
    p.page.evaluate("""() => { const img = document.createElement("img");
                             img.src = "/assets/images/favicon.svg"; document.querySelector("main").append(img); }""")
    with pytest.raises(AssertionError, match="image-alt"):
        p.check()
    assert len(runs) == 4
    p.goto("/login")  # the fixture's last check: the unchanged page, already passed
    assert len(runs) == 4
