"""The ballot page, paper ballots entered by a facilitator, and nothing that reveals a vote."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required
from sqlmodel import select

from grants import permissions, ratelimits
from grants.auth.models import Person
from grants.collectives import queries as collective_queries
from grants.db import db
from grants.errors import Refused, attach
from grants.forms import choices
from grants.ids import parse_id
from grants.organisations.models import Organisation
from grants.proposals.models import Proposal
from grants.rounds.models import Round
from grants.rounds.queries import partner_names, pots_with_names, theme_map, with_partners
from grants.timeutil import format_datetime, utcnow
from grants.views import attempt
from grants.voting import operations
from grants.voting.forms import (ABSTAIN, BallotForm, PaperBallotForm, RemindForm, abstaining, check_choice,
                                 read_marks)

bp = Blueprint("voting", __name__, url_prefix="/c/<slug>/rounds/<id:round_id>")


def _grouped(round_: Round, own_org: int | None):
    """The ballot's proposals grouped by pot (ring-fenced themes first) then theme, as plain rows."""
    themes = theme_map(round_)
    ring_fenced = {pot.theme_id for pot, _name in pots_with_names(round_)}
    groups: dict[str, list] = {}
    rows = db.session.exec(select(Proposal, Organisation.name).join(Organisation, Organisation.id == Proposal.organisation_id)
                           .where(Proposal.round_id == round_.id, Proposal.state == "in_vote")
                           .order_by(Proposal.title, Proposal.id)).all()
    partnered = operations.partner_proposal_ids(own_org, round_)
    partners = partner_names(round_)
    for proposal, organisation in rows:
        organisation = with_partners(organisation, partners.get(proposal.id, []))
        theme = themes.get(proposal.theme_id) or _("Other")
        fenced = proposal.theme_id in ring_fenced
        heading = _("%(theme)s (ring-fenced pot)", theme=theme) if fenced else theme
        groups.setdefault((not fenced, heading), []).append({"proposal": proposal, "organisation": organisation,
                                                             "own": proposal.organisation_id == own_org
                                                                    or proposal.id in partnered})
    return [(heading, items) for (_general, heading), items in sorted(groups.items())]


def _ballot_page(collective, round_, form, marks, *, member=None, template="voting/ballot.html", **extra):
    own_org = operations.own_organisation_id(member or current_user, round_)
    return render_template(template, collective=collective, round=round_, form=form, marks=marks, member=member,
                           groups=_grouped(round_, own_org), abstain=ABSTAIN,
                           voting_open=round_.state == "voting" and utcnow() < round_.voting_closes_at, **extra)


def _saved(round_: Round) -> dict:
    """The member's own saved ballot, for their page: when, how, and whether they abstained."""
    saved, saved_marks = operations.my_ballot(round_, current_user)
    return {"saved": saved, "abstained": saved is not None and not saved_marks}


@bp.route("/ballot", methods=["GET", "POST"])
@login_required
def ballot(slug: str, round_id: int):
    collective, round_ = collective_queries.collective_and_row(current_user, slug, Round, round_id, permissions.can_vote)
    form = BallotForm()
    if request.method == "POST" and form.validate_on_submit():
        # The saved ballot is read only to show the page again: a successful POST redirects.
        posted: dict[int, int] = {}
        abstain = abstaining(request.form)
        try:
            posted = read_marks(round_, request.form)
            check_choice(round_, posted, abstain=abstain)
        except Refused as error:
            attach(form, error)
            return _ballot_page(collective, round_, form, posted, **_saved(round_)), 200
        if attempt(form, operations.cast_ballot, round_, current_user, posted, actor=current_user):
            closes = format_datetime(round_.voting_closes_at)
            if abstain:
                flash(_("Your ballot is saved: you chose not to support any proposal. You can change it until "
                        "voting closes on %(closes)s.", closes=closes), "success")
            else:
                flash(_("Your ballot is saved. You can change it until voting closes on %(closes)s.", closes=closes),
                      "success")
            return redirect(url_for("voting.ballot", slug=slug, round_id=round_id))
        return _ballot_page(collective, round_, form, posted, **_saved(round_))   # refused: nothing was saved
    saved, marks = operations.my_ballot(round_, current_user)
    return _ballot_page(collective, round_, form, marks, saved=saved, abstained=saved is not None and not marks)


