"""Email about commissioning, queued like every email: delivered only after the commit.

``grants.mail.queue_mail`` renders templates from ``templates/emails/``; commissioning keeps its
email templates beside its pages (``templates/commissioning/emails/``), so this queues a message
rendered from there onto the same after-commit outbox.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, has_request_context, render_template, url_for

from grants import mail
from grants.db import db

_CONFIG_KEYS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_USE_TLS", "MAIL_USE_SSL",
                "MAIL_DEFAULT_SENDER", "MAIL_TIMEOUT")


def queue(to: str, subject: str, template: str, **context) -> mail.Mail:
    body = render_template(f"commissioning/emails/{template}", **context)
    config = {key: current_app.config.get(key) for key in _CONFIG_KEYS}
    config["MAIL_DIR"] = str(Path(current_app.instance_path) / "mail")
    message = mail.Mail(to=to, subject=subject, body=body, config=config)
    silenced = getattr(mail, "_SILENT", None)  # the demo seed silences mail to its made-up people
    if not (silenced and db.session.info.get(silenced)):
        db.session.info.setdefault(mail._OUTBOX, []).append(message)
    return message


def external_url(endpoint: str, **values) -> str:
    """A full link for an email, also outside a request (the CLI, the scheduler)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["COMMONPOT_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)
