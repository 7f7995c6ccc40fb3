"""Shared fixtures for the workflow engine tests: fake subjects that follow each subject protocol.

A fake subject is a ``SimpleNamespace`` holding exactly the attributes a workflow documents (its
state attribute, every attribute its guards declare in ``Guard.reads``, and every ``timed_by``
date), so a guard that reads anything undeclared fails the tests with ``AttributeError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import strategies as st

from workflows import Workflow

NOW = datetime(2027, 3, 3, 17, 0, tzinfo=UTC)
PAST = NOW - timedelta(days=1)
FUTURE = NOW + timedelta(days=1)

# Values under which every guard of every workflow allows. Dates are in the past (so timed
# transitions are due) except where a guard needs a future date (revote, accepting an offer).
PERMISSIVE: dict[str, Any] = {
    "missing_settings": [],
    "proposals_awaiting_eligibility": 0,
    "count_complete": True,
    "ratifications_count": 3,
    "ratifications_needed": 3,
    "open_grants_count": 0,
    "round_open_for_proposals": True,
    "missing_fields": [],
    "budget_lines_total": 100_000,
    "amount_requested": 100_000,
    "reports_outstanding": 0,
    "needs_partnership": False,
    "partners_unconfirmed": [],
    "approvals_count": 2,
    "approvals_needed": 2,
    "evidence_datasets_count": 2,
    "engagement_sessions_count": 3,
    "needs_count": 4,
    "priorities_agreed": True,
    "commissioned_round_id": 7,
    "commissioned_round_closed": True,
    "needs_without_response": [],
    "proposals_open_at": PAST,
    "proposals_close_at": PAST,
    "voting_opens_at": PAST,
    "voting_closes_at": FUTURE,
    "offer_expires_at": FUTURE,
    "expires_at": FUTURE,
    "reporting_starts_at": PAST,
    "due_at": PAST,
}

PERMISSIVE_DATA: dict[str, Any] = {
    "reason": "The group asked us to",
    "accepted_by_name": "Amina Okafor",
    "conditions_confirmed": True,
}

_DATES = st.sampled_from([None, PAST, FUTURE])

# Every value a protocol attribute may take in the random walks, permissive and not.
ATTRIBUTE_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "missing_settings": st.sampled_from([[], [], ["budget"], ["budget", "voting method"]]),
    "proposals_awaiting_eligibility": st.sampled_from([0, 0, 1, 3]),
    "count_complete": st.booleans(),
    "ratifications_count": st.integers(0, 4),
    "ratifications_needed": st.integers(1, 3),
    "open_grants_count": st.sampled_from([0, 0, 1, 2]),
    "round_open_for_proposals": st.booleans(),
    "missing_fields": st.sampled_from([[], [], ["project title"], ["project title", "summary"]]),
    "budget_lines_total": st.sampled_from([100_000, 100_000, 90_000, 123_450]),
    "amount_requested": st.sampled_from([100_000, 100_000, 50_000]),
    "reports_outstanding": st.sampled_from([0, 0, 1, 2]),
    "needs_partnership": st.booleans(),
    "partners_unconfirmed": st.sampled_from([[], [], ["Ladywood Mums"]]),
    "approvals_count": st.integers(0, 3),
    "approvals_needed": st.integers(1, 3),
    "evidence_datasets_count": st.integers(0, 2),
    "engagement_sessions_count": st.integers(0, 2),
    "needs_count": st.integers(0, 2),
    "priorities_agreed": st.booleans(),
    "commissioned_round_id": st.sampled_from([None, 7]),
    "commissioned_round_closed": st.booleans(),
    "needs_without_response": st.sampled_from([[], [], ["Translated leaflets"]]),
    "proposals_open_at": _DATES,
    "proposals_close_at": _DATES,
    "voting_opens_at": _DATES,
    "voting_closes_at": _DATES,
    "offer_expires_at": _DATES,
    "expires_at": _DATES,
    "reporting_starts_at": _DATES,
    "due_at": _DATES,
}


def protocol_attributes(workflow: Workflow) -> list[str]:
    """The subject attributes a workflow's guards and timed transitions read, sorted."""
    names = {name for t in workflow.transitions for guard in t.guards for name in guard.reads}
    names |= workflow.date_attributes
    return sorted(names)


def data_keys(workflow: Workflow) -> list[str]:
    return sorted({key for t in workflow.transitions for g in t.guards for key in g.data_keys})


def make_subject(workflow: Workflow, state: object, **overrides: Any) -> SimpleNamespace:
    """A subject in ``state`` with permissive values for exactly the attributes the workflow reads."""
    values = {name: PERMISSIVE[name] for name in protocol_attributes(workflow)}
    unknown = set(overrides) - set(values)
    if unknown:
        raise AssertionError(f"{workflow.name} does not read {sorted(unknown)}")
    values.update(overrides)
    value = state.value if hasattr(state, "value") else state
    return SimpleNamespace(**{workflow.state_attribute: value}, **values)


@dataclass(frozen=True)
class Helpers:
    now: datetime = NOW
    past: datetime = PAST
    future: datetime = FUTURE

    make_subject = staticmethod(make_subject)
    protocol_attributes = staticmethod(protocol_attributes)
    data_keys = staticmethod(data_keys)
    permissive = PERMISSIVE
    permissive_data = PERMISSIVE_DATA
    strategies = ATTRIBUTE_STRATEGIES


@pytest.fixture
def helpers() -> Helpers:
    return Helpers()
