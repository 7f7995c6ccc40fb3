"""Proposal pages: start, edit, submit, reopen, withdraw, view, and the eligibility decision."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grants import permissions, versions
from grants.bodylimits import accepts_large_form
from grants.collectives import queries as collective_queries
from grants.db import db
from grants.organisations.models import Organisation
from grants.proposals import operations
from grants.proposals.forms import (EligibilityForm, FeedbackForm, PartnerAnswerForm, PartnerForm, ProposalActionForm,
                                   ProposalForm, WithdrawForm)
from grants.proposals.models import Proposal, ProposalPartner, budget_lines, partners_of
from grants.rounds.models import Round
from grants.rounds.queries import is_public
from grants.money import format_pence
from grants.timeutil import format_datetime
from grants.views import attempt
from grants.workflow.operations import history, panel, workflow_of
from grants.workflow.operations import options as workflow_options

bp = Blueprint("proposals", __name__, url_prefix="/c/<slug>/rounds/<id:round_id>/proposals")
VISIBLE_TO_MEMBERS = ("eligible", "in_vote", "selected", "not_selected", "ratified", "awarded")


def load(slug: str, round_id: int, proposal_id: int | None = None):
    collective = collective_queries.collective_for(current_user, slug)
    round_ = collective_queries.in_collective(Round, round_id, collective)
    if proposal_id is None:
        return collective, round_, None
    proposal = collective_queries.in_collective(Proposal, proposal_id, collective)
    if proposal.round_id != round_.id:
        abort(404)
    return collective, round_, proposal


def can_view(person, proposal: Proposal) -> bool:
    return (proposal.state in VISIBLE_TO_MEMBERS or permissions.can_manage_collective(person, proposal.collective_id)
            or "applicant" in proposal.actor_roles(person) or partner_of(person, proposal) is not None)


def partner_of(person, proposal: Proposal) -> ProposalPartner | None:
    """The partner row of the organisation ``person`` acts for, when it is invited into or takes part in ``proposal``."""
    membership = permissions.membership(person, proposal.collective_id)
    if membership is None or not membership.is_applicant or membership.organisation_id is None:
        return None
    return next((p for p in partners_of(proposal) if p.organisation_id == membership.organisation_id), None)


def can_edit(person, proposal: Proposal) -> bool:
    return "applicant" in proposal.actor_roles(person)


@bp.route("/new", methods=["POST"])
@login_required
def start(slug: str, round_id: int):
    _collective, round_, _proposal = load(slug, round_id)
    if not ProposalActionForm().validate_on_submit():
        abort(400)
    done = attempt(None, operations.start_proposal, round_, current_user)
    if not done:
        return redirect(url_for("rounds.show", slug=slug, round_id=round_id))
    return redirect(url_for("proposals.edit", slug=slug, round_id=round_id, proposal_id=done.result.id))


def _form(collective, round_, proposal) -> ProposalForm:
    form = ProposalForm(obj=proposal if request.method == "GET" else None)
    form.theme_id.choices = [(t.id, t.name) for t in operations.themes_of(round_)]
    form.outcome_ids.choices = [(o.id, outcome_choice(o)) for o in collective_queries.outcomes(collective)]
    if request.method == "GET":
        lines = budget_lines(proposal)
        for entry, line in zip(form.budget_lines, lines):
            entry.form.description.data, entry.form.amount.data = line.description, line.amount
    return form


def outcome_choice(outcome) -> str:
    """An outcome of the theory of change with its term, as a choice: "More people cycle (short term)"."""
    if outcome.term == "short":
        return _("%(outcome)s (short term)", outcome=outcome.text)
    if outcome.term == "medium":
        return _("%(outcome)s (medium term)", outcome=outcome.text)
    return _("%(outcome)s (long term)", outcome=outcome.text)


def _all_problems(form: ProposalForm, proposal: Proposal, round_: Round, *, submitting: bool) -> bool:
    """Check what was sent in one pass, so every problem shows at once: each field's own check, the
    round's rules and, on the way to submitting, what a submission needs. True when there are none."""
    valid = form.validate()
    skip = form.fields_in_error()
    problems = operations.value_problems(proposal, round_, form.values(), form.lines(), skip=skip)
    if submitting:
        problems += operations.submission_problems(form.values(), form.lines(), skip=skip)
    for problem in problems:
        form.show_problem(problem)
    return valid and not problems


