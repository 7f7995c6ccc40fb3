"""Sign in, sign out, register and confirm an address, reset a password, and the account page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import select

from grants import i18n, ratelimits
from grants.auth import operations, sessions
from grants.auth.forms import (
    AccountForm,
    ChangePasswordForm,
    ChooseNewPasswordForm,
    ConfirmEmailForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResendVerificationForm,
    ResetPasswordForm,
    SignOutEverywhereForm,
)
from grants.auth.models import SignInEvent
from grants.auth.twofactor_routes import challenge_if_enabled
from grants.db import db
from grants.views import attempt
from grants.forms import safe_next_url

bp = Blueprint("auth", __name__)

RECENT_SIGN_INS = 10


@bp.route("/login", methods=["GET", "POST"])
@ratelimits.sign_in
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next_url(request.args.get("next")) or ""
    unverified = False
    if form.validate_on_submit():
        found = operations.check_password(form.email.data, form.password.data)
        if found.passed:
            second_step = challenge_if_enabled(found.person, form.next.data, remember=bool(form.remember.data))
            if second_step:
                db.session.commit()
                return second_step
            sessions.start_session(found.person, remember=bool(form.remember.data))
            db.session.commit()
            flash(_("Signed in as %(name)s.", name=found.person.name), "success")
            return redirect(safe_next_url(form.next.data) or url_for("collectives.home"))
        db.session.commit()  # the failed attempt's record
        if found.outcome == sessions.NOT_VERIFIED:
            unverified = True
            form.email.errors = [_("Confirm your email address before you sign in: follow the link we emailed you")]
        else:
            form.email.errors = [_("Enter a correct email address and password")]
    return render_template("auth/login.html", form=form, unverified=unverified)


@bp.route("/logout", methods=["POST"])
def logout():
    sessions.end_session()
    flash(_("You have signed out."), "success")
    return redirect(url_for("collectives.home"))


@bp.route("/register", methods=["GET", "POST"])
@ratelimits.sends_email
def register():
    if current_user.is_authenticated:
        return redirect(url_for("collectives.home"))
    form = RegisterForm()
    if request.method == "GET":
        # The language the visitor is reading in (switcher, browser) is the likeliest preference.
        form.preferred_language.data = i18n.current_language()
    if form.validate_on_submit():
        operations.sign_up(email=form.email.data, name=form.name.data, password=form.password.data,
                           preferred_language=form.preferred_language.data)
        db.session.commit()
        return render_template("auth/confirm_sent.html", email=form.email.data, registered=True)
    return render_template("auth/register.html", form=form)


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
@ratelimits.emailed_links
def verify_email(token: str):
    if operations.person_for_verification_token(token) is None:
        return render_template("auth/confirm_invalid.html"), 400
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        done = attempt(form, operations.verify_email, token)
        if done:
            flash(_("Your email address is confirmed. Sign in to carry on."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/confirm_email.html", form=form)


@bp.route("/email/confirm", methods=["GET", "POST"])
@ratelimits.sends_email
def resend_verification():
    form = ResendVerificationForm()
    if request.method == "GET" and request.args.get("email"):
        form.email.data = request.args["email"][:254]
    if form.validate_on_submit():
        operations.resend_email_verification(form.email.data)
        db.session.commit()
        return render_template("auth/confirm_sent.html", email=form.email.data, registered=False)
    return render_template("auth/ask_by_email.html", form=form, heading=_("Get a new confirmation link"),
                           intro=_("Enter the email address you registered with. We will email you a new link to "
                                   "confirm it."))


@bp.route("/password/forgot", methods=["GET", "POST"])
@ratelimits.sends_email
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        operations.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/ask_by_email.html", form=form, heading=_("Reset your password"),
                           intro=_("Enter the email address you use for Commonpot. We will email you a link to choose "
                                   "a new password."))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@ratelimits.emailed_links
def reset_password(token: str):
    if operations.person_for_reset_token(token) is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        if attempt(form, operations.reset_password, token, form.password.data):
            # Not signed in by the link: signing in stays one path, with every step it has.
            sessions.end_session()
            flash(_("Your password has been changed, and every device that was signed in has been signed out. "
                    "Sign in with your new password."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/language/<code>", methods=["GET", "POST"])
def set_language(code: str):
    """The header's language switcher. A visitor's choice is a cookie (a link: no JavaScript, no
    form); a signed-in person's is their preferred language, saved and audited (a form, with its
    CSRF token), the stored field that registration and the account page also set."""
    if not i18n.supported(code):
        abort(404)
    back = safe_next_url(request.values.get("next")) or url_for("collectives.home")
    if request.method == "POST" and current_user.is_authenticated:
        if current_user.preferred_language != code:
            operations.update_account(current_user, name=current_user.name, preferred_language=code,
                                      wants_reminders=current_user.wants_reminders)
            db.session.commit()
    response = redirect(back)
    response.set_cookie(i18n.COOKIE, code, max_age=i18n.COOKIE_MAX_AGE, secure=request.is_secure, httponly=True,
                        samesite="Lax")
    return response


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(obj=current_user, prefix="account")
    password_form = ChangePasswordForm(prefix="password")
    everywhere_form = SignOutEverywhereForm(prefix="everywhere")
    if form.submit.data and form.validate_on_submit():
        operations.update_account(current_user, name=form.name.data,
                                  preferred_language=form.preferred_language.data,
                                  wants_reminders=form.wants_reminders.data)
        db.session.commit()
        flash(_("Your details have been saved."), "success")
        return redirect(url_for("auth.account"))
    if password_form.submit.data and password_form.validate_on_submit():
        if attempt(password_form, operations.change_password, current_user, current=password_form.current.data,
                   new=password_form.password.data):
            sessions.keep_this_session(current_user)
            flash(_("Your password has been changed. Every other device signed in to your account has been "
                    "signed out."), "success")
            return redirect(url_for("auth.account"))
    if everywhere_form.submit.data and everywhere_form.validate_on_submit():
        operations.sign_out_everywhere(current_user)
        db.session.commit()
        sessions.keep_this_session(current_user)
        flash(_("You have been signed out on every other device. This one is still signed in."), "success")
        return redirect(url_for("auth.account"))
    from grants.collectives.queries import my_collectives

    sign_ins = db.session.exec(select(SignInEvent).where(SignInEvent.person_id == current_user.id)
                               .order_by(SignInEvent.at.desc(), SignInEvent.id.desc()).limit(RECENT_SIGN_INS)).all()
    return render_template("auth/account.html", form=form, password_form=password_form,
                           everywhere_form=everywhere_form, collectives=my_collectives(current_user),
                           sign_ins=sign_ins, idle_minutes=current_app.config["SESSION_IDLE_MINUTES"])


# What a person who must choose a new password can still reach: the page itself, signing out,
# and what the page needs (assets, and the health checks that have nothing to do with people).
_BEFORE_NEW_PASSWORD = frozenset({"auth.choose_password", "auth.logout", "static", "govuk_assets", "built_assets",
                                  "health.healthz", "health.readyz"})
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def on_localhost() -> bool:
    """Whether this request is from this machine to this machine (the demo on one's own laptop).

    Both the address asked for and the address asked from must be local: a forged ``Host`` from
    outside, or a proxy on the same machine serving the public, is not "localhost".
    """
    return urlsplit(f"//{request.host}").hostname in _LOOPBACK and request.remote_addr in _LOOPBACK


@bp.before_app_request
def new_password_first():
    if request.endpoint in _BEFORE_NEW_PASSWORD or not current_user.is_authenticated:
        return None
    if current_user.must_change_password and not on_localhost():
        return redirect(url_for("auth.choose_password"))
    return None


@bp.route("/account/new-password", methods=["GET", "POST"])
@login_required
def choose_password():
    if not current_user.must_change_password:
        return redirect(url_for("auth.account"))
    form = ChooseNewPasswordForm()
    if form.validate_on_submit() and attempt(form, operations.choose_new_password, current_user, form.password.data):
        sessions.keep_this_session(current_user)
        flash(_("Your new password is saved. Use it from now on."), "success")
        return redirect(url_for("collectives.home"))
    return render_template("auth/choose_password.html", form=form)
