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

PASSWORD_HINT = _l("At least 10 characters. A few unrelated words make a strong password.")  # nosec B105  # a hint shown to people, not a password


def _password_length():
    return Length(min=10, max=200, message=_l("Your password must be at least 10 characters long"))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), widget=GovTextInput(), filters=[strip],
                       validators=[Required(_l("Enter your email address")), EmailAddress()])
    password = PasswordField(_l("Password"), widget=GovPasswordInput(),
                             validators=[Required(_l("Enter your password"))])
    remember = BooleanField(_l("Keep me signed in on this device"), widget=GovCheckboxInput())
    next = HiddenField()
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())


class RegisterForm(FlaskForm):
    name = StringField(_l("Your full name"), widget=GovTextInput(), filters=[strip],
                       validators=[Required(_l("Enter your full name")), MaxLength(120, _l("Your name"))])
    email = EmailField(_l("Email address"), widget=GovTextInput(), filters=[strip],
                       description=_l("We will only use this to sign you in and to tell you about your grants."),
                       validators=[Required(_l("Enter your email address")), EmailAddress(), MaxLength(254, _l("Email address"))])
    password = PasswordField(_l("Create a password"), widget=GovPasswordInput(), description=PASSWORD_HINT,
                             validators=[Required(_l("Enter a password")), _password_length()])
    confirm = PasswordField(_l("Confirm your password"), widget=GovPasswordInput(),
                            validators=[Required(_l("Confirm your password")),
                                        EqualTo("password", message=_l("The passwords do not match"))])
    preferred_language = SelectField(_l("Preferred language"), widget=GovSelect(),
                                     choices=choices(LANGUAGES), default="en",
                                     validators=[Required(_l("Choose a language"))])
    submit = SubmitField(_l("Create account"), widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email address"), widget=GovTextInput(), filters=[strip],
                       validators=[Required(_l("Enter your email address")), EmailAddress()])
    submit = SubmitField(_l("Send me a link"), widget=GovSubmitInput())


class ResendVerificationForm(FlaskForm):
    email = EmailField(_l("Email address"), widget=GovTextInput(), filters=[strip],
                       validators=[Required(_l("Enter your email address")), EmailAddress()])
    submit = SubmitField(_l("Send me a new link"), widget=GovSubmitInput())


class ConfirmEmailForm(FlaskForm):
    submit = SubmitField(_l("Confirm my email address"), widget=GovSubmitInput())


class SignOutEverywhereForm(FlaskForm):
    submit = SubmitField(_l("Sign out of every other device"), widget=GovSubmitInput())


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), widget=GovPasswordInput(), description=PASSWORD_HINT,
                             validators=[Required(_l("Enter a new password")), _password_length()])
    confirm = PasswordField(_l("Confirm your new password"), widget=GovPasswordInput(),
                            validators=[Required(_l("Confirm your new password")),
                                        EqualTo("password", message=_l("The passwords do not match"))])
    submit = SubmitField(_l("Change password"), widget=GovSubmitInput())


class ChooseNewPasswordForm(ResetPasswordForm):
    submit = SubmitField(_l("Save my new password"), widget=GovSubmitInput())


class AccountForm(FlaskForm):
    name = StringField(_l("Full name"), widget=GovTextInput(), filters=[strip],
                       validators=[Required(_l("Enter your full name")), MaxLength(120, _l("Your name"))])
    preferred_language = SelectField(_l("Preferred language"), widget=GovSelect(),
                                     choices=choices(LANGUAGES), validators=[Required(_l("Choose a language"))])
    wants_reminders = BooleanField(_l("Send me reminder emails (deadlines, votes, reports)"),
                                   widget=GovCheckboxInput())
    submit = SubmitField(_l("Save changes"), widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), widget=GovPasswordInput(),
                            validators=[Required(_l("Enter your current password"))])
    password = PasswordField(_l("New password"), widget=GovPasswordInput(), description=PASSWORD_HINT,
                             validators=[Required(_l("Enter a new password")), _password_length()])
    confirm = PasswordField(_l("Confirm your new password"), widget=GovPasswordInput(),
                            validators=[Required(_l("Confirm your new password")),
                                        EqualTo("password", message=_l("The passwords do not match"))])
    submit = SubmitField(_l("Change password"), widget=GovSubmitInput())