@bp.route("/<id:proposal_id>/edit", methods=["GET", "POST"])
@login_required
@accepts_large_form  # a summary pasted many times over is refused beside its box, the rest kept
def edit(slug: str, round_id: int, proposal_id: int):
    collective, round_, proposal = load(slug, round_id, proposal_id)
    if not can_edit(current_user, proposal):
        abort(403)
    if request.method == "GET" and not editable_now(proposal):
        return _read_only(collective, round_, proposal)
    form = _form(collective, round_, proposal)
    newer = None
    submitting = bool(form.check_answers.data)
    if form.is_submitted() and _all_problems(form, proposal, round_, submitting=submitting):
        saved = attempt(form, operations.save_proposal, proposal, form.values(), form.lines(), current_user,
                        version=form.version.data)
        if not saved:
            newer = versions.newer_values(form, proposal, lambda row: _saved_pairs(form, row), current_user)
        else:
            form.version.data = proposal.version  # this save is the form's version now
            if submitting:
                return redirect(url_for("proposals.check", slug=slug, round_id=round_id, proposal_id=proposal_id))
            flash(_("Your draft is saved. You can come back to it until proposals close."), "success")
            return redirect(url_for("proposals.show", slug=slug, round_id=round_id, proposal_id=proposal_id))
    return render_template("proposals/edit.html", collective=collective, round=round_, proposal=proposal, form=form,
                           organisation=db.session.get(Organisation, proposal.organisation_id), newer=newer)


def state_label(proposal: Proposal) -> str:
    """The proposal's state as its staff label, in the page's language."""
    return _(workflow_of(proposal).state_of(proposal).staff_label)


def editable_now(proposal: Proposal) -> bool:
    """Whether the edit page is a form: a draft (whose save the operation may still refuse, say once
    proposals close). Anything else shows read-only."""
    return proposal.state == "draft"


def _saved_pairs(form: ProposalForm, proposal: Proposal) -> list[tuple]:
    """What the stale-save notice compares: each field with the value saved now."""
    def budget(lines) -> str:
        return "; ".join(f"{description}: {format_pence(amount)}" for description, amount in lines) or versions.NOTHING

    return [(form.title, proposal.title), (form.summary, proposal.summary),
            (form.amount_requested, proposal.amount_requested or None), (form.theme_id, proposal.theme_id),
            (form.communities_served, proposal.communities_served), (form.outcome_ids, proposal.outcome_ids),
            (form.people_reached, proposal.people_reached or None),
            (_("Budget"), budget((line.description, line.amount) for line in budget_lines(proposal)), budget(form.lines()))]


def _read_only(collective, round_: Round, proposal: Proposal):
    """The edit page of a proposal that cannot change now: its answers, why, and what this person can do."""
    allowed = {option.name for option in workflow_options(proposal, current_user) if option.allowed}
    submitted = next((h.at for h in reversed(history(proposal)) if h.to_state == "submitted"), None)
    if proposal.state == "submitted" and "reopen" in allowed:
        reason = _("This proposal was submitted on %(when)s — reopen it to change it.", when=format_datetime(submitted))
    elif proposal.state == "submitted":
        reason = _("This proposal was submitted on %(when)s. Proposals for %(round)s closed on %(closed)s, so it "
                   "can no longer change.", when=format_datetime(submitted), round=round_.name,
                   closed=format_datetime(round_.proposals_close_at))
    else:
        reason = _("This proposal is at “%(state)s”: it can no longer change.", state=state_label(proposal))
    return render_template(
        "proposals/read_only.html", collective=collective, round=round_, proposal=proposal, reason=reason,
        lines=budget_lines(proposal), organisation=db.session.get(Organisation, proposal.organisation_id),
        themes={t.id: t.name for t in operations.themes_of(round_)},
        outcomes={o.id: o.text for o in collective_queries.outcomes(collective)},
        can_reopen="reopen" in allowed, can_withdraw="withdraw" in allowed, action_form=ProposalActionForm())


