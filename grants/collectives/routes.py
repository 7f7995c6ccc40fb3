"""Pages of a collective: its public page, joining, join requests, people, invitations, audit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import func, select

from grants import permissions, ratelimits
from grants.audit.models import AuditEvent
from grants.auth import operations as auth_operations
from grants.auth.sessions import start_session
from grants.collectives import operations, queries
from grants.collectives.forms import (
    AcceptAsMemberForm,
    AcceptInvitationForm,
    CollectiveForm,
    DecideJoinRequestForm,
    InviteForm,
    JoinForm,
    MembershipForm,
    RevokeInvitationForm,
)
from grants.collectives.models import Invitation, JoinRequest, Membership
from grants.db import db
from grants.errors import Refused
from grants.ids import parse_id
from grants.views import attempt
from grants.workflow.operations import panel
from grants.forms import FlaskForm, choices

bp = Blueprint("collectives", __name__)
AUDIT_PAGE_SIZE = 50


@bp.route("/")
def home():
    mine = queries.my_collectives(current_user) if current_user.is_authenticated else []
    mine_ids = {c.id for c, _m in mine}
    others = [c for c in queries.all_collectives() if c.id not in mine_ids]
    return render_template("collectives/home.html", mine=mine, others=others)


@bp.route("/c/<slug>")
def show(slug: str):
    collective = queries.collective_by_slug(slug)
    pending = (queries.pending_join_request(collective, current_user)
               if current_user.is_authenticated else None)
    manages = permissions.can_manage_collective(current_user, collective)
    open_requests = len(queries.join_requests(collective, "pending")) if manages else 0
    from grants.mail.queries import failed_count

    failed_mail = failed_count(collective.id) if manages else 0
    from grants.rounds.queries import PUBLIC_STATES, rounds_of

    published = [r for r in rounds_of(collective) if r.state in PUBLIC_STATES]
    from grants.collectives.home import home_for

    tasks = home_for(current_user, collective) if current_user.is_authenticated else []
    return render_template("collectives/show.html", collective=collective, themes=queries.themes(collective),
                           tasks=tasks,
                           outcomes=queries.outcomes(collective), pending=pending, open_requests=open_requests,
                           published=published, failed_mail=failed_mail)


@bp.route("/c/<slug>/join", methods=["GET", "POST"])
@login_required
@ratelimits.join_requests
def join(slug: str):
    collective = queries.collective_by_slug(slug)
    if permissions.can_view_collective(current_user, collective):
        flash(_("You already belong to this collective."), "info")
        return redirect(url_for("collectives.show", slug=slug))
    form = JoinForm()
    if request.method == "GET":
        form.contact_name.data = current_user.name
        form.contact_email.data = current_user.email
    if form.validate_on_submit():
        if attempt(form, operations.request_to_join, collective, current_user, form.organisation_values(),
                   form.message.data or ""):
            flash(_("Your request has been sent. A facilitator will look at it and email you."), "success")
            return redirect(url_for("collectives.show", slug=slug))
    return render_template("collectives/join.html", collective=collective, form=form)


@bp.route("/c/<slug>/join-requests")
@login_required
def join_requests(slug: str):
    collective = queries.collective_for(current_user, slug, permissions.can_manage_collective)
    return render_template("collectives/join_requests.html", collective=collective,
                           pending=queries.join_requests(collective, "pending"),
                           decided=[r for r in queries.join_requests(collective) if r[0].state != "pending"])


@bp.route("/c/<slug>/join-requests/<id:request_id>", methods=["GET", "POST"])
@login_required
def join_request(slug: str, request_id: int):
    collective = queries.collective_for(current_user, slug, permissions.can_manage_collective)
    join = queries.in_collective(JoinRequest, request_id, collective)
    from grants.auth.models import Person
    from grants.organisations.models import Organisation

    requester = db.session.get(Person, join.person_id)
    organisation = db.session.get(Organisation, join.organisation_id)
    form = DecideJoinRequestForm()
    if form.validate_on_submit():
        if attempt(form, operations.decide_join_request, join, approve=form.decision.data == "approve",
                   reason=form.reason.data or "", actor=current_user):
            flash(_("%(organisation)s: request approved.", organisation=organisation.name) if join.state == "approved"
                  else _("%(organisation)s: request declined.", organisation=organisation.name), "success")
            return redirect(url_for("collectives.join_requests", slug=slug))
    return render_template("collectives/join_request.html", collective=collective, join=join,
                           requester=requester, organisation=organisation, form=form,
                           workflow=panel(join, current_user))


@bp.route("/c/<slug>/join-requests/<id:request_id>/withdraw", methods=["POST"])
@login_required
def withdraw_join_request(slug: str, request_id: int):
    collective = queries.collective_by_slug(slug)
    join = queries.in_collective(JoinRequest, request_id, collective)
    if join.person_id != current_user.id:
        abort(403)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if attempt(None, operations.withdraw_join_request, join, current_user):
        flash(_("Your request to join has been withdrawn."), "success")
    return redirect(url_for("collectives.show", slug=slug))


def _organisation_choices(collective):
    return choices([("", _("No organisation"))] + [(o.id, o.name) for o in queries.organisations(collective)])


def _organisation_id(value: str | None) -> int | None:
    if not value:
        return None
    if parse_id(value) is None:
        abort(400)
    return parse_id(value)


@bp.route("/c/<slug>/people")
@login_required
def people(slug: str):
    collective = queries.collective_for(current_user, slug, permissions.can_manage_collective)
    return render_template("collectives/people.html", collective=collective, people=queries.people(collective),
                           invitations=queries.open_invitations(collective))


@bp.route("/c/<slug>/people/<id:membership_id>", methods=["GET", "POST"])
@login_required
def edit_membership(slug: str, membership_id: int):
    collective = queries.collective_for(current_user, slug, permissions.can_manage_collective)
    membership = queries.in_collective(Membership, membership_id, collective)
    from grants.auth.models import Person

    person = db.session.get(Person, membership.person_id)
    form = MembershipForm()
    form.organisation_id.choices = _organisation_choices(collective)
    if request.method == "GET":
        form.roles.data = sorted(membership.roles)
        form.organisation_id.data = str(membership.organisation_id or "")
    if form.validate_on_submit():
        if attempt(form, operations.set_membership, membership, roles=form.roles.data or [],
                   organisation_id=_organisation_id(form.organisation_id.data), actor=current_user):
            flash(_("Roles of %(name)s saved.", name=person.name), "success")
            return redirect(url_for("collectives.people", slug=slug))
    return render_template("collectives/membership.html", collective=collective, membership=membership,
                           person=person, form=form)


@bp.route("/c/<slug>/invitations/new", methods=["GET", "POST"])
@login_required
@ratelimits.invitations
def invite(slug: str):
    collective = queries.collective_for(current_user, slug, permissions.can_manage_collective)
    form = InviteForm()
    form.organisation_id.choices = _organisation_choices(collective)
    if form.validate_on_submit():
        if attempt(form, operations.invite, collective, email=form.email.data, roles=form.roles.data,
                   organisation_id=_organisation_id(form.organisation_id.data), actor=current_user):
            flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("collectives.people", slug=slug))
    return render_template("collectives/invite.html", collective=collective, form=form)


@bp.route("/c/<slug>/invitations/<id:invitation_id>", methods=["GET", "POST"])
@login_required
def invitation_detail(slug: str, invitation_id: int):
    collective = queries.collective_for(current_user, slug, permissions.can_manage_collective)
    found = queries.in_collective(Invitation, invitation_id, collective)
    form = RevokeInvitationForm()
    if form.validate_on_submit():
        if attempt(form, operations.revoke_invitation, found, reason=form.reason.data or "", actor=current_user):
            flash(_("The invitation to %(email)s is cancelled.", email=found.email), "success")
            return redirect(url_for("collectives.people", slug=slug))
    return render_template("collectives/invitation_detail.html", collective=collective, invitation=found,
                           form=form, workflow=panel(found, current_user))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@ratelimits.emailed_links
def invitation(token: str):
    found = operations.invitation_for_token(token)
    try:
        operations.check_invitation(found)
    except Refused as error:
        return render_template("collectives/invitation_invalid.html", message=error.message), 400
    from grants.collectives.models import Collective

    collective = db.session.get(Collective, found.collective_id)
    existing = auth_operations.find_by_email(found.email)
    form = AcceptAsMemberForm() if (current_user.is_authenticated or existing) else AcceptInvitationForm()
    if current_user.is_authenticated and current_user.email != found.email:
        return render_template("collectives/invitation_invalid.html",
                               message=_("This invitation was sent to %(email)s. Sign out, then open the link again.",
                                         email=found.email)), 403
    if existing is not None and not current_user.is_authenticated:
        flash(_("You already have an account: sign in to accept the invitation."), "info")
        return redirect(url_for("auth.login", next=request.path))
    if form.validate_on_submit():
        if current_user.is_authenticated:
            done = attempt(form, operations.accept_invitation, found, current_user)
        else:
            done = attempt(form, operations.accept_invitation_with_new_account, found, name=form.name.data,
                           password=form.password.data)
            if done:  # the invitation reached this address: the new account signs in at once
                start_session(done.result)
                db.session.commit()
        if done:
            flash(_("Welcome to %(name)s.", name=collective.name), "success")
            return redirect(url_for("collectives.show", slug=collective.slug))
    return render_template("collectives/invitation.html", invitation=found, invited_collective=collective, form=form)


@bp.route("/c/<slug>/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    collective = queries.collective_for(current_user, slug, permissions.can_manage_collective)
    form = CollectiveForm(obj=collective)
    if request.method == "GET":
        form.themes.data = "\n".join(t.name for t in queries.themes(collective))
        outcomes = queries.outcomes(collective)
        for term in ("short", "medium", "long"):
            getattr(form, f"outcomes_{term}").data = "\n".join(o.text for o in outcomes if o.term == term)
    if form.validate_on_submit():
        def lines(text):
            return [line.strip() for line in (text or "").splitlines() if line.strip()]

        if attempt(form, operations.update_collective,
                   collective, name=form.name.data, locality=form.locality.data or "",
                   description=form.description.data or "", theme_lines=lines(form.themes.data),
                   contact={"postal_address": form.postal_address.data or "",
                            "contact_email": form.contact_email.data or "",
                            "contact_phone": form.contact_phone.data or ""},
                   outcome_lines={term: lines(getattr(form, f"outcomes_{term}").data)
                                  for term in ("short", "medium", "long")},
                   requires_two_factor=form.requires_two_factor.data,
                   variation_limits={"variation_move_percent": form.variation_move_percent.data,
                                     "variation_date_months": form.variation_date_months.data},
                   actor=current_user):
            flash(_("Collective settings saved."), "success")
            return redirect(url_for("collectives.show", slug=slug))
    return render_template("collectives/settings.html", collective=collective, form=form)


@bp.route("/c/<slug>/audit")
@login_required
def audit_log(slug: str):
    collective = queries.collective_for(current_user, slug, permissions.can_view_audit)
    page = parse_id(request.args.get("page", "1")) or 1
    total = db.session.exec(select(func.count()).select_from(AuditEvent)
                            .where(AuditEvent.collective_id == collective.id)).one()
    events = db.session.exec(select(AuditEvent).where(AuditEvent.collective_id == collective.id)
                             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                             .offset((page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE)).all()
    pages = max(1, -(-total // AUDIT_PAGE_SIZE))
    from grants.audit import shown_actor
    from grants.audit.actions import action_text, details_text
    from grants.audit.subjects import subjects

    return render_template("collectives/audit.html", collective=collective, events=events, page=page, pages=pages,
                           total=total, subjects=subjects(events, collective.id), action_text=action_text,
                           details_text=details_text, shown_actor=shown_actor)
