"""The light-touch proposal form, and the forms to withdraw a proposal or decide its eligibility."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, FormField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import NumberRange, Optional

from grants.forms import (
    Choices,
    FlaskForm,
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    MaxLength,
    MoneyField,
    Required,
    WholeNumberField,
    choice_id,
    choices,
    strip,
)
from grants.proposals.models import FEEDBACK_LIMIT, SUMMARY_LIMIT, TITLE_LIMIT
from grants.reference import ETHNIC_CATEGORIES
from grants.versions import VersionField

BUDGET_ROWS = 8


class BudgetLineForm(FlaskForm):
    class Meta:
        csrf = False  # part of the proposal form, which has its own token

    description = StringField(_l("What it pays for"), widget=GovTextInput(), filters=[strip],
                              validators=[MaxLength(200, _l("The description"))])
    amount = MoneyField(_l("Amount (£)"))

    def validate_amount(self, field) -> None:
        from flask_babel import gettext as _
        from wtforms import ValidationError

        if field.errors:  # what was typed is not an amount: that message says it all
            return
        if self.description.data and field.data is None:
            raise ValidationError(_("Enter the amount for this line"))
        if field.data is not None and not self.description.data:
            raise ValidationError(_("Say what this amount pays for"))
        if field.data is not None and field.data <= 0:
            raise ValidationError(_("Amounts must be more than £0"))


class ProposalForm(FlaskForm):
    title = StringField(_l("Project title"), widget=GovTextInput(), filters=[strip],
                        validators=[MaxLength(TITLE_LIMIT, _l("The title"))])
    summary = TextAreaField(_l("Summary"), widget=GovCharacterCount(), filters=[strip],
                            description=_l("In plain words: what you will do, with whom, and why it matters."),
                            validators=[MaxLength(SUMMARY_LIMIT, _l("The summary"))])
    amount_requested = MoneyField(_l("Amount you are asking for (£)"))
    theme_id = SelectField(_l("Theme"), widget=GovRadioInput(), coerce=choice_id, validate_choice=False,
                           validators=[Optional()])
    communities_served = SelectMultipleField(_l("Communities the project serves"),
                                             choices=choices((c.code, c.name) for c in ETHNIC_CATEGORIES),
                                             validate_choice=False, validators=[Choices(_l("Choose communities from the list"))])
    outcome_ids = SelectMultipleField(_l("Which outcomes of the theory of change does it aim at?"),
                                      widget=GovCheckboxesInput(), coerce=choice_id, validate_choice=False)
    people_reached = WholeNumberField(_l("How many people do you expect to reach?"), what=_l("the number of people"),
                                  validators=[Optional(), NumberRange(min=0, max=1_000_000,
                                                                      message=_l("Enter a number of people, 0 or more"))])
    budget_lines = FieldList(FormField(BudgetLineForm), min_entries=BUDGET_ROWS, max_entries=BUDGET_ROWS)
    version = VersionField()
    summary_limit = SUMMARY_LIMIT  # for the page: the character count and the browser's check
    # The first button is what Enter in a text box presses: saving, never submitting. Submitting
    # goes through the check-your-answers page.
    save = SubmitField(_l("Save draft"), widget=GovSubmitInput())
    check_answers = SubmitField(_l("Save and check your answers"), widget=GovSubmitInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        #: Problems with the budget as a whole (not one line), shown above its lines and in the summary.
        self.budget_errors: list[str] = []

    def fields_in_error(self) -> frozenset[str]:
        """The fields whose own checks failed: the round's rules are not applied to what did not parse."""
        names = {name for name, field in self._fields.items() if field.errors and name != "budget_lines"}
        if any(entry.form.errors for entry in self.budget_lines):
            names.add("budget_lines")
        return frozenset(names)

    def show_problem(self, problem) -> None:
        """A refusal from the proposal's rules, beside its field (budget-wide ones above the lines)."""
        if problem.field == "budget_lines":
            self.budget_errors.append(problem.message)
        elif problem.field in self._fields:
            field = self._fields[problem.field]
            field.errors = [*field.errors, problem.message]
        else:
            self.form_errors.append(problem.message)

    @property
    def summary_extra(self) -> list[dict]:
        """The error-summary entries that belong to no single field (``form_errors(form, extra=...)``)."""
        return [{"text": message, "href": "#budget_lines"} for message in self.budget_errors]

    def values(self) -> dict:
        return {
            "title": self.title.data or "", "summary": self.summary.data or "",
            "amount_requested": self.amount_requested.data or 0,
            "theme_id": self.theme_id.data or None,
            "communities_served": list(dict.fromkeys(self.communities_served.data or [])),
            "outcome_ids": list(dict.fromkeys(self.outcome_ids.data or [])),
            "people_reached": self.people_reached.data or 0,
        }

    def lines(self) -> list[tuple[str, int]]:
        # entry.form: a FormField's own .description (its hint text) would shadow the subfield
        return [(entry.form.description.data, entry.form.amount.data) for entry in self.budget_lines
                if entry.form.description.data and entry.form.amount.data]


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why are you withdrawing? (optional)"), widget=GovTextArea(), filters=[strip],
                           validators=[MaxLength(2000, _l("The reason"))])
    submit = SubmitField(_l("Withdraw the proposal"), widget=GovSubmitInput(), render_kw={"class": "govuk-button--warning"})


class EligibilityForm(FlaskForm):
    decision = SelectField(_l("Is the proposal eligible?"), widget=GovRadioInput(),
                           choices=choices([("eligible", _l("Eligible: it goes to the vote")),
                                            ("ineligible", _l("Not eligible"))]),
                           validators=[Required(_l("Choose eligible or not eligible"))])
    reason = TextAreaField(_l("Reason the applicant will see"), widget=GovTextArea(), filters=[strip],
                           description=_l("Needed if the proposal is not eligible."),
                           validators=[MaxLength(2000, _l("The reason"))])
    submit = SubmitField(_l("Save decision"), widget=GovSubmitInput())


class FeedbackForm(FlaskForm):
    """The facilitator's note to the applicant of a proposal that was not funded."""

    note = TextAreaField(_l("Feedback for the applicant (optional)"), widget=GovTextArea(), filters=[strip],
                         validators=[MaxLength(FEEDBACK_LIMIT, _l("The feedback"))])
    version = VersionField()
    submit = SubmitField(_l("Save feedback"), widget=GovSubmitInput())


class PartnerForm(FlaskForm):
    """The lead invites a partner organisation into a joint proposal, with its share of the budget."""

    # which organisations may be chosen is the operation's to say (beside this field, in its words)
    organisation_id = SelectField(_l("Organisation"), widget=GovSelect(), coerce=choice_id, validate_choice=False,
                                  validators=[Required(_l("Choose an organisation of the collective"))])
    share = MoneyField(_l("Its share of the budget (£)"),
                       description=_l("The part of the money it will spend. Your organisation's part is the rest."))
    invite = SubmitField(_l("Invite the partner"), widget=GovSubmitInput())


class PartnerAnswerForm(FlaskForm):
    """A partner organisation takes part in a joint proposal, or declines."""

    accept = SubmitField(_l("Take part"), widget=GovSubmitInput())
    decline = SubmitField(_l("Decline"), widget=GovSubmitInput(), render_kw={"class": "govuk-button--secondary"})


class ProposalActionForm(FlaskForm):
    """Submit or reopen: a button and its CSRF token."""

