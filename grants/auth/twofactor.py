"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238): tables, operations, rules.

Glossary
- *authenticator app*: an app on the person's phone that shows a 6-digit code, new every 30
  seconds, computed from a secret it was given once (by scanning a QR code or typing the secret).
- *set-up*: a secret is made on the server and shown until the person proves their app has it by
  entering a current code; only then is two-factor sign-in on.
- *time-step*: the 30-second window a code belongs to. The last step used is remembered, so each
  code works once (a replayed code is refused); one step either side is accepted for clock drift.
- *recovery code*: one of the single-use codes shown once when two-factor is turned on (or made
  again), for when the phone is lost. Only their SHA-256 is stored: they are random, so a fast hash
  gives nothing away, and a new set replaces the old one.
- *pending sign-in*: after the password is right, the session holds who is signing in, since when
  and where to go next; a code completes the sign-in within ``TWO_FACTOR_PENDING_SECONDS``.
- *required*: site admins (``TWO_FACTOR_REQUIRED_FOR_ADMINS``, off when the demo runs on
  localhost) and the facilitators and reviewers of a collective that asks for it must set it up
  before anything else.

The TOTP secret is stored sealed under a key derived from ``SECRET_KEY`` (``grants.sealing``), so
a stolen database alone does not let anyone make codes. If the key that sealed it is gone (a new
``SECRET_KEY`` without the old one in ``SECRET_KEY_FALLBACKS``), codes from the app cannot be
checked: the person is told to use a recovery code or ask a site admin to reset two-factor.
"""

from __future__ import annotations

import hashlib
import logging
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from markupsafe import Markup
from sqlmodel import Field, SQLModel, select

from grants import audit
from grants.auth.models import Person
from grants.db import UTCDateTime, db
from grants.errors import Refused
from grants.mail import queue_mail
from grants.sealing import SealedString, Unreadable
from grants.timeutil import utcnow
from workflows.i18n import N_

log = logging.getLogger(__name__)

ISSUER = "Commonpot"
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/i/l: a code copied from paper is typed right first time.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10
_TOTP_CODE = re.compile(r"^[0-9]{6}$")
SECRET_PURPOSE = "two-factor secret"  # nosec B105  # the sealing key's purpose label, not a secret


class TwoFactor(SQLModel, table=True):
    """A person's authenticator secret: being set up until ``confirmed_at``, then on."""

    __tablename__ = "two_factor"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", unique=True)
    secret: str = Field(sa_column=sa.Column(SealedString(200, SECRET_PURPOSE), nullable=False))
    confirmed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))
    last_used_step: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))


class RecoveryCode(SQLModel, table=True):
    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    code_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime, nullable=True))


# --- reading -------------------------------------------------------------------------------------

def enrolment(person) -> TwoFactor | None:
    """The person's secret, confirmed or still being set up."""
    return db.session.exec(select(TwoFactor).where(TwoFactor.person_id == person.id)).first()


def is_enabled(person) -> bool:
    found = enrolment(person)
    return found is not None and found.confirmed_at is not None


def recovery_codes_left(person) -> int:
    return db.session.exec(select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.person_id == person.id, RecoveryCode.used_at.is_(None))).one()


