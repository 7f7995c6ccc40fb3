"""Sign in, sign out, register, reset a password, and the account page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from grants.auth import operations
from grants.auth.sessions import start_session
from grants.auth.twofactor_routes import challenge_if_enabled
from grants.auth.forms import AccountForm, ChangePasswordForm, ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
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
            second_step = challenge_if_enabled(person, form.next.data)
            if second_step:
                return second_step
            start_session(person)
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
            flash("Your password has been changed.", "success")
            # An emailed link alone must not pass two-factor sign-in.
            second_step = challenge_if_enabled(done.result, None)
            if second_step:
                return second_step
            start_session(done.result)
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
