"""What each audit row's action was, in words, for the audit page: "Round set up", "Open proposals".

The log stores an action as a code (``round.created``; ``round.open_proposals`` for a workflow
move). The page shows its label here, in the reader's language; a move is named by its
transition's label, and its details by the translated states it went between. A code with no
label yet is shown as it is stored.
"""

from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l

import workflows

ACTIONS = {
    "collective.created": _l("Collective created"),
    "collective.updated": _l("Collective details changed"),
    "collective.two_factor_required": _l("Two-factor sign-in required"),
    "collective.two_factor_not_required": _l("Two-factor sign-in no longer required"),
    "commissioning.cycle_created": _l("Commissioning cycle started"),
    "commissioning.evidence_chosen": _l("Evidence chosen"),
    "commissioning.published": _l("“We did” published"),
    "commissioning.round_chosen": _l("Round chosen for the priorities"),
    "commissioning.settings_changed": _l("Commissioning settings changed"),
    "engagement.feedback_added": _l("Engagement feedback added"),
    "engagement.recorded": _l("Engagement session recorded"),
    "evidence.import_queued": _l("Evidence import queued"),
    "evidence.population_imported": _l("Population figures imported"),
    "evidence.usage_imported": _l("Service-use figures imported"),
    "grant.offered": _l("Grant offered"),
    "grant.payment": _l("Payment recorded"),
    "grant.payment_reversed": _l("Payment reversed"),
    "grant.varied": _l("Grant changed by a variation"),
    "invitation.sent": _l("Invitation sent"),
    "join_request.created": _l("Asked to join"),
    "mail.retried": _l("Email sent again"),
    "membership.changed": _l("Roles changed"),
    "membership.removed": _l("Removed from the collective"),
    "need.not_taken_forward": _l("Need not taken forward"),
    "need.written": _l("Need written"),
    "organisation.updated": _l("Organisation details changed"),
    "person.erased": _l("Personal details erased"),
    "priority.approved": _l("Priority approved"),
    "priority.grants_confirmed": _l("Grants for a priority confirmed"),
    "proposal.feedback_saved": _l("Feedback to the applicant saved"),
    "proposal.partner_invited": _l("Partner organisation invited"),
    "proposal.saved": _l("Proposal saved"),
    "proposal.started": _l("Proposal started"),
    "report.saved": _l("Report saved"),
    "round.count_reset": _l("Count set aside"),
    "round.counted": _l("Votes counted"),
    "round.created": _l("Round set up"),
    "round.deadline_extended": _l("Deadline extended"),
    "round.ratification": _l("Allocation ratified by a reviewer"),
    "round.updated": _l("Round settings changed"),
    "round.voting_reminder_sent": _l("Voting reminder sent"),
    "variation.approval": _l("Change to a grant approved by a reviewer"),
    "variation.requested": _l("Change to a grant asked for"),
    "variation.resent": _l("Change to a grant sent again"),
    "we_did.checked": _l("“We did” checked"),
    "we_did.recorded": _l("“We did” recorded"),
}


def _move(event):
    """The workflow and transition of a move's action (``round.open_proposals``), or None."""
    name, _dot, transition = event.action.partition(".")
    workflow = workflows.WORKFLOWS.get(name)
    if workflow is None or transition not in {t.name for t in workflow.transitions}:
        return None, None
    return workflow, workflow.transition(transition)


def action_text(event) -> str:
    """The row's action in words."""
    workflow, transition = _move(event)
    if transition is not None:
        return _(transition.label)
    label = ACTIONS.get(event.action)
    return str(label) if label is not None else event.action


def details_text(event) -> str:
    """The row's details: for a move, the states it went between (in words) and the reason given;
    otherwise what was stored when it happened."""
    workflow, transition = _move(event)
    before, after = (event.before or {}).get("state"), (event.after or {}).get("state")
    if transition is None or before is None or after is None:
        return event.summary
    try:
        old, new = workflow.coerce_state(before), workflow.coerce_state(after)
    except workflows.UnknownState:
        return event.summary
    # The stored summary is "<workflow>: <from> → <to>" and, when one was given, " (<reason>)".
    stored = f"{workflow.label}: {old.staff_label} → {new.staff_label}"
    reason = event.summary[len(stored) + 2:-1] if event.summary.startswith(stored + " (") else ""
    values = {"workflow": _(workflow.label), "from": _(old.staff_label), "to": _(new.staff_label)}
    if reason:
        return _("%(workflow)s: %(from)s → %(to)s (%(reason)s)", reason=reason, **values)
    return _("%(workflow)s: %(from)s → %(to)s", **values)


__all__ = ["ACTIONS", "action_text", "details_text"]
