"""Reference lists the domain relies on, each with stable codes that are stored in the database.

- ONS 2021 ethnic groups: the 19 categories of the 2021 Census for England and Wales, under their
  five high-level groups. Communities served are always recorded in these categories, never as a
  single "BAME" box. The codes are ours and never change; the labels are the ONS wording, marked
  for translation (``_l``) and shown in the page's language. :attr:`EthnicCategory.english` and
  :func:`english` keep the ONS wording itself, for what must not change with the reader's language
  (the names evidence files are matched against, open data).
- Organisation kinds and community-partner types: what grassroots groups actually are; most
  micro-groups are unregistered, so a registration number is optional.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from flask_babel import gettext as _, lazy_gettext as _l
from flask_babel.speaklater import LazyString
from workflows.i18n import N_  # marks words where they are declared; pages show them with _(label)


def english(text) -> str:
    """The English wording of a label marked with ``_l`` (its msgid), whatever the page's language."""
    if isinstance(text, LazyString):
        return text._args[0]
    return str(text)


@dataclass(frozen=True)
class EthnicCategory:
    code: str
    name: LazyString    # the ONS wording, translated when shown (choices built at import keep it lazy)
    group: str

    @property
    def label(self) -> str:
        """The category in the page's language (the ONS wording in English)."""
        return str(self.name)

    @property
    def english(self) -> str:
        """The ONS wording, in English whatever the page's language."""
        return english(self.name)


class TranslatedLabels(Mapping):
    """Code → label, each label given as text in the page's language when it is read (so values can
    go anywhere a string can: documents, joins, JSON); :meth:`english` gives the English wording."""

    def __init__(self, labels: dict[str, LazyString]) -> None:
        self._labels = labels

    def __getitem__(self, code: str) -> str:
        return str(self._labels[code])

    def __iter__(self):
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def english(self, code: str) -> str:
        return english(self._labels[code])

    def lazy(self) -> dict[str, LazyString]:
        """The labels still to translate: for what is built once, at import (a form's choices)."""
        return dict(self._labels)


ETHNIC_GROUPS = TranslatedLabels({
    "asian": _l("Asian, Asian British or Asian Welsh"),
    "black": _l("Black, Black British, Black Welsh, Caribbean or African"),
    "mixed": _l("Mixed or Multiple ethnic groups"),
    "white": _l("White"),
    "other": _l("Other ethnic group"),
})

ETHNIC_CATEGORIES: tuple[EthnicCategory, ...] = (
    EthnicCategory("asian_bangladeshi", _l("Bangladeshi"), "asian"),
    EthnicCategory("asian_chinese", _l("Chinese"), "asian"),
    EthnicCategory("asian_indian", _l("Indian"), "asian"),
    EthnicCategory("asian_pakistani", _l("Pakistani"), "asian"),
    EthnicCategory("asian_other", _l("Other Asian"), "asian"),
    EthnicCategory("black_african", _l("African"), "black"),
    EthnicCategory("black_caribbean", _l("Caribbean"), "black"),
    EthnicCategory("black_other", _l("Other Black"), "black"),
    EthnicCategory("mixed_white_asian", _l("White and Asian"), "mixed"),
    EthnicCategory("mixed_white_black_african", _l("White and Black African"), "mixed"),
    EthnicCategory("mixed_white_black_caribbean", _l("White and Black Caribbean"), "mixed"),
    EthnicCategory("mixed_other", _l("Other Mixed or Multiple ethnic groups"), "mixed"),
    EthnicCategory("white_british", _l("English, Welsh, Scottish, Northern Irish or British"), "white"),
    EthnicCategory("white_irish", _l("Irish"), "white"),
    EthnicCategory("white_gypsy_traveller", _l("Gypsy or Irish Traveller"), "white"),
    EthnicCategory("white_roma", _l("Roma"), "white"),
    EthnicCategory("white_other", _l("Other White"), "white"),
    EthnicCategory("other_arab", _l("Arab"), "other"),
    EthnicCategory("other_any", _l("Any other ethnic group"), "other"),
)
ETHNIC_CATEGORY_BY_CODE = {c.code: c for c in ETHNIC_CATEGORIES}