@bp.route("/<id:proposal_id>/check")
@login_required
def check(slug: str, round_id: int, proposal_id: int):
    """Check your answers: the saved draft as it will be submitted, each answer with a change link."""
    collective, round_, proposal = load(slug, round_id, proposal_id)
    if not can_edit(current_user, proposal):
        abort(403)
    lines = budget_lines(proposal)
    values = {key: getattr(proposal, key) for key in operations.EDITABLE}
    pairs = [(line.description, line.amount) for line in lines]
    draft = proposal.state == "draft"
    problems = (operations.value_problems(proposal, round_, values, pairs)
                + operations.submission_problems(values, pairs)) if draft else []
    return render_template(
        "proposals/check.html", collective=collective, round=round_, proposal=proposal, lines=lines,
        organisation=db.session.get(Organisation, proposal.organisation_id), problems=problems, draft=draft,
        state_label=state_label(proposal),
        themes={t.id: t.name for t in operations.themes_of(round_)},
        outcomes={o.id: o.text for o in collective_queries.outcomes(collective)},
        action_form=ProposalActionForm())


@bp.route("/<id:proposal_id>")
@login_required
def show(slug: str, round_id: int, proposal_id: int):
    collective, round_, proposal = load(slug, round_id, proposal_id)
    if not can_view(current_user, proposal):
        abort(404)
    return _show_page(collective, round_, proposal)


def _show_page(collective, round_: Round, proposal: Proposal, *, eligibility_form: EligibilityForm | None = None,
               feedback_form: FeedbackForm | None = None, newer=None, partner_form: PartnerForm | None = None):
    """The proposal's page; a form sent from it and refused comes back with what was typed."""
    manage = permissions.can_manage_collective(current_user, collective)
    own = can_edit(current_user, proposal)
    # Why it was not funded, with the facilitator's note: for the facilitators at once, for the
    # applicant once the results are published (until then the count may still change).
    not_funded = proposal.state in operations.NOT_FUNDED and (manage or (own and is_public(round_)))
    if feedback_form is None and manage and proposal.state in operations.NOT_FUNDED:
        feedback_form = FeedbackForm(formdata=None, note=proposal.feedback, version=proposal.version)
    partners = [(p, db.session.get(Organisation, p.organisation_id)) for p in partners_of(proposal)]
    if own and proposal.state == "draft" and partner_form is None:
        partner_form = PartnerForm()
    if partner_form is not None:
        partner_form.organisation_id.choices = [(o.id, o.name) for o in operations.partner_candidates(proposal)]
    return render_template(
        "proposals/show.html", collective=collective, round=round_, proposal=proposal, lines=budget_lines(proposal),
        partners=partners, partner_form=partner_form, my_partner=partner_of(current_user, proposal),
        partner_answer_form=PartnerAnswerForm(),
        organisation=db.session.get(Organisation, proposal.organisation_id), manage=manage, own=own,
        themes={t.id: t.name for t in operations.themes_of(round_)},
        outcomes={o.id: o.text for o in collective_queries.outcomes(collective)},
        workflow=panel(proposal, current_user) if manage or own else None,
        action_form=ProposalActionForm(), eligibility_form=eligibility_form or EligibilityForm(),
        grant=_grant_for(proposal), not_funded=not_funded,
        explanation=operations.explanation(proposal) if not_funded else "",
        feedback_form=feedback_form, published=is_public(round_), newer=newer)


