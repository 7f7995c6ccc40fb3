"""Grant pages: the list, one grant (offer, acceptance, payments, reports) and its award letter."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from sqlmodel import select

from grants import permissions
from grants.awards import operations
from grants.awards.forms import AcceptForm, DeclineForm, PaymentForm, ReversePaymentForm, UndoDeclineForm
from grants.awards.models import CONDITIONS, Grant, Payment, grant_lines
from grants.collectives import queries as collective_queries
from grants.db import db
from grants.errors import Refused
from grants.exports import threesixty
from grants.exports.csvfile import csv_download
from grants.exports.grants_csv import grants_csv as grants_csv_text
from grants.money import format_pence
from grants.organisations.models import Organisation
from grants.proposals.models import Proposal, partners_of
from grants.reporting.operations import reports_of
from grants.rounds.models import Round
from grants.variations.operations import VARIABLE_GRANT_STATES, open_variation, variations_of
from grants.views import attempt, download
from grants.workflow.operations import panel
from workflows.definitions.grant import GrantState
from workflows.definitions.report import ReportState

bp = Blueprint("awards", __name__, url_prefix="/c/<slug>/grants")

DECLINE_FOR_THEM_LABEL = _l("Why is the organisation declining? (they will see this)")


def grant_status(state: str) -> str:
    """A grant's state as its label, in the page's language."""
    return _(GrantState(state).staff_label)


def report_status(state: str) -> str:
    """A report's state as its label, in the page's language."""
    return _(ReportState(state).staff_label)


@bp.context_processor
def _status_labels() -> dict:
    return {"grant_status": grant_status, "report_status": report_status}


def can_view_grant(person, grant: Grant) -> bool:
    """Facilitators and reviewers see every grant of the collective; a grantee only its own."""
    return (permissions.can_manage_collective(person, grant.collective_id)
            or permissions.can_review(person, grant.collective_id) or "applicant" in grant.actor_roles(person))


def load(slug: str, grant_id: int):
    collective = collective_queries.collective_for(current_user, slug)
    grant = collective_queries.in_collective(Grant, grant_id, collective)
    if not can_view_grant(current_user, grant):
        abort(404)
    return collective, grant


@bp.route("/")
@login_required
def index(slug: str):
    collective = collective_queries.collective_for(current_user, slug)
    if permissions.can_oversee(current_user, collective):
        grants = operations.grants_of(collective)
    else:
        membership = permissions.membership(current_user, collective)
        if membership.organisation_id is None or not membership.is_applicant:
            abort(403)
        grants = operations.grants_of(collective, membership.organisation_id)
    publish = permissions.can_manage_collective(current_user, collective)
    not_ready = None
    if publish:
        try:
            threesixty.settings_for(collective)
        except Refused as error:
            not_ready = error.message
    return render_template("awards/index.html", collective=collective, grants=grants,
                           export=permissions.can_oversee(current_user, collective), publish=publish,
                           threesixty_not_ready=not_ready,
                           awarded=sum(1 for grant, _title, _organisation in grants
                                       if grant.state in threesixty.AWARDED_STATES))


@bp.route("/grants.csv")
@login_required
def grants_csv(slug: str):
    collective = collective_queries.collective_for(current_user, slug, permissions.can_oversee)
    return csv_download(grants_csv_text(collective), f"grants-{collective.slug}.csv")


@bp.route("/360giving.json")
@login_required
def threesixty_json(slug: str):
    """The awarded grants in the 360Giving Data Standard, for the facilitator to publish."""
    collective = collective_queries.collective_for(current_user, slug, permissions.can_manage_collective)
    try:
        text = threesixty.package_json(collective)
    except Refused as error:
        flash(error.message, "info")
        return redirect(url_for("awards.index", slug=slug))
    return download(text, f"360giving-{collective.slug}.json", "application/json")


def _page(collective, grant, **forms):
    proposal = db.session.get(Proposal, grant.proposal_id)
    return render_template(
        "awards/show.html", collective=collective, grant=grant, proposal=proposal,
        round=db.session.get(Round, grant.round_id), organisation=db.session.get(Organisation, grant.organisation_id),
        lines=grant_lines(grant), payments=operations.payments(grant), reports=reports_of(grant),
        variations=variations_of(grant),
        partners="; ".join(_("%(organisation)s (its share %(share)s)",
                             organisation=db.session.get(Organisation, p.organisation_id).name,
                             share=format_pence(p.share)) for p in partners_of(proposal, ("accepted",))),
        can_ask_variation=grant.state in VARIABLE_GRANT_STATES and open_variation(grant) is None,
        conditions=CONDITIONS, manage=permissions.can_manage_collective(current_user, collective),
        can_undo_decline=operations.can_undo_decline(grant),
        undo_form=forms.get("undo_form") or UndoDeclineForm(prefix="undo"),
        grantee="applicant" in grant.actor_roles(current_user), workflow=panel(grant, current_user),
        accept_form=forms.get("accept_form") or AcceptForm(prefix="accept"),
        decline_form=forms.get("decline_form") or DeclineForm(prefix="decline"),
        payment_form=forms.get("payment_form") or PaymentForm(prefix="payment"))


@bp.route("/<id:grant_id>")
@login_required
def show(slug: str, grant_id: int):
    collective, grant = load(slug, grant_id)
    return _page(collective, grant)


@bp.route("/<id:grant_id>/accept", methods=["POST"])
@login_required
def accept(slug: str, grant_id: int):
    collective, grant = load(slug, grant_id)
    form = AcceptForm(prefix="accept")
    if form.validate_on_submit() and attempt(form, operations.accept_grant, grant, current_user,
                                             accepted_by_name=form.accepted_by_name.data or "",
                                             conditions_confirmed=bool(form.conditions_confirmed.data)):
        flash(_("Thank you: the grant is accepted. Your reports and their due dates are below."), "success")
        return redirect(url_for("awards.show", slug=slug, grant_id=grant_id))
    return _page(collective, grant, accept_form=form)


def _may_decline(grant: Grant) -> bool:
    return ("applicant" in grant.actor_roles(current_user)
            or permissions.can_manage_collective(current_user, grant.collective_id))


@bp.route("/<id:grant_id>/decline", methods=["GET", "POST"])
@login_required
def decline(slug: str, grant_id: int):
    """Declining is a confirmation page: it says where the money goes and who is told, and asks why."""
    collective, grant = load(slug, grant_id)
    if not _may_decline(grant):
        abort(403)
    form = DeclineForm(prefix="decline")
    grantee = "applicant" in grant.actor_roles(current_user)
    if not grantee:
        # a facilitator recording a decline for the organisation must say why (the workflow's guard)
        form.reason.label.text = DECLINE_FOR_THEM_LABEL
    if request.method == "POST":
        if form.validate_on_submit() and attempt(form, operations.decline_grant, grant, current_user,
                                                 form.reason.data or ""):
            flash(_("The grant is declined. The facilitators have been told."), "success")
            return redirect(url_for("awards.show", slug=slug, grant_id=grant_id))
    return render_template("awards/decline.html", collective=collective, grant=grant, form=form,
                           proposal=db.session.get(Proposal, grant.proposal_id),
                           round=db.session.get(Round, grant.round_id),
                           organisation=db.session.get(Organisation, grant.organisation_id),
                           grantee=grantee)


@bp.route("/<id:grant_id>/undo-decline", methods=["POST"])
@login_required
def undo_decline(slug: str, grant_id: int):
    collective, grant = load(slug, grant_id)
    if not permissions.can_manage_collective(current_user, collective):
        abort(403)
    form = UndoDeclineForm(prefix="undo")
    if form.validate_on_submit() and attempt(form, operations.undo_decline, grant, current_user):
        flash(_("The decline is undone: the offer is open again, and the organisation has been told."), "success")
        return redirect(url_for("awards.show", slug=slug, grant_id=grant_id))
    return _page(collective, grant, undo_form=form)


@bp.route("/<id:grant_id>/payments/<id:payment_id>/reverse", methods=["GET", "POST"])
@login_required
def reverse_payment(slug: str, grant_id: int, payment_id: int):
    """Correcting a payment: a confirmation page with the reason; the payment itself never changes."""
    collective, grant = load(slug, grant_id)
    if not permissions.can_manage_collective(current_user, collective):
        abort(403)
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.grant_id != grant.id:
        abort(404)
    reversed_by = db.session.exec(select(Payment).where(Payment.reverses_id == payment.id)).first()
    form = ReversePaymentForm(prefix="reverse")
    if request.method == "POST" and form.validate_on_submit() and attempt(
            form, operations.reverse_payment, payment, current_user, form.reason.data or ""):
        flash(_("The payment of %(amount)s is reversed. The total paid is now %(total)s.",
                amount=format_pence(payment.amount), total=format_pence(db.session.get(Grant, grant.id).total_paid)),
              "success")
        return redirect(url_for("awards.show", slug=slug, grant_id=grant_id))
    return render_template("awards/reverse_payment.html", collective=collective, grant=grant, payment=payment,
                           reversed_by=reversed_by, form=form, proposal=db.session.get(Proposal, grant.proposal_id),
                           organisation=db.session.get(Organisation, grant.organisation_id))


@bp.route("/<id:grant_id>/payments", methods=["POST"])
@login_required
def record_payment(slug: str, grant_id: int):
    collective, grant = load(slug, grant_id)
    if not permissions.can_manage_collective(current_user, collective):
        abort(403)
    form = PaymentForm(prefix="payment")
    if form.validate_on_submit() and attempt(form, operations.record_payment, grant, current_user,
                                             paid_on=form.paid_on.data, amount=form.amount.data,
                                             reference=form.reference.data):
        flash(_("Payment recorded."), "success")
        return redirect(url_for("awards.show", slug=slug, grant_id=grant_id))
    return _page(collective, grant, payment_form=form)


