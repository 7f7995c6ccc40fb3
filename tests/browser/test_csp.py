"""The Content-Security-Policy in a real browser: the pages obey it, and a breach is caught (so the
journeys' clean runs mean something)."""

from __future__ import annotations

import pytest


def test_an_inline_script_or_style_without_the_nonce_is_blocked_and_caught(checked_page):
    p = checked_page
    p.goto("/login")
    assert "js-enabled" in p.page.evaluate("document.body.className")  # the nonce'd GOV.UK script ran
    p.page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
        document.body.setAttribute("style", "color: red");
    }""")
    assert p.page.evaluate("window.injected === undefined")
    with pytest.raises(AssertionError, match="script-src-elem") as caught:
        p.check_csp()
    assert "style-src-attr" in str(caught.value)
    p.goto("/login")  # a fresh page: nothing recorded, and the fixture's last check passes