def _grant_for(proposal):
    """The proposal's grant, if it has one and this person may see it (grantee, facilitator, reviewer)."""
    from sqlmodel import select

    from grants.awards.models import Grant
    from grants.awards.routes import can_view_grant

    grant = db.session.exec(select(Grant).where(Grant.proposal_id == proposal.id)).first()
    return grant if grant is not None and can_view_grant(current_user, grant) else None


@bp.route("/<id:proposal_id>/submit", methods=["POST"])
@login_required
def submit(slug: str, round_id: int, proposal_id: int):
    _c, _r, proposal = load(slug, round_id, proposal_id)
    if not can_edit(current_user, proposal) or not ProposalActionForm().validate_on_submit():
        abort(403)
    if attempt(None, operations.submit_proposal, proposal, current_user):
        flash(_("Your proposal is submitted. We have emailed you a copy."), "success")
        return redirect(url_for("proposals.show", slug=slug, round_id=round_id, proposal_id=proposal_id))
    return redirect(url_for("proposals.check", slug=slug, round_id=round_id, proposal_id=proposal_id))


@bp.route("/<id:proposal_id>/reopen", methods=["POST"])
@login_required
def reopen(slug: str, round_id: int, proposal_id: int):
    _c, _r, proposal = load(slug, round_id, proposal_id)
    if not can_edit(current_user, proposal) or not ProposalActionForm().validate_on_submit():
        abort(403)
    if attempt(None, operations.reopen_proposal, proposal, current_user):
        flash(_("Your proposal is a draft again: change it and submit it before proposals close."), "success")
    return redirect(url_for("proposals.edit", slug=slug, round_id=round_id, proposal_id=proposal_id))


