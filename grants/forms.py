"""Form pieces shared by every domain: GOV.UK widgets, validators and normalisers.

Every field renders through govuk-frontend-wtf, so errors appear next to the field and in the
error summary, and a re-rendered form keeps what the person typed.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import DateTimeLocalField, HiddenField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length

__all__ = [
    "FlaskForm", "GovCharacterCount", "GovCheckboxInput", "GovCheckboxesInput", "GovPasswordInput",
    "GovRadioInput", "GovSelect", "GovSubmitInput", "GovTextArea", "GovTextInput",
    "Required", "EmailAddress", "MaxLength", "UKPostcode", "normalise_postcode", "safe_next_url",
    "strip", "Choices", "choices", "MoneyField", "LondonDateTimeField", "GovDateTimeInput", "OnceField",
    "GovSubmitOnce", "once_token",
]

_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKPS-UW]? ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def strip(value):
    return value.strip() if isinstance(value, str) else value


def Required(message: str) -> InputRequired:  # noqa: N802 - reads like a validator class
    return InputRequired(message=message)


def EmailAddress() -> Email:  # noqa: N802
    return Email(message="Enter an email address in the correct format, like name@example.com",
                 check_deliverability=False)


def MaxLength(limit: int, what: str) -> Length:  # noqa: N802
    return Length(max=limit, message=f"{what} must be {limit} characters or fewer")


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", value or "").upper()
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


class UKPostcode:
    """A full UK postcode, like B18 7QH; stored upper-case with one space."""

    def __call__(self, _form, field) -> None:
        if field.data and not _POSTCODE.match(normalise_postcode(field.data)):
            raise ValidationError("Enter a real UK postcode, like B18 7QH")


def choices(pairs) -> list[SelectChoice]:
    """WTForms choices from a mapping or (value, label) pairs."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value=str(value), label=label) for value, label in items]


class Choices:
    """Every submitted value must be one of the field's choices (for multi-value fields)."""

    def __init__(self, message: str = "Choose from the list") -> None:
        self.message = message

    def __call__(self, _form, field) -> None:
        allowed = {str(choice.value) for choice in field.choices}
        for value in field.data or []:
            if str(value) not in allowed:
                raise ValidationError(self.message)


def safe_next_url(target: str | None) -> str | None:
    """Return ``target`` only if it is a path on this site; anything else is ignored."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


class MoneyField(StringField):
    """An amount typed in pounds ("1,500" or "1500.50"), held as integer pence."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("widget", GovTextInput())
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, int):
            pounds, pence = divmod(self.data, 100)
            return f"{pounds}" if not pence else f"{pounds}.{pence:02d}"
        return ""

    def process_formdata(self, valuelist) -> None:
        from grants.money import parse_pounds

        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = parse_pounds(valuelist[0])
            except ValueError as error:
                self.data = None
                raise ValueError(str(error)) from error


class GovDateTimeInput(GovTextInput):
    input_type = "datetime-local"


class LondonDateTimeField(DateTimeLocalField):
    """A date and time typed in London time; ``data`` is timezone-aware UTC."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("widget", GovDateTimeInput())
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist) -> None:
        from grants.timeutil import london_to_utc

        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a date and time, like 3 March 2027 17:00") from error
        if self.data is not None:
            self.data = london_to_utc(self.data)

    def _value(self) -> str:
        from grants.timeutil import to_london

        if self.raw_data:
            return " ".join(self.raw_data)
        return to_london(self.data).strftime("%Y-%m-%dT%H:%M") if self.data else ""


class GovSubmitOnce(GovSubmitInput):
    """The submit button of a form that counts once: GOV.UK's ``preventDoubleClick`` ignores a
    second click within a second, and the form's ``OnceField`` catches whatever gets through."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params.setdefault("preventDoubleClick", True)
        return params


_ONCE_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class OnceField(HiddenField):
    """Makes the form count once (``grants.submissions``): add ``once = OnceField()`` to a form that
    changes state, render ``{{ form.once }}`` inside it, and ``grants.views.attempt`` does the rest.

    A new random token each time the form is first shown; a form shown again with its errors keeps
    the token it was sent with. A request without one (a script, an old page) is not deduplicated.
    """

    def __init__(self, label=None, **kwargs):
        kwargs.setdefault("default", lambda: secrets.token_hex(16))
        super().__init__(label, **kwargs)

    def pre_validate(self, form) -> None:
        if self.raw_data and not _ONCE_TOKEN.match(self.raw_data[0] or ""):
            raise ValidationError("This form is out of date: reload the page and fill it in again")


def once_token(form) -> str | None:
    """The token a submitted form was sent with, if it carries a ``OnceField`` and one was sent."""
    for field in getattr(form, "_fields", {}).values():
        if isinstance(field, OnceField) and field.raw_data and _ONCE_TOKEN.match(field.raw_data[0] or ""):
            return field.raw_data[0]
    return None
