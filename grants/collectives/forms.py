"""Forms for collectives: joining, deciding join requests, invitations, roles and settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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
    strip,
)
from grants.organisations.forms import OrganisationFields
from grants.reference import ROLES


class JoinForm(OrganisationFields):
    message = TextAreaField("Why would you like to join? (optional)", widget=GovTextArea(), filters=[strip],
                            validators=[MaxLength(2000, "Your message")])
    submit = SubmitField("Ask to join", widget=GovSubmitInput())


class DecideJoinRequestForm(FlaskForm):
    decision = SelectField("Your decision", widget=GovRadioInput(),
                           choices=choices([("approve", "Approve: the organisation joins the collective"),
                                            ("decline", "Decline")]),
                           validators=[Required("Choose approve or decline")])
    reason = TextAreaField("Reason", widget=GovTextArea(), filters=[strip],
                           description="Needed if you decline. The organisation will see it.",
                           validators=[MaxLength(2000, "The reason")])
    submit = SubmitField("Save decision", widget=GovSubmitInput())

    def validate_reason(self, field) -> None:
        if self.decision.data == "decline" and not field.data:
            from wtforms import ValidationError

            raise ValidationError("Say why you are declining: the organisation will see your reason")


class InviteForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(), filters=[strip],
                       validators=[Required("Enter the email address to invite"), EmailAddress(),
                                   MaxLength(254, "The email address")])
    roles = SelectMultipleField("Roles", widget=GovCheckboxesInput(), choices=choices(ROLES),
                                validate_choice=False,
                                validators=[Required("Choose at least one role"), Choices("Choose roles from the list")])
    organisation_id = SelectField("Acts for organisation (optional)", widget=GovSelect(), coerce=str,
                                  choices=choices([("", "No organisation")]))
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class MembershipForm(FlaskForm):
    roles = SelectMultipleField("Roles", widget=GovCheckboxesInput(), choices=choices(ROLES),
                                validate_choice=False,
                                validators=[Choices("Choose roles from the list")],
                                description="Untick every role to remove the person from the collective.")
    organisation_id = SelectField("Acts for organisation", widget=GovSelect(), coerce=str,
                                  choices=choices([("", "No organisation")]))
    submit = SubmitField("Save roles", widget=GovSubmitInput())


class RevokeInvitationForm(FlaskForm):
    reason = TextAreaField("Why are you cancelling this invitation?", widget=GovTextArea(), filters=[strip],
                           validators=[Required("Say why you are cancelling the invitation"),
                                       MaxLength(2000, "The reason")])
    submit = SubmitField("Cancel the invitation", widget=GovSubmitInput(), render_kw={"class": "govuk-button--warning"})


class AcceptInvitationForm(FlaskForm):
    name = StringField("Your full name", widget=GovTextInput(), filters=[strip],
                       validators=[Required("Enter your full name"), MaxLength(120, "Your name")])
    password = PasswordField("Create a password", widget=GovPasswordInput(),
                             description="At least 10 characters.",
                             validators=[Required("Enter a password"),
                                         Length(min=10, max=200, message="Your password must be at least 10 characters long")])
    confirm = PasswordField("Confirm your password", widget=GovPasswordInput(),
                            validators=[Required("Confirm your password"),
                                        EqualTo("password", message="The passwords do not match")])
    submit = SubmitField("Accept invitation", widget=GovSubmitInput())


class AcceptAsMemberForm(FlaskForm):
    submit = SubmitField("Accept invitation", widget=GovSubmitInput())


class CollectiveForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(), filters=[strip],
                       validators=[Required("Enter the collective's name"), MaxLength(120, "The name")])
    locality = StringField("Locality", widget=GovTextInput(), filters=[strip],
                           description="For example: West Birmingham",
                           validators=[MaxLength(120, "The locality")])
    description = TextAreaField("Description", widget=GovTextArea(), filters=[strip],
                                validators=[MaxLength(4000, "The description")])
    postal_address = TextAreaField("Postal address (optional)", widget=GovTextArea(), filters=[strip],
                                   description="Printed at the top of the collective's letters, such as award letters.",
                                   validators=[MaxLength(500, "The address")])
    contact_email = EmailField("Contact email address (optional)", widget=GovTextInput(), filters=[strip],
                               description="Where grantees write with questions about their grant.",
                               validators=[Optional(), EmailAddress(), MaxLength(254, "The email address")])
    contact_phone = StringField("Contact phone number (optional)", widget=GovTextInput(), filters=[strip],
                                validators=[MaxLength(40, "The phone number")])
    themes = TextAreaField("Themes (issue-based subgroups)", widget=GovTextArea(), filters=[strip],
                           description="One per line. Removing a line retires the theme; past rounds keep it.",
                           validators=[Required("Enter at least one theme"), MaxLength(4000, "The themes")])
    outcomes_short = TextAreaField("Short-term outcomes", widget=GovTextArea(), filters=[strip],
                                   description="Your theory of change: one outcome per line.",
                                   validators=[MaxLength(4000, "The outcomes")])
    outcomes_medium = TextAreaField("Medium-term outcomes", widget=GovTextArea(), filters=[strip],
                                    validators=[MaxLength(4000, "The outcomes")])
    outcomes_long = TextAreaField("Long-term outcomes", widget=GovTextArea(), filters=[strip],
                                  validators=[MaxLength(4000, "The outcomes")])
    requires_two_factor = BooleanField("Facilitators and reviewers must use two-factor sign-in",
                                       widget=GovCheckboxInput())
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_themes(self, field) -> None:
        from wtforms import ValidationError

        lines = [line.strip() for line in field.data.splitlines() if line.strip()]
        if any(len(line) > 120 for line in lines):
            raise ValidationError("Each theme must be 120 characters or fewer")
        if len({line.lower() for line in lines}) != len(lines):
            raise ValidationError("Each theme must appear only once")

    def _check_outcomes(self, field) -> None:
        from wtforms import ValidationError

        if any(len(line.strip()) > 300 for line in (field.data or "").splitlines()):
            raise ValidationError("Each outcome must be 300 characters or fewer")

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
