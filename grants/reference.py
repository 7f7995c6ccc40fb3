"""Reference lists the domain relies on, each with stable codes that are stored in the database.

- ONS 2021 ethnic groups: the 19 categories of the 2021 Census for England and Wales, under their
  five high-level groups. Communities served are always recorded in these categories, never as a
  single "BAME" box. The codes are ours and never change; the labels are the ONS wording.
- Organisation kinds and community-partner types: what grassroots groups actually are; most
  micro-groups are unregistered, so a registration number is optional.
"""

from __future__ import annotations

from dataclasses import dataclass

# Marks words for translation where they are declared; pages show them with _(label).
from workflows.i18n import N_


@dataclass(frozen=True)
class EthnicCategory:
    code: str
    label: str
    group: str


ETHNIC_GROUPS: dict[str, str] = {
    "asian": "Asian, Asian British or Asian Welsh",
    "black": "Black, Black British, Black Welsh, Caribbean or African",
    "mixed": "Mixed or Multiple ethnic groups",
    "white": "White",
    "other": "Other ethnic group",
}

ETHNIC_CATEGORIES: tuple[EthnicCategory, ...] = (
    EthnicCategory("asian_bangladeshi", "Bangladeshi", "asian"),
    EthnicCategory("asian_chinese", "Chinese", "asian"),
    EthnicCategory("asian_indian", "Indian", "asian"),
    EthnicCategory("asian_pakistani", "Pakistani", "asian"),
    EthnicCategory("asian_other", "Other Asian", "asian"),
    EthnicCategory("black_african", "African", "black"),
    EthnicCategory("black_caribbean", "Caribbean", "black"),
    EthnicCategory("black_other", "Other Black", "black"),
    EthnicCategory("mixed_white_asian", "White and Asian", "mixed"),
    EthnicCategory("mixed_white_black_african", "White and Black African", "mixed"),
    EthnicCategory("mixed_white_black_caribbean", "White and Black Caribbean", "mixed"),
    EthnicCategory("mixed_other", "Other Mixed or Multiple ethnic groups", "mixed"),
    EthnicCategory("white_british", "English, Welsh, Scottish, Northern Irish or British", "white"),
    EthnicCategory("white_irish", "Irish", "white"),
    EthnicCategory("white_gypsy_traveller", "Gypsy or Irish Traveller", "white"),
    EthnicCategory("white_roma", "Roma", "white"),
    EthnicCategory("white_other", "Other White", "white"),
    EthnicCategory("other_arab", "Arab", "other"),
    EthnicCategory("other_any", "Any other ethnic group", "other"),
)
ETHNIC_CATEGORY_BY_CODE = {c.code: c for c in ETHNIC_CATEGORIES}


def ethnic_category_label(code: str) -> str:
    """'Pakistani (Asian, Asian British or Asian Welsh)' — the category with its high-level group."""
    category = ETHNIC_CATEGORY_BY_CODE[code]
    return f"{category.label} ({ETHNIC_GROUPS[category.group]})"


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

LANGUAGES: dict[str, str] = {
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
