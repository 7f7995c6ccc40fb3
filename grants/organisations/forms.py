"""The organisation form: used when an organisation asks to join and when its details change."""

from __future__ import annotations

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
    name = StringField("Organisation name", widget=GovTextInput(), filters=[strip],
                       validators=[Required("Enter the name of your organisation"), MaxLength(160, "The name")])
    kind = SelectField("What kind of organisation is it?", widget=GovRadioInput(),
                       choices=choices(ORGANISATION_KINDS),
                       validators=[Required("Choose what kind of organisation it is")])
    registration_number = StringField(
        "Registration number (optional)", widget=GovTextInput(), filters=[strip],
        description="Charity or company number, if you have one. Most community groups do not.",
        validators=[MaxLength(40, "The registration number")])
    postcode = StringField("Postcode", widget=GovTextInput(), filters=[strip, normalise_postcode],
                           description="Where the organisation meets or works, for example B18 7QH",
                           validators=[Required("Enter a postcode"), UKPostcode()])
    ward = StringField("Ward (optional)", widget=GovTextInput(), filters=[strip],
                       validators=[MaxLength(120, "The ward")])
    communities_served = SelectMultipleField(
        "Communities you serve", choices=choices((c.code, c.label) for c in ETHNIC_CATEGORIES),
        validate_choice=False,
        validators=[Choices("Choose communities from the list")])
    partner_type = SelectField("Is your organisation a community partner?", widget=GovSelect(),
                               choices=choices(PARTNER_TYPES), default="",
                               description="Faith and community organisations can host engagement events.")
    languages = SelectMultipleField("Languages you work in", widget=GovCheckboxesInput(),
                                    choices=choices(LANGUAGES), validate_choice=False,
                                    validators=[Choices("Choose languages from the list")])
    contact_name = StringField("Contact person", widget=GovTextInput(), filters=[strip],
                               validators=[Required("Enter the name of the contact person"),
                                           MaxLength(120, "The contact name")])
    contact_email = EmailField("Contact email address", widget=GovTextInput(), filters=[strip],
                               validators=[Required("Enter the contact email address"), EmailAddress(),
                                           MaxLength(254, "The email address")])
    contact_phone = StringField("Contact phone (optional)", widget=GovTextInput(), filters=[strip],
                                validators=[MaxLength(40, "The phone number")])
    description = TextAreaField("What does your organisation do? (optional)", widget=GovTextArea(),
                                filters=[strip], validators=[MaxLength(2000, "The description")])

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
    submit = SubmitField("Save organisation", widget=GovSubmitInput())
