"""Links for emails and PDFs: absolute, from a request or, in the scheduler, from the base URL."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    # The scheduler and CLI have no request: build links against the configured public address.
    with current_app.test_request_context("/", base_url=current_app.config["COMMONPOT_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)
