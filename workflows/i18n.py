"""Translation for the workflow engine, which knows nothing of Flask.

Definitions mark their words with :func:`N_` where they are declared (at import, before any
request) and translate them with :func:`gettext` / :func:`ngettext` when a guard runs, so a reason
reads in the language of whoever asked. Placeholders are named (``%(when)s``), so a translation may
put them in any order. The app installs a provider of its translations (:func:`install`); without
one, as in the engine's own tests and the CLI, the English source strings are used.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Callable

_NULL = _gettext.NullTranslations()
_provider: Callable[[], _gettext.NullTranslations] = lambda: _NULL  # noqa: E731 - the default is English
# Locale-aware formatters the app may install (dates, money, lists); each returns None to keep the
# engine's English wording (workflows.text).
formatters: dict[str, Callable] = {}


def install(provider: Callable[[], _gettext.NullTranslations], **formats: Callable) -> None:
    """Use ``provider()`` (e.g. Flask-Babel's ``get_translations``) for every message from now on,
    and the given formatters (``when``, ``money``, ``words``) for the values inside them."""
    global _provider
    _provider = provider
    formatters.update(formats)


def gettext(message: str, **params) -> str:
    text = _provider().gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, num: int, **params) -> str:
    params.setdefault("num", num)
    return _provider().ngettext(singular, plural, num) % params


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet (translate it when shown)."""
    return message


_ = gettext

__all__ = ["N_", "_", "gettext", "install", "ngettext"]
