"""Forms for two-factor sign-in: setting it up, the second sign-in step, recovery codes, turning it off."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField, SubmitField

from grants.forms import FlaskForm, GovPasswordInput, GovSubmitInput, GovTextInput, MaxLength, Required, strip


def _code_field(label: str, description: str, message: str) -> StringField:
    return StringField(label, widget=GovTextInput(), filters=[strip], description=description,
                       validators=[Required(message), MaxLength(40, _l("The code"))])


class StartSetUpForm(FlaskForm):
    submit = SubmitField(_l("Set up two-factor sign-in"), widget=GovSubmitInput())


class ConfirmSetUpForm(FlaskForm):
    code = _code_field(_l("Code from your app"), _l("The 6 digits your authenticator app shows now, like 123456."),
                       _l("Enter the 6-digit code your authenticator app shows now"))
    submit = SubmitField(_l("Turn on two-factor sign-in"), widget=GovSubmitInput())


class SignInCodeForm(FlaskForm):
    code = _code_field(_l("Code"), _l("The 6 digits your authenticator app shows now, or one of your recovery codes."),
                       _l("Enter the 6-digit code from your authenticator app, or a recovery code"))
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class NewRecoveryCodesForm(FlaskForm):
    password = PasswordField(_l("Your password"), widget=GovPasswordInput(),
                             validators=[Required(_l("Enter your password")), MaxLength(200, _l("Your password"))])
    submit = SubmitField(_l("Make new recovery codes"), widget=GovSubmitInput())


class TurnOffForm(FlaskForm):
    proof = PasswordField(_l("Your password, or a code from your app"), widget=GovPasswordInput(),
                          description=_l("Either proves it is you."),
                          validators=[Required(_l("Enter your password, or the 6-digit code your app shows now")),
                                      MaxLength(200, _l("What you entered"))])
    submit = SubmitField(_l("Turn off two-factor sign-in"), widget=GovSubmitInput())