def provisioning_uri(person, found: TwoFactor) -> str:
    return pyotp.TOTP(found.secret).provisioning_uri(name=person.email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> Markup:
    """The set-up QR code as inline SVG, drawn here: the secret never reaches another host."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#0b0c0c", light="#ffffff", svgclass="cp-qr-code",
        title="QR code to scan with your authenticator app")
    # role=img makes the <title> the image's accessible name.
    return Markup(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))  # nosec B704 - segno's own SVG


def grouped(secret: str) -> str:
    """The secret in groups of four, as people type it into an app."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


# --- who must use it -----------------------------------------------------------------------------

def required_for_admins() -> bool:
    """Site admins must use two-factor sign-in, except in the demo on this computer."""
    config = current_app.config
    if not config.get("TWO_FACTOR_REQUIRED_FOR_ADMINS", True):
        return False
    if config.get("COMMONPOT_DEMO", False):
        host = urlsplit(config.get("COMMONPOT_BASE_URL", "")).hostname or ""
        return host not in {"localhost", "127.0.0.1", "::1"}
    return True


def collectives_requiring(person) -> list[str]:
    """Names of the collectives that require two-factor sign-in of this person (a facilitator or reviewer)."""
    from grants.collectives.models import Collective, Membership

    return list(db.session.exec(
        select(Collective.name).join(Membership, Membership.collective_id == Collective.id)
        .where(Membership.person_id == person.id, Collective.requires_two_factor.is_(True),
               sa.or_(Membership.is_facilitator.is_(True), Membership.is_reviewer.is_(True)))
        .order_by(Collective.name)).all())


def required_because(person) -> list[str]:
    """Why this person must keep two-factor sign-in on, in plain words (empty when it is their choice)."""
    reasons = []
    if person.is_admin and required_for_admins():
        reasons.append(_("You are a site admin: site admins must use two-factor sign-in, because they "
                         "manage every collective and account."))
    for name in collectives_requiring(person):
        reasons.append(_("%(collective)s asks its facilitators and reviewers to use two-factor sign-in, "
                         "because they can see and change the collective's decisions.", collective=name))
    return reasons


# --- checking codes ------------------------------------------------------------------------------

def normalise(code: str) -> str:
    return re.sub(r"[\s-]+", "", code or "").lower()


def _hash_recovery_code(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    value = normalise(code)
    return len(value) == RECOVERY_CODE_LENGTH and all(c in RECOVERY_ALPHABET for c in value)


def _use_totp_code(found: TwoFactor, code: str) -> str:
    """'ok' (the step is now used), 'replayed', 'wrong' or 'unreadable'. Compare-and-set, so two
    requests racing with one code cannot both pass."""
    if isinstance(found.secret, Unreadable):
        log.error("two-factor secret of person %s cannot be unsealed with the configured keys", found.person_id)
        return "unreadable"
    totp = pyotp.TOTP(found.secret)
    now = totp.timecode(utcnow())
    matched = next((step for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1)
                    if hmac.compare_digest(totp.generate_otp(step), code)), None)
    if matched is None:
        return "wrong"
    updated = db.session.execute(
        sa.update(TwoFactor)
        .where(TwoFactor.id == found.id,
               sa.or_(TwoFactor.last_used_step.is_(None), TwoFactor.last_used_step < matched))
        .values(last_used_step=matched)
        .execution_options(synchronize_session=False))
    if updated.rowcount != 1:
        return "replayed"
    found.last_used_step = matched
    return "ok"


def _use_recovery_code(person, code: str) -> str:
    row = db.session.exec(select(RecoveryCode).where(
        RecoveryCode.person_id == person.id, RecoveryCode.code_hash == _hash_recovery_code(code))).first()
    if row is None:
        return "wrong"
    now = utcnow()
    updated = db.session.execute(
        sa.update(RecoveryCode).where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    if updated.rowcount != 1:
        return "replayed"
    row.used_at = now
    return "ok"


# English, as the audit log records it; shown translated (``_(check.message)``).
WRONG_CODE = N_("That code is not right. Enter the 6-digit code your app shows now, or a recovery code")
MESSAGES = {
    ("totp", "wrong"): WRONG_CODE,
    ("totp", "replayed"): N_("That code has already been used. Wait for your app to show a new code and enter that"),
    ("recovery", "wrong"): WRONG_CODE,
    ("recovery", "replayed"): N_("That recovery code has already been used. Each one works once"),
    ("totp", "unreadable"): N_("Codes from your app cannot be checked on this site just now. Use one of your "
                               "recovery codes, or ask a site admin to reset your two-factor sign-in"),
    ("format", "wrong"): N_("Enter the 6-digit code from your authenticator app, or one of your recovery codes"),
}


@dataclass(frozen=True)
class CodeCheck:
    passed: bool
    method: str        # "totp", "recovery" or "format" (neither)
    message: str = ""  # why it was refused, fit to show beside the field (in English: show ``_(message)``)


def _check(person, found: TwoFactor, code: str, *, allow_recovery: bool) -> CodeCheck:
    value = normalise(code)
    if _TOTP_CODE.match(value):
        method, outcome = "totp", _use_totp_code(found, value)
    elif allow_recovery and looks_like_recovery_code(value):
        method, outcome = "recovery", _use_recovery_code(person, value)
    else:
        method, outcome = "format", "wrong"
    if outcome == "ok":
        return CodeCheck(True, method)
    if not allow_recovery and method == "format":
        return CodeCheck(False, method, N_("Enter the 6-digit code your authenticator app shows now"))
    return CodeCheck(False, method, MESSAGES[(method, outcome)])


# --- operations ----------------------------------------------------------------------------------

def start_set_up(person: Person) -> TwoFactor:
    """Make a new secret for the person's app (replacing one not yet confirmed)."""
    found = enrolment(person)
    if found is not None and found.confirmed_at is not None:
        raise Refused(_("Two-factor sign-in is already on. Turn it off first to move it to a new app."))
    secret = pyotp.random_base32()
    if found is None:
        found = TwoFactor(person_id=person.id, secret=secret)
    found.secret = secret
    found.last_used_step = None
    found.created_at = utcnow()
    db.session.add(found)
    db.session.flush()
    audit.record(person, "account.two_factor_set_up_started", person,
                 "Two-factor sign-in set-up started (a new secret for an authenticator app)")
    return found


def _new_recovery_codes(person: Person) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.person_id == person.id)
                       .execution_options(synchronize_session=False))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(person_id=person.id, code_hash=_hash_recovery_code(raw)))
    db.session.flush()
    return codes


