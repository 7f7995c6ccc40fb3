"""The partnership's review page: the allocation, its breakdowns, the exchange, and the decision."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required

from grants import permissions
from grants.collectives import queries as collective_queries
from grants.review import operations, queries
from grants.review.forms import RatifyForm, ResubmitForm, ReturnForm
from grants.rounds import queries as round_queries
from grants.rounds.models import Round
from grants.views import attempt
from grants.workflow.operations import panel

bp = Blueprint("review", __name__, url_prefix="/c/<slug>/rounds/<id:round_id>/review")


def _can_see(person, collective) -> bool:
    return permissions.can_oversee(person, collective)


def _page(collective, round_, **forms):
    results = round_queries.results(round_)
    rows = results["rows"] if results else []
    return render_template(
        "review/show.html", collective=collective, round=round_, results=results,
        themes=queries.by_theme(rows), communities=queries.by_community(rows),
        messages=operations.messages(round_), ratifications=operations.ratifications(round_),
        trail=queries.audit_trail(round_), workflow=panel(round_, current_user),
        reviewer=permissions.can_review(current_user, collective),
        manage=permissions.can_manage_collective(current_user, collective),
        ratify_form=forms.get("ratify_form") or RatifyForm(prefix="ratify"),
        return_form=forms.get("return_form") or ReturnForm(prefix="return"),
        resubmit_form=forms.get("resubmit_form") or ResubmitForm(prefix="resubmit"))


def _load(slug, round_id):
    collective = collective_queries.collective_for(current_user, slug, _can_see)
    return collective, collective_queries.in_collective(Round, round_id, collective)


@bp.route("/")
@login_required
def show(slug: str, round_id: int):
    collective, round_ = _load(slug, round_id)
    return _page(collective, round_)


@bp.route("/ratify", methods=["POST"])
@login_required
def ratify(slug: str, round_id: int):
    collective, round_ = _load(slug, round_id)
    if not permissions.can_review(current_user, collective):
        abort(403)
    form = RatifyForm(prefix="ratify")
    if form.validate_on_submit():
        done = attempt(form, operations.ratify, round_, current_user, form.note.data or "")
        if done:
            flash(_("The allocation is ratified.") if done.result else
                  ngettext("Your ratification is recorded: %(count)s of %(num)d reviewer has ratified.",
                           "Your ratification is recorded: %(count)s of %(num)d reviewers have ratified.",
                           round_.ratifications_needed, count=round_.ratifications_count), "success")
            return redirect(url_for("review.show", slug=slug, round_id=round_id))
    return _page(collective, round_, ratify_form=form)


@bp.route("/return", methods=["POST"])
@login_required
def send_back(slug: str, round_id: int):
    collective, round_ = _load(slug, round_id)
    if not permissions.can_review(current_user, collective):
        abort(403)
    form = ReturnForm(prefix="return")
    if form.validate_on_submit() and attempt(form, operations.return_allocation, round_, current_user, form.reason.data):
        flash(_("The allocation is returned to the facilitators with your reasons."), "success")
        return redirect(url_for("review.show", slug=slug, round_id=round_id))
    return _page(collective, round_, return_form=form)


@bp.route("/resubmit", methods=["POST"])
@login_required
def resubmit(slug: str, round_id: int):
    collective, round_ = _load(slug, round_id)
    if not permissions.can_manage_collective(current_user, collective):
        abort(403)
    form = ResubmitForm(prefix="resubmit")
    if form.validate_on_submit() and attempt(form, operations.resubmit, round_, current_user, form.response.data or ""):
        flash(_("The allocation is with the partnership for review."), "success")
        return redirect(url_for("review.show", slug=slug, round_id=round_id))
    return _page(collective, round_, resubmit_form=form)
