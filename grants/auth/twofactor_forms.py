"""Forms for two-factor sign-in: setting it up, the second sign-in step, recovery codes, turning it off."""

from __future__ import annotations

from wtforms import PasswordField, StringField, SubmitField

from grants.forms import FlaskForm, GovPasswordInput, GovSubmitInput, GovTextInput, MaxLength, Required, strip


def _code_field(label: str, description: str, message: str) -> StringField:
    return StringField(label, widget=GovTextInput(), filters=[strip], description=description,
                       validators=[Required(message), MaxLength(40, "The code")])


class StartSetUpForm(FlaskForm):
    submit = SubmitField("Set up two-factor sign-in", widget=GovSubmitInput())


class ConfirmSetUpForm(FlaskForm):
    code = _code_field("Code from your app", "The 6 digits your authenticator app shows now, like 123456.",
                       "Enter the 6-digit code your authenticator app shows now")
    submit = SubmitField("Turn on two-factor sign-in", widget=GovSubmitInput())


class SignInCodeForm(FlaskForm):
    code = _code_field("Code", "The 6 digits your authenticator app shows now, or one of your recovery codes.",
                       "Enter the 6-digit code from your authenticator app, or a recovery code")
    submit = SubmitField("Continue", widget=GovSubmitInput())


class NewRecoveryCodesForm(FlaskForm):
    password = PasswordField("Your password", widget=GovPasswordInput(),
                             validators=[Required("Enter your password"), MaxLength(200, "Your password")])
    submit = SubmitField("Make new recovery codes", widget=GovSubmitInput())


class TurnOffForm(FlaskForm):
    proof = PasswordField("Your password, or a code from your app", widget=GovPasswordInput(),
                          description="Either proves it is you.",
                          validators=[Required("Enter your password, or the 6-digit code your app shows now"),
                                      MaxLength(200, "What you entered")])
    submit = SubmitField("Turn off two-factor sign-in", widget=GovSubmitInput())
