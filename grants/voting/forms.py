"""Reading a ballot from the posted form, whatever the voting method."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField

from grants.errors import Refused
from grants.forms import FlaskForm, GovSelect, OnceField, Required, parse_whole_number
from grants.ids import DB_INT_MAX, parse_id
from grants.rounds.models import Round


#: The button a member (or a facilitator, for a paper ballot) presses to abstain on purpose.
ABSTAIN = "abstain"

NO_CHOICE = {
    "approval": _l("You have not chosen any proposal. Tick at least one, or choose "
                   "“I choose not to support any proposal”"),
    "score": _l("You have not chosen any proposal: every score is 0. Give at least one proposal a score, or "
                "choose “I choose not to support any proposal”"),
    "cumulative": _l("You have not chosen any proposal: you gave no points. Give at least one proposal points, "
                     "or choose “I choose not to support any proposal”"),
}
NO_CHOICE_PAPER = {
    "approval": _l("This paper ballot has no proposal chosen. Tick what the member chose, or choose "
                   "“The member chose not to support any proposal”"),
    "score": _l("This paper ballot has no proposal chosen: every score is 0. Enter the member's scores, or "
                "choose “The member chose not to support any proposal”"),
    "cumulative": _l("This paper ballot has no proposal chosen: no points are given. Enter the member's points, "
                     "or choose “The member chose not to support any proposal”"),
}
CHOICE_AND_ABSTAIN = _l("You chose not to support any proposal, but some are chosen. Clear them to abstain, "
                        "or save the ballot as it is")


class BallotForm(FlaskForm):
    """The ballot's CSRF and once tokens; the marks are read by ``read_marks``. ``choice`` carries
    the message shown beside the proposals (nothing chosen), never a value."""

    once = OnceField()
    choice = HiddenField()


class PaperBallotForm(FlaskForm):
    once = OnceField()
    choice = HiddenField()
    member_id = SelectField(_l("Member who voted on paper"), widget=GovSelect(), coerce=str,
                            validators=[Required(_l("Choose the member whose ballot this is"))])
    # Asked only when the member has voted online: ``replacing`` is the saved time of the online
    # ballot the facilitator confirms replacing (a later online ballot asks again).
    replace_online = BooleanField(_l("Yes, replace their online ballot"))
    replacing = HiddenField()

    def confirmed_online_ballot(self) -> datetime | None:
        if not self.replace_online.data:
            return None
        try:
            return datetime.fromisoformat(str(self.replacing.data or "")[:40])
        except ValueError:
            return None


class RemindForm(FlaskForm):
    """Send a voting reminder now: the CSRF token only."""


def abstaining(formdata) -> bool:
    return formdata.get("action") == ABSTAIN


def check_choice(round_: Round, marks: dict[int, int], *, abstain: bool, paper: bool = False) -> None:
    """An empty ballot only on purpose: refuse one sent by accident, and an abstention with choices."""
    chosen = any(marks.values())
    if abstain and chosen:
        raise Refused(str(CHOICE_AND_ABSTAIN), field="choice")
    if not abstain and not chosen:
        method = "approval" if round_.voting_method in ("approval", "approval_limited") else round_.voting_method
        raise Refused(str((NO_CHOICE_PAPER if paper else NO_CHOICE)[method]), field="choice")


def _whole_number(text: str, what: str) -> int:
    try:
        return parse_whole_number(text, what=what, example="3", minimum=-DB_INT_MAX) or 0
    except ValueError as error:
        raise Refused(str(error)) from None


def read_marks(round_: Round, formdata) -> dict[int, int]:
    """Marks keyed by proposal id, from the fields the ballot page posts for this method."""
    marks: dict[int, int] = {}
    if round_.voting_method in ("approval", "approval_limited"):
        for value in formdata.getlist("approve"):
            if parse_id(value) is None:
                raise Refused(_("Your ballot includes a proposal that is not in this round's vote. Reload the page."))
            marks[parse_id(value)] = 1
        return marks
    prefix = "score-" if round_.voting_method == "score" else "points-"
    what = _("a score") if round_.voting_method == "score" else _("points")
    for key in formdata:
        if key.startswith(prefix):
            proposal_id = key[len(prefix):]
            if parse_id(proposal_id) is None:
                raise Refused(_("Your ballot includes a proposal that is not in this round's vote. Reload the page."))
            marks[parse_id(proposal_id)] = _whole_number(formdata.get(key), what)
    return marks
