"""Forms that may be sent more than the app-wide request limit (``MAX_CONTENT_LENGTH``).

A report with a phone's photo, or a proposal whose summary was pasted in many times over, would
otherwise get a bare "too large" page and lose every other answer on the form. On these routes the
body may be up to ``LARGE_FORM_MAX_BYTES``: the form is read, the field that is too big is refused
beside itself (the photo's own limit, the summary's length) and the form comes back with everything
else that was typed. Files beyond the in-memory threshold are spooled to disk by Werkzeug, never
held whole in memory; anything larger still is refused by Werkzeug before it is read. The page's
script (``static/js/form-limits.js``) says the same limits before anything is sent.

The CSRF check reads the form, so it must run after the limit is raised: the route is exempt from
the app-wide check and makes it here, with the same 400 as every other form.
"""

from __future__ import annotations

import functools

from flask import current_app, request

from grants.web import csrf


def large_form_limit() -> int:
    return current_app.config["LARGE_FORM_MAX_BYTES"]


def accepts_large_form(view):
    """Decorate a route (under ``@bp.route``) whose form may be larger than ``MAX_CONTENT_LENGTH``."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        limit = large_form_limit()
        request.max_content_length = limit
        request.max_form_memory_size = limit
        if request.method == "POST" and current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
        return view(*args, **kwargs)

    return csrf.exempt(wrapped)


__all__ = ["accepts_large_form", "large_form_limit"]
