"""The grants CSV: one row per grant of a collective, in every state, for facilitators and reviewers.

Columns: ``grant_id``, ``round``, ``organisation``, ``project``, ``amount_pounds`` (exact, two
decimals), ``state`` (the staff label of the grant workflow state), ``offered_on`` and
``accepted_on`` (London dates, YYYY-MM-DD; empty if not accepted), ``paid_pounds`` (paid so far),
``theme`` and ``communities_served`` (the proposal's ONS 2021 categories, separated by "; ").
"""

from __future__ import annotations

from datetime import datetime

from grants.collectives.models import Collective
from grants.exports.csvfile import csv_text
from grants.exports.queries import GrantRow, grant_rows
from grants.money import pounds
from grants.reference import ETHNIC_CATEGORY_BY_CODE
from grants.timeutil import to_london
from workflows.definitions.grant import GrantState

HEADER = ("grant_id", "round", "organisation", "project", "amount_pounds", "state", "offered_on", "accepted_on",
          "paid_pounds", "theme", "communities_served")


def _london_date(value: datetime | None) -> str:
    return to_london(value).date().isoformat() if value is not None else ""


def _state_label(state: str) -> str:
    try:
        return GrantState(state).staff_label
    except ValueError:
        return state


def grant_line(row: GrantRow) -> tuple:
    grant, proposal = row.grant, row.proposal
    # open data: the ONS wording in English, whoever downloads it
    communities = "; ".join(ETHNIC_CATEGORY_BY_CODE[code].english for code in proposal.communities_served or []
                            if code in ETHNIC_CATEGORY_BY_CODE)
    return (grant.id, row.round.name, row.organisation.name, proposal.title, pounds(grant.amount),
            _state_label(grant.state), _london_date(grant.offered_at), _london_date(grant.accepted_at),
            pounds(row.paid), row.theme, communities)


def grants_table(collective: Collective) -> list[tuple]:
    return [grant_line(row) for row in grant_rows(collective)]


def grants_csv(collective: Collective) -> str:
    return csv_text(HEADER, grants_table(collective))
