"""The ethnic-group codings evidence files may use, and how they map to the ONS 2021 categories.

A value in the ``ethnic_group`` column of a service-use or population file may be:

- one of the 19 **ONS 2021** category labels, in any case ("Pakistani", "other asian"), optionally
  with its high-level group as in Census tables ("Asian, Asian British or Asian Welsh: Pakistani");
- one of our stable codes for those categories (``asian_pakistani``, see :mod:`grants.reference`);
- an **NHS Data Dictionary** ethnic-category letter code (A–H, J–N, P, R, S, and Z for "not
  stated"), which NHS service data uses;
- "Not stated" (or ``not_stated``).

The NHS codes follow the 2001 Census classification. They map onto the ONS 2021 categories so:

====  =============================================  =====================================
NHS   NHS Data Dictionary label                      ONS 2021 category (our code)
====  =============================================  =====================================
A     White: British                                 ``white_british``
B     White: Irish                                   ``white_irish``
C     White: Any other White background              ``white_other`` (see below)
D     Mixed: White and Black Caribbean               ``mixed_white_black_caribbean``
E     Mixed: White and Black African                 ``mixed_white_black_african``
F     Mixed: White and Asian                         ``mixed_white_asian``
G     Mixed: Any other mixed background              ``mixed_other``
H     Asian or Asian British: Indian                 ``asian_indian``
J     Asian or Asian British: Pakistani              ``asian_pakistani``
K     Asian or Asian British: Bangladeshi            ``asian_bangladeshi``
L     Asian or Asian British: Any other Asian        ``asian_other``
M     Black or Black British: Caribbean              ``black_caribbean``
N     Black or Black British: African                ``black_african``
P     Black or Black British: Any other Black        ``black_other``
R     Other ethnic groups: Chinese                   ``asian_chinese`` (ONS 2021 counts
                                                     Chinese people in the Asian group)
S     Other ethnic groups: Any other ethnic group    ``other_any`` (see below)
Z     Not stated                                     ``not_stated``
====  =============================================  =====================================

The NHS codes have no Roma, no Gypsy or Irish Traveller and no Arab category: NHS data counts
Roma and Gypsy or Irish Traveller people under C and Arab people under S. So when a
service-use dataset is NHS-coded, the population it is compared with is *folded* the same way
(:data:`NHS_FOLDS`: Roma and Gypsy or Irish Traveller into "Other White", Arab into "Any other
ethnic group"); otherwise those groups would look as if nobody from them used the service, and
"Other White" and "Any other ethnic group" as if they were over-served. Letters I, O and Q are
not NHS codes. One dataset (one service and period; one area of a population file) must use
one coding, so the fold applies to all of it.

"Not stated" is kept apart (``not_stated``): it is left out of the shares and reported beside
them as its own count and percentage, never dropped.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from grants.reference import ETHNIC_CATEGORIES, ETHNIC_CATEGORY_BY_CODE, ETHNIC_GROUPS

NOT_STATED = "not_stated"
ONS = "ons"
NHS = "nhs"

NHS_CODES: dict[str, str] = {
    "A": "white_british",
    "B": "white_irish",
    "C": "white_other",
    "D": "mixed_white_black_caribbean",
    "E": "mixed_white_black_african",
    "F": "mixed_white_asian",
    "G": "mixed_other",
    "H": "asian_indian",
    "J": "asian_pakistani",
    "K": "asian_bangladeshi",
    "L": "asian_other",
    "M": "black_caribbean",
    "N": "black_african",
    "P": "black_other",
    "R": "asian_chinese",
    "S": "other_any",
    "Z": NOT_STATED,
}

# ONS 2021 categories NHS coding has no letter for, and where NHS data counts those people.
NHS_FOLDS: dict[str, str] = {
    "white_roma": "white_other",
    "white_gypsy_traveller": "white_other",
    "other_arab": "other_any",
}

STATED_CODES: tuple[str, ...] = tuple(c.code for c in ETHNIC_CATEGORIES)
ALL_CODES: tuple[str, ...] = STATED_CODES + (NOT_STATED,)


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def _ons_lookup() -> dict[str, str]:
    table = {}
    for category in ETHNIC_CATEGORIES:
        table[_key(category.code)] = category.code
        # Files carry the ONS wording in English, whatever the language of the person importing them.
        table[_key(category.english)] = category.code
        table[_key(f"{ETHNIC_GROUPS.english(category.group)}: {category.english}")] = category.code
    table[_key("Not stated")] = NOT_STATED
    table[_key(NOT_STATED)] = NOT_STATED
    return table


_ONS = _ons_lookup()


class UnknownGroup(ValueError):
    """The value is none of the accepted codings; the message says what is accepted."""


def parse(value: str) -> tuple[str, str]:
    """``(code, coding)`` for a value of an ``ethnic_group`` column; ``coding`` is ONS or NHS.

    "Not stated" belongs to neither coding on its own (both have it), so it reports ``""``.
    """
    text = value.strip()
    if len(text) == 1 and text.isalpha():
        letter = text.upper()
        if letter in NHS_CODES:
            code = NHS_CODES[letter]
            return code, ("" if code == NOT_STATED else NHS)
        raise UnknownGroup(_("“%(value)s” is not an NHS ethnic category code (the codes are A to H, J to N, P, R, S, "
                             "and Z for not stated)", value=text))
    code = _ONS.get(_key(text))
    if code is None:
        shown = text if len(text) <= 60 else text[:57] + "…"
        raise UnknownGroup(_("“%(value)s” is not an ONS 2021 ethnic group, one of our codes for them, or an NHS "
                             "ethnic category code", value=shown))
    return code, ("" if code == NOT_STATED else ONS)


def fold_for(coding: str, code: str) -> str:
    """The category ``code`` counts under when compared with data of ``coding``."""
    return NHS_FOLDS.get(code, code) if coding == NHS else code


def label(code: str) -> str:
    """The group in the page's language."""
    if code == NOT_STATED:
        return _("Not stated")
    return ETHNIC_CATEGORY_BY_CODE[code].label


def order(code: str) -> int:
    """Reference order (the ONS order of categories, then not stated) for sorting tables."""
    return ALL_CODES.index(code) if code in ALL_CODES else len(ALL_CODES)
