"""A person's own data (page and JSON download, from the account page) and the admin's erasure page."""

from __future__ import annotations

import json
from datetime import date, datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
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


def _shown(value) -> str:
    """A value as a person reads it on the page."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_shown(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value)
    return str(value)


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
                 "rows": [[(key_.replace("_", " ").capitalize(), _shown(value)) for key_, value in row.items()]
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
            flash(f"Account {person_id} has been erased. Its records are kept as listed, without the person's "
                  "name or email address.", "success")
            return redirect(url_for("admin.people"))
    held = {s["title"]: len(s["rows"]) for s in personal_data(person).values()} if person.erased_at is None else {}
    return _private(Response(render_template("privacy/erase.html", person=person, form=form, held=held, kept=KEPT)))
