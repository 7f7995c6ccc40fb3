"""Signed and random tokens for email links.

- Password reset: signed (itsdangerous) with the person's id and a fragment of their current
  password hash, so a link stops working once used (the hash changes) or after an hour.
- Email confirmation: signed with the person's id and address, valid for
  ``EMAIL_VERIFICATION_HOURS``; once the address is confirmed it does nothing (single use).
- Invitations: random, single-use; only their SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


def _keys() -> list[str]:
    """Signing keys, oldest first: links signed before a key rotation still work (itsdangerous
    signs with the last, the current ``SECRET_KEY``)."""
    config = current_app.config
    return [*(config.get("SECRET_KEY_FALLBACKS") or ()), config["SECRET_KEY"]]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_keys(), salt="commonpot-password-reset")


def password_reset_token(person) -> str:
    return _serializer().dumps({"id": person.id, "h": person.password_hash[-12:]})


def read_password_reset_token(token: str) -> tuple[int, str] | None:
    """(person id, hash fragment), or None if the token is forged, mangled or expired."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_SECONDS"])
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    return data["id"], str(data.get("h", ""))


def _verification_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_keys(), salt="commonpot-email-verification")


def email_verification_token(person) -> str:
    return _verification_serializer().dumps({"id": person.id, "e": person.email})


def read_email_verification_token(token: str) -> tuple[int, str] | None:
    """(person id, email address), or None if the token is forged, mangled or expired."""
    try:
        data = _verification_serializer().loads(token, max_age=current_app.config["EMAIL_VERIFICATION_HOURS"] * 3600)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int) or not isinstance(data.get("e"), str):
        return None
    return data["id"], data["e"]


def new_invitation_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
