"""Operations on accounts: the only code that creates or changes a Person."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from grants import audit
from grants.auth.models import Person, normalise_email
from grants.auth.tokens import password_reset_token, read_password_reset_token
from grants.db import db
from grants.urls import external_url
from grants.errors import Refused
from grants.mail import queue_mail


def find_by_email(email: str) -> Person | None:
    return db.session.exec(select(Person).where(Person.email == normalise_email(email))).first()


def register_person(*, email: str, name: str, password: str, preferred_language: str = "en",
                    is_admin: bool = False, actor=None) -> Person:
    """Create an account. Raises Refused(field='email') if the address is taken."""
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise Refused("An account with this email address already exists. Sign in instead, "
                      "or reset your password.", field="email")
    person = Person(email=email, name=name.strip(), preferred_language=preferred_language,
                    is_admin=is_admin, password_hash="")  # nosec B106  # set by set_password on the next line
    person.set_password(password)
    db.session.add(person)
    try:
        db.session.flush()
    except IntegrityError as exc:  # two registrations racing for one address
        db.session.rollback()
        raise Refused("An account with this email address already exists.", field="email") from exc
    audit.record(actor or person, "account.created", person, f"Account created for {email}",
                 after={"email": email, "name": person.name, "is_admin": is_admin})
    return person


def authenticate(email: str, password: str) -> Person | None:
    person = find_by_email(email)
    if person is None:
        # Spend the same time as a real check, so response times do not reveal accounts.
        Person(email="", name="", password_hash="scrypt:32768:8:1$x$0").check_password(password)  # nosec B106  # a hash nothing matches, for equal timing
        return None
    if not person.check_password(password) or not person.active:
        return None
    return person


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
    if not person.check_password(current):
        raise Refused("Your current password is not right", field="current")
    person.set_password(new)
    db.session.add(person)
    audit.record(person, "account.password_changed", person, "Password changed")


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way (no account probing)."""
    person = find_by_email(email)
    if person is None or not person.active:
        return
    link = external_url("auth.reset_password", token=password_reset_token(person))
    queue_mail(person.email, "Reset your Commonpot password", "password_reset.txt",
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
        raise Refused("This password reset link has expired or has already been used. Ask for a new one.")
    person.set_password(new)
    db.session.add(person)
    audit.record(person, "account.password_reset", person, "Password reset with an emailed link")
    return person


def set_active(person: Person, active: bool, actor: Person) -> None:
    if person.id == actor.id and not active:
        raise Refused("You cannot deactivate your own account")
    before = {"active": person.active}
    person.active = active
    db.session.add(person)
    audit.record(actor, "account.activated" if active else "account.deactivated", person,
                 f"Account {person.email} {'activated' if active else 'deactivated'}",
                 before=before, after={"active": active})
