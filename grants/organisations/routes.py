"""Organisation pages inside a collective: the list, one organisation, and its edit form."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grants import permissions, versions
from grants.collectives import queries
from grants.views import attempt
from grants.organisations import operations
from grants.organisations.forms import OrganisationForm
from grants.organisations.models import Organisation

bp = Blueprint("organisations", __name__, url_prefix="/c/<slug>/organisations")


@bp.route("/")
@login_required
def index(slug: str):
    collective = queries.collective_for(current_user, slug)
    return render_template("organisations/index.html", collective=collective,
                           organisations=queries.organisations(collective))


@bp.route("/<id:organisation_id>")
@login_required
def show(slug: str, organisation_id: int):
    collective = queries.collective_for(current_user, slug)
    organisation = queries.in_collective(Organisation, organisation_id, collective)
    if organisation.status != "active" and not permissions.can_manage_collective(current_user, collective):
        abort(404)
    return render_template("organisations/show.html", collective=collective, organisation=organisation)


@bp.route("/<id:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, organisation_id: int):
    collective = queries.collective_for(current_user, slug)
    organisation = queries.in_collective(Organisation, organisation_id, collective)
    if not permissions.can_edit_organisation(current_user, organisation):
        abort(403)
    form = OrganisationForm(obj=organisation if request.method == "GET" else None)
    newer = None
    if form.validate_on_submit():
        if attempt(form, operations.update_organisation, organisation, form.organisation_values(), current_user,
                   version=form.version.data):
            flash(_("%(name)s saved.", name=organisation.name), "success")
            return redirect(url_for("organisations.show", slug=slug, organisation_id=organisation.id))
        newer = versions.newer_values(form, organisation, lambda row: [
            (form[key], getattr(row, key)) for key in operations.EDITABLE], current_user)
    return render_template("organisations/edit.html", collective=collective, organisation=organisation, form=form,
                           newer=newer)
