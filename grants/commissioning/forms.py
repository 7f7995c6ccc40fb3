"""Forms of reverse commissioning: evidence upload, cycles, events, feedback, needs, decisions, "we did"."""

from __future__ import annotations

import re

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from wtforms import DateField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional, ValidationError

from grants.commissioning.models import EVENT_KINDS
from grants.govuk_i18n import GovDateInput
from grants.forms import (
    Choices,
    FlaskForm,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    MaxLength,
    Required,
    WholeNumberField,
    choices,
    strip,
)
from grants.ids import parse_id
from grants.reference import ETHNIC_CATEGORIES
from grants.versions import VersionField

MAX_UPLOAD_MB = 20


class CountField(WholeNumberField):
    """A whole number of people, 0 or more, with messages a person can act on."""

    def __init__(self, label=None, validators=None, what: str = _l("a number"), **kwargs):
        super().__init__(label, validators, what=what, maximum=10_000_000, **kwargs)


def _community_count_fields(prefix: str, what) -> dict:
    """One count field per category; ``what(category)`` names the count in messages (lazily translated)."""
    return {f"{prefix}{c.code}": CountField(c.name, validators=[Optional()], what=what(c)) for c in ETHNIC_CATEGORIES}


class ByCommunity:
    """Mixin: one optional count per ONS category, read back as ``{code: count}``."""

    COUNT_PREFIX = "count_"

    def by_community(self) -> dict[str, int]:
        return {c.code: getattr(self, self.COUNT_PREFIX + c.code).data for c in ETHNIC_CATEGORIES
                if getattr(self, self.COUNT_PREFIX + c.code).data}

    def community_fields(self) -> dict:
        return {c.code: getattr(self, self.COUNT_PREFIX + c.code) for c in ETHNIC_CATEGORIES}


