"""Form pieces shared by every domain: GOV.UK widgets, validators and normalisers.

Every field renders through govuk-frontend-wtf, so errors appear next to the field and in the
error summary, and a re-rendered form keeps what the person typed.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm as _FlaskForm
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
from wtforms import DateTimeLocalField, HiddenField, PasswordField, StringField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length

from grants.ids import DB_INT_MAX, choice_id

__all__ = [
    "FlaskForm", "GovCharacterCount", "GovCheckboxInput", "GovCheckboxesInput", "GovPasswordInput",
    "GovRadioInput", "GovSelect", "GovSubmitInput", "GovTextArea", "GovTextInput",
    "Required", "EmailAddress", "MaxLength", "UKPostcode", "normalise_postcode", "safe_next_url",
    "strip", "Choices", "choices", "MoneyField", "LondonDateTimeField", "GovDateTimeInput",
    "WholeNumberField", "parse_whole_number", "Distinct", "choice_id", "MONEY_MAX_PENCE", "OnceField",
    "GovSubmitOnce", "once_token",
]

#: The most any money field accepts: £1,000,000,000 (the money columns hold more).
MONEY_MAX_PENCE = 100_000_000_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _without_control_characters(multiline: bool):
    pattern = _CONTROL_IN_MULTILINE if multiline else _CONTROL

    def clean(value):
        return pattern.sub("", value) if isinstance(value, str) else value

    return clean


class FlaskForm(_FlaskForm):
    """Every form of the app: text fields lose control characters (a NUL makes PostgreSQL raise and
    no person types one; multi-line text keeps its newlines and tabs) before any other filter runs."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                multiline = issubclass(field_class, TextAreaField)
                filters = unbound_field.kwargs.get("filters", ())
                options["filters"] = (_without_control_characters(multiline), *filters)
            return super().bind_field(form, unbound_field, options)


_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKPS-UW]? ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def strip(value):
    return value.strip() if isinstance(value, str) else value


def Required(message: str) -> InputRequired:  # noqa: N802 - reads like a validator class
    return InputRequired(message=message)


def EmailAddress() -> Email:  # noqa: N802
    return Email(message=_l("Enter an email address in the correct format, like name@example.com"),
                 check_deliverability=False)


def MaxLength(limit: int, what: str) -> Length:  # noqa: N802
    """At most ``limit`` characters; ``what`` (a translated noun phrase, like ``_l("Title")``) names
    the field in the message."""
    return Length(max=limit, message=_l("%(what)s must be %(limit)s characters or fewer", what=what, limit=limit))


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", value or "").upper()
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


class UKPostcode:
    """A full UK postcode, like B18 7QH; stored upper-case with one space."""

    def __call__(self, _form, field) -> None:
        if field.data and not _POSTCODE.match(normalise_postcode(field.data)):
            raise ValidationError(_("Enter a real UK postcode, like B18 7QH"))


def choices(pairs) -> list[SelectChoice]:
    """WTForms choices from a mapping or (value, label) pairs."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value=str(value), label=label) for value, label in items]


class Choices:
    """Every submitted value must be one of the field's choices (for multi-value fields)."""

    def __init__(self, message: str = _l("Choose from the list")) -> None:
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


class Distinct:
    """Each submitted value at most once (a row per value would break a UNIQUE constraint)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, _form, field) -> None:
        values = list(field.data or [])
        if len(set(values)) != len(values):
            raise ValidationError(self.message)


def parse_whole_number(text: str, *, what: str = _l("a number"), example: str = "12", minimum: int = 0,
                       maximum: int = DB_INT_MAX) -> int | None:
    """A whole number typed by a person (ASCII digits, commas allowed), None when empty; a ValueError
    whose message says what to type when it is not one or is out of range."""
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    if not re.fullmatch(r"-?[0-9]+", text):
        raise ValueError(_("Enter %(what)s as a whole number, like %(example)s", what=what, example=example))
    maximum = min(maximum, DB_INT_MAX)
    if len(text.lstrip("-0")) > len(str(maximum)) or int(text) > maximum:
        raise ValueError(_("Enter %(what)s of %(maximum)s or fewer", what=what, maximum=f"{maximum:,}"))
    if int(text) < minimum:
        raise ValueError(_("Enter %(what)s as %(minimum)s or more", what=what, minimum=f"{minimum:,}"))
    return int(text)


class WholeNumberField(StringField):
    """A whole number typed by a person: ASCII digits (commas allowed, "1,500"), within ``minimum``
    and ``maximum`` (at most what an INTEGER column holds). ``what`` and ``example`` make the
    messages: "Enter the number of participants as a whole number, like 12"."""

    def __init__(self, label=None, validators=None, *, minimum: int = 0, maximum: int = DB_INT_MAX,
                 what: str = _l("a number"), example: str = "12", **kwargs):
        kwargs.setdefault("widget", GovTextInput())
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "spellcheck": "false"})
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, min(maximum, DB_INT_MAX)
        self.what, self.example = what, example

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist) -> None:
        self.data = None
        if valuelist:
            self.data = parse_whole_number(valuelist[0], what=self.what, example=self.example,
                                           minimum=self.minimum, maximum=self.maximum)


class MoneyField(StringField):
    """An amount typed in pounds ("1,500" or "1500.50"), held as integer pence, from ``minimum`` to
    ``maximum`` pence (by default £0 to £1,000,000,000, which every money column holds)."""

    def __init__(self, label=None, validators=None, *, minimum: int = 0, maximum: int = MONEY_MAX_PENCE, **kwargs):
        kwargs.setdefault("widget", GovTextInput())
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def pre_validate(self, form) -> None:
        from grants.money import format_pence

        if self.data is None:
            return
        if self.data < self.minimum:
            raise ValidationError(_("Enter an amount of %(amount)s or more",
                                    amount=format_pence(self.minimum, always_pence=self.minimum < 100)))
        if self.data > self.maximum:
            raise ValidationError(_("Enter an amount of %(amount)s or less", amount=format_pence(self.maximum)))

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
            raise ValueError(_("Enter a date and time, like 3 March 2027 17:00")) from error
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
            raise ValidationError(_("This form is out of date: reload the page and fill it in again"))


def once_token(form) -> str | None:
    """The token a submitted form was sent with, if it carries a ``OnceField`` and one was sent."""
    for field in getattr(form, "_fields", {}).values():
        if isinstance(field, OnceField) and field.raw_data and _ONCE_TOKEN.match(field.raw_data[0] or ""):
            return field.raw_data[0]
    return None
