"""Forms of the partnership review."""

from __future__ import annotations

from wtforms import SubmitField, TextAreaField

from grants.forms import FlaskForm, GovSubmitInput, GovTextArea, MaxLength, Required, strip


class RatifyForm(FlaskForm):
    note = TextAreaField("Comment (optional)", widget=GovTextArea(), filters=[strip],
                         validators=[MaxLength(2000, "The comment")])
    ratify = SubmitField("Ratify the allocation", widget=GovSubmitInput())


class ReturnForm(FlaskForm):
    reason = TextAreaField("Why are you returning the allocation?", widget=GovTextArea(), filters=[strip],
                           description="Say whether you ask for a recount or a new vote. The facilitators will see this.",
                           validators=[Required("Say why you are returning the allocation"),
                                       MaxLength(4000, "The reason")])
    send_back = SubmitField("Return the allocation", widget=GovSubmitInput())


class ResubmitForm(FlaskForm):
    response = TextAreaField("Your response to the partnership", widget=GovTextArea(), filters=[strip],
                             description="What you changed, and why. The reviewers will see this.",
                             validators=[MaxLength(4000, "The response")])
    resubmit = SubmitField("Send the allocation for review", widget=GovSubmitInput())
