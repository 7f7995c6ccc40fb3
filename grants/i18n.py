"""Languages: which one a page is in, and how a person chooses it.

Commonpot speaks English, Urdu (right to left), Punjabi in Gurmukhi and Bengali. A page is in:

1. the signed-in person's preferred language (``people.preferred_language``, chosen on the account
   page or with the switcher in the header), when it is one of these four;
2. else the language a visitor chose with the switcher (remembered in the ``commonpot_lang`` cookie);
3. else the best match of the browser's ``Accept-Language``;
4. else English.

Catalogues live in ``grants/translations/<code>/LC_MESSAGES/messages.po`` and are compiled to
``.mo`` by ``make`` (``pybabel compile``; compiled files are not committed). The pure packages
(``workflows/``) stay free of Flask: :func:`init_app` gives them the request's translations.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask_babel import Babel, get_locale, get_translations

# Code → the language's name in itself (what a switcher shows: a reader looks for their own script).
LANGUAGES: dict[str, str] = {"en": "English", "ur": "اردو", "pa": "ਪੰਜਾਬੀ", "bn": "বাংলা"}
RIGHT_TO_LEFT = frozenset({"ur"})
DEFAULT = "en"
COOKIE = "commonpot_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def supported(code: str | None) -> str | None:
    """``code`` when it is a language the interface is written in, else ``None``."""
    return code if code in LANGUAGES else None


def select_locale() -> str:
    """The language of this request (see the module's docstring for the order)."""
    if not has_request_context():
        return DEFAULT
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        chosen = supported(getattr(current_user, "preferred_language", None))
        if chosen:
            return chosen
    return (supported(request.cookies.get(COOKIE))
            or request.accept_languages.best_match(tuple(LANGUAGES))
            or DEFAULT)


def current_language() -> str:
    locale = get_locale()
    return supported(locale.language if locale else None) or DEFAULT


def text_direction(code: str | None = None) -> str:
    """``"rtl"`` for Urdu, ``"ltr"`` otherwise (for ``<html dir>`` and documents)."""
    return "rtl" if (code or current_language()) in RIGHT_TO_LEFT else "ltr"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/London")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.root_path + "/translations"))
    Babel(app, locale_selector=select_locale)
    # {% trans %} blocks are whitespace-normalised, as the extraction in babel.cfg reads them.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(languages=LANGUAGES, current_language=current_language,
                                 text_direction=text_direction)

    import workflows.i18n

    workflows.i18n.install(get_translations)


__all__ = ["COOKIE", "DEFAULT", "LANGUAGES", "RIGHT_TO_LEFT", "current_language", "init_app", "select_locale",
           "supported", "text_direction"]
