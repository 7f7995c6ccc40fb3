"""Operations on accounts: the only code that creates or changes a Person."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from grants import audit
from grants.auth import sessions
from grants.auth.models import Person, normalise_email, spend_password_time
from grants.auth.tokens import (
    email_verification_token,
    password_reset_token,
    read_email_verification_token,
    read_password_reset_token,
)
from grants.db import db
from grants.urls import external_url
from grants.errors import Refused
from grants.mail import queue_mail
from grants.timeutil import utcnow


def find_by_email(email: str) -> Person | None:
    return db.session.exec(select(Person).where(Person.email == normalise_email(email))).first()


def register_person(*, email: str, name: str, password: str, preferred_language: str = "en",
                    is_admin: bool = False, verified: bool = True, actor=None) -> Person:
    """Create an account. Raises Refused(field='email') if the address is taken.

    ``verified``: the address is already proven (an invitation emailed to it, an operator's
    command); a person registering themselves is not, until they follow the link (``sign_up``).
    """
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise Refused(_("An account with this email address already exists. Sign in instead, "
                        "or reset your password."), field="email")
    person = Person(email=email, name=name.strip(), preferred_language=preferred_language,
                    is_admin=is_admin, password_hash="", email_verified_at=utcnow() if verified else None)  # nosec B106  # set by set_password next
    person.set_password(password)
    db.session.add(person)
    try:
        db.session.flush()
    except IntegrityError as exc:  # two registrations racing for one address
        db.session.rollback()
        raise Refused(_("An account with this email address already exists."), field="email") from exc
    audit.record(actor or person, "account.created", person, f"Account created for {email}",
                 after={"email": email, "name": person.name, "is_admin": is_admin})
    return person


def sign_up(*, email: str, name: str, password: str, preferred_language: str = "en") -> None:
    """Someone registers: the same answer whether or not the address has an account.

    A new address gets an unverified account and a link to confirm it. An address that already
    has an account gets an email telling its owner, with a password-reset link; nothing changes.
    Either way one email goes out and one password is hashed, so neither the page nor its timing
    says which.
    """
    existing = find_by_email(email)
    if existing is None:
        try:
            person = register_person(email=email, name=name, password=password,
                                     preferred_language=preferred_language, verified=False)
        except Refused:  # someone else registered the address a moment ago: they get the email
            return
        send_email_verification(person)
        return
    spend_password_time(password)
    if not existing.active:
        return
    queue_mail(existing.email, _l("Someone tried to create a Commonpot account with your email address"),
               "account_exists.txt", person=existing,
               link=external_url("auth.reset_password", token=password_reset_token(existing)),
               minutes=current_app.config["PASSWORD_RESET_SECONDS"] // 60)
    audit.record("system", "account.registration_repeated", existing,
                 "Someone tried to register this address again; its owner was emailed")


def send_email_verification(person: Person) -> None:
    link = external_url("auth.verify_email", token=email_verification_token(person))
    queue_mail(person.email, _l("Confirm your email address for Commonpot"), "email_verification.txt",
               person=person, link=link, hours=current_app.config["EMAIL_VERIFICATION_HOURS"])
    audit.record(person, "account.verification_sent", person, "Email confirmation link sent")


def resend_email_verification(email: str) -> None:
    """A new confirmation link, if the address has an unconfirmed account; say nothing either way."""
    person = find_by_email(email)
    if person is not None and person.active and person.email_verified_at is None:
        send_email_verification(person)


def person_for_verification_token(token: str) -> Person | None:
    """The unconfirmed account a confirmation link is for; None once used, expired or forged."""
    found = read_email_verification_token(token)
    if found is None:
        return None
    person = db.session.get(Person, found[0])
    if person is None or not person.active or person.email != found[1] or person.email_verified_at is not None:
        return None
    return person


def verify_email(token: str) -> Person:
    person = person_for_verification_token(token)
    if person is None:
        raise Refused(_("This link has expired or has already been used."))
    person.email_verified_at = utcnow()
    db.session.add(person)
    audit.record(person, "account.email_verified", person, f"Email address {person.email} confirmed")
    return person


@dataclass(frozen=True)
class SignInCheck:
    """What a password check found: the person (when the address has an account) and the outcome."""

    person: Person | None
    outcome: str

    @property
    def passed(self) -> bool:
        return self.outcome == sessions.SIGNED_IN


def check_password(email: str, password: str) -> SignInCheck:
    """Check a typed address and password. A failure is recorded here; success is recorded by
    ``sessions.start_session`` once every step of signing in is done. The caller commits."""
    person = find_by_email(email)
    if person is None:
        # Spend the same time as a real check, so response times do not reveal accounts.
        spend_password_time(password)
        outcome = sessions.NO_SUCH_ACCOUNT
    elif not person.check_password(password):
        outcome = sessions.WRONG_PASSWORD
    elif not person.active:
        outcome = sessions.DEACTIVATED
    elif person.email_verified_at is None:
        outcome = sessions.NOT_VERIFIED
    else:
        return SignInCheck(person, sessions.SIGNED_IN)
    sessions.record_sign_in(person, False, outcome, email=email)
    return SignInCheck(person, outcome)


def update_account(person: Person, *, name: str, preferred_language: str, wants_reminders: bool) -> None:
    before = {"name": person.name, "preferred_language": person.preferred_language,
              "wants_reminders": person.wants_reminders}
    person.name = name.strip()
    person.preferred_language = preferred_language
    person.wants_reminders = wants_reminders
    after = {"name": person.name, "preferred_language": preferred_language, "wants_reminders": wants_reminders}
    db.session.add(person)
    audit.record(person, "account.updated", person, "Account details changed", before=before, after=after)


def change_password(person: Person, *, current: str, new: str) -> None:
    """A new password ends every other session (the caller keeps this one: ``sessions.keep_this_session``)."""
    if not person.check_password(current):
        raise Refused(_("Your current password is not right"), field="current")
    person.set_password(new)
    person.session_version += 1
    person.must_change_password = False
    db.session.add(person)
    audit.record(person, "account.password_changed", person, "Password changed; every other session ended")


def sign_out_everywhere(person: Person) -> None:
    """End every session of the person's (the caller keeps the one asking: ``sessions.keep_this_session``)."""
    person.session_version += 1
    db.session.add(person)
    audit.record(person, "account.signed_out_everywhere", person, "Signed out on every other device")


