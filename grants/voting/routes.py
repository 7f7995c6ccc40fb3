"""The ballot page, paper ballots entered by a facilitator, and nothing that reveals a vote."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from grants import permissions
from grants.auth.models import Person
from grants.collectives import queries as collective_queries
from grants.db import db
from grants.errors import Refused
from grants.forms import choices
from grants.ids import parse_id
from grants.organisations.models import Organisation
from grants.proposals.models import Proposal
from grants.rounds.models import Round
from grants.rounds.queries import pots_with_names, theme_map
from grants.timeutil import format_datetime
from grants.views import attempt
from grants.voting import operations
from grants.voting.forms import BallotForm, PaperBallotForm, read_marks

bp = Blueprint("voting", __name__, url_prefix="/c/<slug>/rounds/<id:round_id>")


def _grouped(round_: Round, own_org: int | None):
    """The ballot's proposals grouped by pot (ring-fenced themes first) then theme, as plain rows."""
    themes = theme_map(round_)
    ring_fenced = {pot.theme_id for pot, _name in pots_with_names(round_)}
    groups: dict[str, list] = {}
    rows = db.session.exec(select(Proposal, Organisation.name).join(Organisation, Organisation.id == Proposal.organisation_id)
                           .where(Proposal.round_id == round_.id, Proposal.state == "in_vote")
                           .order_by(Proposal.title, Proposal.id)).all()
    for proposal, organisation in rows:
        theme = themes.get(proposal.theme_id, "Other")
        heading = f"{theme} (ring-fenced pot)" if proposal.theme_id in ring_fenced else theme
        groups.setdefault(heading, []).append({"proposal": proposal, "organisation": organisation,
                                               "own": proposal.organisation_id == own_org})
    return sorted(groups.items(), key=lambda item: ("ring-fenced" not in item[0], item[0]))


def _ballot_page(collective, round_, form, marks, *, member=None, template="voting/ballot.html", **extra):
    own_org = operations.own_organisation_id(member or current_user, round_)
    return render_template(template, collective=collective, round=round_, form=form, marks=marks,
                           groups=_grouped(round_, own_org), **extra)


@bp.route("/ballot", methods=["GET", "POST"])
@login_required
def ballot(slug: str, round_id: int):
    collective, round_ = collective_queries.collective_and_row(current_user, slug, Round, round_id, permissions.can_vote)
    form = BallotForm()
    if request.method == "POST" and form.validate_on_submit():
        # The saved ballot is read only to show the page again: a successful POST redirects.
        try:
            posted = read_marks(round_, request.form)
        except Refused as error:
            form.form_errors.append(error.message)
            saved, _marks = operations.my_ballot(round_, current_user)
            return _ballot_page(collective, round_, form, {}, saved=saved), 200
        if attempt(form, operations.cast_ballot, round_, current_user, posted, actor=current_user):
            flash("Your ballot is saved. You can change it until voting closes on "
                  f"{format_datetime(round_.voting_closes_at)}.", "success")
            return redirect(url_for("voting.ballot", slug=slug, round_id=round_id))
        saved, _marks = operations.my_ballot(round_, current_user)   # refused: nothing was saved
        return _ballot_page(collective, round_, form, posted, saved=saved)
    saved, marks = operations.my_ballot(round_, current_user)
    return _ballot_page(collective, round_, form, marks, saved=saved)


@bp.route("/paper-ballot", methods=["GET", "POST"])
@login_required
def paper_ballot(slug: str, round_id: int):
    collective = collective_queries.collective_for(current_user, slug, permissions.can_manage_collective)
    round_ = collective_queries.in_collective(Round, round_id, collective)
    people = operations.turnout(round_)
    form = PaperBallotForm()
    form.member_id.choices = choices([("", "Choose a member")] + [
        (p["person"].id, p["person"].name + (" — has voted" + (" on paper" if p["paper"] else " online") if p["voted"] else ""))
        for p in people])
    member = None
    if parse_id(form.member_id.data) is not None:
        member = db.session.get(Person, parse_id(form.member_id.data))
        if member is None or not permissions.can_vote(member, collective):
            abort(400)
    marks: dict[int, int] = {}
    if form.validate_on_submit():
        try:
            marks = read_marks(round_, request.form)
        except Refused as error:
            form.form_errors.append(error.message)
        else:
            done = attempt(form, operations.cast_ballot, round_, member, marks, actor=current_user, paper=True)
            if done:
                saved = done.result
                flash(f"Paper ballot saved for {member.name}.", "success")
                if saved.replaced:
                    flash(f"Warning: this replaced {member.name}'s {saved.replaced_kind} ballot of "
                          f"{format_datetime(saved.replaced_at)}. Only one ballot per member counts.", "info")
                return redirect(url_for("rounds.turnout", slug=slug, round_id=round_id))
    return _ballot_page(collective, round_, form, marks, member=member, template="voting/paper_ballot.html")
