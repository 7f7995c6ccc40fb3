"""Words for a round's settings, shared by pages, emails and PDFs."""

from __future__ import annotations

from grants.money import format_pence


def voting_method_text(round_) -> str:
    method = round_.voting_method
    if method == "approval":
        return "Approval: members tick every proposal they support"
    if method == "approval_limited":
        return f"Approval: members tick up to {round_.approval_limit} proposals"
    if method == "score":
        return "Score: members give each proposal 0 to 5"
    return f"Cumulative: members spread {round_.cumulative_points} points"


def pots_text(pots_with_names) -> str:
    return ", ".join(f"{name}: {format_pence(pot.amount)}" for pot, name in pots_with_names)
