"""Links for emails and PDFs: absolute, always on the configured public address.

Never from the request: its ``Host`` header is whatever the sender typed, and a password-reset
link built from it would carry a valid token to the sender's own site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["COMMONPOT_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
