"""Forms of the partnership review."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField, TextAreaField

from grants.forms import FlaskForm, GovSubmitInput, GovTextArea, MaxLength, Required, strip


class RatifyForm(FlaskForm):
    note = TextAreaField(_l("Comment (optional)"), widget=GovTextArea(), filters=[strip],
                         validators=[MaxLength(2000, _l("The comment"))])
    ratify = SubmitField(_l("Ratify the allocation"), widget=GovSubmitInput())


class ReturnForm(FlaskForm):
    reason = TextAreaField(_l("Why are you returning the allocation?"), widget=GovTextArea(), filters=[strip],
                           description=_l("Say whether you ask for a recount or a new vote. The facilitators will "
                                          "see this."),
                           validators=[Required(_l("Say why you are returning the allocation")),
                                       MaxLength(4000, _l("The reason"))])
    send_back = SubmitField(_l("Return the allocation"), widget=GovSubmitInput())


class ResubmitForm(FlaskForm):
    response = TextAreaField(_l("Your response to the partnership"), widget=GovTextArea(), filters=[strip],
                             description=_l("What you changed, and why. The reviewers will see this."),
                             validators=[MaxLength(4000, _l("The response"))])
    resubmit = SubmitField(_l("Send the allocation for review"), widget=GovSubmitInput())
