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

from babel import Locale
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


def language_of(person) -> str:
    """The language to write to ``person`` in (emails, documents): their preference, else English."""
    return supported(getattr(person, "preferred_language", None)) or DEFAULT


def current_language() -> str:
    locale = get_locale()
    return supported(locale.language if locale else None) or DEFAULT


def text_direction(code: str | None = None) -> str:
    """``"rtl"`` for Urdu, ``"ltr"`` otherwise (for ``<html dir>`` and documents)."""
    return "rtl" if (code or current_language()) in RIGHT_TO_LEFT else "ltr"


def language_name(code: str, in_language: str | None = None) -> str:
    """A language's name as a reader of ``in_language`` writes it (Babel's CLDR data), e.g. the
    20 languages a person may prefer, named in the page's language."""
    try:
        name = Locale.parse(code).get_display_name(in_language or current_language())
    except (ValueError, LookupError):
        name = None
    return name or code


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


__all__ = ["COOKIE", "DEFAULT", "LANGUAGES", "RIGHT_TO_LEFT", "current_language", "init_app", "language_name",
           "language_of", "select_locale", "supported", "text_direction"]