def ethnic_category_label(code: str) -> str:
    """'Pakistani (Asian, Asian British or Asian Welsh)' — the category with its high-level group."""
    category = ETHNIC_CATEGORY_BY_CODE[code]
    return _("%(category)s (%(group)s)", category=category.label, group=ETHNIC_GROUPS[category.group])


ORGANISATION_KINDS: dict[str, str] = {
    "unregistered": N_("Unregistered community group"),
    "charity": N_("Registered charity"),
    "cio": N_("Charitable incorporated organisation (CIO)"),
    "cic": N_("Community interest company (CIC)"),
    "clg": N_("Company limited by guarantee"),
    "faith_group": N_("Faith group"),
    "social_enterprise": N_("Social enterprise"),
    "other": N_("Other"),
}

PARTNER_TYPES: dict[str, str] = {
    "": N_("Not a community partner"),
    "church": N_("Church"),
    "mosque": N_("Mosque"),
    "gurdwara": N_("Gurdwara"),
    "synagogue": N_("Synagogue"),
    "temple": N_("Temple (mandir, vihara or other)"),
    "other_faith": N_("Other faith organisation"),
    "community_group": N_("Community group"),
    "residents_association": N_("Residents' or tenants' association"),
    "voluntary_org": N_("Voluntary organisation"),
}

# The languages an organisation works in or a person prefers: English names, the house's own
# wording. Each is shown in the page's language: Babel's CLDR name for a language CLDR knows, our
# own translated words for the two it does not name as we do (British Sign Language; Chinese,
# where we mean the spoken languages).
_LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "cy": "Welsh",
    "pa": "Punjabi",
    "ur": "Urdu",
    "bn": "Bengali",
    "gu": "Gujarati",
    "ar": "Arabic",
    "so": "Somali",
    "pl": "Polish",
    "ro": "Romanian",
    "ti": "Tigrinya",
    "fa": "Farsi",
    "ku": "Kurdish",
    "zh": "Chinese (Mandarin or Cantonese)",
    "pt": "Portuguese",
    "es": "Spanish",
    "fr": "French",
    "ps": "Pashto",
    "yo": "Yoruba",
    "bsl": "British Sign Language",
}
_LANGUAGES_OUR_WORDS = {"zh": _l("Chinese (Mandarin or Cantonese)"), "bsl": _l("British Sign Language")}


def language_name(code: str) -> str:
    """The name of the language ``code`` in the page's language ("Punjabi", «پنجابی»)."""
    from flask_babel import get_locale, gettext

    english = _LANGUAGE_NAMES.get(code, code)
    if code in _LANGUAGES_OUR_WORDS:
        return str(_LANGUAGES_OUR_WORDS[code])
    locale = get_locale()
    if locale is None or locale.language == "en":
        # English as written above (through gettext only so that a pseudo-locale shows it marked).
        return gettext(english)
    try:
        return Locale.parse(code).get_display_name(locale) or english
    except (ValueError, UnknownLocaleError):
        return english


# Code → its name, written when shown (in the page's language).
LANGUAGES: dict[str, LazyString] = {code: LazyString(language_name, code) for code in _LANGUAGE_NAMES}

OUTCOME_TERMS: dict[str, str] = {
    "short": N_("Short term"),
    "medium": N_("Medium term"),
    "long": N_("Long term"),
}

ROLES: dict[str, str] = {
    "member": N_("Member (votes)"),
    "facilitator": N_("Facilitator (runs rounds)"),
    "reviewer": N_("Reviewer (locality partnership)"),
    "applicant": N_("Applicant (acts for an organisation)"),
}
