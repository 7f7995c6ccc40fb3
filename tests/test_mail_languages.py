"""Email goes out in its recipient's language: the preferred language of the account it is sent to,
whoever caused it and whatever the language of the page they were on; English for an address with
no account and for a language the interface does not speak.

The translations are read from the compiled catalogues (``make translations``), so a message
missing from one fails here as well as in tests/test_i18n.py.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.support import Translations
from flask_babel import force_locale, get_locale, lazy_gettext as _l
from flask_login import login_user
from sqlmodel import select

from grants import mail
from grants.auth import operations as accounts
from grants.auth.models import Person
from grants.db import db
from grants.mail.models import OutboxMessage
from grants.timeutil import format_datetime
from tests import factories

RESET_SUBJECT = "Reset your Commonpot password"
RESET_LINE = "Someone (we hope you) asked to reset the password of your Commonpot account."


def translated(app, language: str, msgid: str, **values) -> str:
    """``msgid`` as the catalogue of ``language`` writes it (and it must have a translation)."""
    catalogue = Translations.load(str(Path(app.root_path) / "translations"), [language])
    text = catalogue.gettext(msgid)
    assert text != msgid, f"{msgid!r} has no {language} translation"
    return text % values if values else text


def person_speaking(language: str | None, email: str | None = None) -> Person:
    person = factories.person(email=email)
    if language is not None:
        person.preferred_language = language
    db.session.add(person)
    db.session.flush()
    return person


def last_mail() -> OutboxMessage:
    return db.session.exec(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()


def test_an_email_to_a_member_who_prefers_punjabi_is_in_punjabi(app):
    # An app context and no request: as the worker and the scheduler queue mail.
    with app.app_context():
        person = person_speaking("pa")
        accounts.request_password_reset(person.email.upper())  # addresses match whatever their case
        message = last_mail()
        assert message.subject == translated(app, "pa", RESET_SUBJECT)
        assert translated(app, "pa", "Dear %(name)s,", name=person.name) in message.body
        assert translated(app, "pa", RESET_LINE) in message.body
        assert RESET_LINE not in message.body


@pytest.mark.parametrize("language", [None, "en", "so"])
def test_with_no_preference_english_or_a_language_we_do_not_speak_the_email_is_in_english(app, language):
    with app.app_context():
        person = person_speaking(language)
        accounts.request_password_reset(person.email)
        message = last_mail()
        assert message.subject == RESET_SUBJECT
        assert message.body.startswith(f"Dear {person.name},\n\n{RESET_LINE}\n")


def test_an_address_with_no_account_gets_english_unless_the_caller_knows_better(app):
    with app.test_request_context("/"):
        mail.queue_mail("nobody@example.org", _l(RESET_SUBJECT), "password_reset.txt",
                        person=SimpleNamespace(name="Asha"), link="http://x/", minutes=60)
        assert last_mail().subject == RESET_SUBJECT
        mail.queue_mail("nobody@example.org", _l(RESET_SUBJECT), "password_reset.txt", language="bn",
                        person=SimpleNamespace(name="Asha"), link="http://x/", minutes=60)
        assert last_mail().subject == translated(app, "bn", RESET_SUBJECT)


def test_mail_sent_during_an_urdu_facilitators_request_is_in_the_recipients_language(app):
    with app.app_context():
        facilitator, member, punjabi = person_speaking("ur"), person_speaking("en"), person_speaking("pa")
        db.session.commit()
        ids = facilitator.id, member.id, punjabi.id
    with app.test_request_context("/"):
        facilitator, member, punjabi = (db.session.get(Person, i) for i in ids)
        login_user(facilitator)
        assert str(get_locale()) == "ur"                      # the page is in Urdu
        accounts.request_password_reset(member.email)
        english = last_mail()
        accounts.request_password_reset(punjabi.email)
        in_punjabi = last_mail()
        assert str(get_locale()) == "ur"                      # and still is, after the emails
        assert english.subject == RESET_SUBJECT and RESET_LINE in english.body
        assert in_punjabi.subject == translated(app, "pa", RESET_SUBJECT)


def test_dates_in_a_subject_and_body_are_written_in_the_recipients_language(app):
    closes = datetime(2027, 3, 3, 17, 0, tzinfo=timezone.utc)
    with app.app_context():
        person = person_speaking("bn")
        round_ = SimpleNamespace(name="Spring 2027")
        closes_text = mail.later(format_datetime, closes)
        mail.queue_mail(person.email, _l("Reminder: vote in %(round)s by %(closes)s", round=round_.name,
                                         closes=closes_text),
                        "voting_reminder.txt", person=person, round=round_,
                        collective=SimpleNamespace(name="West", id=None), closes=closes_text, link="http://x/")
        message = last_mail()
        with force_locale("bn"):
            in_bengali = format_datetime(closes)
        assert in_bengali != format_datetime(closes)           # Bengali is written differently
        assert message.subject == translated(app, "bn", "Reminder: vote in %(round)s by %(closes)s",
                                             round="Spring 2027", closes=in_bengali)
        assert in_bengali in message.body


def test_the_account_page_changes_the_preferred_language_and_so_the_emails(app, client):
    with app.app_context():
        person = person_speaking("en", email="asha@example.org")
        db.session.commit()
    factories.login(client, SimpleNamespace(email="asha@example.org"))
    page = client.get("/account").get_data(as_text=True)
    assert '<option value="bn">Bengali</option>' in page and "Preferred language" in page
    response = client.post("/account", data={"account-name": person.name, "account-preferred_language": "bn",
                                             "account-wants_reminders": "y", "account-submit": "Save changes"})
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert 'lang="bn"' in page
    assert translated(app, "bn", "Your account") in page
    assert translated(app, "bn", "Your details have been saved.") in page
    assert '<option value="bn" selected>বাংলা</option>' in page      # each language named in Bengali (CLDR)
    assert '<option value="bsl">' + translated(app, "bn", "British Sign Language") + "</option>" in page
    with app.app_context():
        accounts.request_password_reset("asha@example.org")
        assert last_mail().subject == translated(app, "bn", RESET_SUBJECT)