def choose_new_password(person: Person, new: str) -> None:
    """Replace a password others know (the demo admin's) before the person does anything else.

    Anyone else who signed in with the known password is signed out (the caller keeps this
    session: ``sessions.keep_this_session``)."""
    if person.check_password(new):
        raise Refused(_("Choose a password different from the one you signed in with"), field="password")
    person.set_password(new)
    person.session_version += 1
    person.must_change_password = False
    db.session.add(person)
    audit.record(person, "account.password_chosen", person,
                 "Replaced a password others knew with a new one; every other session ended")


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way (no account probing)."""
    person = find_by_email(email)
    if person is None or not person.active:
        return
    link = external_url("auth.reset_password", token=password_reset_token(person))
    queue_mail(person.email, _l("Reset your Commonpot password"), "password_reset.txt",
               person=person, link=link,
               minutes=current_app.config["PASSWORD_RESET_SECONDS"] // 60)
    audit.record(person, "account.password_reset_requested", person, "Password reset link sent")


def person_for_reset_token(token: str) -> Person | None:
    found = read_password_reset_token(token)
    if found is None:
        return None
    person = db.session.get(Person, found[0])
    if person is None or not person.active or person.password_hash[-12:] != found[1]:
        return None
    return person


def reset_password(token: str, new: str) -> Person:
    person = person_for_reset_token(token)
    if person is None:
        raise Refused(_("This password reset link has expired or has already been used. Ask for a new one."))
    person.set_password(new)
    # Whoever held the account's sessions (perhaps whoever made the reset necessary) is signed out.
    person.session_version += 1
    if person.email_verified_at is None:  # the link reached the address: that confirms it too
        person.email_verified_at = utcnow()
    person.must_change_password = False
    db.session.add(person)
    audit.record(person, "account.password_reset", person, "Password reset with an emailed link; every session ended")
    return person


def set_active(person: Person, active: bool, actor: Person) -> None:
    if person.id == actor.id and not active:
        raise Refused(_("You cannot deactivate your own account"))
    before = {"active": person.active}
    person.active = active
    db.session.add(person)
    audit.record(actor, "account.activated" if active else "account.deactivated", person,
                 f"Account {person.email} {'activated' if active else 'deactivated'}",
                 before=before, after={"active": active})
