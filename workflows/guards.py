"""Guard shapes that several workflows share.

A guard (:class:`workflows.engine.Guard`) is a name, a description of what must hold, and a check
``(subject, ctx) -> str | None``. Most guards are specific to one workflow and live in its
definition module; the ones here recur:

- :func:`reason_given` — the actor must say why (returning an allocation, withdrawing an offer).
- :func:`text_given` / :func:`confirmed` — a typed value or a ticked box in ``ctx.data``.
- :func:`nothing_missing` — a subject attribute listing what is still missing must be empty.
- :func:`flag_set` — a boolean subject attribute must be ``True``.
- :func:`at_least_one` — a count on the subject must be above zero.

Messages are declared by the definitions with :func:`workflows.i18n.N_` and translated here, when
the check runs, so the reason reads in the language of whoever asked.
"""

from __future__ import annotations

from typing import Any

from workflows.engine import Context, Guard, Role
from workflows.i18n import N_, gettext as _
from workflows.text import join_words

#: What reason_given requires, by who is exempt (whole sentences, so they can be translated).
_REASON_DESCRIPTIONS = {
    (): N_("A reason is given"),
    ("applicant",): N_("A reason is given, unless the actor is an applicant"),
    ("scheduler",): N_("A reason is given, unless the actor is the scheduler"),
}


def _has_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def reason_given(
    message: str,
    *,
    name: str = "reason_given",
    unless_role: Role | None = None,
    unless_scheduler: bool = False,
) -> Guard:
    """``ctx.data["reason"]`` must be non-empty text, refusing with ``message`` otherwise.

    ``unless_role`` exempts an actor holding that role (an applicant withdrawing their own
    proposal need not explain); ``unless_scheduler`` exempts the system (an offer that expired).
    """

    def check(subject: Any, ctx: Context) -> str | None:
        if unless_role is not None and unless_role in ctx.roles:
            return None
        if unless_scheduler and ctx.is_scheduler:
            return None
        return None if _has_text(ctx.data.get("reason")) else _(message)

    exempt = ((unless_role.value,) if unless_role is not None else ()) + (
        ("scheduler",) if unless_scheduler else ()
    )
    description = _REASON_DESCRIPTIONS.get(exempt)
    if description is None:
        exemptions = [unless_role.with_article] if unless_role is not None else []
        if unless_scheduler:
            exemptions.append("the scheduler")
        description = f"A reason is given, unless the actor is {join_words(exemptions, 'or')}"
    return Guard(name=name, description=description, check=check, data_keys=("reason",))


def text_given(key: str, message: str, *, name: str, description: str) -> Guard:
    """``ctx.data[key]`` must be non-empty text (a typed name, for instance)."""

    def check(subject: Any, ctx: Context) -> str | None:
        return None if _has_text(ctx.data.get(key)) else _(message)

    return Guard(name=name, description=description, check=check, data_keys=(key,))


def confirmed(key: str, message: str, *, name: str, description: str) -> Guard:
    """``ctx.data[key]`` must be exactly ``True`` (a ticked box; "yes" strings do not count)."""

    def check(subject: Any, ctx: Context) -> str | None:
        return None if ctx.data.get(key) is True else _(message)

    return Guard(name=name, description=description, check=check, data_keys=(key,))


def nothing_missing(attribute: str, intro: str, *, name: str, description: str) -> Guard:
    """``subject.<attribute>`` (a list of human names of what is missing) must be empty.

    The refusal names every missing item: ``intro`` + ": project title and summary". ``intro``
    may instead be a whole sentence holding ``%(missing)s`` where the list goes (so that a
    translation can put it anywhere). The items are the subject's words, already in the reader's
    language.
    """
    message = intro if "%(missing)s" in intro else f"{intro}: %(missing)s"

    def check(subject: Any, ctx: Context) -> str | None:
        missing = list(getattr(subject, attribute))
        return _(message, missing=join_words(missing)) if missing else None

    return Guard(name=name, description=description, check=check, reads=(attribute,))


def flag_set(attribute: str, message: str, *, name: str, description: str) -> Guard:
    """``subject.<attribute>`` must be exactly ``True``."""

    def check(subject: Any, ctx: Context) -> str | None:
        return None if getattr(subject, attribute) is True else _(message)

    return Guard(name=name, description=description, check=check, reads=(attribute,))


def at_least_one(attribute: str, message: str, *, name: str, description: str) -> Guard:
    """``subject.<attribute>`` (a count) must be above zero."""

    def check(subject: Any, ctx: Context) -> str | None:
        return None if getattr(subject, attribute) > 0 else _(message)

    return Guard(name=name, description=description, check=check, reads=(attribute,))
