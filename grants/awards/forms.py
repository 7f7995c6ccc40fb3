"""Forms for accepting or declining a grant and recording payments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, StringField, SubmitField, TextAreaField

from grants.forms import (
    FlaskForm,
    GovCheckboxInput,
    GovSubmitOnce,
    GovTextArea,
    GovTextInput,
    MaxLength,
    MoneyField,
    OnceField,
    Required,
    strip,
)


class AcceptForm(FlaskForm):
    accepted_by_name = StringField(_l("Your full name"), widget=GovTextInput(), filters=[strip],
                                   description=_l("Typing your name is how you sign for your organisation."),
                                   validators=[MaxLength(120, _l("Your name"))])
    conditions_confirmed = BooleanField(_l("I have read the conditions and accept them for my organisation"),
                                        widget=GovCheckboxInput())
    once = OnceField()
    accept = SubmitField(_l("Accept the grant"), widget=GovSubmitOnce())


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Why are you declining? (optional)"), widget=GovTextArea(), filters=[strip],
                           validators=[MaxLength(2000, _l("The reason"))])
    once = OnceField()
    decline = SubmitField(_l("Decline the grant"), widget=GovSubmitOnce())


class DateInput(GovTextInput):
    input_type = "date"


class PaymentForm(FlaskForm):
    paid_on = DateField(_l("Date paid"), widget=DateInput(),
                        validators=[Required(_l("Enter the date the payment was made"))])
    amount = MoneyField(_l("Amount (£)"), validators=[Required(_l("Enter the amount paid"))])
    reference = StringField(_l("Payment reference"), widget=GovTextInput(), filters=[strip],
                            validators=[Required(_l("Enter the payment reference")), MaxLength(80, _l("The reference"))])
    once = OnceField()
    record = SubmitField(_l("Record the payment"), widget=GovSubmitOnce())


class UndoDeclineForm(FlaskForm):
    once = OnceField()
    undo = SubmitField(_l("Undo the decline"), widget=GovSubmitOnce())


class ReversePaymentForm(FlaskForm):
    reason = TextAreaField(_l("Why is this payment being reversed?"), widget=GovTextArea(), filters=[strip],
                           description=_l("For example: recorded twice, wrong amount, or the bank returned it."),
                           validators=[Required(_l("Say why the payment is being reversed")),
                                       MaxLength(2000, _l("The reason"))])
    once = OnceField()
    reverse = SubmitField(_l("Reverse the payment"), widget=GovSubmitOnce())
