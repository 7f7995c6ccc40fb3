"""Rate limits on what strangers can do: each a decorator for a view, each limit a setting.

The counts live in Flask-Limiter's storage: memory by default, Redis when ``REDIS_URL`` is set
(then every host counts together). Limits are in Flask-Limiter's notation and read from the
``LIMIT_…`` settings at each request (``grants.config.RATE_LIMITS`` has the defaults and why).

- *per account*: keyed by the email address typed into the form (as a digest: no addresses in
  the store), so guessing one person's password, or flooding one inbox, is slowed wherever the
  requests come from;
- *per address*: keyed by the network address, so one machine trying many accounts is slowed;
- *per person*: the signed-in person (or, for anonymous requests, their network address).

Sign-in counts only failures (the form shown again); its stacked windows are the back-off: a few
tries a minute, then a quarter of an hour, then an hour, then a day. A refused request gets the
429 page with ``Retry-After`` (``grants.web``).

Flask-Limiter keeps one storage per ``Limiter``, and ``grants.web.limiter`` is one per process,
which is what a deployed process has: one app. Each ``create_app`` gives it a fresh storage
(memory, unless configured), so the test suite's many apps never see each other's counts, and
the limits stay on in tests exactly as in production.
"""

from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from grants.auth.models import normalise_email
from grants.web import limiter


def _setting(key: str):
    return lambda: current_app.config[key]


def _address() -> str:
    return f"address:{get_remote_address() or 'unknown'}"


def _typed_account() -> str:
    typed = normalise_email(str(request.form.get("email", "")))[:254]
    return "account:" + hashlib.sha256(typed.encode()).hexdigest()[:32]


def _person_or_address() -> str:
    if current_user.is_authenticated:
        return f"person:{current_user.id}"
    return _address()


def _form_shown_again(response) -> bool:
    """A failed sign-in shows the form again (200); success and later steps redirect."""
    return response.status_code == 200


def sign_in(view):
    view = limiter.limit(_setting("LIMIT_SIGN_IN_PER_ACCOUNT"), key_func=_typed_account, methods=["POST"],
                         deduct_when=_form_shown_again)(view)
    return limiter.limit(_setting("LIMIT_SIGN_IN_PER_ADDRESS"), key_func=_address, methods=["POST"],
                         deduct_when=_form_shown_again)(view)


def sends_email(view):
    """Forms that email whatever address is typed (reset, registration, a new confirmation link):
    one count across all of them, per typed address and per network address."""
    view = limiter.shared_limit(_setting("LIMIT_EMAIL_PER_ACCOUNT"), scope="email-per-account",
                                key_func=_typed_account, methods=["POST"])(view)
    return limiter.shared_limit(_setting("LIMIT_EMAIL_PER_ADDRESS"), scope="email-per-address",
                                key_func=_address, methods=["POST"])(view)


def join_requests(view):
    return limiter.limit(_setting("LIMIT_JOIN_REQUESTS"), key_func=_person_or_address, methods=["POST"])(view)


def invitations(view):
    return limiter.limit(_setting("LIMIT_INVITATIONS"), key_func=_person_or_address, methods=["POST"])(view)


def emailed_links(view):
    """Pages reached from a link with a token in it (reset, confirmation, invitation)."""
    return limiter.shared_limit(_setting("LIMIT_EMAILED_LINKS"), scope="emailed-links", key_func=_address)(view)


def public_documents(view):
    """Pages and files anyone may fetch without signing in; people signed in are not counted."""
    return limiter.shared_limit(_setting("LIMIT_PUBLIC_DOCUMENTS"), scope="public-documents", key_func=_address,
                                exempt_when=lambda: current_user.is_authenticated)(view)


def _round() -> str:
    return f"round:{(request.view_args or {}).get('round_id')}"


def voting_reminders(view):
    """A facilitator's "send a reminder now": per round, whoever presses it, so members are not
    emailed more than a few times however many facilitators there are. Only a reminder that went
    out (a redirect) is counted; a refused request (a member, a foreign round) is not."""
    return limiter.limit(_setting("LIMIT_VOTING_REMINDERS"), key_func=_round, methods=["POST"],
                         deduct_when=lambda response: response.status_code == 302)(view)
