"""The organisation form: used when an organisation asks to join and when its details change."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField

from grants.forms import (
    choices,
    Choices,
    EmailAddress,
    FlaskForm,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    MaxLength,
    Required,
    UKPostcode,
    normalise_postcode,
    strip,
)
from grants.reference import ETHNIC_CATEGORIES, LANGUAGES, ORGANISATION_KINDS, PARTNER_TYPES
from grants.versions import VersionField


class OrganisationFields(FlaskForm):
    name = StringField(_l("Organisation name"), widget=GovTextInput(), filters=[strip],
                       validators=[Required(_l("Enter the name of your organisation")), MaxLength(160, _l("The name"))])
    kind = SelectField(_l("What kind of organisation is it?"), widget=GovRadioInput(),
                       choices=choices((code, _l(label)) for code, label in ORGANISATION_KINDS.items()),
                       validators=[Required(_l("Choose what kind of organisation it is"))])
    registration_number = StringField(
        _l("Registration number (optional)"), widget=GovTextInput(), filters=[strip],
        description=_l("Charity or company number, if you have one. Most community groups do not."),
        validators=[MaxLength(40, _l("The registration number"))])
    postcode = StringField(_l("Postcode"), widget=GovTextInput(), filters=[strip, normalise_postcode],
                           description=_l("Where the organisation meets or works, for example B18 7QH"),
                           validators=[Required(_l("Enter a postcode")), UKPostcode()])
    ward = StringField(_l("Ward (optional)"), widget=GovTextInput(), filters=[strip],
                       validators=[MaxLength(120, _l("The ward"))])
    communities_served = SelectMultipleField(
        _l("Communities you serve"), choices=choices((c.code, _l(c.label)) for c in ETHNIC_CATEGORIES),
        validate_choice=False,
        validators=[Choices(_l("Choose communities from the list"))])
    partner_type = SelectField(_l("Is your organisation a community partner?"), widget=GovSelect(),
                               choices=choices((code, _l(label)) for code, label in PARTNER_TYPES.items()), default="",
                               description=_l("Faith and community organisations can host engagement events."))
    languages = SelectMultipleField(_l("Languages you work in"), widget=GovCheckboxesInput(),
                                    choices=choices((code, _l(label)) for code, label in LANGUAGES.items()), validate_choice=False,
                                    validators=[Choices(_l("Choose languages from the list"))])
    contact_name = StringField(_l("Contact person"), widget=GovTextInput(), filters=[strip],
                               validators=[Required(_l("Enter the name of the contact person")),
                                           MaxLength(120, _l("The contact name"))])
    contact_email = EmailField(_l("Contact email address"), widget=GovTextInput(), filters=[strip],
                               validators=[Required(_l("Enter the contact email address")), EmailAddress(),
                                           MaxLength(254, _l("The email address"))])
    contact_phone = StringField(_l("Contact phone (optional)"), widget=GovTextInput(), filters=[strip],
                                validators=[MaxLength(40, _l("The phone number"))])
    description = TextAreaField(_l("What does your organisation do? (optional)"), widget=GovTextArea(),
                                filters=[strip], validators=[MaxLength(2000, _l("The description"))])

    def organisation_values(self) -> dict:
        return {
            "name": self.name.data,
            "kind": self.kind.data,
            "registration_number": self.registration_number.data or "",
            "postcode": self.postcode.data,
            "ward": self.ward.data or "",
            "communities_served": list(dict.fromkeys(self.communities_served.data or [])),
            "partner_type": self.partner_type.data or "",
            "languages": list(dict.fromkeys(self.languages.data or [])),
            "contact_name": self.contact_name.data,
            "contact_email": self.contact_email.data.lower(),
            "contact_phone": self.contact_phone.data or "",
            "description": self.description.data or "",
        }


class OrganisationForm(OrganisationFields):
    version = VersionField()
    submit = SubmitField(_l("Save organisation"), widget=GovSubmitInput())
