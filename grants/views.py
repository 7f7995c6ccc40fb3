"""What every route does with an operation: run it, commit, and show a refusal where it belongs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import flash

from grants.db import db
from grants.errors import Refused, attach, message_of
from workflows import TransitionError

# Refusals a person can cause by their own input or timing: shown to them, never a 500.
REFUSALS = (Refused, TransitionError)


@dataclass(frozen=True)
class Done:
    result: Any


def attempt(form, operation, /, *args, **kwargs) -> Done | None:
    """Run one operation and commit (so its emails go out).

    On a refusal, roll back everything it did and show the message beside its field on ``form``
    (or flash it, when there is no form); return None. Otherwise return ``Done(result)``.
    """
    try:
        result = operation(*args, **kwargs)
        db.session.commit()
    except REFUSALS as error:
        db.session.rollback()
        if form is None:
            flash(message_of(error), "info")
        else:
            attach(form, error)
        return None
    return Done(result)
