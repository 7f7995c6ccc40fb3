"""Sign-in sessions: how one starts, how long it lasts, and what ends it.

- *session identity*: what Flask-Login keeps in the session cookie (and in the "remember me"
  cookie): ``"<person id>:<session version>:<started, Unix seconds>"``. It is checked on every
  request, so a copied cookie is only as good as the session it came from.
- *session version*: ``Person.session_version`` when the session began. Changing or resetting the
  password, or "sign out everywhere", raises the person's number, and every older session ends.
- *absolute lifetime* (``SESSION_ABSOLUTE_HOURS``): a session ends this long after it began,
  however busy; *idle timeout* (``SESSION_IDLE_MINUTES``): it ends when no request came for this
  long. A session restored from the "remember me" cookie outlives the browser and idleness,
  never its absolute lifetime.

``start_session`` is the one way a sign-in succeeds (the password form, and any later step such
as a second factor, call it once the person is proven).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta

from flask import current_app, flash, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from grants.auth.models import Person, SignInEvent, normalise_email
from grants.db import db
from grants.timeutil import utcnow
from workflows.i18n import N_

log = logging.getLogger(__name__)

_SEEN = "seen_at"
_REMEMBERED = "remembered"
# The idle clock is moved on at most this often, so that every page does not rewrite the cookie.
_SEEN_GRANULARITY = 60

# Why a sign-in attempt failed, as the sign-in record keeps it (the person is told less).
WRONG_PASSWORD = "wrong password"  # nosec B105  # an outcome label, not a password
NO_SUCH_ACCOUNT = "no such account"
NOT_VERIFIED = "email address not confirmed"
DEACTIVATED = "account deactivated"
SIGNED_IN = "signed in"


def _now() -> int:
    return int(utcnow().timestamp())


def identity(person: Person, started: int) -> str:
    return f"{person.id}:{person.session_version}:{started}"


def _parse(value: str) -> tuple[int, int, int] | None:
    parts = str(value).split(":")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) <= 18 for p in parts):
        return None
    person_id, version, started = (int(p) for p in parts)
    return person_id, version, started


def _lifetime() -> int:
    return int(current_app.config["SESSION_ABSOLUTE_HOURS"]) * 3600


def _why_not(value: str) -> tuple[Person | None, str | None]:
    """The person a session identity stands for, or the reason it no longer stands."""
    parsed = _parse(value)
    if parsed is None:
        return None, "stale"
    person_id, version, started = parsed
    person = db.session.get(Person, person_id)
    if person is None or not person.active:
        return None, "stale"
    if person.session_version != version:
        return None, "version"
    if _now() - started > _lifetime():
        return None, "lifetime"
    return person, None


def load(value: str) -> Person | None:
    """Flask-Login's user loader: the person, while their session still stands."""
    return _why_not(value)[0]


def start_session(person: Person, remember: bool = False) -> None:
    """Sign ``person`` in on this browser, and record the sign-in (the caller commits)."""
    # A fresh session: nothing from before signing in (a form's token, a half-finished step) carries over.
    session.clear()
    started = _now()
    login_user(person, remember=remember, duration=timedelta(seconds=_lifetime()), fresh=True)
    session["_user_id"] = identity(person, started)
    session[_SEEN] = started
    session[_REMEMBERED] = bool(remember)
    session.permanent = remember
    record_sign_in(person, True, SIGNED_IN)


def keep_this_session(person: Person) -> None:
    """After the person's own change of password: this browser stays signed in, on the new version."""
    parsed = _parse(session.get("_user_id", ""))
    started = parsed[2] if parsed else _now()
    session["_user_id"] = identity(person, started)
    if session.get(_REMEMBERED):
        # The "remember me" cookie carries the identity too: write it again, for what is left of the lifetime.
        session["_remember"] = "set"
        session["_remember_seconds"] = max(1, _lifetime() - (_now() - started))


def end_session(message: str | None = None) -> None:
    logout_user()
    for key in (_SEEN, _REMEMBERED):
        session.pop(key, None)
    if message:
        flash(message, "info")


_ENDED = {
    "version": N_("You have been signed out because your password was changed or you signed out everywhere. "
                  "Sign in again."),
    "lifetime": N_("You have been signed out because you signed in more than %(hours)s hours ago. Sign in again."),
    "idle": N_("You have been signed out because you had not done anything for %(minutes)s minutes. Sign in again."),
}


def enforce() -> None:
    """Before every request: end the session if it no longer stands, and move its idle clock on."""
    value = session.get("_user_id")
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if value is None and remember_cookie not in request.cookies:
        return
    if not current_user.is_authenticated:  # the loader refused the session (or the cookie)
        if value is not None:
            reason = _why_not(value)[1]
            ended = _ENDED.get(reason)
            end_session(_(ended, hours=current_app.config["SESSION_ABSOLUTE_HOURS"]) if ended else None)
        return
    now = _now()
    seen = session.get(_SEEN)
    if seen is None:  # restored from the "remember me" cookie
        session[_REMEMBERED] = True
    elif not session.get(_REMEMBERED) and now - int(seen) > int(current_app.config["SESSION_IDLE_MINUTES"]) * 60:
        end_session(_(_ENDED["idle"], minutes=current_app.config["SESSION_IDLE_MINUTES"]))
        return
    if seen is None or now - int(seen) >= _SEEN_GRANULARITY:
        session[_SEEN] = now


def email_digest(email: str) -> str:
    """A keyed digest of a typed address: the same address gives the same digest, and nobody can
    read the address back (or a password typed by mistake in its place)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, normalise_email(email).encode(), hashlib.sha256).hexdigest()[:32]


def record_sign_in(person: Person | None, succeeded: bool, outcome: str, *, email: str = "") -> SignInEvent:
    """Add a row to the sign-in record, and log it. The caller commits."""
    db.begin_write()  # the password check is done: take SQLite's write lock (a no-op elsewhere)
    address = (request.remote_addr or "")[:45]
    event = SignInEvent(person_id=person.id if person is not None else None, succeeded=succeeded,
                        outcome=outcome, address=address,
                        email_digest=email_digest(email) if person is None and email else None)
    db.session.add(event)
    if succeeded:
        log.info("sign-in: person %s from %s", person.id, address)
    else:
        log.warning("failed sign-in (%s): %s from %s", outcome,
                    f"person {person.id}" if person is not None else f"address digest {event.email_digest}", address)
    return event
