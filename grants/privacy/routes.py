"""A person's own data (page and JSON download, from the account page) and the admin's erasure page."""

from __future__ import annotations

import json
from datetime import date, datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required

from grants.admin.routes import admin_required
from grants.auth.models import Person
from grants.db import db
from grants.privacy import KEPT
from grants.privacy.erasure import erase_person
from grants.privacy.forms import EraseForm
from grants.privacy.personal_data import personal_data
from grants.timeutil import format_date, format_datetime, utcnow
from grants.views import attempt

bp = Blueprint("privacy", __name__)

# What each value of "Your data" is, as the page names it (the JSON download keeps the keys).
FIELDS = {
    "name": _l("Name"),
    "email": _l("Email"),
    "preferred_language": _l("Preferred language"),
    "wants_reminders": _l("Wants reminders"),
    "site_admin": _l("Site admin"),
    "active": _l("Active"),
    "created_at": _l("Created at"),
    "collective": _l("Collective"),
    "roles": _l("Roles"),
    "organisation": _l("Organisation"),
    "joined_at": _l("Joined at"),
    "contact_name": _l("Contact name"),
    "contact_email": _l("Contact email"),
    "contact_phone": _l("Contact phone"),
    "postcode": _l("Postcode"),
    "ward": _l("Ward"),
    "status": _l("Status"),
    "message": _l("Message"),
    "state": _l("State"),
    "decision_reason": _l("Decision reason"),
    "asked_at": _l("Asked at"),
    "decided_at": _l("Decided at"),
    "sent_at": _l("Sent at"),
    "expires_at": _l("Expires at"),
    "accepted_at": _l("Accepted at"),
    "round": _l("Round"),
    "kind": _l("Kind"),
    "saved_at": _l("Saved at"),
    "marks": _l("Marks"),
    "title": _l("Title"),
    "summary": _l("Summary"),
    "amount_requested": _l("Amount requested"),
    "started_at": _l("Started at"),
    "amount": _l("Amount"),
    "name_you_typed": _l("Name you typed"),
    "grant": _l("Grant"),
    "submitted_at": _l("Submitted at"),
    "what_happened": _l("What happened"),
    "story": _l("Story"),
    "people_reached": _l("People reached"),
    "what": _l("What"),
    "text": _l("Text"),
    "at": _l("At"),
    "by": _l("By"),
    "action": _l("Action"),
    "workflow": _l("Workflow"),
    "object": _l("Object"),
    "transition": _l("Transition"),
    "from": _l("From"),
    "to": _l("To"),
    "reason": _l("Reason"),
    "succeeded": _l("Succeeded"),
    "outcome": _l("Outcome"),
    "address": _l("Address"),
    "on_since": _l("On since"),
    "subject": _l("Subject"),
    "queued_at": _l("Queued at"),
}


def _shown(value) -> str:
    """A value as a person reads it on the page."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_shown(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value)
    return str(value)


# Codes among the values, shown by what they mean (the JSON download keeps the codes).
_SECTION_WORKFLOWS = {"join_requests": "join_request", "invitations": "invitation", "proposals": "proposal",
                      "grants_accepted": "grant", "reports": "report"}
_CODES = {
    "status": {"pending": _l("Waiting for a decision"), "active": _l("Active"), "declined": _l("Declined"),
               "left": _l("Left the collective")},
    "roles": {"member": _l("member"), "facilitator": _l("facilitator"), "reviewer": _l("reviewer"),
              "applicant": _l("applicant")},
    "kind": {"online": _l("online"), "paper (entered by a facilitator)": _l("paper (entered by a facilitator)"),
             "voting": _l("a reminder to vote"), "voting_opened": _l("voting is open"),
             "mid": _l("Mid-point report"), "end": _l("End report")},
    "what": {"ratified": _l("ratified"), "returned": _l("returned"), "response": _l("response")},
    "outcome": {"signed in": _l("signed in"), "wrong password": _l("wrong password"),
                "account deactivated": _l("account deactivated"),
                "email address not confirmed": _l("email address not confirmed")},
    "mail_state": {"queued": _l("queued"), "sending": _l("being sent"), "sent": _l("sent"), "failed": _l("not sent")},
}


def _meaning(section: str, key: str, value, row: dict):
    """A code among a section's values, as the page says it (other values as they are)."""
    import workflows
    from grants.reference import language_name

    if not isinstance(value, (str, list)) or value in ("", []):
        return value
    if isinstance(value, list):
        return [_meaning(section, key, item, row) for item in value]
    if key == "preferred_language":
        return language_name(value)
    if key in ("state", "from", "to", "transition") and section in _SECTION_WORKFLOWS | {"history": None}:
        name = row.get("workflow") if section == "history" else _SECTION_WORKFLOWS.get(section)
        workflow = workflows.WORKFLOWS.get(name)
        if workflow is None:
            return value
        try:
            if key == "transition":
                return _(workflow.transition(value).label or value)
            return _(workflow.coerce_state(value).staff_label)
        except (KeyError, ValueError, workflows.WorkflowError):
            return value
    if key == "workflow" and value in workflows.WORKFLOWS:
        return _(workflows.WORKFLOWS[value].label)
    codes = _CODES.get("mail_state" if (section, key) == ("mail", "state") else key, {})
    return str(codes[value]) if value in codes else value


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not plain data")


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/your-data")
@login_required
def your_data():
    sections = [{"key": key, "title": s["title"],
                 "rows": [[(FIELDS.get(key_) or key_.replace("_", " ").capitalize(),
                            _shown(_meaning(key, key_, value, row))) for key_, value in row.items()]
                          for row in s["rows"]]}
                for key, s in personal_data(current_user).items()]
    return _private(Response(render_template("privacy/your_data.html", sections=sections)))


@bp.route("/account/your-data.json")
@login_required
def your_data_json():
    data = {"exported_at": utcnow().isoformat(), "person_id": current_user.id,
            **{key: s["rows"] for key, s in personal_data(current_user).items()}}
    return _private(Response(json.dumps(data, default=_plain, ensure_ascii=False, indent=2),
                             mimetype="application/json",
                             headers={"Content-Disposition": 'attachment; filename="commonpot-your-data.json"'}))


@bp.route("/admin/people/<id:person_id>/erase", methods=["GET", "POST"])
@admin_required
def erase(person_id: int):
    person = db.session.get(Person, person_id) or abort(404)
    form = EraseForm()
    if person.erased_at is None and form.validate_on_submit():
        if attempt(form, erase_person, person, current_user, request_note=form.request_note.data or ""):
            flash(_("Account %(id)s has been erased. Its records are kept as listed, without the person's "
                    "name or email address.", id=person_id), "success")
            return redirect(url_for("admin.people"))
    held = {s["title"]: len(s["rows"]) for s in personal_data(person).values()} if person.erased_at is None else {}
    return _private(Response(render_template("privacy/erase.html", person=person, form=form, held=held, kept=KEPT)))
