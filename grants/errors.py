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


def message_of(error: Exception) -> str:
    """The human message of a refusal: an operation's Refused or the workflow engine's reason."""
    return getattr(error, "message", None) or getattr(error, "reason", None) or str(error)


def attach(form, error: Exception) -> None:
    """Show a refusal on the form: beside its field, or as a form-level error."""
    name = getattr(error, "field", None)
    field = getattr(form, name, None) if name else None
    if field is None and "reason" in getattr(form, "_fields", {}) and getattr(error, "reasons", None):
        # a workflow guard asking for a reason belongs beside the reason box
        if any("why" in r.lower() or "reason" in r.lower() for r in error.reasons):
            field = form.reason
    if field is not None:
        field.errors = list(field.errors) + [message_of(error)]
    else:
        form.form_errors.append(message_of(error))
