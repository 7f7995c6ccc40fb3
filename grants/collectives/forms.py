"""Forms for collectives: joining, deciding join requests, invitations, roles and settings."""

from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import EqualTo, Length, Optional, Regexp

from grants.forms import (
    choices,
    Choices,
    EmailAddress,
    FlaskForm,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    MaxLength,
    Required,
    WholeNumberField,
    strip,
)
from grants.organisations.forms import OrganisationFields
from grants.reference import ROLES


class JoinForm(OrganisationFields):
    message = TextAreaField(_l("Why would you like to join? (optional)"), widget=GovTextArea(), filters=[strip],
                            validators=[MaxLength(2000, _l("Your message"))])
    submit = SubmitField(_l("Ask to join"), widget=GovSubmitInput())


class DecideJoinRequestForm(FlaskForm):
    decision = SelectField(_l("Your decision"), widget=GovRadioInput(),
                           choices=choices([("approve", _l("Approve: the organisation joins the collective")),
                                            ("decline", _l("Decline"))]),
                           validators=[Required(_l("Choose approve or decline"))])
    reason = TextAreaField(_l("Reason"), widget=GovTextArea(), filters=[strip],
                           description=_l("Needed if you decline. The organisation will see it."),
                           validators=[MaxLength(2000, _l("The reason"))])
    submit = SubmitField(_l("Save decision"), widget=GovSubmitInput())

    def validate_reason(self, field) -> None:
        if self.decision.data == "decline" and not field.data:
            from wtforms import ValidationError

            raise ValidationError(_("Say why you are declining: the organisation will see your reason"))


class InviteForm(FlaskForm):
    email = EmailField(_l("Email address"), widget=GovTextInput(), filters=[strip],
                       validators=[Required(_l("Enter the email address to invite")), EmailAddress(),
                                   MaxLength(254, _l("The email address"))])
    roles = SelectMultipleField(_l("Roles"), widget=GovCheckboxesInput(), choices=choices((code, _l(label)) for code, label in ROLES.items()),
                                validate_choice=False,
                                validators=[Required(_l("Choose at least one role")), Choices(_l("Choose roles from the list"))])
    organisation_id = SelectField(_l("Acts for organisation (optional)"), widget=GovSelect(), coerce=str,
                                  choices=choices([("", _l("No organisation"))]))
    submit = SubmitField(_l("Send invitation"), widget=GovSubmitInput())


class MembershipForm(FlaskForm):
    roles = SelectMultipleField(_l("Roles"), widget=GovCheckboxesInput(), choices=choices((code, _l(label)) for code, label in ROLES.items()),
                                validate_choice=False,
                                validators=[Choices(_l("Choose roles from the list"))],
                                description=_l("Untick every role to remove the person from the collective."))
    organisation_id = SelectField(_l("Acts for organisation"), widget=GovSelect(), coerce=str,
                                  choices=choices([("", _l("No organisation"))]))
    submit = SubmitField(_l("Save roles"), widget=GovSubmitInput())


class RevokeInvitationForm(FlaskForm):
    reason = TextAreaField(_l("Why are you cancelling this invitation?"), widget=GovTextArea(), filters=[strip],
                           validators=[Required(_l("Say why you are cancelling the invitation")),
                                       MaxLength(2000, _l("The reason"))])
    submit = SubmitField(_l("Cancel the invitation"), widget=GovSubmitInput(), render_kw={"class": "govuk-button--warning"})


class AcceptInvitationForm(FlaskForm):
    name = StringField(_l("Your full name"), widget=GovTextInput(), filters=[strip],
                       validators=[Required(_l("Enter your full name")), MaxLength(120, _l("Your name"))])
    password = PasswordField(_l("Create a password"), widget=GovPasswordInput(),
                             description=_l("At least 10 characters."),
                             validators=[Required(_l("Enter a password")),
                                         Length(min=10, max=200, message=_l("Your password must be at least 10 characters long"))])
    confirm = PasswordField(_l("Confirm your password"), widget=GovPasswordInput(),
                            validators=[Required(_l("Confirm your password")),
                                        EqualTo("password", message=_l("The passwords do not match"))])
    submit = SubmitField(_l("Accept invitation"), widget=GovSubmitInput())


class AcceptAsMemberForm(FlaskForm):
    submit = SubmitField(_l("Accept invitation"), widget=GovSubmitInput())


