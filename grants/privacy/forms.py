"""The admin's confirmation before erasing a person."""

from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import BooleanField, StringField, SubmitField

from grants.forms import FlaskForm, GovCheckboxInput, GovSubmitInput, GovTextInput, MaxLength, strip


class EraseForm(FlaskForm):
    request_note = StringField(_l("How did the request reach you? (optional)"), widget=GovTextInput(), filters=[strip],
                               description=_l("For example: email to the collective, 1 December 2026. Kept in the "
                                              "audit log, without their name or email address."),
                               validators=[MaxLength(200, _l("The note"))])
    confirmed = BooleanField(_l("I have checked that the request comes from this person, and I want to erase "
                                "their personal data now. This cannot be undone."), widget=GovCheckboxInput())
    submit = SubmitField(_l("Erase this person's data"), widget=GovSubmitInput())

    def validate_confirmed(self, field) -> None:
        from wtforms.validators import ValidationError

        if not field.data:
            raise ValidationError(_("Confirm that you have checked the request and want to erase their data"))