@bp.route("/paper-ballot", methods=["GET", "POST"])
@login_required
def paper_ballot(slug: str, round_id: int):
    collective = collective_queries.collective_for(current_user, slug, permissions.can_manage_collective)
    round_ = collective_queries.in_collective(Round, round_id, collective)
    people = operations.turnout(round_)
    form = PaperBallotForm()
    def member_choice(p) -> str:
        if not p["voted"]:
            return p["person"].name
        if p["paper"]:
            return _("%(name)s — has voted on paper", name=p["person"].name)
        return _("%(name)s — has voted online", name=p["person"].name)

    form.member_id.choices = choices([("", _("Choose a member"))] + [(p["person"].id, member_choice(p)) for p in people])
    member = None
    if parse_id(form.member_id.data) is not None:
        member = db.session.get(Person, parse_id(form.member_id.data))
        if member is None or not permissions.can_vote(member, collective):
            abort(400)
    # Secret ballot: of the member's online ballot the page learns only that it exists and when it
    # was saved (the turnout shows both), never its marks.
    online_at = next((p["at"] for p in people if member is not None and p["person"].id == member.id
                      and p["voted"] and not p["paper"]), None)
    marks: dict[int, int] = {}
    if form.validate_on_submit():
        abstain = abstaining(request.form)
        try:
            marks = read_marks(round_, request.form)
            check_choice(round_, marks, abstain=abstain, paper=True)
        except Refused as error:
            attach(form, error)
        else:
            done = attempt(form, operations.cast_ballot, round_, member, marks, actor=current_user, paper=True,
                           replacing_online=form.confirmed_online_ballot())
            if done:
                saved = done.result
                if abstain:
                    flash(_("Paper ballot saved for %(name)s: they chose not to support any proposal.",
                            name=member.name), "success")
                else:
                    flash(_("Paper ballot saved for %(name)s.", name=member.name), "success")
                if saved.replaced:
                    when = format_datetime(saved.replaced_at)
                    if saved.replaced_kind == "online":
                        flash(_("This replaced %(name)s's online ballot of %(when)s. Only one ballot per member "
                                "counts. %(name)s has been emailed that you replaced it.",
                                name=member.name, when=when), "info")
                    else:
                        flash(_("This replaced %(name)s's paper ballot of %(when)s. Only one ballot per member "
                                "counts.", name=member.name, when=when), "info")
                return redirect(url_for("rounds.turnout", slug=slug, round_id=round_id))
    if online_at is not None and (form.replacing.data or "") != online_at.isoformat():
        # Asking for the first time, or the member voted online again since the page was shown.
        form.replace_online.data = False
        form.replacing.data = online_at.isoformat()
    return _ballot_page(collective, round_, form, marks, member=member, online_at=online_at,
                        template="voting/paper_ballot.html")


@bp.route("/reminders", methods=["POST"])
@login_required
@ratelimits.voting_reminders
def send_reminders(slug: str, round_id: int):
    """A facilitator reminds the members who have not voted, now (rate-limited per round, audited)."""
    collective = collective_queries.collective_for(current_user, slug, permissions.can_manage_collective)
    round_ = collective_queries.in_collective(Round, round_id, collective)
    if not RemindForm().validate_on_submit():
        abort(400)
    done = attempt(None, operations.remind_now, round_, current_user)
    if done:
        flash(ngettext("Reminder sent to %(num)d member who can vote and have not voted yet.",
                       "Reminder sent to %(num)d members who can vote and have not voted yet.", done.result),
              "success")
    return redirect(url_for("rounds.show", slug=slug, round_id=round_id))
