"""Reading a ballot from the posted form, whatever the voting method."""

from __future__ import annotations

from wtforms import SelectField

from grants.errors import Refused
from grants.forms import FlaskForm, GovSelect, OnceField, Required, parse_whole_number
from grants.ids import DB_INT_MAX, parse_id
from grants.rounds.models import Round


class BallotForm(FlaskForm):
    """The ballot's CSRF and once tokens; the marks are read by ``read_marks``."""

    once = OnceField()


class PaperBallotForm(FlaskForm):
    once = OnceField()
    member_id = SelectField("Member who voted on paper", widget=GovSelect(), coerce=str,
                            validators=[Required("Choose the member whose ballot this is")])


def _whole_number(text: str, what: str) -> int:
    try:
        return parse_whole_number(text, what=what.lower(), example="3", minimum=-DB_INT_MAX) or 0
    except ValueError as error:
        raise Refused(str(error)) from None


def read_marks(round_: Round, formdata) -> dict[int, int]:
    """Marks keyed by proposal id, from the fields the ballot page posts for this method."""
    marks: dict[int, int] = {}
    if round_.voting_method in ("approval", "approval_limited"):
        for value in formdata.getlist("approve"):
            if parse_id(value) is None:
                raise Refused("Your ballot includes a proposal that is not in this round's vote. Reload the page.")
            marks[parse_id(value)] = 1
        return marks
    prefix = "score-" if round_.voting_method == "score" else "points-"
    what = "A score" if round_.voting_method == "score" else "Points"
    for key in formdata:
        if key.startswith(prefix):
            proposal_id = key[len(prefix):]
            if parse_id(proposal_id) is None:
                raise Refused("Your ballot includes a proposal that is not in this round's vote. Reload the page.")
            marks[parse_id(proposal_id)] = _whole_number(formdata.get(key), what)
    return marks
