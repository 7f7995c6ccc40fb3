"""Forms for setting up a round, moving it on and extending its deadlines."""

from __future__ import annotations

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

RULE_CHOICES = choices((name, rule.label) for name, rule in RULES.items())


class RoundForm(FlaskForm):
    name = StringField("Round name", widget=GovTextInput(), filters=[strip],
                       validators=[Required("Enter a name for the round"), MaxLength(160, "The name")])
    description = TextAreaField("What the round is for", widget=GovTextArea(), filters=[strip],
                                validators=[MaxLength(4000, "The description")])
    variant = SelectField("How the round runs", widget=GovRadioInput(), choices=choices(VARIANTS), default="standard",
                          validators=[Required("Choose how the round runs")])
    budget = MoneyField("Total budget (£)", minimum=1, validators=[Required("Enter the total budget")])
    min_grant = MoneyField("Smallest grant (£)", minimum=1, validators=[Required("Enter the smallest grant")])
    max_grant = MoneyField("Largest grant (£)", minimum=1, validators=[Required("Enter the largest grant")])
    theme_ids = SelectMultipleField("Themes the round funds", widget=GovCheckboxesInput(), coerce=choice_id,
                                    validate_choice=False,
                                    validators=[Required("Choose at least one theme the round funds"),
                                                Distinct("Choose each theme once")])
    voting_method = SelectField("Voting method", widget=GovRadioInput(), choices=choices(VOTING_METHODS),
                                default="approval", validators=[Required("Choose a voting method")])
    approval_limit = WholeNumberField("Approvals each member may give (K)", what="the approvals", example="3",
                                  validators=[Optional(), NumberRange(min=1, max=100, message="Enter a number from 1 to 100")])
    cumulative_points = WholeNumberField("Points each member may spread (N)", what="the points", example="10",
                                     validators=[Optional(), NumberRange(min=1, max=1000, message="Enter a number from 1 to 1000")])
    allocation_rule = SelectField("Allocation rule", widget=GovSelect(), choices=RULE_CHOICES, default="greedy_cost",
                                  validators=[Required("Choose an allocation rule")])
    proposals_open_at = LondonDateTimeField("Proposals open", validators=[Required("Enter when proposals open")])
    proposals_close_at = LondonDateTimeField("Proposals close", validators=[Required("Enter when proposals close")])
    voting_opens_at = LondonDateTimeField("Voting opens", validators=[Required("Enter when voting opens")])
    voting_closes_at = LondonDateTimeField("Voting closes", validators=[Required("Enter when voting closes")])
    review_due_at = LondonDateTimeField("Partnership review due", validators=[Required("Enter when the review is due")])
    reminder_hours = WholeNumberField("Remind members who have not voted this many hours before voting closes",
                                  what="the hours", example="48", default=48,
                                  validators=[Required("Enter a number of hours"),
                                              NumberRange(min=1, max=720, message="Enter a number from 1 to 720")])
    small_grant_limit = MoneyField("Grants up to this amount file one short end report (£)", default=100_000,
                                   minimum=1, validators=[Required("Enter the small-grant threshold")])
    medium_grant_limit = MoneyField("Grants up to this amount file an end report with a spend summary; "
                                    "larger grants also file a mid-point report (£)", default=500_000, minimum=1,
                                    validators=[Required("Enter the medium-grant threshold")])
    ratifications_needed = WholeNumberField("Reviewers who must ratify the allocation", what="the reviewers", example="1", default=1,
                                        validators=[Required("Enter how many reviewers must ratify"),
                                                    NumberRange(min=1, max=20, message="Enter a number from 1 to 20")])
    submit = SubmitField("Save round", widget=GovSubmitInput())

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
        setattr(CollectiveRoundForm, f"pot_{theme.id}", MoneyField(f"Ring-fenced for {theme.name} (£, optional)"))
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
    transition = HiddenField(validators=[Required("Choose what to do")])
    reason = TextAreaField("Reason", widget=GovTextArea(), filters=[strip], validators=[MaxLength(2000, "The reason")])
    # Sent only by a confirmation page (``grants.rounds.confirmations``): the move is made once.
    confirmed = HiddenField()
    once = OnceField()


class ConfirmMoveForm(MoveRoundForm):
    reason = TextAreaField("Why are you cancelling the round?", widget=GovTextArea(), filters=[strip],
                           description="The reason is kept with the round and given to every proposal withdrawn.",
                           validators=[MaxLength(2000, "The reason")])
    submit = SubmitField("Confirm", widget=GovSubmitOnce())


class ExtendDeadlineForm(FlaskForm):
    field = SelectField("Which date", widget=GovSelect(), validators=[Required("Choose which date to extend")],
                        choices=choices([("proposals_close_at", "Proposals close"), ("voting_opens_at", "Voting opens"),
                                         ("voting_closes_at", "Voting closes"), ("review_due_at", "Review due")]))
    new_value = LondonDateTimeField("New date and time (London time)", validators=[Required("Enter the new date and time")])
    submit = SubmitField("Extend the deadline", widget=GovSubmitInput())


class RecountForm(FlaskForm):
    submit = SubmitField("Run the count again", widget=GovSubmitInput())


__all__ = ["ConfirmMoveForm", "ExtendDeadlineForm", "MoveRoundForm", "RecountForm", "RoundForm", "pot_amounts", "round_form"]