class DayMonthYearField(DateField):
    """A date typed as day, month and year (the GOV.UK date input), with a message a person can act on."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("widget", GovDateInput())
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if len(valuelist) != 3:
            # The page sends day, month and year; anything else is shown again as three boxes.
            self.raw_data = ([*valuelist, "", "", ""])[:3]
            if valuelist:
                raise ValueError(_("Enter a real date, with the day, month and year, like 27 3 2027"))
        if valuelist and not " ".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_("Enter a real date, with the day, month and year, like 27 3 2027")) from error


class UploadForm(FlaskForm):
    kind = SelectField(_l("What does the file contain?"), widget=GovRadioInput(),
                       choices=choices([("usage", _l("Service use: service,period,area,ethnic_group,count")),
                                        ("population", _l("Population baseline: area,ethnic_group,population"))]),
                       validators=[Required(_l("Choose what the file contains"))])
    file = FileField(_l("CSV file"), widget=GovFileInput(),
                     description=_l("A CSV file saved as UTF-8, up to %(limit)s MB.", limit=MAX_UPLOAD_MB),
                     validators=[FileRequired(_l("Choose a CSV file to upload"))])
    submit = SubmitField(_l("Import"), widget=GovSubmitInput())


class ThresholdForm(FlaskForm):
    threshold = StringField(_l("Under-served threshold"), widget=GovTextInput(), filters=[strip],
                            description=_l("A group is under-served when the whole %(percent)s interval of its representation "
                                           "ratio is below this. For example 0.8. Leave empty for the default.",
                                           percent="95%"),
                            render_kw={"inputmode": "decimal", "spellcheck": "false"})
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())

    def percent(self) -> int | None:
        return None if not self.threshold.data else round(float(self.threshold.data) * 100)

    def validate_threshold(self, field) -> None:
        if not field.data:
            return
        if not re.fullmatch(r"[0-9]{0,3}(\.[0-9]{0,12})?", field.data) or field.data == ".":
            raise ValidationError(_("Enter the threshold as a number, like 0.8"))
        value = float(field.data)
        if not 0.01 <= value <= 1 or round(value * 100) != round(value * 100, 6):
            raise ValidationError(_("Enter a threshold between 0.01 and 1, with at most two decimal places"))


class CycleForm(FlaskForm):
    name = StringField(_l("Name of the cycle"), widget=GovTextInput(), filters=[strip],
                       description=_l("For example: 2027 community health"),
                       validators=[Required(_l("Enter a name for the cycle")), MaxLength(120, _l("The name"))])
    description = TextAreaField(_l("What is this cycle about? (optional)"), widget=GovTextArea(), filters=[strip],
                                validators=[MaxLength(4000, _l("The description"))])
    submit = SubmitField(_l("Start the cycle"), widget=GovSubmitInput())


class MoveCycleForm(FlaskForm):
    transition = SelectField(_l("What next?"), widget=GovRadioInput(), choices=[],
                             validators=[Required(_l("Choose what to do next"))])
    reason = TextAreaField(_l("Reason"), widget=GovTextArea(), filters=[strip],
                           description=_l("Needed when going back or reopening: say why."),
                           validators=[MaxLength(2000, _l("The reason"))])
    submit = SubmitField(_l("Move the cycle on"), widget=GovSubmitInput())


class ChooseRoundForm(FlaskForm):
    """The round that funds the cycle's priorities; shown on the cycle page with the prefix ``round``.

    The choices are not checked here: the operation says "Choose a round from the list" beside the
    field for a round of another collective, a cancelled one or a made-up id."""

    round_id = SelectField(_l("Round that funds these priorities"), widget=GovSelect(), choices=[], validate_choice=False,
                           description=_l("Its themes and ring-fenced pots answer the priorities; its grants' reports "
                                          "say what was done."))
    submit = SubmitField(_l("Save the round"), widget=GovSubmitInput())

    def chosen_id(self) -> int | None:
        """The chosen round id, None for "no round"; anything but an id the database could hold is -1
        (which no round has, so the operation refuses it)."""
        value = (self.round_id.data or "").strip()
        if not value:
            return None
        return parse_id(value) or -1


class EvidenceChoiceForm(FlaskForm):
    datasets = SelectMultipleField(_l("Service-use datasets"), widget=GovCheckboxesInput(), choices=[],
                                   validate_choice=False, validators=[Choices(_l("Choose datasets from the list"))])
    submit = SubmitField(_l("Save the evidence"), widget=GovSubmitInput())


class EventForm(ByCommunity, FlaskForm):
    title = StringField(_l("Name of the event"), widget=GovTextInput(), filters=[strip],
                        description=_l("For example: Health and wellbeing workshop after Friday prayers"),
                        validators=[Required(_l("Enter the name of the event")), MaxLength(120, _l("The name"))])
    held_on = DayMonthYearField(_l("Date"), description=_l("For example, 27 3 2027"),
                                validators=[Required(_l("Enter the date of the event"))])
    place = StringField(_l("Place"), widget=GovTextInput(), filters=[strip],
                        validators=[Required(_l("Enter where the event took place")), MaxLength(200, _l("The place"))])
    kind = SelectField(_l("Kind of event"), widget=GovRadioInput(), choices=choices(EVENT_KINDS.lazy()),
                       validators=[Required(_l("Choose what kind of event it was"))])
    hosts = SelectMultipleField(_l("Community partners who hosted it"), widget=GovCheckboxesInput(), choices=[],
                                validate_choice=False,
                                validators=[Required(_l("Choose the community partners who hosted the event")),
                                            Choices(_l("Choose hosts from the collective's organisations"))])
    participants = CountField(_l("Number of participants"), what=_l("the number of participants"),
                              validators=[Required(_l("Enter the number of participants"))])
    notes = TextAreaField(_l("Notes (optional)"), widget=GovTextArea(), filters=[strip],
                          validators=[MaxLength(4000, _l("The notes"))])
    submit = SubmitField(_l("Record the event"), widget=GovSubmitInput())


for _name, _field in _community_count_fields(
        ByCommunity.COUNT_PREFIX, lambda c: _l("participants (%(community)s)", community=c.name)).items():
    setattr(EventForm, _name, _field)


class FeedbackForm(FlaskForm):
    text = TextAreaField(_l("What was said"), widget=GovTextArea(), filters=[strip],
                         description=_l("In short, and in people's own words where you can. 500 characters at most."),
                         validators=[Required(_l("Write what was said")), MaxLength(500, _l("What was said"))])
    themes = SelectMultipleField(_l("Themes"), widget=GovCheckboxesInput(), choices=[], validate_choice=False,
                                 validators=[Choices(_l("Choose themes from the list"))])
    communities = SelectMultipleField(_l("Communities it came from"), validate_choice=False,
                                      choices=choices((c.code, c.name) for c in ETHNIC_CATEGORIES),
                                      validators=[Choices(_l("Choose communities from the list"))])
    submit = SubmitField(_l("Add the feedback"), widget=GovSubmitInput())


class NeedForm(FlaskForm):
    title = StringField(_l("Short title"), widget=GovTextInput(), filters=[strip],
                        description=_l("For example: Registering with a GP without papers"),
                        validators=[Required(_l("Enter a short title for the need")), MaxLength(120, _l("The title"))])
    statement = TextAreaField(_l("The need, in the community's words"), widget=GovTextArea(), filters=[strip],
                              description=_l("Write it as people said it. It is published on the “You said, we did” page."),
                              validators=[Required(_l("Write the need in the community's words")),
                                          MaxLength(2000, _l("The need"))])
    evidence = SelectMultipleField(_l("Gaps that support it"), widget=GovCheckboxesInput(), choices=[],
                                   validate_choice=False, validators=[Choices(_l("Choose evidence from the list"))])
    feedback = SelectMultipleField(_l("Feedback that supports it"), widget=GovCheckboxesInput(), choices=[],
                                   validate_choice=False, validators=[Choices(_l("Choose feedback from the list"))])
    submit = SubmitField(_l("Save the need"), widget=GovSubmitInput())

    def evidence_keys(self) -> list[tuple[int, str, str]]:
        keys = []
        for value in self.evidence.data or []:
            dataset_id, area, code = value.split("|", 2)
            keys.append((int(dataset_id), area, code))
        return keys


class DecideNeedForm(FlaskForm):
    decision = SelectField(_l("The partnership's decision"), widget=GovRadioInput(),
                           choices=choices([("priority", _l("Agree it as a priority")),
                                            ("not_taken_forward", _l("Do not take it forward"))]),
                           validators=[Required(_l("Choose whether to agree this need as a priority"))])
    themes = SelectMultipleField(_l("Themes that will answer it"), widget=GovCheckboxesInput(), choices=[],
                                 validate_choice=False, description=_l("Needed when you agree it as a priority."),
                                 validators=[Choices(_l("Choose themes from the list"))])
    note = TextAreaField(_l("Note or reason"), widget=GovTextArea(), filters=[strip],
                         description=_l("Needed if you do not take it forward: the community will see your reason."),
                         validators=[MaxLength(2000, _l("The note"))])
    version = VersionField()
    submit = SubmitField(_l("Save the decision"), widget=GovSubmitInput())

    def validate_themes(self, field) -> None:
        if self.decision.data == "priority" and not field.data:
            raise ValidationError(_("Choose at least one theme that will answer this priority"))

    def validate_note(self, field) -> None:
        if self.decision.data == "not_taken_forward" and not field.data:
            raise ValidationError(_("Say why the need is not taken forward: the community will see your reason"))


class WeDidForm(ByCommunity, FlaskForm):
    text = TextAreaField(_l("What was done"), widget=GovTextArea(), filters=[strip],
                         description=_l("In plain words, for the communities who raised the need."),
                         validators=[Required(_l("Say what was done")), MaxLength(4000, _l("What was done"))])
    submit = SubmitField(_l("Record what was done"), widget=GovSubmitInput())


for _name, _field in _community_count_fields(
        ByCommunity.COUNT_PREFIX, lambda c: _l("people reached (%(community)s)", community=c.name)).items():
    setattr(WeDidForm, _name, _field)


class ConfirmGrantsForm(FlaskForm):
    """Which of the grants matched to a priority by theme really answer it."""

    grants = SelectMultipleField(_l("Grants that answer this priority"), widget=GovCheckboxesInput(), choices=[],
                                 validate_choice=False, validators=[Choices(_l("Choose grants from the list"))],
                                 description=_l("Tick only the projects that did something about this need. "
                                             "Leave the others: sharing a theme is not enough."))
    submit = SubmitField(_l("Save the grants that answer it"), widget=GovSubmitInput())


class CheckWeDidForm(FlaskForm):
    """A reviewer confirms a "we did" entry is right; it is then published."""

    submit = SubmitField(_l("It is right: publish it"), widget=GovSubmitInput())


def int_ids(values) -> list[int]:
    return [parse_id(v) for v in values or [] if parse_id(v) is not None]
