"""Round pages: list, set-up, the round dashboard, moving it on, deadlines, the count and results."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

import workflows
from grants import disclosure, permissions, ratelimits, versions
from grants.bodylimits import accepts_large_form
from grants.allocation import write_pb
from grants.collectives import queries as collective_queries
from grants.commissioning import delivery
from grants.reporting.impact import round_fared
from grants.rounds import count as counting
from grants.rounds import imports, operations, presenters, queries, uploads
from grants.charts import data_uri
from grants.rounds.charts import support_chart_alt, support_chart_svg
from grants.rounds.communities import community_table
from grants.rounds.confirmations import NEEDS_CONFIRMATION, consequences
from grants.rounds.forms import (
    ConfirmMoveForm,
    ExtendDeadlineForm,
    ImportElectionForm,
    MoveRoundForm,
    RecountForm,
    pot_amounts,
    round_form,
)
from grants.rounds.models import ElectionImport, Round, latest_count, pots
from grants.views import attempt, download
from grants.voting import operations as voting
from grants.workflow.operations import panel

bp = Blueprint("rounds", __name__, url_prefix="/c/<slug>/rounds")


def load(slug: str, round_id: int, predicate=permissions.can_view_collective):
    collective = collective_queries.collective_for(current_user, slug, predicate)
    return collective, collective_queries.in_collective(Round, round_id, collective)


@bp.route("/")
@login_required
def index(slug: str):
    collective = collective_queries.collective_for(current_user, slug)
    return render_template("rounds/index.html", collective=collective, rounds=queries.rounds_of(collective))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    collective = collective_queries.collective_for(current_user, slug, permissions.can_manage_collective)
    form = round_form(collective_queries.themes(collective))
    if form.validate_on_submit():
        done = attempt(form, operations.create_round, collective, form.values(), theme_ids=form.theme_ids.data,
                       pot_amounts=pot_amounts(form), actor=current_user)
        if done:
            flash(_("%(name)s is set up as a draft.", name=done.result.name), "success")
            return redirect(url_for("rounds.show", slug=slug, round_id=done.result.id))
    return render_template("rounds/form.html", collective=collective, form=form, title=_("Set up a round"))


@bp.route("/<id:round_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, round_id: int):
    collective, round_ = load(slug, round_id, permissions.can_manage_collective)
    form = round_form(collective_queries.themes(collective), obj=round_,
                      pot_amounts={p.theme_id: p.amount for p in pots(round_)})
    if request.method == "GET":
        form.theme_ids.data = round_.themes_funded
        if round_.state != "draft":
            return _read_only(collective, round_, form)
    newer = None
    if form.validate_on_submit():
        if attempt(form, operations.update_round, round_, form.values(), theme_ids=form.theme_ids.data,
                   pot_amounts=pot_amounts(form), actor=current_user, version=form.version.data):
            flash(_("Round settings saved."), "success")
            return redirect(url_for("rounds.show", slug=slug, round_id=round_id))
        newer = versions.newer_values(form, round_, lambda row: _saved_pairs(form, row), current_user)
    return render_template("rounds/form.html", collective=collective, form=form, round=round_,
                           title=_("Change %(name)s", name=round_.name), newer=newer)


def _saved_pairs(form, round_: Round) -> list[tuple]:
    """What the stale-save notice compares: each setting with the value saved now."""
    saved_pots = {p.theme_id: p.amount for p in pots(round_)}
    return ([(form[name], getattr(round_, name)) for name in operations.SETTINGS]
            + [(form.theme_ids, round_.themes_funded)]
            + [(field, saved_pots.get(theme.id)) for theme, field in form.pot_fields])


def _read_only(collective, round_: Round, form):
    """The settings page of a round past its draft: its settings, why they cannot change, and what can."""
    state = panel(round_, current_user)
    rows = [{"key": {"text": field.label.text}, "value": {"text": versions.display(field, value)}}
            for field, value in _saved_pairs(form, round_)]
    return render_template("rounds/read_only.html", collective=collective, round=round_, rows=rows,
                           state_label=state["state_label"], reason=_(operations.NOT_DRAFT),
                           can_extend=round_.state not in ("closed", "cancelled"), deadline_form=ExtendDeadlineForm())


# In the vote now, or counted since (and ratified, awarded): the proposals the ballots were cast on.
WENT_TO_THE_VOTE = ("in_vote", "selected", "not_selected", "ratified", "awarded")


@bp.route("/<id:round_id>")
@login_required
def show(slug: str, round_id: int):
    collective, round_ = load(slug, round_id)
    manage = permissions.can_manage_collective(current_user, collective)
    membership = permissions.membership(current_user, collective)
    own_org = membership.organisation_id if membership and membership.is_applicant else None
    proposals = queries.proposals_with_organisations(round_)
    return render_template(
        "rounds/show.html", collective=collective, round=round_, manage=manage, own_org=own_org,
        proposals=proposals if manage else [(p, o) for p, o in proposals if o.id == own_org],
        in_vote=sum(1 for p, _o in proposals if p.state in WENT_TO_THE_VOTE), state_counts=_state_counts(round_),
        themes=queries.theme_map(round_), funded_themes=operations.theme_names(round_),
        pots=queries.pots_with_names(round_), ballots=queries.ballots_cast(round_) if manage else None,
        workflow=panel(round_, current_user) if manage or permissions.can_review(current_user, collective) else None,
        move_form=MoveRoundForm(), deadline_form=ExtendDeadlineForm(), recount_form=RecountForm(),
        has_results=queries.results(round_) is not None,
        money=queries.grant_totals(round_) if manage or permissions.can_review(current_user, collective) else None,
        priorities=delivery.round_priorities(round_, current_user), confirm_first=NEEDS_CONFIRMATION,
    )


def _state_counts(round_: Round) -> list[tuple[str, int]]:
    """How many of the round's proposals are in each state, each state in words (lower case, after a number)."""
    proposal = workflows.get("proposal")
    return [(_(proposal.coerce_state(state).staff_label).lower(), n) for state, n in queries.state_counts(round_).items()]


