"""The slim report form, built for one report: its grant's budget lines and the outcomes it aimed at."""

from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import NumberRange, Optional

from grants.forms import (
    FlaskForm,
    GovCharacterCount,
    GovCheckboxInput,
    GovSubmitOnce,
    GovTextArea,
    MaxLength,
    MoneyField,
    WholeNumberField,
    OnceField,
    strip,
)
from grants.money import format_pence
from grants.reference import ETHNIC_CATEGORIES
from grants.versions import VersionField


class ReportForm(FlaskForm):
    what_happened = TextAreaField(_l("What happened?"), widget=GovCharacterCount(), filters=[strip],
                                  description=_l("A few sentences: what you did, with whom, and what changed."),
                                  validators=[MaxLength(2000, _l("What happened"))])
    story = TextAreaField(_l("One story or quote (optional)"), widget=GovTextArea(), filters=[strip],
                          validators=[MaxLength(1500, _l("The story"))])
    story_consent = BooleanField(_l("The people in this story agreed to it being shared"), widget=GovCheckboxInput())
    photo = FileField(_l("A photo (optional)"))  # its hint, with the limit, is in the template
    once = OnceField()
    version = VersionField()
    save = SubmitField(_l("Save draft"), widget=GovSubmitOnce())
    save_and_submit = SubmitField(_l("Save and submit"), widget=GovSubmitOnce())


class ReviewReportForm(FlaskForm):
    note = TextAreaField(_l("What needs to change?"), widget=GovTextArea(), filters=[strip],
                         validators=[MaxLength(2000, _l("The note"))])
    once = OnceField()
    accept = SubmitField(_l("Accept the report"), widget=GovSubmitOnce())
    ask_changes = SubmitField(_l("Ask for changes"), widget=GovSubmitOnce())


def report_form(report, outcomes, lines, formdata=None) -> ReportForm:
    class OneReportForm(ReportForm):
        pass

    for category in ETHNIC_CATEGORIES:
        setattr(OneReportForm, f"people_{category.code}", WholeNumberField(
            category.label, what=_("the people reached (%(community)s)", community=category.label),
            validators=[Optional(), NumberRange(min=0, max=1_000_000, message=_("Enter a whole number, 0 or more"))]))
    for outcome in outcomes:
        setattr(OneReportForm, f"outcome_{outcome.id}", TextAreaField(
            outcome.text, widget=GovTextArea(), filters=[strip], validators=[MaxLength(1000, _("The answer"))]))
    if report.asks_spend:
        for line in lines:
            setattr(OneReportForm, f"spend_{line.id}", MoneyField(_(
                "%(line)s (budgeted %(amount)s)", line=line.description,
                amount=format_pence(line.amount, always_pence=True))))
    form = OneReportForm(formdata=formdata) if formdata is not None else OneReportForm()
    form.people_fields = [getattr(form, f"people_{c.code}") for c in ETHNIC_CATEGORIES]
    form.outcome_fields = [(o, getattr(form, f"outcome_{o.id}")) for o in outcomes]
    form.spend_fields = [(line, getattr(form, f"spend_{line.id}")) for line in lines] if report.asks_spend else []
    if not form.is_submitted():
        form.what_happened.data = report.what_happened
        form.story.data = report.story
        form.story_consent.data = report.story_consent
        form.version.data = report.version
        for category, field in zip(ETHNIC_CATEGORIES, form.people_fields):
            field.data = report.people_reached.get(category.code)
        for outcome, field in form.outcome_fields:
            field.data = report.outcomes_achieved.get(str(outcome.id), "")
        for line, field in form.spend_fields:
            field.data = report.spend.get(str(line.id))
    return form


def saved_pairs(form, report) -> list[tuple]:
    """What a refused stale save compares: each field of the form with the value saved now."""
    return ([(form.what_happened, report.what_happened)]
            + [(field, report.people_reached.get(c.code)) for c, field in zip(ETHNIC_CATEGORIES, form.people_fields)]
            + [(field, report.outcomes_achieved.get(str(o.id), "")) for o, field in form.outcome_fields]
            + [(field, report.spend.get(str(line.id))) for line, field in form.spend_fields]
            + [(form.story, report.story), (form.story_consent, report.story_consent)])


def report_values(form) -> dict:
    return {
        "what_happened": form.what_happened.data or "",
        "people_reached": {c.code: field.data for c, field in zip(ETHNIC_CATEGORIES, form.people_fields)
                           if field.data is not None},
        "outcomes_achieved": {str(o.id): field.data or "" for o, field in form.outcome_fields},
        "story": form.story.data or "",
        "story_consent": bool(form.story_consent.data),
        "spend": {str(line.id): field.data for line, field in form.spend_fields if field.data is not None},
    }


__all__ = ["ReportForm", "ReviewReportForm", "report_form", "report_values", "saved_pairs"]
