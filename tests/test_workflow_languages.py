"""The workflow engine's words come out in the reader's language, with the values inside them.

The engine knows nothing of Flask: the app installs its translations and its locale-aware date,
money and list formatters into ``workflows.i18n``. A refusal is then written when the guard (or
the engine) runs, in the language of whoever asked, as one whole sentence with its date in the
same language; a state label declared with ``N_`` is translated where it is shown. Without a
language chosen (and in the engine's own tests) the English is word for word what it was.
"""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

import workflows
from grants.timeutil import format_datetime
from workflows import Context, GuardFailed, NotAllowed
from workflows.definitions.round import RoundState

OPENS = datetime(2027, 3, 3, 17, 0, tzinfo=timezone.utc)
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=timezone.utc)


def _draft_round(**changes):
    values = {"state": "draft", "proposals_open_at": OPENS, "proposals_close_at": None, "voting_opens_at": None,
              "voting_closes_at": None, "missing_settings": []}
    return SimpleNamespace(**{**values, **changes})


def _member_opens_proposals():
    """A member asking to open a draft round's proposals: refused, naming who may and the date."""
    member = Context(actor=7, roles={"member"}, now=NOW)
    return workflows.get("round").check(_draft_round(), "open_proposals", member)


def _scheduler_opens_proposals_early():
    """The scheduler looking at the round before its date: not due until then."""
    return workflows.get("round").check(_draft_round(), "open_proposals", Context.scheduler(NOW))


def test_a_refusal_and_a_state_label_in_english_are_unchanged(app):
    with app.test_request_context():
        option = _member_opens_proposals()
        assert option.refusal is NotAllowed
        assert option.reason == "Only a facilitator can do this; it happens automatically on 3 March 2027 at 17:00"
        assert _scheduler_opens_proposals_early().reason == "Proposals open on 3 March 2027 at 17:00"
        round_ = _draft_round(workflow_name="round")
        assert workflows.get("round").state_of(round_).staff_label == "Draft"
        from flask_babel import gettext

        assert gettext(RoundState.OPEN_FOR_PROPOSALS.staff_label) == "Open for proposals"


@pytest.mark.parametrize("language", ["ur", "pa", "bn"])
def test_a_refusal_with_a_date_and_a_state_label_in_another_language(app, language):
    with app.test_request_context(), force_locale(language):
        from flask_babel import gettext

        when = format_datetime(OPENS)
        assert "March" not in when and "2027" in when  # the month in the language, Latin digits

        option = _member_opens_proposals()
        assert option.refusal is NotAllowed
        reason = option.reason
        assert when in reason                                   # the date inside, in the same language
        assert "Only" not in reason and "automatically" not in reason
        assert reason == gettext("Only %(who)s can do this; it happens automatically on %(when)s",
                                 who=gettext("a facilitator"), when=when)

        early = _scheduler_opens_proposals_early()
        assert early.refusal is GuardFailed
        assert early.reason == gettext("%(event)s on %(when)s", event=gettext("Proposals open"), when=when)
        assert "Proposals open" not in early.reason

        label = gettext(RoundState.OPEN_FOR_PROPOSALS.staff_label)
        assert label and label != "Open for proposals"


def test_urdu_words_for_a_refused_round_move(app):
    """The Urdu sentence itself, as an Urdu reader sees it, with the Urdu month in the date."""
    with app.test_request_context(), force_locale("ur"):
        from flask_babel import gettext

        reason = _member_opens_proposals().reason
        assert "مارچ" in reason and "2027" in reason and "17:00" in reason
        assert "سہولت کار" in reason                         # "a facilitator", the glossary's word
        assert gettext(RoundState.OPEN_FOR_PROPOSALS.staff_label) == "تجاویز کے لیے کھلا"
        assert gettext(RoundState.DRAFT.staff_label) == "مسودہ"


def test_a_guard_sentence_with_a_count_in_urdu(app):
    """Plural guards are whole sentences (no English "s" suffixes), translated when the guard runs."""
    facilitator = Context(actor=1, roles={"facilitator"}, now=NOW)
    waiting = _draft_round(state="eligibility_check", proposals_awaiting_eligibility=2, voting_opens_at=OPENS)
    with app.test_request_context():
        option = workflows.get("round").check(waiting, "open_voting", facilitator)
        assert option.reason == "2 proposals still need an eligibility decision"
    with app.test_request_context(), force_locale("ur"):
        option = workflows.get("round").check(waiting, "open_voting", facilitator)
        assert "2" in option.reason and "proposals" not in option.reason