@bp.route("/<id:round_id>/move", methods=["POST"])
@login_required
def move(slug: str, round_id: int):
    collective, round_ = load(slug, round_id)
    if not permissions.can_oversee(current_user, collective):
        abort(403)
    form = MoveRoundForm()
    if not form.validate_on_submit():
        abort(400)
    transition = form.transition.data
    if transition in NEEDS_CONFIRMATION:
        return _confirmed_move(collective, round_, transition)
    if attempt(None, operations.move_round, round_, transition, current_user, form.reason.data or ""):
        flash(_("%(name)s is now: %(state)s.", name=round_.name, state=panel(round_, current_user)["state_label"]),
              "success")
    return redirect(url_for("rounds.show", slug=slug, round_id=round_id))


def _allowed_option(round_: Round, transition: str):
    return next((o for o in panel(round_, current_user)["options"] if o["name"] == transition and o["allowed"]), None)


@bp.route("/<id:round_id>/confirm/<transition>")
@login_required
def confirm_move(slug: str, round_id: int, transition: str):
    """The page that says what an irreversible or early move will do, before it is made."""
    collective, round_ = load(slug, round_id, permissions.can_manage_collective)
    if transition not in NEEDS_CONFIRMATION:
        abort(404)
    if _allowed_option(round_, transition) is None:
        flash(_("That cannot be done now: the round has moved on. Its page shows what can be done."), "info")
        return redirect(url_for("rounds.show", slug=slug, round_id=round_id))
    form = ConfirmMoveForm(data={"transition": transition, "confirmed": "yes"})
    return _confirm_page(collective, round_, transition, form)


def _confirm_page(collective, round_, transition, form):
    said = consequences(round_, transition)
    form.submit.label.text = said.button
    return render_template("rounds/confirm_move.html", collective=collective, round=round_, form=form,
                           said=said, transition=transition)


def _confirmed_move(collective, round_: Round, transition: str):
    """A move that needs confirming: sent from anywhere but its confirmation page, it shows that page."""
    form = ConfirmMoveForm()
    back = url_for("rounds.show", slug=collective.slug, round_id=round_.id)
    if form.confirmed.data != "yes":
        return redirect(url_for("rounds.confirm_move", slug=collective.slug, round_id=round_.id,
                                transition=transition), 303)
    if not form.validate():
        return _confirm_page(collective, round_, transition, form)
    if transition == "cancel" and not form.reason.data:
        form.reason.errors = [_("Say why you are cancelling the round")]
        return _confirm_page(collective, round_, transition, form)
    if attempt(form, operations.move_round, round_, transition, current_user, form.reason.data or ""):
        flash(_("%(name)s is now: %(state)s.", name=round_.name, state=panel(round_, current_user)["state_label"]),
              "success")
        return redirect(back)
    if _allowed_option(round_, transition) is None:  # moved on meanwhile (or this was the second click)
        for message in [*form.form_errors, *form.reason.errors]:
            flash(message, "info")
        return redirect(back)
    return _confirm_page(collective, round_, transition, form)


@bp.route("/<id:round_id>/deadlines", methods=["POST"])
@login_required
def extend(slug: str, round_id: int):
    collective, round_ = load(slug, round_id, permissions.can_manage_collective)
    form = ExtendDeadlineForm()
    if form.validate_on_submit() and attempt(form, operations.extend_deadline, round_, form.field.data,
                                             form.new_value.data, current_user):
        flash(_("Deadline extended."), "success")
        return redirect(url_for("rounds.show", slug=slug, round_id=round_id))
    return render_template("rounds/extend.html", collective=collective, round=round_, form=form)


@bp.route("/<id:round_id>/count", methods=["POST"])
@login_required
def recount(slug: str, round_id: int):
    _collective, round_ = load(slug, round_id, permissions.can_manage_collective)
    if not RecountForm().validate_on_submit():
        abort(400)
    if attempt(None, counting.rerun_count, round_, current_user):
        flash(_("The count has been run again."), "success")
    return redirect(url_for("rounds.results", slug=slug, round_id=round_id))


