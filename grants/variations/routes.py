"""Variation pages: ask to change a grant, read a request, decide it, change it again, withdraw it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import select

from grants import versions
from grants.awards.models import Grant, grant_lines
from grants.awards.routes import can_view_grant
from grants.collectives import queries as collective_queries
from grants.db import db
from grants.organisations.models import Organisation
from grants.proposals.models import Proposal
from grants.reporting.models import Report
from grants.variations import operations
from grants.variations.forms import DecisionForm, WithdrawVariationForm, change_of, variation_form
from grants.variations.models import Variation
from grants.views import attempt
from grants.workflow.operations import panel

bp = Blueprint("variations", __name__, url_prefix="/c/<slug>/grants/<id:grant_id>/variations")


def load(slug: str, grant_id: int, variation_id: int | None = None):
    collective = collective_queries.collective_for(current_user, slug)
    grant = collective_queries.in_collective(Grant, grant_id, collective)
    if not can_view_grant(current_user, grant):
        abort(404)
    if variation_id is None:
        return collective, grant, None
    variation = collective_queries.in_collective(Variation, variation_id, collective)
    if variation.grant_id != grant.id:
        abort(404)
    return collective, grant, variation


def _outcomes(collective, grant):
    """The outcomes a variation may choose: the collective's current ones, and any the grant has."""
    return [o for o in collective_queries.outcomes(collective) if not o.retired or o.id in (grant.outcome_ids or [])]


def _form_page(collective, grant, form, variation=None, waiting=None):
    return render_template("variations/form.html", collective=collective, grant=grant, form=form, variation=variation,
                           waiting=waiting,
                           proposal=db.session.get(Proposal, grant.proposal_id),
                           organisation=db.session.get(Organisation, grant.organisation_id),
                           net=grant.net_amount, paid=grant.total_paid,
                           move_percent=collective.variation_move_percent,
                           date_months=collective.variation_date_months)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(slug: str, grant_id: int):
    collective, grant, _variation = load(slug, grant_id)
    if "applicant" not in grant.actor_roles(current_user):
        abort(403)
    waiting = operations.open_variation(grant)
    if waiting is not None:  # one request at a time: the page says where the waiting one is
        return _form_page(collective, grant, None, waiting=waiting)
    form = variation_form(grant_lines(grant), operations.open_reports(grant), _outcomes(collective, grant),
                          start=operations.snapshot(grant))
    if form.validate_on_submit() and _no_problems(form, grant):
        done = attempt(form, operations.request_variation, grant, current_user, change_of(form))
        if done:
            if done.result.needs_partnership:
                flash(_("Your request is sent. It needs the partnership's approval: their reviewers have been told, "
                        "and we will email you when they decide."), "success")
            else:
                flash(_("Your request is sent to the facilitator. We will email you when they decide."), "success")
            return redirect(url_for("variations.show", slug=slug, grant_id=grant_id, variation_id=done.result.id))
    return _form_page(collective, grant, form)


def _no_problems(form, grant, before=None) -> bool:
    """Every problem of the change beside its field at once (not only the first)."""
    found = operations.problems(grant, change_of(form), before=before)
    for problem in found:
        form.show_problem(problem)
    return not found


@bp.route("/<id:variation_id>")
@login_required
def show(slug: str, grant_id: int, variation_id: int):
    collective, grant, variation = load(slug, grant_id, variation_id)
    return _show_page(collective, grant, variation)


def _show_page(collective, grant, variation, decision_form=None):
    grantee = "applicant" in grant.actor_roles(current_user)
    reports = {str(r.id): r for r in db.session.exec(select(Report).where(Report.grant_id == grant.id)).all()}
    outcomes = {o.id: o.text for o in collective_queries.outcomes(collective)}
    return render_template(
        "variations/show.html", collective=collective, grant=grant, variation=variation,
        proposal=db.session.get(Proposal, grant.proposal_id),
        organisation=db.session.get(Organisation, grant.organisation_id), grantee=grantee,
        rows=_comparison(variation, reports, outcomes), moved=operations.moved(variation.before, {"lines": variation.lines}),
        decide=operations.can_decide(current_user, variation),
        decision_form=decision_form or DecisionForm(), withdraw_form=WithdrawVariationForm(),
        workflow=panel(variation, current_user), approvals=variation.approvals_count)


