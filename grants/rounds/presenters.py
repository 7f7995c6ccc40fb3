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


def import_progress(upload, live: dict | None) -> dict:
    """What an uploaded election's page says of it: ``percent`` done and a sentence, in the
    reader's language. ``live`` is what the worker last told of a running import (stage, done,
    total; see ``grants.rounds.uploads``), or None; the row's committed stage is the fallback."""
    if upload.state == "queued":
        return {"percent": 0, "message": _("Waiting to start")}
    if upload.state == "done":
        return {"percent": 100, "message": _("Done")}
    if upload.state == "failed":
        return {"percent": 100, "message": _("Not imported")}
    stage, done, total = (live or {}).get("stage"), (live or {}).get("done", 0), (live or {}).get("total", 0)
    if stage == "checking":
        return {"percent": 10, "message": ngettext("Checking the file's %(voters)s voter",
                                                   "Checking the file's %(voters)s voters", total,
                                                   voters=f"{total:,}")}
    if stage == "saving" and total:
        return {"percent": 15 + 85 * done // total,
                "message": ngettext("Saving %(done)s of %(ballots)s ballot", "Saving %(done)s of %(ballots)s ballots",
                                    total, done=f"{done:,}", ballots=f"{total:,}")}
    return {"percent": 5, "message": _("Reading the file")}

