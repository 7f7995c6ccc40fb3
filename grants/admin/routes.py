"""Site administration: collectives (tenants) and accounts. Only site admins reach these pages."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import select

from grants import permissions
from grants.auth import operations as auth_operations
from grants.auth.models import Person
from grants.collectives import operations, queries
from grants.collectives.forms import NewCollectiveForm
from grants.db import db
from grants.views import attempt
from grants.forms import FlaskForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not permissions.is_admin(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


@bp.route("/", methods=["GET", "POST"])
@admin_required
def index():
    form = NewCollectiveForm()
    if form.validate_on_submit():
        facilitator = auth_operations.find_by_email(form.facilitator_email.data)
        if facilitator is None:
            form.facilitator_email.errors = [_("There is no account with this email address. Ask them to create one first.")]
        else:
            done = attempt(form, operations.create_collective, name=form.name.data, slug=form.slug.data,
                           locality=form.locality.data or "", facilitator=facilitator, actor=current_user)
            if done:
                flash(_("%(collective)s created, with %(name)s as facilitator.", collective=done.result.name,
                        name=facilitator.name), "success")
                return redirect(url_for("admin.index"))
    from grants.mail.queries import failed_count

    return render_template("admin/index.html", collectives=queries.all_collectives(), form=form,
                           failed_mail=failed_count(whole_site=True))


@bp.route("/people")
@admin_required
def people():
    accounts = db.session.exec(select(Person).order_by(Person.name)).all()
    return render_template("admin/people.html", accounts=accounts, form=FlaskForm())


@bp.route("/people/<id:person_id>/active/<int:active>", methods=["POST"])
@admin_required
def set_active(person_id: int, active: int):
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    person = db.session.get(Person, person_id) or abort(404)
    if attempt(None, auth_operations.set_active, person, bool(active), current_user):
        flash(_("%(email)s activated.", email=person.email) if active
              else _("%(email)s deactivated.", email=person.email), "success")
    return redirect(url_for("admin.people"))
