"""Sign in, sign out, register, reset a password, and the account page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from grants.auth import operations
from grants.auth.forms import (AccountForm, ChangePasswordForm, ChooseNewPasswordForm, ForgotPasswordForm, LoginForm,
                               RegisterForm, ResetPasswordForm)
from grants.db import db
from grants.views import attempt
from grants.forms import safe_next_url

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next_url(request.args.get("next")) or ""
    if form.validate_on_submit():
        person = operations.authenticate(form.email.data, form.password.data)
        if person is None:
            form.email.errors = ["Enter a correct email address and password"]
        else:
            login_user(person)
            flash(f"Signed in as {person.name}.", "success")
            return redirect(safe_next_url(form.next.data) or url_for("collectives.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("collectives.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("collectives.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        done = attempt(form, operations.register_person, email=form.email.data, name=form.name.data,
                       password=form.password.data, preferred_language=form.preferred_language.data)
        if done:
            login_user(done.result)
            flash("Your account has been created. Find your collective and ask to join.", "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("collectives.home"))
    return render_template("auth/register.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        operations.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if operations.person_for_reset_token(token) is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        done = attempt(form, operations.reset_password, token, form.password.data)
        if done:
            login_user(done.result)
            flash("Your password has been changed.", "success")
            return redirect(url_for("collectives.home"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(obj=current_user, prefix="account")
    password_form = ChangePasswordForm(prefix="password")
    if form.submit.data and form.validate_on_submit():
        operations.update_account(current_user, name=form.name.data,
                                  preferred_language=form.preferred_language.data,
                                  wants_reminders=form.wants_reminders.data)
        db.session.commit()
        flash("Your details have been saved.", "success")
        return redirect(url_for("auth.account"))
    if password_form.submit.data and password_form.validate_on_submit():
        if attempt(password_form, operations.change_password, current_user, current=password_form.current.data,
                   new=password_form.password.data):
            flash("Your password has been changed.", "success")
            return redirect(url_for("auth.account"))
    from grants.collectives.queries import my_collectives

    return render_template("auth/account.html", form=form, password_form=password_form,
                           collectives=my_collectives(current_user))


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
        flash("Your new password is saved. Use it from now on.", "success")
        return redirect(url_for("collectives.home"))
    return render_template("auth/choose_password.html", form=form)