def _results_round(slug: str, round_id: int):
    """Results are for the collective; once ratified, for everyone (the public page)."""
    collective = collective_queries.collective_by_slug(slug)
    round_ = collective_queries.in_collective(Round, round_id, collective)
    if not queries.is_public(round_) and not permissions.can_view_collective(current_user, collective):
        if not current_user.is_authenticated:
            return collective, round_, redirect(url_for("auth.login", next=request.path))
        abort(403)
    return collective, round_, None


@bp.route("/<id:round_id>/results")
@ratelimits.public_documents
def results(slug: str, round_id: int):
    collective, round_, refusal = _results_round(slug, round_id)
    if refusal:
        return refusal
    outcome = queries.results(round_)
    manage = permissions.can_manage_collective(current_user, collective)
    communities = (community_table(outcome["rows"], disclosure.figures_for(current_user, collective))
                   if outcome else None)
    return render_template("rounds/results.html", collective=collective, round=round_, results=outcome,
                           fared=round_fared(round_) if outcome else None, manage=manage, recount_form=RecountForm(), public=queries.is_public(round_),
                           communities=communities, priorities=delivery.round_priorities(round_, current_user),
                           chart=data_uri(support_chart_svg(outcome["rows"])) if outcome and outcome["rows"] else None,
                           chart_alt=support_chart_alt(outcome["rows"], title=_("Support for each proposal in %(round)s", round=round_.name))
                           if outcome and outcome["rows"] else "")


@bp.route("/<id:round_id>/election.pb")
@ratelimits.public_documents
def election_file(slug: str, round_id: int):
    _collective, round_, refusal = _results_round(slug, round_id)
    if refusal:
        return refusal
    count = latest_count(round_)
    if count is None:
        abort(404)
    return download(write_pb(counting.counted_election(round_, count)), f"round-{round_.id}.pb", "text/plain")


@bp.route("/<id:round_id>/import", methods=["GET", "POST"])
@login_required
@accepts_large_form  # a city's election file (3-4 MB) is larger than the app-wide limit
def import_file(slug: str, round_id: int):
    """A facilitator uploads a real election (a pabulib file) for the worker to import into a draft
    round, all of it or nothing; the import's own page then says how far it has got."""
    collective, round_ = load(slug, round_id, permissions.can_manage_collective)
    if request.method == "GET":
        under_way = queries.election_import_under_way(round_)
        if under_way is not None:
            return redirect(url_for("rounds.import_status", slug=slug, round_id=round_id, import_id=under_way.id))
    form = _import_form()
    if form.validate_on_submit():
        upload = form.file.data
        done = attempt(form, imports.queue_import, round_, upload.read(), current_user,
                       filename=upload.filename or "")
        if done:
            return redirect(url_for("rounds.import_status", slug=slug, round_id=round_id, import_id=done.result.id))
    return render_template("rounds/import.html", collective=collective, round=round_, form=form,
                           limit_bytes=current_app.config["ELECTION_IMPORT_BYTES"], limit_mb=_import_limit_mb())


def _import_limit_mb() -> str:
    return f"{current_app.config['ELECTION_IMPORT_BYTES'] / (1024 * 1024):g}"


def _import_form() -> ImportElectionForm:
    form = ImportElectionForm()
    form.file.description = _("A .pb file from pabulib.org, saved as UTF-8, up to %(limit)s MB.",
                              limit=_import_limit_mb())
    return form


@bp.route("/<id:round_id>/imports/<id:import_id>")
@login_required
def import_status(slug: str, round_id: int, import_id: int):
    """How far the worker has got with an uploaded election; once it is done, a link to the round;
    if it was refused, the refusal (with the file's line) beside the file field, to upload again."""
    collective, round_ = load(slug, round_id, permissions.can_manage_collective)
    row = collective_queries.in_collective(ElectionImport, import_id, collective)
    if row.round_id != round_.id:
        abort(404)
    form = _import_form()
    if row.state == "failed":
        # What the worker wrote is in the uploader's language already; the sweep's "gave up" is stored
        # in English and translated here.
        form.file.errors = [_(row.error) if row.error == uploads.STALLED else row.error]
    response = make_response(render_template(
        "rounds/import_status.html", collective=collective, round=round_, upload=row, form=form,
        progress=presenters.import_progress(row, uploads.live_progress(row.id) if row.state == "running" else None),
        limit_bytes=current_app.config["ELECTION_IMPORT_BYTES"], limit_mb=_import_limit_mb()))
    response.headers["Cache-Control"] = "no-store"   # the page's script asks for it again and again
    return response


@bp.route("/<id:round_id>/turnout")
@login_required
def turnout(slug: str, round_id: int):
    collective, round_ = load(slug, round_id, permissions.can_manage_collective)
    people = voting.turnout(round_)
    return render_template("voting/turnout.html", collective=collective, round=round_, people=people,
                           voted=sum(1 for p in people if p["voted"]))


