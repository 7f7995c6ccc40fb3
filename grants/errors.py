"""Domain errors raised by operations and shown to people next to the field they concern."""

from __future__ import annotations


class Refused(Exception):
    """An operation refused to do something, with a message fit to show the person.

    ``field`` names the form field the message belongs beside, when there is one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def attach(form, error: Refused) -> None:
    """Show a refusal on the form: beside its field, or as a form-level error."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)
