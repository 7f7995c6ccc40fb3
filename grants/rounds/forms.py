"""Forms for setting up a round, moving it on and extending its deadlines."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import NumberRange, Optional

from grants.allocation import RULES
from grants.forms import (
    FlaskForm,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovSubmitOnce,
    GovTextArea,
    GovTextInput,
    LondonDateTimeField,
    MaxLength,
    MoneyField,
    OnceField,
    Distinct,
    Required,
    WholeNumberField,
    choice_id,
    choices,
    strip,
)
from grants.rounds.models import VARIANTS, VOTING_METHODS
from grants.versions import VersionField

# The rules' labels are marked where the rules are declared (grants.allocation); shown translated.
RULE_CHOICES = choices((name, _l(rule.label)) for name, rule in RULES.items())


class RoundForm(FlaskForm):
    name = StringField(_l("Round name"), widget=GovTextInput(), filters=[strip],
                       validators=[Required(_l("Enter a name for the round")), MaxLength(160, _l("The name"))])
    description = TextAreaField(_l("What the round is for"), widget=GovTextArea(), filters=[strip],
                                validators=[MaxLength(4000, _l("The description"))])
    variant = SelectField(_l("How the round runs"), widget=GovRadioInput(), choices=choices(VARIANTS), default="standard",
                          validators=[Required(_l("Choose how the round runs"))])
    budget = MoneyField(_l("Total budget (£)"), minimum=1, validators=[Required(_l("Enter the total budget"))])
    min_grant = MoneyField(_l("Smallest grant (£)"), minimum=1, validators=[Required(_l("Enter the smallest grant"))])
    max_grant = MoneyField(_l("Largest grant (£)"), minimum=1, validators=[Required(_l("Enter the largest grant"))])
    theme_ids = SelectMultipleField(_l("Themes the round funds"), widget=GovCheckboxesInput(), coerce=choice_id,
                                    validate_choice=False,
                                    validators=[Required(_l("Choose at least one theme the round funds")),
                                                Distinct(_l("Choose each theme once"))])
    voting_method = SelectField(_l("Voting method"), widget=GovRadioInput(), choices=choices(VOTING_METHODS),
                                default="approval", validators=[Required(_l("Choose a voting method"))])
    approval_limit = WholeNumberField(_l("Approvals each member may give (K)"), what=_l("the approvals"), example="3",
                                  validators=[Optional(), NumberRange(min=1, max=100, message=_l("Enter a number from 1 to 100"))])
    cumulative_points = WholeNumberField(_l("Points each member may spread (N)"), what=_l("the points"), example="10",
                                     validators=[Optional(), NumberRange(min=1, max=1000, message=_l("Enter a number from 1 to 1000"))])
    allocation_rule = SelectField(_l("Allocation rule"), widget=GovSelect(), choices=RULE_CHOICES, default="greedy_cost",
                                  validators=[Required(_l("Choose an allocation rule"))])
    proposals_open_at = LondonDateTimeField(_l("Proposals open"), validators=[Required(_l("Enter when proposals open"))])
    proposals_close_at = LondonDateTimeField(_l("Proposals close"), validators=[Required(_l("Enter when proposals close"))])
    voting_opens_at = LondonDateTimeField(_l("Voting opens"), validators=[Required(_l("Enter when voting opens"))])
    voting_closes_at = LondonDateTimeField(_l("Voting closes"), validators=[Required(_l("Enter when voting closes"))])
    review_due_at = LondonDateTimeField(_l("Partnership review due"), validators=[Required(_l("Enter when the review is due"))])
    reminder_hours = WholeNumberField(_l("Remind members who have not voted this many hours before voting closes"),
                                  what=_l("the hours"), example="48", default=48,
                                  validators=[Required(_l("Enter a number of hours")),
                                              NumberRange(min=1, max=720, message=_l("Enter a number from 1 to 720"))])
    small_grant_limit = MoneyField(_l("Grants up to this amount file one short end report (£)"), default=100_000,
                                   minimum=1, validators=[Required(_l("Enter the small-grant threshold"))])
    medium_grant_limit = MoneyField(_l("Grants up to this amount file an end report with a spend summary; larger grants also file a mid-point report (£)"), default=500_000, minimum=1,
                                    validators=[Required(_l("Enter the medium-grant threshold"))])
    ratifications_needed = WholeNumberField(_l("Reviewers who must ratify the allocation"), what=_l("the reviewers"), example="1", default=1,
                                        validators=[Required(_l("Enter how many reviewers must ratify")),
                                                    NumberRange(min=1, max=20, message=_l("Enter a number from 1 to 20"))])
    submit = SubmitField(_l("Save round"), widget=GovSubmitInput())

    version = VersionField()

    def values(self) -> dict:
        names = ("name", "description", "variant", "budget", "min_grant", "max_grant", "voting_method",
                 "approval_limit", "cumulative_points", "allocation_rule", "proposals_open_at", "proposals_close_at",
                 "voting_opens_at", "voting_closes_at", "review_due_at", "reminder_hours", "small_grant_limit",
                 "medium_grant_limit", "ratifications_needed")
        values = {name: getattr(self, name).data for name in names}
        if values["voting_method"] != "approval_limited":
            values["approval_limit"] = None
        if values["voting_method"] != "cumulative":
            values["cumulative_points"] = None
        return values


def round_form(themes, data=None, obj=None, pot_amounts=None) -> RoundForm:
    """The round form for a collective: its themes to choose, and a ring-fenced pot box for each."""

    class CollectiveRoundForm(RoundForm):
        pass

    for theme in themes:
        setattr(CollectiveRoundForm, f"pot_{theme.id}", MoneyField(_l("Ring-fenced for %(theme)s (£, optional)", theme=theme.name)))
    form = CollectiveRoundForm(obj=obj, data=data)
    form.theme_ids.choices = choices((t.id, t.name) for t in themes)
    form.pot_fields = [(theme, getattr(form, f"pot_{theme.id}")) for theme in themes]
    if obj is not None and not form.is_submitted():
        for theme, field in form.pot_fields:
            field.data = (pot_amounts or {}).get(theme.id)
    return form


def pot_amounts(form) -> dict[int, int]:
    return {theme.id: field.data for theme, field in form.pot_fields if field.data}


class MoveRoundForm(FlaskForm):
    transition = HiddenField(validators=[Required(_l("Choose what to do"))])
    reason = TextAreaField(_l("Reason"), widget=GovTextArea(), filters=[strip], validators=[MaxLength(2000, _l("The reason"))])
    # Sent only by a confirmation page (``grants.rounds.confirmations``): the move is made once.
    confirmed = HiddenField()
    once = OnceField()


class ConfirmMoveForm(MoveRoundForm):
    reason = TextAreaField(_l("Why are you cancelling the round?"), widget=GovTextArea(), filters=[strip],
                           description=_l("The reason is kept with the round and given to every proposal withdrawn."),
                           validators=[MaxLength(2000, _l("The reason"))])
    submit = SubmitField(_l("Confirm"), widget=GovSubmitOnce())


class ExtendDeadlineForm(FlaskForm):
    field = SelectField(_l("Which date"), widget=GovSelect(), validators=[Required(_l("Choose which date to extend"))],
                        choices=choices([("proposals_close_at", _l("Proposals close")), ("voting_opens_at", _l("Voting opens")),
                                         ("voting_closes_at", _l("Voting closes")), ("review_due_at", _l("Review due"))]))
    new_value = LondonDateTimeField(_l("New date and time (London time)"), validators=[Required(_l("Enter the new date and time"))])
    submit = SubmitField(_l("Extend the deadline"), widget=GovSubmitInput())


class RecountForm(FlaskForm):
    submit = SubmitField(_l("Run the count again"), widget=GovSubmitInput())


__all__ = ["ConfirmMoveForm", "ExtendDeadlineForm", "MoveRoundForm", "RecountForm", "RoundForm", "pot_amounts", "round_form"]


class ImportElectionForm(FlaskForm):
    """The election file (its hint, with the size limit of ``ELECTION_IMPORT_BYTES``, is set by the route)."""

    file = FileField(_l("pabulib file"), widget=GovFileInput(),
                     validators=[FileRequired(_l("Choose a .pb file to upload"))])
    submit = SubmitField(_l("Import the election"), widget=GovSubmitInput())
