"""Words for a round's settings, shared by pages, emails and PDFs (in the reader's language)."""

from __future__ import annotations

from flask_babel import gettext as _, ngettext

from grants.money import format_pence


def voting_method_text(round_) -> str:
    method = round_.voting_method
    if method == "approval":
        return _("Approval: members tick every proposal they support")
    if method == "approval_limited":
        return ngettext("Approval: members tick up to %(num)d proposal",
                        "Approval: members tick up to %(num)d proposals", round_.approval_limit or 0)
    if method == "score":
        return _("Score: members give each proposal 0 to 5")
    return ngettext("Cumulative: members spread %(num)d point",
                    "Cumulative: members spread %(num)d points", round_.cumulative_points or 0)


def pots_text(pots_with_names) -> str:
    return ", ".join(_("%(theme)s: %(amount)s", theme=name, amount=format_pence(pot.amount))
                     for pot, name in pots_with_names)
