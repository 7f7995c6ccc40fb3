"""Pages of two-factor sign-in, the second sign-in step, and the rule that sends people to set it up.

The pending sign-in lives in the (signed) session between the password and the code: the
person's id, when the password was right, and where they were going. It is good for
``TWO_FACTOR_PENDING_SECONDS`` and for one person; the code is checked against the database,
which remembers the last time-step used, so replaying an old cookie gains nothing.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlmodel import select
import sqlalchemy as sa

from grants import permissions
from grants.auth import twofactor
from grants.auth.models import Person
from grants.auth.sessions import start_session
from grants.auth.twofactor_forms import (
    ConfirmSetUpForm,
    NewRecoveryCodesForm,
    SignInCodeForm,
    StartSetUpForm,
    TurnOffForm,
)
from grants.db import db
from grants.forms import FlaskForm, safe_next_url
from grants.timeutil import utcnow
from grants.views import attempt
from grants.web import limiter

bp = Blueprint("twofactor", __name__)

PENDING = "two_factor_pending"
NEW_CODES = "two_factor_new_codes"
AFTER_SET_UP = "two_factor_next"
# Pages a person who must set up two-factor may still open.
OPEN_BEFORE_SET_UP = {"static", "govuk_assets", "built_assets", "auth.logout", "twofactor.manage",
                      "twofactor.recovery_codes", "twofactor.challenge"}


# --- the pending sign-in -------------------------------------------------------------------------

def challenge_if_enabled(person: Person, next_url: str | None, remember: bool = False):
    """After a right password: ask for a code (a redirect) if this person uses two-factor, else None.

    Where to go next and "remember me" wait with the pending sign-in for the code."""
    if not twofactor.is_enabled(person):
        return None
    session[PENDING] = {"person": person.id, "since": int(utcnow().timestamp()),
                        "next": safe_next_url(next_url) or "", "remember": bool(remember)}
    return redirect(url_for("twofactor.challenge"))


def _pending() -> tuple[Person | None, dict, bool]:
    """(person, pending state, expired) for the sign-in waiting for its code."""
    state = session.get(PENDING)
    if not isinstance(state, dict) or not isinstance(state.get("person"), int):
        return None, {}, False
    age = utcnow().timestamp() - float(state.get("since", 0))
    if not 0 <= age <= current_app.config["TWO_FACTOR_PENDING_SECONDS"]:
        session.pop(PENDING, None)
        return None, {}, True
    person = db.session.get(Person, state["person"])
    if person is None or not person.active:
        session.pop(PENDING, None)
        return None, {}, False
    return person, state, False


def _pending_person_key() -> str:
    state = session.get(PENDING)
    if isinstance(state, dict) and isinstance(state.get("person"), int):
        return f"two-factor-person:{state['person']}"
    return f"two-factor-address:{get_remote_address()}"


def _signed_in_key() -> str:
    if current_user.is_authenticated:
        return f"two-factor-person:{current_user.id}"
    return f"two-factor-address:{get_remote_address()}"


def _refused(response) -> bool:
    """Only refused codes count towards the limits: a right code redirects, a wrong one re-shows the form."""
    return response.status_code == 200


def _per_account() -> str:
    return current_app.config["TWO_FACTOR_LIMIT_PER_ACCOUNT"]


def _per_address() -> str:
    return current_app.config["TWO_FACTOR_LIMIT_PER_ADDRESS"]


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(_per_account, key_func=_pending_person_key, methods=["POST"], deduct_when=_refused)
@limiter.limit(_per_address, methods=["POST"], deduct_when=_refused)
def challenge():
    if current_user.is_authenticated:
        session.pop(PENDING, None)
        return redirect(url_for("collectives.home"))
    person, state, expired = _pending()
    if person is None:
        if expired:
            minutes = current_app.config["TWO_FACTOR_PENDING_SECONDS"] // 60
            flash(_("For your security, a sign-in waits only %(minutes)s minutes for its code. "
                    "Enter your email address and password again.", minutes=minutes), "info")
        return redirect(url_for("auth.login"))
    form = SignInCodeForm()
    if form.validate_on_submit():
        check = twofactor.check_sign_in_code(person, form.code.data)
        db.session.commit()
        if check.passed:
            session.pop(PENDING, None)
            start_session(person, remember=state.get("remember") is True)
            db.session.commit()  # the sign-in record
            flash(_("Signed in as %(name)s.", name=person.name), "success")
            if check.method == "recovery":
                left = twofactor.recovery_codes_left(person)
                flash(ngettext("You used a recovery code: %(num)d left. Make new ones on your account page "
                               "if you are running low.",
                               "You used a recovery code: %(num)d left. Make new ones on your account page "
                               "if you are running low.", left), "info")
            return redirect(safe_next_url(state.get("next")) or url_for("collectives.home"))
        form.code.errors = [_(check.message)]
    return render_template("auth/two_factor_sign_in.html", form=form)


# --- setting it up, recovery codes, turning it off -----------------------------------------------

@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
@limiter.limit(_per_account, key_func=_signed_in_key, methods=["POST"], deduct_when=_refused)
def manage():
    start, confirm = StartSetUpForm(prefix="start"), ConfirmSetUpForm(prefix="confirm")
    codes_form, off_form = NewRecoveryCodesForm(prefix="codes"), TurnOffForm(prefix="off")
    if start.submit.data and start.validate_on_submit():
        if attempt(start, twofactor.start_set_up, current_user):
            return redirect(url_for("twofactor.manage"))
    elif confirm.submit.data and confirm.validate_on_submit():
        done = attempt(confirm, twofactor.confirm_set_up, current_user, confirm.code.data)
        if done:
            return _show_once(done.result, _("Two-factor sign-in is on."))
    elif codes_form.submit.data and codes_form.validate_on_submit():
        done = attempt(codes_form, twofactor.make_new_recovery_codes, current_user, codes_form.password.data)
        if done:
            return _show_once(done.result, _("You have new recovery codes. The old ones no longer work."))
    elif off_form.submit.data and off_form.validate_on_submit():
        if attempt(off_form, twofactor.turn_off, current_user, off_form.proof.data):
            flash(_("Two-factor sign-in is off."), "success")
            return redirect(url_for("auth.account"))
    found = twofactor.enrolment(current_user)
    enabled = found is not None and found.confirmed_at is not None
    setting_up = found is not None and not enabled
    uri = twofactor.provisioning_uri(current_user, found) if setting_up else ""
    response = current_app.make_response(render_template(
        "auth/two_factor.html", enabled=enabled, setting_up=setting_up, enrolment=found,
        qr_code=twofactor.qr_code_svg(uri) if setting_up else "",
        secret=twofactor.grouped(found.secret) if setting_up else "",
        reasons=twofactor.required_because(current_user),
        codes_left=twofactor.recovery_codes_left(current_user) if enabled else 0,
        forms=[start, confirm, codes_form, off_form], start=start, confirm=confirm, codes_form=codes_form,
        off_form=off_form))
    response.headers["Cache-Control"] = "no-store"  # the secret is on this page while setting up
    return response


def _show_once(codes: list[str], message: str):
    """Hand new recovery codes to the next page, which shows them once (post, redirect, get)."""
    session[NEW_CODES] = codes
    flash(message, "success")
    return redirect(url_for("twofactor.recovery_codes"))


@bp.route("/account/two-factor/recovery-codes")
@login_required
def recovery_codes():
    codes = session.pop(NEW_CODES, None)
    after = safe_next_url(session.pop(AFTER_SET_UP, None)) if codes else None
    response = current_app.make_response(render_template(
        "auth/two_factor_recovery_codes.html", codes=codes if isinstance(codes, list) else None,
        enabled=twofactor.is_enabled(current_user), after=after or url_for("auth.account")))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/admin/people/<id:person_id>/two-factor/reset", methods=["POST"])
@login_required
def reset_for_person(person_id: int):
    if not permissions.is_admin(current_user):
        abort(403)
    if not FlaskForm().validate_on_submit():
        abort(400)
    person = db.session.get(Person, person_id) or abort(404)
    if attempt(None, twofactor.reset_for_person, person, current_user):
        flash(_("Two-factor sign-in of %(email)s is reset. They can set it up again when they next sign in.",
                email=person.email), "success")
    return redirect(url_for("admin.people"))


@bp.app_template_global("people_using_two_factor")
def people_using_two_factor() -> set[int]:
    return twofactor.people_using_it()


@bp.app_template_global("two_factor_enabled")
def two_factor_enabled(person) -> bool:
    return twofactor.is_enabled(person)


# --- who must set it up first --------------------------------------------------------------------

@bp.before_app_request
def set_up_first_where_required():
    """Send a site admin, or a facilitator or reviewer of a collective that asks for it, to set up
    two-factor sign-in before any other page."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in OPEN_BEFORE_SET_UP:
        return None
    if not current_user.is_authenticated:
        return None
    slug = (request.view_args or {}).get("slug")
    if current_user.is_admin and twofactor.required_for_admins():
        must = not twofactor.is_enabled(current_user)
    elif isinstance(slug, str):
        must = _collective_requires_it(current_user, slug)
    else:
        return None
    if not must:
        return None
    if request.method == "GET":
        session[AFTER_SET_UP] = request.full_path if request.query_string else request.path
    flash(_("Set up two-factor sign-in to continue."), "info")
    return redirect(url_for("twofactor.manage"))


def _collective_requires_it(person, slug: str) -> bool:
    """True when this collective requires two-factor of this person's role and it is not on (one query)."""
    from grants.collectives.models import Collective, Membership

    return db.session.exec(
        select(Collective.id)
        .join(Membership, Membership.collective_id == Collective.id)
        .outerjoin(twofactor.TwoFactor, twofactor.TwoFactor.person_id == Membership.person_id)
        .where(Collective.slug == slug, Membership.person_id == person.id, Collective.requires_two_factor.is_(True),
               sa.or_(Membership.is_facilitator.is_(True), Membership.is_reviewer.is_(True)),
               twofactor.TwoFactor.confirmed_at.is_(None))).first() is not None
