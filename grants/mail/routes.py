"""The failed-mail pages: a collective's (its facilitators) and the whole site's (site admins).

Each lists the messages that could not be sent, with the mail server's last answer and a Retry
button, and those still waiting longer than ``MAIL_DELAYED_AFTER``. A message's body is never
shown: it may hold a sign-in or invitation link meant only for its recipient.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grants import permissions
from grants.admin.routes import admin_required
from grants.collectives import queries as collective_queries
from grants.db import db
from grants.forms import FlaskForm
from grants.mail import operations, queries
from grants.mail.models import OutboxMessage
from grants.views import attempt

bp = Blueprint("mail", __name__)
_LARGEST_ID = 2**31 - 1  # an INTEGER column: a larger id names no row (and would overflow the query)


@bp.route("/c/<slug>/mail")
@login_required
def collective_outbox(slug: str):
    collective = collective_queries.collective_for(current_user, slug, permissions.can_manage_collective)
    return render_template("mail/outbox.html", collective=collective, attention=queries.needing_attention(collective.id),
                           form=FlaskForm(), whole_site=False)


@bp.route("/c/<slug>/mail/<id:message_id>/retry", methods=["POST"])
@login_required
def collective_retry(slug: str, message_id: int):
    collective = collective_queries.collective_for(current_user, slug, permissions.can_manage_collective)
    message = _message(message_id)
    if message.collective_id != collective.id:
        abort(404)
    _retry(message)
    return redirect(url_for("mail.collective_outbox", slug=slug))


@bp.route("/admin/mail")
@admin_required
def admin_outbox():
    return render_template("mail/outbox.html", collective=None, attention=queries.needing_attention(whole_site=True),
                           form=FlaskForm(), whole_site=True)


@bp.route("/admin/mail/<id:message_id>/retry", methods=["POST"])
@admin_required
def admin_retry(message_id: int):
    _retry(_message(message_id))
    return redirect(url_for("mail.admin_outbox"))


def _message(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id) if message_id <= _LARGEST_ID else None
    if message is None:
        abort(404)
    return message


def _retry(message: OutboxMessage) -> None:
    if not FlaskForm().validate_on_submit():
        abort(400)
    if attempt(None, operations.retry_message, message, current_user):
        flash(_("The email to %(recipient)s is queued again.", recipient=message.recipient), "success")
