"""Who may do what in reverse commissioning; routes refuse with them, templates hide buttons with them.

Facilitators run commissioning cycles (evidence, engagement, needs, "we did"); reviewers (the
locality partnership) see everything inside the app, may import evidence, and decide which needs
become priorities. Members and the public see the public "You said, we did" page only.

The ``can_*`` predicates that take a cycle are state-aware: recording a workshop is possible
while the cycle is gathering engagement or needs, deciding priorities while it is agreeing them.
"""

from __future__ import annotations

from grants.permissions import roles_in

ATTACH_EVIDENCE_STATES = ("evidence", "engagement")
ENGAGEMENT_STATES = ("engagement", "needs")
NEED_STATES = ("needs",)
DECISION_STATES = ("priorities",)
WE_DID_STATES = ("priorities", "commissioned", "delivered")
# The round is chosen before the priorities are commissioned; to change it afterwards, reopen them.
CHOOSE_ROUND_STATES = ("evidence", "engagement", "needs", "priorities")


def _roles(person, collective) -> frozenset[str]:
    return roles_in(person, collective)


def can_view_commissioning(person, collective) -> bool:
    return bool({"facilitator", "reviewer"} & _roles(person, collective))


def can_import_evidence(person, collective) -> bool:
    return can_view_commissioning(person, collective)


def can_manage_commissioning(person, collective) -> bool:
    return "facilitator" in _roles(person, collective)


def can_download_report(person, collective) -> bool:
    return can_view_commissioning(person, collective)


def can_attach_evidence(person, cycle) -> bool:
    return can_manage_commissioning(person, cycle.collective_id) and cycle.state in ATTACH_EVIDENCE_STATES


def can_record_engagement(person, cycle) -> bool:
    return can_manage_commissioning(person, cycle.collective_id) and cycle.state in ENGAGEMENT_STATES


def can_write_need(person, cycle) -> bool:
    return can_manage_commissioning(person, cycle.collective_id) and cycle.state in NEED_STATES


def can_decide_need(person, cycle, need) -> bool:
    return ("reviewer" in _roles(person, cycle.collective_id) and cycle.state in DECISION_STATES
            and need.decision == "undecided")


def can_record_we_did(person, cycle) -> bool:
    return can_manage_commissioning(person, cycle.collective_id) and cycle.state in WE_DID_STATES


def can_check_we_did(person, cycle) -> bool:
    """A reviewer of the partnership checks "we did" entries (never one they wrote: the operation refuses)."""
    return "reviewer" in _roles(person, cycle.collective_id) and cycle.state in WE_DID_STATES


def can_choose_round(person, cycle) -> bool:
    return can_manage_commissioning(person, cycle.collective_id) and cycle.state in CHOOSE_ROUND_STATES
