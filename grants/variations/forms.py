"""The variation form, built for one grant: its budget lines, its open reports' due dates, its
purpose and outcomes, money handed back, and why."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField

from grants.awards.forms import DateInput
from grants.forms import (
    FlaskForm,
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitOnce,
    GovTextArea,
    GovTextInput,
    MaxLength,
    MoneyField,
    OnceField,
    Required,
    choices,
    strip,
)
from grants.variations.models import REASON_LIMIT
from grants.versions import VersionField


class VariationForm(FlaskForm):
    new_line_description = StringField(_l("A new budget line (optional)"), widget=GovTextInput(), filters=[strip],
                                       validators=[MaxLength(200, _l("The line"))])
    new_line_amount = MoneyField(_l("Amount for the new line (£)"))
    purpose = TextAreaField(_l("What the grant is for"), widget=GovTextArea(), filters=[strip],
                            description=_l("Changing this needs the partnership's approval."),
                            validators=[MaxLength(4000, _l("The purpose"))])
    outcome_ids = SelectMultipleField(_l("Outcomes the project aims at"), widget=GovCheckboxesInput(), coerce=int,
                                      description=_l("Changing these needs the partnership's approval."))
    returned = MoneyField(_l("Money you are handing back (£, optional)"),
                          description=_l("Money the project will not spend. Take it off the budget lines above."))
    paid_back = MoneyField(_l("Of that, money you have already paid back to the collective (£, optional)"))
    paid_back_reference = StringField(_l("Reference of the money paid back"), widget=GovTextInput(), filters=[strip],
                                      validators=[MaxLength(80, _l("The reference"))])
    reason = TextAreaField(_l("Why does the grant need to change?"), widget=GovTextArea(), filters=[strip],
                           description=_l("In your own words: what happened, and what the change lets you do."),
                           validators=[Required(_l("Say why the grant needs to change")),
                                       MaxLength(REASON_LIMIT, _l("The reason"))])
    once = OnceField()
    version = VersionField()
    submit = SubmitField(_l("Ask for the change"), widget=GovSubmitOnce())

    def show_problem(self, problem) -> None:
        """A refusal beside its field; one about the lines as a whole beside the first line."""
        name = problem.field
        if name == "lines":
            name = self.line_fields[0][1].name if self.line_fields else "new_line_amount"
        field = self._fields.get(name) if name else None
        if field is not None:
            field.errors = [*field.errors, problem.message]
        else:
            self.form_errors.append(problem.message)


def variation_form(lines, reports, outcomes, *, start=None, formdata=None) -> VariationForm:
    """``lines`` and ``reports`` of the grant; ``start`` the values to show (the grant's, or a
    variation's when it is changed after a request for more information)."""
    class OneVariationForm(VariationForm):
        pass

    for line in lines:
        setattr(OneVariationForm, f"line_{line.id}", MoneyField(line.description))
    for report in reports:
        setattr(OneVariationForm, f"due_{report.id}", DateField(_(report.label), widget=DateInput(),
                                                                validators=[Required(_l("Enter a date"))]))
    form = OneVariationForm(formdata=formdata) if formdata is not None else OneVariationForm()
    form.outcome_ids.choices = [(o.id, o.text) for o in outcomes]
    form.line_fields = [(line, getattr(form, f"line_{line.id}")) for line in lines]
    form.due_fields = [(report, getattr(form, f"due_{report.id}")) for report in reports]
    if not form.is_submitted() and start is not None:
        amounts = {line["id"]: line["amount"] for line in start["lines"]}
        for line, field in form.line_fields:
            field.data = amounts.get(line.id, line.amount)
        new = next((line for line in start["lines"] if line["id"] is None), None)
        if new:
            form.new_line_description.data, form.new_line_amount.data = new["description"], new["amount"]
        for report, field in form.due_fields:
            value = start["due_dates"].get(str(report.id))
            field.data = date.fromisoformat(value) if value else None
        form.purpose.data = start["purpose"]
        form.outcome_ids.data = list(start["outcome_ids"])
        form.returned.data = start.get("returned") or None
        form.paid_back.data = start.get("paid_back") or None
        form.paid_back_reference.data = start.get("paid_back_reference", "")
        form.reason.data = start.get("reason", "")
    return form


def change_of(form) -> dict:
    """The change the form asks for, as plain values (``grants.variations.operations``)."""
    lines = [{"id": line.id, "description": line.description, "amount": field.data}
             for line, field in form.line_fields]
    if form.new_line_amount.data or form.new_line_description.data:
        lines.append({"id": None, "description": form.new_line_description.data or "",
                      "amount": form.new_line_amount.data or 0})
    return {"lines": lines, "due_dates": {report.id: field.data for report, field in form.due_fields},
            "purpose": form.purpose.data or "", "outcome_ids": list(form.outcome_ids.data or []),
            "returned": form.returned.data or 0, "paid_back": form.paid_back.data or 0,
            "paid_back_reference": form.paid_back_reference.data or "", "reason": form.reason.data or ""}


class DecisionForm(FlaskForm):
    decision = SelectField(_l("Your decision"), widget=GovRadioInput(),
                           choices=choices([("approve", _l("Approve the change")),
                                            ("refuse", _l("Refuse the change")),
                                            ("ask", _l("Ask the grantee for more information"))]),
                           validators=[Required(_l("Choose approve, refuse or ask for more information"))])
    reason = TextAreaField(_l("Reason or question the grantee will see"), widget=GovTextArea(), filters=[strip],
                           description=_l("Needed to refuse the change or to ask for more information."),
                           validators=[MaxLength(2000, _l("The reason"))])
    once = OnceField()
    submit = SubmitField(_l("Save the decision"), widget=GovSubmitOnce())


class WithdrawVariationForm(FlaskForm):
    once = OnceField()
    submit = SubmitField(_l("Withdraw the request"), widget=GovSubmitOnce())


__all__ = ["DecisionForm", "VariationForm", "WithdrawVariationForm", "change_of", "variation_form"]
