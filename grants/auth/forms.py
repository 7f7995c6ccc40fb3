"""Forms for signing in, registering and looking after an account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import EqualTo, Length

from grants.forms import (
    choices,
    EmailAddress,
    FlaskForm,
    GovCheckboxInput,
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
    MaxLength,
    Required,
    strip,
)
from grants.reference import LANGUAGES

PASSWORD_HINT = "At least 10 characters. A few unrelated words make a strong password."  # nosec B105  # a hint shown to people, not a password


def _password_length():
    return Length(min=10, max=200, message="Your password must be at least 10 characters long")


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), widget=GovTextInput(), filters=[strip],
                       validators=[Required(_l("Enter your email address")), EmailAddress()])
    password = PasswordField(_l("Password"), widget=GovPasswordInput(),
                             validators=[Required(_l("Enter your password"))])
    remember = BooleanField(_l("Keep me signed in on this device"), widget=GovCheckboxInput())
    next = HiddenField()
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())


class RegisterForm(FlaskForm):
    name = StringField("Your full name", widget=GovTextInput(), filters=[strip],
                       validators=[Required("Enter your full name"), MaxLength(120, "Your name")])
    email = EmailField("Email address", widget=GovTextInput(), filters=[strip],
                       description="We will only use this to sign you in and to tell you about your grants.",
                       validators=[Required("Enter your email address"), EmailAddress(), MaxLength(254, "Email address")])
    password = PasswordField("Create a password", widget=GovPasswordInput(), description=PASSWORD_HINT,
                             validators=[Required("Enter a password"), _password_length()])
    confirm = PasswordField("Confirm your password", widget=GovPasswordInput(),
                            validators=[Required("Confirm your password"),
                                        EqualTo("password", message="The passwords do not match")])
    preferred_language = SelectField("Preferred language", widget=GovSelect(),
                                     choices=choices(LANGUAGES), default="en",
                                     validators=[Required("Choose a language")])
    submit = SubmitField("Create account", widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(), filters=[strip],
                       validators=[Required("Enter your email address"), EmailAddress()])
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class ResendVerificationForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(), filters=[strip],
                       validators=[Required("Enter your email address"), EmailAddress()])
    submit = SubmitField("Send me a new link", widget=GovSubmitInput())


class ConfirmEmailForm(FlaskForm):
    submit = SubmitField("Confirm my email address", widget=GovSubmitInput())


class SignOutEverywhereForm(FlaskForm):
    submit = SubmitField("Sign out of every other device", widget=GovSubmitInput())


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", widget=GovPasswordInput(), description=PASSWORD_HINT,
                             validators=[Required("Enter a new password"), _password_length()])
    confirm = PasswordField("Confirm your new password", widget=GovPasswordInput(),
                            validators=[Required("Confirm your new password"),
                                        EqualTo("password", message="The passwords do not match")])
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ChooseNewPasswordForm(ResetPasswordForm):
    submit = SubmitField("Save my new password", widget=GovSubmitInput())


class AccountForm(FlaskForm):
    name = StringField("Full name", widget=GovTextInput(), filters=[strip],
                       validators=[Required("Enter your full name"), MaxLength(120, "Your name")])
    preferred_language = SelectField("Preferred language", widget=GovSelect(),
                                     choices=choices(LANGUAGES), validators=[Required("Choose a language")])
    wants_reminders = BooleanField("Send me reminder emails (deadlines, votes, reports)",
                                   widget=GovCheckboxInput())
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", widget=GovPasswordInput(),
                            validators=[Required("Enter your current password")])
    password = PasswordField("New password", widget=GovPasswordInput(), description=PASSWORD_HINT,
                             validators=[Required("Enter a new password"), _password_length()])
    confirm = PasswordField("Confirm your new password", widget=GovPasswordInput(),
                            validators=[Required("Confirm your new password"),
                                        EqualTo("password", message="The passwords do not match")])
    submit = SubmitField("Change password", widget=GovSubmitInput())
