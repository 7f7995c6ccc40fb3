"""The report page: the grantee writes and submits it; a facilitator accepts it or asks for changes."""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import select

from grants import permissions, versions
from grants.bodylimits import accepts_large_form
from grants.awards.models import Grant, grant_lines
from grants.awards.routes import can_view_grant
from grants.collectives import queries as collective_queries
from grants.collectives.models import Outcome
from grants.db import db
from grants.proposals.models import Proposal
from grants.reporting import operations
from grants.reporting.forms import ReviewReportForm, report_form, report_values, saved_pairs
from grants.reporting.models import Report
from grants.views import attempt
from grants.workflow.operations import panel

bp = Blueprint("reporting", __name__, url_prefix="/c/<slug>/grants/<id:grant_id>/reports")


def load(slug: str, grant_id: int, report_id: int):
    collective = collective_queries.collective_for(current_user, slug)
    grant = collective_queries.in_collective(Grant, grant_id, collective)
    report = collective_queries.in_collective(Report, report_id, collective)
    if report.grant_id != grant.id or not can_view_grant(current_user, grant):
        abort(404)
    return collective, grant, report


def _outcomes(grant: Grant) -> list[Outcome]:
    proposal = db.session.get(Proposal, grant.proposal_id)
    ids = proposal.outcome_ids or []
    query = select(Outcome).where(Outcome.collective_id == grant.collective_id)
    query = query.where(Outcome.id.in_(ids)) if ids else query.where(Outcome.retired == False)  # noqa: E712
    return list(db.session.exec(query.order_by(Outcome.position)).all())


def _page(collective, grant, report, form, review_form=None, newer=None):
    proposal = db.session.get(Proposal, grant.proposal_id)
    grantee = "applicant" in report.actor_roles(current_user)
    return render_template("reporting/show.html", collective=collective, grant=grant, report=report,
                           proposal=proposal, form=form, review_form=review_form or ReviewReportForm(prefix="review"),
                           grantee=grantee, manage=permissions.can_manage_collective(current_user, collective),
                           editable=report.state in operations.EDITABLE_STATES, workflow=panel(report, current_user),
                           newer=newer, photo_limit=current_app.config["REPORT_PHOTO_BYTES"])


@bp.route("/<id:report_id>", methods=["GET", "POST"])
@login_required
@accepts_large_form  # a phone's photo is larger than the app-wide limit
def show(slug: str, grant_id: int, report_id: int):
    collective, grant, report = load(slug, grant_id, report_id)
    form = report_form(report, _outcomes(grant), grant_lines(grant))
    newer = None
    if request.method == "POST":
        if "applicant" not in report.actor_roles(current_user):
            abort(403)
        if form.validate_on_submit():
            upload = form.photo.data
            photo = upload.read() if upload and getattr(upload, "filename", "") else None
            saved = attempt(form, operations.save_report, report, report_values(form), current_user, photo,
                            version=form.version.data)
            if not saved:
                newer = versions.newer_values(form, report, lambda row: saved_pairs(form, row), current_user)
            else:
                form.version.data = report.version  # this save is the form's version now
                if not form.save_and_submit.data:
                    flash(_("Your report is saved as a draft."), "success")
                    return redirect(url_for("reporting.show", slug=slug, grant_id=grant_id, report_id=report_id))
                if attempt(form, operations.submit_report, report, current_user):
                    flash(_("Your report is submitted. Thank you."), "success")
                    return redirect(url_for("awards.show", slug=slug, grant_id=grant_id))
    return _page(collective, grant, report, form, newer=newer)


@bp.route("/<id:report_id>/review", methods=["POST"])
@login_required
def review(slug: str, grant_id: int, report_id: int):
    collective, grant, report = load(slug, grant_id, report_id)
    if not permissions.can_manage_collective(current_user, collective):
        abort(403)
    review_form = ReviewReportForm(prefix="review")
    if review_form.validate_on_submit():
        if review_form.accept.data:
            done = attempt(review_form, operations.accept_report, report, current_user)
            message = _("Report accepted.")
        else:
            done = attempt(review_form, operations.request_changes, report, current_user, review_form.note.data or "")
            message = _("The grantee has been asked for changes.")
        if done:
            flash(message, "success")
            return redirect(url_for("awards.show", slug=slug, grant_id=grant_id))
    return _page(collective, grant, report, report_form(report, _outcomes(grant), grant_lines(grant)), review_form)


@bp.route("/<id:report_id>/photo")
@login_required
def photo(slug: str, grant_id: int, report_id: int):
    _collective, _grant, report = load(slug, grant_id, report_id)
    photo = operations.report_photo(report)
    if photo is None:
        abort(404)
    # Private: a photo of community members is not for shared caches.
    response = send_file(io.BytesIO(photo.content), mimetype=photo.content_type, max_age=3600,
                         last_modified=photo.uploaded_at, conditional=True)
    response.cache_control.private = True
    return response