@bp.route("/<id:proposal_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(slug: str, round_id: int, proposal_id: int):
    collective, round_, proposal = load(slug, round_id, proposal_id)
    if not (can_edit(current_user, proposal) or permissions.can_manage_collective(current_user, collective)):
        abort(403)
    form = WithdrawForm()
    if form.validate_on_submit() and attempt(form, operations.withdraw_proposal, proposal, current_user,
                                             form.reason.data or ""):
        flash(_("“%(title)s” is withdrawn.", title=proposal.title or _("Untitled")), "success")
        return redirect(url_for("rounds.show", slug=slug, round_id=round_id))
    return render_template("proposals/withdraw.html", collective=collective, round=round_, proposal=proposal, form=form)


@bp.route("/<id:proposal_id>/eligibility", methods=["POST"])
@login_required
def eligibility(slug: str, round_id: int, proposal_id: int):
    collective, round_, proposal = load(slug, round_id, proposal_id)
    if not permissions.can_manage_collective(current_user, collective):
        abort(403)
    form = EligibilityForm()
    if form.validate_on_submit() and attempt(form, operations.decide_eligibility, proposal,
                                             eligible=form.decision.data == "eligible",
                                             reason=form.reason.data or "", actor=current_user):
        if form.decision.data == "eligible":
            flash(_("“%(title)s” marked eligible.", title=proposal.title), "success")
        else:
            flash(_("“%(title)s” marked not eligible.", title=proposal.title), "success")
        return redirect(url_for("rounds.show", slug=slug, round_id=round_id))
    return _show_page(collective, round_, proposal, eligibility_form=form)


@bp.route("/<id:proposal_id>/feedback", methods=["POST"])
@login_required
@accepts_large_form  # a note pasted many times over is refused beside its box, and kept
def feedback(slug: str, round_id: int, proposal_id: int):
    """A facilitator's feedback note to the applicant of a proposal that was not funded."""
    collective, round_, proposal = load(slug, round_id, proposal_id)
    if not permissions.can_manage_collective(current_user, collective):
        abort(403)
    form = FeedbackForm()
    newer = None
    if form.validate_on_submit():
        done = attempt(form, operations.save_feedback, proposal, form.note.data or "", current_user,
                       version=form.version.data)
        if done:
            flash(_feedback_saved(done.result, proposal, round_), "success" if done.result else "info")
            return redirect(url_for("proposals.show", slug=slug, round_id=round_id, proposal_id=proposal_id,
                                    _anchor="feedback"))
        # another facilitator saved a note since this page was loaded: theirs is shown beside what was typed
        newer = versions.newer_values(form, proposal, lambda row: [(form.note, row.feedback)], current_user)
    return _show_page(collective, round_, proposal, feedback_form=form, newer=newer)


def _feedback_saved(changed: bool, proposal: Proposal, round_: Round) -> str:
    if not changed:
        return _("Nothing changed: the feedback was already as you left it.")
    if not proposal.feedback:
        return _("The feedback note is removed.")
    if is_public(round_):
        return _("Feedback saved. We have emailed it to %(organisation)s.",
                 organisation=db.session.get(Organisation, proposal.organisation_id).name)
    return _("Feedback saved. The applicant will see it, and be emailed it, when the results are published.")


# -- joint proposals: partners ------------------------------------------------------------------

@bp.route("/<id:proposal_id>/partners", methods=["POST"])
@login_required
def add_partner(slug: str, round_id: int, proposal_id: int):
    collective, round_, proposal = load(slug, round_id, proposal_id)
    if not can_edit(current_user, proposal):
        abort(403)
    form = PartnerForm()
    form.organisation_id.choices = [(o.id, o.name) for o in operations.partner_candidates(proposal)]
    if form.validate_on_submit():
        done = attempt(form, operations.invite_partner, proposal, current_user, form.organisation_id.data,
                       form.share.data)
        if done:
            flash(_("%(organisation)s is invited. The proposal can be submitted once every partner has accepted.",
                    organisation=db.session.get(Organisation, done.result.organisation_id).name), "success")
            return redirect(url_for("proposals.show", slug=slug, round_id=round_id, proposal_id=proposal_id,
                                    _anchor="partners"))
    return _show_page(collective, round_, proposal, partner_form=form)


def _partner(proposal: Proposal, partner_id: int) -> ProposalPartner:
    partner = db.session.get(ProposalPartner, partner_id)
    if partner is None or partner.proposal_id != proposal.id:
        abort(404)
    return partner


@bp.route("/<id:proposal_id>/partners/<id:partner_id>/answer", methods=["POST"])
@login_required
def answer_partner(slug: str, round_id: int, proposal_id: int, partner_id: int):
    _collective, _round, proposal = load(slug, round_id, proposal_id)
    partner = _partner(proposal, partner_id)
    mine = partner_of(current_user, proposal)
    if mine is None or mine.id != partner.id:
        abort(403)
    form = PartnerAnswerForm()
    if not form.validate_on_submit():
        abort(400)
    accept = bool(form.accept.data)
    if attempt(None, operations.answer_partner, partner, current_user, accept):
        flash(_("Your organisation takes part in this proposal.") if accept
              else _("You declined to take part. The lead organisation has been told."), "success")
    return redirect(url_for("proposals.show", slug=slug, round_id=round_id, proposal_id=proposal_id,
                            _anchor="partners"))


@bp.route("/<id:proposal_id>/partners/<id:partner_id>/remove", methods=["POST"])
@login_required
def remove_partner(slug: str, round_id: int, proposal_id: int, partner_id: int):
    _collective, _round, proposal = load(slug, round_id, proposal_id)
    partner = _partner(proposal, partner_id)
    if not can_edit(current_user, proposal) or not ProposalActionForm().validate_on_submit():
        abort(403)
    if attempt(None, operations.remove_partner, partner, current_user):
        flash(_("The partner is removed from the proposal."), "success")
    return redirect(url_for("proposals.show", slug=slug, round_id=round_id, proposal_id=proposal_id,
                            _anchor="partners"))