class CollectiveForm(FlaskForm):
    name = StringField(_l("Name"), widget=GovTextInput(), filters=[strip],
                       validators=[Required(_l("Enter the collective's name")), MaxLength(120, _l("The name"))])
    locality = StringField(_l("Locality"), widget=GovTextInput(), filters=[strip],
                           description=_l("For example: West Birmingham"),
                           validators=[MaxLength(120, _l("The locality"))])
    description = TextAreaField(_l("Description"), widget=GovTextArea(), filters=[strip],
                                validators=[MaxLength(4000, _l("The description"))])
    postal_address = TextAreaField(_l("Postal address (optional)"), widget=GovTextArea(), filters=[strip],
                                   description=_l("Printed at the top of the collective's letters, such as award letters."),
                                   validators=[MaxLength(500, _l("The address"))])
    contact_email = EmailField(_l("Contact email address (optional)"), widget=GovTextInput(), filters=[strip],
                               description=_l("Where grantees write with questions about their grant."),
                               validators=[Optional(), EmailAddress(), MaxLength(254, _l("The email address"))])
    contact_phone = StringField(_l("Contact phone number (optional)"), widget=GovTextInput(), filters=[strip],
                                validators=[MaxLength(40, _l("The phone number"))])
    themes = TextAreaField(_l("Themes (issue-based subgroups)"), widget=GovTextArea(), filters=[strip],
                           description=_l("One per line. Removing a line retires the theme; past rounds keep it."),
                           validators=[Required(_l("Enter at least one theme")), MaxLength(4000, _l("The themes"))])
    outcomes_short = TextAreaField(_l("Short-term outcomes"), widget=GovTextArea(), filters=[strip],
                                   description=_l("Your theory of change: one outcome per line."),
                                   validators=[MaxLength(4000, _l("The outcomes"))])
    outcomes_medium = TextAreaField(_l("Medium-term outcomes"), widget=GovTextArea(), filters=[strip],
                                    validators=[MaxLength(4000, _l("The outcomes"))])
    outcomes_long = TextAreaField(_l("Long-term outcomes"), widget=GovTextArea(), filters=[strip],
                                  validators=[MaxLength(4000, _l("The outcomes"))])
    requires_two_factor = BooleanField(_l("Facilitators and reviewers must use two-factor sign-in"),
                                       widget=GovCheckboxInput())
    variation_move_percent = WholeNumberField(
        _l("Money a facilitator may move between a grant's budget lines (percent of the grant)"),
        what=_l("the percentage"), example="20", maximum=100,
        description=_l("Moving more, or changing what the grant is for, needs the partnership's approval."),
        validators=[Required(_l("Enter a percentage from 0 to 100"))])
    variation_date_months = WholeNumberField(
        _l("Months a facilitator may move a grant's dates by"), what=_l("the number of months"), example="3",
        maximum=24, validators=[Required(_l("Enter a number of months from 0 to 24"))])
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())

    def validate_themes(self, field) -> None:
        from wtforms import ValidationError

        lines = [line.strip() for line in field.data.splitlines() if line.strip()]
        if any(len(line) > 120 for line in lines):
            raise ValidationError(_("Each theme must be 120 characters or fewer"))
        if len({line.lower() for line in lines}) != len(lines):
            raise ValidationError(_("Each theme must appear only once"))

    def _check_outcomes(self, field) -> None:
        from wtforms import ValidationError

        if any(len(line.strip()) > 300 for line in (field.data or "").splitlines()):
            raise ValidationError(_("Each outcome must be 300 characters or fewer"))

    validate_outcomes_short = _check_outcomes
    validate_outcomes_medium = _check_outcomes
    validate_outcomes_long = _check_outcomes


class NewCollectiveForm(FlaskForm):
    name = StringField(_l("Name"), widget=GovTextInput(), filters=[strip],
                       validators=[Required(_l("Enter the collective's name")), MaxLength(120, _l("The name"))])
    slug = StringField(_l("Short name for web addresses"), widget=GovTextInput(), filters=[strip],
                       description=_l("Lower-case letters, numbers and hyphens, for example west-brum"),
                       validators=[Required(_l("Enter a short name")), Length(min=2, max=60, message=_l("The short name must be 2 to 60 characters")),
                                   Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Use lower-case letters, numbers and single hyphens only"))])
    locality = StringField(_l("Locality"), widget=GovTextInput(), filters=[strip], validators=[MaxLength(120, _l("The locality"))])
    facilitator_email = EmailField(_l("Email of the first facilitator"), widget=GovTextInput(), filters=[strip],
                                   description=_l("They must already have an account."),
                                   validators=[Required(_l("Enter the first facilitator's email")), EmailAddress()])
    submit = SubmitField(_l("Create collective"), widget=GovSubmitInput())


__all__ = ["AcceptAsMemberForm", "AcceptInvitationForm", "CollectiveForm", "DecideJoinRequestForm",
           "InviteForm", "JoinForm", "MembershipForm", "NewCollectiveForm", "RevokeInvitationForm"]