def confirm_set_up(person: Person, code: str) -> list[str]:
    """Turn two-factor sign-in on once the app shows a right code; returns the new recovery codes."""
    found = enrolment(person)
    if found is None or found.confirmed_at is not None:
        raise Refused(_("Start setting up two-factor sign-in again."))
    check = _check(person, found, code, allow_recovery=False)
    if not check.passed:
        raise Refused(_(check.message), field="code")
    found.confirmed_at = utcnow()
    db.session.add(found)
    codes = _new_recovery_codes(person)
    audit.record(person, "account.two_factor_enabled", person,
                 f"Two-factor sign-in turned on, with {len(codes)} recovery codes")
    queue_mail(person.email, _l("Two-factor sign-in is on for your Commonpot account"), "two_factor_changed.txt",
               person=person, change="turned on")
    return codes


def make_new_recovery_codes(person: Person, password: str) -> list[str]:
    """Replace every recovery code, used or not, with a new set (after the password is checked)."""
    if not is_enabled(person):
        raise Refused(_("Two-factor sign-in is off: there are no recovery codes to replace."))
    if not person.check_password(password):
        raise Refused(_("Your password is not right"), field="password")
    codes = _new_recovery_codes(person)
    audit.record(person, "account.recovery_codes_replaced", person,
                 f"New recovery codes made ({len(codes)}); the old ones no longer work")
    return codes


def turn_off(person: Person, password_or_code: str) -> None:
    """Turn two-factor sign-in off, with the password or a current code as proof."""
    found = enrolment(person)
    if found is None or found.confirmed_at is None:
        raise Refused(_("Two-factor sign-in is already off."))
    reasons = required_because(person)
    if reasons:
        raise Refused(_("You cannot turn two-factor sign-in off. %(reason)s", reason=reasons[0]), field="proof")
    value = password_or_code or ""
    if _TOTP_CODE.match(normalise(value)):
        proven = _check(person, found, value, allow_recovery=False).passed
    else:
        proven = person.check_password(value)
    if not proven:
        raise Refused(_("Enter your password, or the 6-digit code your app shows now"), field="proof")
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.person_id == person.id)
                       .execution_options(synchronize_session=False))
    db.session.delete(found)
    audit.record(person, "account.two_factor_disabled", person, "Two-factor sign-in turned off")
    queue_mail(person.email, _l("Two-factor sign-in is off for your Commonpot account"), "two_factor_changed.txt",
               person=person, change="turned off")


def reset_for_person(person: Person, actor: Person) -> None:
    """A site admin turns off a person's two-factor sign-in (phone and recovery codes both lost).

    Whoever must use it is asked to set it up again at their next sign-in.
    """
    if person.id == actor.id:
        raise Refused(_("Ask another site admin to reset your own two-factor sign-in."))
    found = enrolment(person)
    if found is None:
        raise Refused(_("%(email)s does not use two-factor sign-in.", email=person.email))
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.person_id == person.id)
                       .execution_options(synchronize_session=False))
    db.session.delete(found)
    audit.record(actor, "account.two_factor_reset", person,
                 f"Two-factor sign-in of {person.email} reset by a site admin")
    queue_mail(person.email, _l("Two-factor sign-in is off for your Commonpot account"), "two_factor_changed.txt",
               person=person, change="reset")


def people_using_it() -> set[int]:
    """Ids of everyone with two-factor sign-in on (for the accounts page, in one query)."""
    return set(db.session.exec(select(TwoFactor.person_id).where(TwoFactor.confirmed_at.is_not(None))).all())


def check_sign_in_code(person: Person, code: str) -> CodeCheck:
    """The second step of signing in: check a code and audit the attempt either way.

    Never raises a refusal, so that the audit row of a wrong code is committed with the rest.
    """
    found = enrolment(person)
    if found is None or found.confirmed_at is None:
        # Two-factor was turned off since the password step: the password alone is enough now.
        return CodeCheck(True, "none")
    check = _check(person, found, code, allow_recovery=True)
    if check.passed:
        left = recovery_codes_left(person)
        how = "a code from the authenticator app" if check.method == "totp" else \
            f"a recovery code ({left} left)"
        audit.record(person, "account.two_factor_passed", person, f"Second sign-in step passed with {how}",
                     after={"method": check.method})
        if check.method == "recovery":
            queue_mail(person.email, _l("A recovery code was used to sign in to Commonpot"),
                       "two_factor_changed.txt", person=person, change="recovery", left=left)
    else:
        audit.record(person, "account.two_factor_failed", person, "Second sign-in step refused: " + check.message,
                     after={"method": check.method})
    return check


def record_rate_limited(person: Person) -> None:
    audit.record(person, "account.two_factor_rate_limited", person,
                 "Too many sign-in codes tried: further tries refused for a while")
