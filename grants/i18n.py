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
from babel.lists import format_list
from babel.support import NullTranslations
from flask import Flask, has_request_context, request
from flask_babel import Babel, Domain, get_locale, get_translations

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


def formatting_locale() -> Locale | None:
    """The Babel locale to format dates and money in, or ``None`` for English.

    English keeps the house style written out in :mod:`grants.money` and :mod:`grants.timeutil`
    ("3 March 2027 at 17:00", "£1,000"), so English output does not change with Babel's data.
    Outside a request or app context (the CLI, the engine's own tests) it is English too.
    """
    try:
        locale = get_locale()
    except RuntimeError:  # pragma: no cover - no application at all
        return None
    if locale is None or supported(locale.language) in (None, DEFAULT):
        return None
    return locale


def whole_number(value):
    """A whole number with the thousands separator of the current language ("131,778" in
    English); anything else as it is."""
    if not isinstance(value, int) or isinstance(value, bool):
        return value
    locale = formatting_locale()
    if locale is None:
        return f"{value:,}"
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale)


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
    app.jinja_env.filters["number"] = whole_number

    import workflows.i18n
    from grants.money import format_pence
    from grants.timeutil import format_datetime

    workflows.i18n.install(get_translations, when=format_datetime, money=format_pence, words=format_words)
    if app.config.get("COMMONPOT_PSEUDO_LOCALE"):
        # Every translated string comes out as ⟦…⟧, so a test can find what was never marked.
        app.extensions["babel"].instance.domain_instance = PseudoDomain()


def format_words(words, conjunction: str = "and") -> str:
    """A list as prose in the page's language: "a, b and c" / "a، b، اور c" (Babel's CLDR lists)."""
    locale = formatting_locale()
    if locale is None:
        return None  # English: the engine's own wording
    return format_list(list(words), style="or" if conjunction == "or" else "standard", locale=locale)


class PseudoTranslations(NullTranslations):
    """English, with every translated string wrapped in ⟦ ⟧ (a pseudo-locale for tests)."""

    def gettext(self, message):
        return f"⟦{message}⟧"

    def ngettext(self, singular, plural, n):
        return f"⟦{singular if n == 1 else plural}⟧"

    def pgettext(self, context, message):
        return self.gettext(message)

    def npgettext(self, context, singular, plural, n):
        return self.ngettext(singular, plural, n)

    ugettext, ungettext, upgettext, unpgettext = gettext, ngettext, pgettext, npgettext


class PseudoDomain(Domain):
    def get_translations(self):
        return _PSEUDO


_PSEUDO = PseudoTranslations()


__all__ = ["COOKIE", "DEFAULT", "LANGUAGES", "RIGHT_TO_LEFT", "current_language", "formatting_locale", "format_words", "init_app", "select_locale",
           "supported", "text_direction", "whole_number"]
