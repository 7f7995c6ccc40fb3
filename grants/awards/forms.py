"""Forms for accepting or declining a grant and recording payments."""

from __future__ import annotations

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
    accepted_by_name = StringField("Your full name", widget=GovTextInput(), filters=[strip],
                                   description="Typing your name is how you sign for your organisation.",
                                   validators=[MaxLength(120, "Your name")])
    conditions_confirmed = BooleanField("I have read the conditions and accept them for my organisation",
                                        widget=GovCheckboxInput())
    once = OnceField()
    accept = SubmitField("Accept the grant", widget=GovSubmitOnce())


class DeclineForm(FlaskForm):
    reason = TextAreaField("Why are you declining? (optional)", widget=GovTextArea(), filters=[strip],
                           validators=[MaxLength(2000, "The reason")])
    once = OnceField()
    decline = SubmitField("Decline the grant", widget=GovSubmitOnce())


class DateInput(GovTextInput):
    input_type = "date"


class PaymentForm(FlaskForm):
    paid_on = DateField("Date paid", widget=DateInput(), validators=[Required("Enter the date the payment was made")])
    amount = MoneyField("Amount (£)", validators=[Required("Enter the amount paid")])
    reference = StringField("Payment reference", widget=GovTextInput(), filters=[strip],
                            validators=[Required("Enter the payment reference"), MaxLength(80, "The reference")])
    once = OnceField()
    record = SubmitField("Record the payment", widget=GovSubmitOnce())


class UndoDeclineForm(FlaskForm):
    once = OnceField()
    undo = SubmitField("Undo the decline", widget=GovSubmitOnce())


class ReversePaymentForm(FlaskForm):
    reason = TextAreaField("Why is this payment being reversed?", widget=GovTextArea(), filters=[strip],
                           description="For example: recorded twice, wrong amount, or the bank returned it.",
                           validators=[Required("Say why the payment is being reversed"),
                                       MaxLength(2000, "The reason")])
    once = OnceField()
    reverse = SubmitField("Reverse the payment", widget=GovSubmitOnce())