def _comparison(variation: Variation, reports: dict, outcomes: dict) -> dict:
    """What changes, now against after, as plain rows for the page."""
    before = variation.before
    old = {line["id"]: line for line in before.get("lines", [])}
    lines = []
    for line in variation.lines:
        was = old.get(line["id"])
        lines.append({"description": line["description"], "before": was["amount"] if was else None,
                      "after": line["amount"], "changed": was is None or was["amount"] != line["amount"]})
    dates = [{"report": _(reports[key].label) if key in reports else key,
              "before": operations.format_day(before["due_dates"][key]), "after": operations.format_day(value)}
             for key, value in variation.due_dates.items()
             if before.get("due_dates", {}).get(key) not in (None, value)]
    purpose = variation.purpose if variation.purpose.strip() != before.get("purpose", "").strip() else None
    outcomes_after = sorted(set(variation.outcome_ids))
    outcomes_changed = outcomes_after != sorted(set(before.get("outcome_ids", [])))
    return {"lines": lines, "dates": dates, "purpose": purpose, "purpose_before": before.get("purpose", ""),
            "outcomes": [outcomes.get(i, "—") for i in outcomes_after] if outcomes_changed else None,
            "outcomes_before": [outcomes.get(i, "—") for i in before.get("outcome_ids", [])],
            "returned": variation.returned, "paid_back": variation.paid_back,
            "total_before": sum(line["amount"] for line in before.get("lines", [])),
            "total_after": sum(line["amount"] for line in variation.lines)}


@bp.route("/<id:variation_id>/decide", methods=["POST"])
@login_required
def decide(slug: str, grant_id: int, variation_id: int):
    collective, grant, variation = load(slug, grant_id, variation_id)
    if not operations.can_decide(current_user, variation):
        abort(403)
    form = DecisionForm()
    if form.validate_on_submit():
        done = attempt(form, operations.decide, variation, current_user, form.decision.data, form.reason.data or "")
        if done:
            db.session.refresh(variation)
            if variation.state == "approved":
                flash(_("The change is approved and made to the grant. The grantee has been emailed."), "success")
            elif variation.state == "refused":
                flash(_("The change is refused. The grantee has been emailed your reason."), "success")
            elif variation.state == "more_information":
                flash(_("The grantee has been asked for more information."), "success")
            else:
                flash(_("Your approval is recorded. The change waits for more reviewers."), "success")
            return redirect(url_for("variations.show", slug=slug, grant_id=grant_id, variation_id=variation_id))
    return _show_page(collective, grant, variation, decision_form=form)


@bp.route("/<id:variation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, grant_id: int, variation_id: int):
    """The grantee changes a request after being asked for more information, and sends it again."""
    collective, grant, variation = load(slug, grant_id, variation_id)
    if "applicant" not in grant.actor_roles(current_user):
        abort(403)
    if variation.state != "more_information":
        return redirect(url_for("variations.show", slug=slug, grant_id=grant_id, variation_id=variation_id))
    start = {**variation.before, "lines": variation.lines, "due_dates": {**variation.before.get("due_dates", {}),
                                                                         **variation.due_dates},
             "purpose": variation.purpose, "outcome_ids": variation.outcome_ids, "returned": variation.returned,
             "paid_back": variation.paid_back, "paid_back_reference": variation.paid_back_reference,
             "reason": variation.reason}
    form = variation_form(grant_lines(grant), operations.open_reports(grant), _outcomes(collective, grant),
                          start=start)
    if request.method == "GET":
        form.version.data = variation.version
    form.submit.label.text = _("Send the change again")
    if form.validate_on_submit() and _no_problems(form, grant):
        done = attempt(form, operations.resend_variation, variation, current_user, change_of(form),
                       version=form.version.data)
        if done:
            flash(_("Your changed request is sent again."), "success")
            return redirect(url_for("variations.show", slug=slug, grant_id=grant_id, variation_id=variation_id))
        versions.newer_values(form, variation, lambda row: [], current_user)
    return _form_page(collective, grant, form, variation)


@bp.route("/<id:variation_id>/withdraw", methods=["POST"])
@login_required
def withdraw(slug: str, grant_id: int, variation_id: int):
    _collective, grant, variation = load(slug, grant_id, variation_id)
    if "applicant" not in grant.actor_roles(current_user) or not WithdrawVariationForm().validate_on_submit():
        abort(403)
    if attempt(None, operations.withdraw_variation, variation, current_user):
        flash(_("Your request is withdrawn. The grant stays as it was."), "success")
    return redirect(url_for("variations.show", slug=slug, grant_id=grant_id, variation_id=variation_id))
