"""What reviewers read: the allocation by pot, theme and community, and the round's audit trail."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import or_, select

from grants.audit.models import AuditEvent
from grants.db import db
from grants.proposals.models import Proposal
from grants.reference import ETHNIC_CATEGORY_BY_CODE, ETHNIC_GROUPS
from grants.rounds.models import Round


def by_theme(rows: list[dict]) -> list[dict]:
    themes: dict[str, dict] = {}
    for row in rows:
        name = row["theme"] or _("No theme")
        entry = themes.setdefault(name, {"name": name, "proposals": 0, "funded": 0, "money": 0})
        entry["proposals"] += 1
        if row["selected"]:
            entry["funded"] += 1
            entry["money"] += row["amount"]
    return sorted(themes.values(), key=lambda t: t["name"])


def by_community(rows: list[dict]) -> list[dict]:
    """Funded proposals and their money per ONS high-level group and category (a proposal serving
    several communities counts in each; exact figures, for the partnership inside the app)."""
    groups = {code: {"group": label, "proposals": 0, "money": 0, "categories": {}} for code, label in ETHNIC_GROUPS.items()}
    for row in rows:
        if not row["selected"]:
            continue
        seen_groups = set()
        for code in row["communities"]:
            category = ETHNIC_CATEGORY_BY_CODE.get(code)
            if category is None:
                continue
            group = groups[category.group]
            entry = group["categories"].setdefault(category.label, {"proposals": 0, "money": 0})
            entry["proposals"] += 1
            entry["money"] += row["amount"]
            if category.group not in seen_groups:
                seen_groups.add(category.group)
                group["proposals"] += 1
                group["money"] += row["amount"]
    return [g for g in groups.values() if g["proposals"]]


def audit_trail(round_: Round) -> list[AuditEvent]:
    proposal_ids = select(Proposal.id).where(Proposal.round_id == round_.id)
    return list(db.session.exec(select(AuditEvent).where(
        or_((AuditEvent.object_type == "round") & (AuditEvent.object_id == round_.id),
            (AuditEvent.object_type == "proposal") & AuditEvent.object_id.in_(proposal_ids)),
        AuditEvent.action.not_in(("proposal.saved", "proposal.started")))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(200)).all())
