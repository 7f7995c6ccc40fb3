"""Configuration: defaults here, then ``instance/config.py``, then the environment.

Environment variables (all optional but ``SECRET_KEY``):
- ``SECRET_KEY``: signs sessions and tokens; required, and the same on every host. Only the demo
  (``COMMONPOT_DEMO``) and debug mode may go without: a random key is then generated once and kept
  in ``instance/secret_key`` (never committed), so a restart does not sign everybody out.
- ``SECRET_KEY_FALLBACKS``: earlier secret keys, comma-separated, while rotating ``SECRET_KEY``:
  sessions, emailed links and sealed secrets (``grants.sealing``) made under them still work.
- ``COMMONPOT_DEMO``: ``1`` marks the embedded demo (what ``make run`` starts): ``seed-demo`` may
  run, a secret key may be generated, and the demo's relaxations for localhost apply.
- ``COMMONPOT_INSTANCE_PATH``: the instance folder (local config, SQLite files, the queue file);
  default ``instance/`` in the repository.
- ``COMMONPOT_PROXY_FIX``: the number of reverse proxies in front of the app whose
  ``X-Forwarded-*`` headers (and ``X-Request-ID``) are trusted; 0 (the default) trusts none.
- ``LOG_LEVEL``: the log level of every process (default ``INFO``); logs are JSON, one a line.
- ``DATABASE_URL``: a PostgreSQL URL (``postgresql://user@host/db``); default SQLite in instance/.
- ``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_USE_TLS``,
  ``MAIL_USE_SSL``, ``MAIL_DEFAULT_SENDER``: SMTP; without ``MAIL_SERVER`` mail goes to instance/mail/.
- ``MAIL_RETRY_ATTEMPTS``, ``MAIL_RETRY_DELAY``, ``MAIL_RETRY_MAX_DELAY``, ``MAIL_SENDING_TIMEOUT``,
  ``MAIL_BATCH_SIZE``: the outbox's retries and batches (seconds; see grants.mail.delivery).
- ``COMMONPOT_BASE_URL``: the public address used in links inside emails and PDFs.
- ``THREESIXTY_PREFIX``: the publisher's 360Giving prefix (``360G-…``, given by 360Giving); the
  360Giving export refuses to run without it.
- ``THREESIXTY_FUNDER_IDS``: each collective's org-id as funder, ``slug=GB-CHC-1234567,slug2=…``
  (in instance/config.py, a dict); a collective without one is ``{prefix}-collective-{slug}``.
- ``THREESIXTY_LICENSE``: the URL of the licence the 360Giving data is published under.
- ``REDIS_URL``: Redis for the job queue (RedisHuey) and the rate limits, shared by every host;
  without it the queue is a SQLite file in instance/ and rate limits are counted in memory.
- ``TRUSTED_HOSTS``: the host names this site answers to, comma-separated; a request for any other
  ``Host`` gets a 400 page. Default: the host of ``COMMONPOT_BASE_URL``, plus localhost and
  127.0.0.1 for development.
- ``SESSION_COOKIE_SECURE``: send the session and "remember me" cookies over HTTPS only. Default:
  on, except in debug mode when ``COMMONPOT_BASE_URL`` is a localhost address.
- ``SESSION_IDLE_MINUTES`` (30), ``SESSION_ABSOLUTE_HOURS`` (12): a sign-in ends after this long
  without a request, and this long after it began, whatever happens (``grants.auth.sessions``).
- ``RATELIMIT_ENABLED``: ``false`` turns every rate limit off (default on). The limits themselves
  are the ``LIMIT_…`` keys below, in Flask-Limiter's notation (``"5 per minute; 20 per hour"``), each
  also settable from the environment.
- ``TWO_FACTOR_REQUIRED_FOR_ADMINS``: site admins must use two-factor sign-in (default true; never
  required when ``COMMONPOT_DEMO`` is on and ``COMMONPOT_BASE_URL`` is localhost).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ENV_KEYS = (
    "SECRET_KEY", "SECRET_KEY_FALLBACKS", "DATABASE_URL", "MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD",
    "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_DEFAULT_SENDER", "COMMONPOT_BASE_URL",
    "THREESIXTY_PREFIX", "THREESIXTY_FUNDER_IDS", "THREESIXTY_LICENSE", "REDIS_URL",
    "MAIL_RETRY_ATTEMPTS", "MAIL_RETRY_DELAY", "MAIL_RETRY_MAX_DELAY", "MAIL_SENDING_TIMEOUT", "MAIL_BATCH_SIZE",
    "TRUSTED_HOSTS", "SESSION_COOKIE_SECURE", "SESSION_IDLE_MINUTES", "SESSION_ABSOLUTE_HOURS",
    "RATELIMIT_ENABLED", "COMMONPOT_DEMO", "COMMONPOT_PROXY_FIX", "LOG_LEVEL", "TWO_FACTOR_REQUIRED_FOR_ADMINS",
)
_BOOLEAN_KEYS = {"MAIL_USE_TLS", "MAIL_USE_SSL", "SESSION_COOKIE_SECURE", "RATELIMIT_ENABLED", "COMMONPOT_DEMO",
                 "TWO_FACTOR_REQUIRED_FOR_ADMINS"}
_INTEGER_KEYS = {"MAIL_PORT", "MAIL_RETRY_ATTEMPTS", "MAIL_RETRY_DELAY", "MAIL_RETRY_MAX_DELAY",
                 "MAIL_SENDING_TIMEOUT", "MAIL_BATCH_SIZE", "SESSION_IDLE_MINUTES", "SESSION_ABSOLUTE_HOURS",
                 "COMMONPOT_PROXY_FIX"}
_LIST_KEYS = {"TRUSTED_HOSTS", "SECRET_KEY_FALLBACKS"}

# Rate limits (grants.ratelimits), in Flask-Limiter's notation. Sign-in counts only failed
# attempts, per account and per address: the tiers are the back-off (a few tries a minute, then a
# growing wait), kept low enough to stop guessing and high enough that a venue sharing one address
# (a community centre's wifi) is not locked out by one forgetful person.
RATE_LIMITS = {
    "LIMIT_SIGN_IN_PER_ACCOUNT": "5 per minute; 10 per 15 minutes; 20 per hour; 50 per day",
    "LIMIT_SIGN_IN_PER_ADDRESS": "20 per minute; 100 per hour",
    # Each of these sends an email: a few an hour per address typed and per network address.
    "LIMIT_EMAIL_PER_ACCOUNT": "3 per 15 minutes; 10 per day",
    "LIMIT_EMAIL_PER_ADDRESS": "10 per 15 minutes; 50 per day",
    # A join request emails every facilitator of the collective; invitations email the invitee.
    "LIMIT_JOIN_REQUESTS": "5 per hour; 20 per day",
    "LIMIT_INVITATIONS": "30 per hour; 200 per day",
    # Following an emailed link (verification, reset, invitation): guessing tokens is hopeless,
    # but each try costs a signature check or a lookup.
    "LIMIT_EMAILED_LINKS": "30 per minute; 300 per hour",
    # Public pages and documents that anyone may fetch: results, .pb, impact report, "you said, we did".
    "LIMIT_PUBLIC_DOCUMENTS": "30 per minute; 300 per hour",
    # A facilitator's "send a voting reminder now", per round: members get a few reminders, not a flood.
    "LIMIT_VOTING_REMINDERS": "1 per hour; 3 per day",
}


class ConfigurationError(RuntimeError):
    """A setting the app cannot start without is missing or wrong; the message names it."""


def defaults(instance_path: str) -> dict:
    return {
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'commonpot.sqlite3'}",
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",  # nosec B105  # no SMTP credentials until configured
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_DEFAULT_SENDER": "Commonpot <no-reply@commonpot.local>",
        "MAIL_TIMEOUT": 10,
        # The outbox (grants.mail.delivery): a message the server could not take now is tried
        # again after MAIL_RETRY_DELAY seconds, doubled each time up to MAIL_RETRY_MAX_DELAY, and
        # marked failed after MAIL_RETRY_ATTEMPTS attempts (1 min, 2, 4 … 1 h: about 4 hours).
        "MAIL_RETRY_ATTEMPTS": 10,
        "MAIL_RETRY_DELAY": 60,
        "MAIL_RETRY_MAX_DELAY": 3600,
        # A message "sending" for longer than this was left by a worker that died: send it again.
        "MAIL_SENDING_TIMEOUT": 900,
        # Messages sent over one SMTP connection by one task; rows queued per sweep.
        "MAIL_BATCH_SIZE": 50,
        "MAIL_SWEEP_LIMIT": 1000,
        # Queued for longer than this (seconds), a message shows on the failed-mail pages.
        "MAIL_DELAYED_AFTER": 900,
        "COMMONPOT_BASE_URL": "http://127.0.0.1:5000",
        # A request body larger than this is refused with a clear page (413), never read whole.
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
        # Forms with a photo or long text (grants.bodylimits) may send this much, so what is too
        # big is refused beside its field and the rest of the form is kept.
        "LARGE_FORM_MAX_BYTES": 16 * 1024 * 1024,
        # A report's photo (re-encoded and made smaller when it is kept): a phone's photo fits.
        "REPORT_PHOTO_BYTES": 10 * 1024 * 1024,
        # A pabulib file imported into a round (grants.rounds.uploads), sent as a large form: the
        # largest real city's election (Wrocław 2015) is 3.9 MB.
        "ELECTION_IMPORT_BYTES": 10 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "INVITATION_DAYS": 14,
        "PASSWORD_RESET_SECONDS": 3600,  # nosec B105  # a lifetime, not a password
        "PASSWORD_MIN_LENGTH": 10,  # nosec B105  # a length, not a password
        # How new passwords are hashed (grants.auth.models): Werkzeug's scrypt at its default cost.
        # Only the tests lower it (tests/conftest.py); tests/test_password_cost.py keeps this strong.
        "PASSWORD_HASH_METHOD": "scrypt:32768:8:1",  # nosec B105  # a KDF's name and cost, not a password
        # 360Giving open data (grants.exports.threesixty): no prefix until 360Giving gives one.
        "THREESIXTY_PREFIX": "",
        "THREESIXTY_FUNDER_IDS": {},
        "THREESIXTY_LICENSE": "",
        "REDIS_URL": "",
        # Tests run every queued task in-process, at once (grants.queue).
        "HUEY_IMMEDIATE": False,
        # Accounts and sessions (grants.auth.sessions); TRUSTED_HOSTS and SESSION_COOKIE_SECURE
        # are derived in ``finish`` unless set.
        "TRUSTED_HOSTS": None,
        "SESSION_COOKIE_SECURE": None,
        "SESSION_IDLE_MINUTES": 30,
        "SESSION_ABSOLUTE_HOURS": 12,
        "EMAIL_VERIFICATION_HOURS": 48,
        # Flask-Limiter: on everywhere, tests included (each app gets its own memory store).
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STRATEGY": "moving-window",
        # Every window is checked, so the 429 page's "try again at" is the latest of the breached ones.
        "RATELIMIT_FAIL_ON_FIRST_BREACH": False,
        "RATELIMIT_KEY_PREFIX": "commonpot",
        **RATE_LIMITS,
        # The embedded demo (make run): see the module docstring.
        "COMMONPOT_DEMO": False,
        # Reverse proxies in front of the app whose X-Forwarded-* headers are believed.
        "COMMONPOT_PROXY_FIX": 0,
        "LOG_LEVEL": "INFO",
        # Two-factor sign-in (grants.auth.twofactor): who must use it, how long a sign-in waits for
        # its code, and how many wrong codes are allowed (only refused codes are counted).
        "TWO_FACTOR_REQUIRED_FOR_ADMINS": True,
        "TWO_FACTOR_PENDING_SECONDS": 300,
        "TWO_FACTOR_LIMIT_PER_ACCOUNT": "5 per minute;20 per hour",
        "TWO_FACTOR_LIMIT_PER_ADDRESS": "60 per hour",
        # Evidence files larger than this are imported by the worker, not while the person waits.
        "EVIDENCE_IMPORT_IN_REQUEST_BYTES": 1024 * 1024,
    }


def from_environment() -> dict:
    values: dict = {}
    for key in (*ENV_KEYS, *RATE_LIMITS):
        if key in os.environ and os.environ[key] != "":
            value: object = os.environ[key]
            if key in _BOOLEAN_KEYS:
                value = str(value).lower() in {"1", "true", "yes", "on"}
            elif key in _INTEGER_KEYS:
                try:
                    value = int(str(value))
                except ValueError as error:
                    raise ConfigurationError(f"{key} must be a whole number, not {value!r}") from error
            elif key in _LIST_KEYS:
                value = [part.strip() for part in str(value).split(",") if part.strip()]
            values[key] = value
    return values


_LOCAL_HOSTS = ("localhost", "127.0.0.1")


def finish(config, debug: bool) -> None:
    """Derive the settings that depend on others, unless they were set.

    Links in emails are built from ``COMMONPOT_BASE_URL`` alone (``grants.urls``), and a request
    for any host but the configured ones is refused, so a forged ``Host`` header can neither
    poison a link nor reach the application.
    """
    base_host = (urlsplit(config["COMMONPOT_BASE_URL"]).hostname or "").lower()
    if config.get("TRUSTED_HOSTS") is None:
        config["TRUSTED_HOSTS"] = list(dict.fromkeys(h for h in (base_host, *_LOCAL_HOSTS) if h))
    if config.get("SESSION_COOKIE_SECURE") is None:
        # Plain http only while developing on this machine; anywhere else cookies need HTTPS.
        config["SESSION_COOKIE_SECURE"] = not (debug and base_host in _LOCAL_HOSTS)
    # Flask-Login's "remember me" cookie: the same flags, and no longer than a sign-in may last.
    config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]
    config["REMEMBER_COOKIE_HTTPONLY"] = True
    config["REMEMBER_COOKIE_SAMESITE"] = config["SESSION_COOKIE_SAMESITE"]
    config["REMEMBER_COOKIE_DURATION"] = timedelta(hours=int(config["SESSION_ABSOLUTE_HOURS"]))
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=int(config["SESSION_ABSOLUTE_HOURS"]))


def require_secret_key(config, instance_path: str) -> str:
    """The secret key: the configured one, or (demo and debug only) one generated once per instance.

    A generated key lives in one host's instance folder, so two hosts would sign sessions with
    different keys: anywhere but the demo and debug mode the key must be set.
    """
    if config.get("SECRET_KEY"):
        return config["SECRET_KEY"]
    if config.get("COMMONPOT_DEMO") or config.get("DEBUG"):
        return ensure_secret_key(instance_path)
    raise ConfigurationError(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable (or SECRET_KEY in instance/config.py) "
        "to a long random value, the same on every host, e.g. the output of "
        "`python -c 'import secrets; print(secrets.token_hex(32))'`. Only the demo (COMMONPOT_DEMO=1) "
        "generates one by itself.")


def ensure_secret_key(instance_path: str) -> str:
    """Read (or create once) the instance's secret key file (the demo's and debug mode's only)."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
