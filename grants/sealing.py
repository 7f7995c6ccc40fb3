"""Secrets the database keeps sealed: a stolen copy of the database alone does not give them away.

*Sealing* is Fernet (``cryptography``: AES-128 in CBC mode with an HMAC-SHA256 tag) under a key
derived by HKDF-SHA256 from ``SECRET_KEY``, one key a purpose, so a value sealed for one use cannot
be passed off as another's. Values sealed under a key in ``SECRET_KEY_FALLBACKS`` still open, which
is how the secret key is rotated: the new key in ``SECRET_KEY``, the old one in
``SECRET_KEY_FALLBACKS``, then ``flask --app grants reseal-secrets`` seals every value again under
the new key, after which the old one can go.

``SealedString`` is the column type: values are sealed as they are written and opened as they are
read, so the code that uses them sees plain text. A value that no key opens reads as
``UNREADABLE`` (never an error page): the feature that needs it says so and offers its way round.
A value written before sealing existed (no Fernet prefix) is read as it is, until it is resealed.
"""

from __future__ import annotations

import base64
from functools import lru_cache

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

# Every Fernet token starts with its version byte 0x80, base64 "gAAAAA".
_FERNET_PREFIX = "gAAAAA"


class Unreadable(str):
    """What a sealed value reads as when no configured key opens it."""


UNREADABLE = Unreadable("")


def _derive(secret_key: str, purpose: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"commonpot sealing",
               info=purpose.encode()).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


@lru_cache(maxsize=32)
def _sealer(purpose: str, secret_key: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_derive(key, purpose) for key in (secret_key, *fallbacks)])


def sealer(purpose: str) -> MultiFernet:
    config = current_app.config
    return _sealer(purpose, config["SECRET_KEY"], tuple(config.get("SECRET_KEY_FALLBACKS") or ()))


def seal(value: str, purpose: str) -> str:
    return sealer(purpose).encrypt(value.encode()).decode("ascii")


def unseal(stored: str, purpose: str) -> str:
    if not stored.startswith(_FERNET_PREFIX):
        return stored  # written before sealing: readable until ``reseal-secrets`` seals it
    try:
        return sealer(purpose).decrypt(stored.encode("ascii")).decode()
    except InvalidToken:
        return UNREADABLE


def is_sealed_under_current_key(stored: str, purpose: str) -> bool:
    if not stored.startswith(_FERNET_PREFIX):
        return False
    try:
        _derive(current_app.config["SECRET_KEY"], purpose).decrypt(stored.encode("ascii"))
    except InvalidToken:
        return False
    return True


class SealedString(sa.types.TypeDecorator):
    """A string column whose values are stored sealed (see the module's docstring)."""

    impl = sa.String
    cache_ok = True

    def __init__(self, length: int, purpose: str) -> None:
        super().__init__(length)
        self.purpose = purpose

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, Unreadable):
            raise ValueError("an unreadable sealed value cannot be written back")
        return seal(value, self.purpose)

    def process_result_value(self, value, dialect):
        return None if value is None else unseal(value, self.purpose)


def reseal(engine_or_session, table: sa.Table, column: str, purpose: str) -> tuple[int, int]:
    """Seal every value of ``table.column`` again under the current key: (resealed, unreadable).

    Works on the raw stored values, so it also seals values written before sealing existed."""
    raw = sa.table(table.name, sa.column("id"), sa.column(column, sa.String))
    resealed = unreadable = 0
    rows = engine_or_session.execute(sa.select(raw.c.id, raw.c[column])).all()
    for row_id, stored in rows:
        if stored is None or is_sealed_under_current_key(stored, purpose):
            continue
        plain = unseal(stored, purpose)
        if isinstance(plain, Unreadable):
            unreadable += 1
            continue
        engine_or_session.execute(sa.update(raw).where(raw.c.id == row_id).values({column: seal(plain, purpose)}))
        resealed += 1
    return resealed, unreadable
