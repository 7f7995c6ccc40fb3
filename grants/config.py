"""Configuration: defaults here, then ``instance/config.py``, then the environment.

Environment variables (all optional):
- ``SECRET_KEY``: signs sessions and tokens. Without it, a random key is generated once and kept
  in ``instance/secret_key`` (never committed), so a restart does not sign everybody out.
- ``DATABASE_URL``: a PostgreSQL URL (``postgresql://user@host/db``); default SQLite in instance/.
- ``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_USE_TLS``,
  ``MAIL_USE_SSL``, ``MAIL_DEFAULT_SENDER``: SMTP; without ``MAIL_SERVER`` mail goes to instance/mail/.
- ``COMMONPOT_BASE_URL``: the public address used in links inside emails and PDFs.
- ``THREESIXTY_PREFIX``: the publisher's 360Giving prefix (``360G-…``, given by 360Giving); the
  360Giving export refuses to run without it.
- ``THREESIXTY_FUNDER_IDS``: each collective's org-id as funder, ``slug=GB-CHC-1234567,slug2=…``
  (in instance/config.py, a dict); a collective without one is ``{prefix}-collective-{slug}``.
- ``THREESIXTY_LICENSE``: the URL of the licence the 360Giving data is published under.
- ``REDIS_URL``: Redis for the job queue (RedisHuey) and the rate limits, shared by every host;
  without it the queue is a SQLite file in instance/ and rate limits are counted in memory.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ENV_KEYS = (
    "SECRET_KEY", "DATABASE_URL", "MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD",
    "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_DEFAULT_SENDER", "COMMONPOT_BASE_URL",
    "THREESIXTY_PREFIX", "THREESIXTY_FUNDER_IDS", "THREESIXTY_LICENSE", "REDIS_URL",
)
_BOOLEAN_KEYS = {"MAIL_USE_TLS", "MAIL_USE_SSL"}


def defaults(instance_path: str) -> dict:
    return {
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'commonpot.sqlite3'}",
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_DEFAULT_SENDER": "Commonpot <no-reply@commonpot.local>",
        "MAIL_TIMEOUT": 10,
        "COMMONPOT_BASE_URL": "http://127.0.0.1:5000",
        # A request body larger than this is refused with a clear page (413), never read whole.
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "INVITATION_DAYS": 14,
        "PASSWORD_RESET_SECONDS": 3600,
        "PASSWORD_MIN_LENGTH": 10,
        # 360Giving open data (grants.exports.threesixty): no prefix until 360Giving gives one.
        "THREESIXTY_PREFIX": "",
        "THREESIXTY_FUNDER_IDS": {},
        "THREESIXTY_LICENSE": "",
        "REDIS_URL": "",
        # Tests run every queued task in-process, at once (grants.queue).
        "HUEY_IMMEDIATE": False,
        # Evidence files larger than this are imported by the worker, not while the person waits.
        "EVIDENCE_IMPORT_IN_REQUEST_BYTES": 1024 * 1024,
    }


def from_environment() -> dict:
    values: dict = {}
    for key in ENV_KEYS:
        if key in os.environ and os.environ[key] != "":
            value: object = os.environ[key]
            if key in _BOOLEAN_KEYS:
                value = str(value).lower() in {"1", "true", "yes", "on"}
            elif key == "MAIL_PORT":
                value = int(str(value))
            values[key] = value
    return values


def ensure_secret_key(instance_path: str) -> str:
    """Read (or create once) the instance's secret key file."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
