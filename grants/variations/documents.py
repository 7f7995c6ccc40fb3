"""The variation letter: the record of an approved change to a grant (a PDF, built by the worker).

It says what changed (budget lines, report due dates, purpose, outcomes, money handed back), why,
who approved it and when, and the grant as it now stands. It is in the grantee's language, like the
award letter, and its values are read from the variation's own record (the grant as it was when
asked, and as the approved change made it), so rebuilding it later gives the same letter.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from flask_babel import gettext as _
from sqlmodel import select

from grants.awards.documents import grantee_language, letterhead
from grants.awards.models import Grant
from grants.collectives.models import Collective, Outcome
from grants.db import db
from grants.documents.registry import DocumentKind, register
from grants.organisations.models import Organisation
from grants.proposals.models import Proposal
from grants.reporting.models import KINDS, Report
from grants.timeutil import utcnow
from grants.variations.models import Variation, VariationApproval
from grants.views import filename_words
from grants.workflow.models import StateHistory


def _names(ids) -> list[str]:
    from grants.auth.models import Person

    return [p.name for p in db.session.exec(select(Person).where(Person.id.in_(list(ids)))).all()] if ids else []


def variation_letter_values(variation_id: int) -> dict:
    variation = db.session.get(Variation, variation_id)
    if variation is None or variation.state != "approved":
        raise LookupError(f"There is no approved variation with id {variation_id}.")
    grant = db.session.get(Grant, variation.grant_id)
    collective = db.session.get(Collective, grant.collective_id)
    organisation = db.session.get(Organisation, grant.organisation_id)
    proposal = db.session.get(Proposal, grant.proposal_id)
    before = variation.before
    old = {line["id"]: line["amount"] for line in before["lines"]}
    lines = [{"description": line["description"], "before": old.get(line["id"]), "after": line["amount"]}
             for line in variation.lines]
    reports = {str(r.id): r for r in db.session.exec(select(Report).where(Report.grant_id == grant.id)).all()}
    dates = [{"report": _(KINDS[reports[key].kind]) if key in reports else "",
              "before": date.fromisoformat(before["due_dates"][key]), "after": date.fromisoformat(value)}
             for key, value in sorted(variation.due_dates.items())
             if before["due_dates"].get(key) not in (None, value)]
    outcomes = dict(db.session.exec(select(Outcome.id, Outcome.text)
                                    .where(Outcome.collective_id == collective.id)).all())
    if variation.needs_partnership:
        approvers = _names(db.session.exec(select(VariationApproval.reviewer_id).where(
            VariationApproval.variation_id == variation.id, VariationApproval.reviewer_id.is_not(None))).all())
        approved_by = {"names": sorted(approvers), "role": _("the locality partnership's reviewers")}
    else:
        actor = db.session.exec(select(StateHistory.actor_id).where(
            StateHistory.object_type == "variation", StateHistory.object_id == variation.id,
            StateHistory.transition == "approve")).first()
        approved_by = {"names": _names([actor]) if actor else [], "role": _("a facilitator of the collective")}
    purpose_changed = variation.purpose.strip() != before["purpose"].strip()
    outcomes_changed = sorted(set(variation.outcome_ids)) != sorted(set(before["outcome_ids"]))
    return {
        "collective": letterhead(collective),
        "organisation": {"name": organisation.name, "contact": organisation.contact_name},
        "grant": {"number": grant.id, "title": proposal.title, "amount": before["amount"],
                  "net_before": before["amount"] - before["returned"],
                  "net_after": before["amount"] - before["returned"] - variation.returned},
        "variation": {"number": variation.id, "reason": variation.reason, "approved_at": variation.decided_at,
                      "note": variation.decision_reason, "returned": variation.returned,
                      "paid_back": variation.paid_back, "paid_back_reference": variation.paid_back_reference},
        "approved_by": approved_by,
        "lines": lines, "total_before": sum(old.values()), "total_after": sum(line["after"] for line in lines),
        "dates": dates,
        "purpose": {"before": before["purpose"], "after": variation.purpose} if purpose_changed else None,
        "outcomes": {"before": [outcomes.get(i, "") for i in before["outcome_ids"]],
                     "after": [outcomes.get(i, "") for i in variation.outcome_ids]} if outcomes_changed else None,
        "generated_at": utcnow(),
    }


def sample_variation_letter() -> dict:
    approved = datetime(2027, 9, 14, 11, 30, tzinfo=timezone.utc)
    return {
        "collective": {"name": "West Birmingham Community Health Collective", "locality": "West Birmingham",
                       "address": ["Soho Road Community Centre", "120 Soho Road", "Birmingham B21 9DP"],
                       "email": "grants@westbirminghamhealth.example.org", "phone": "0121 496 0134",
                       "facilitators": ["Folasade Adeyemi", "Imran Hussain"]},
        "organisation": {"name": "Lozells Family Hub", "contact": "Grace Mensah"},
        "grant": {"number": 12, "title": "Stay-and-play with a health visitor", "amount": 150_000,
                  "net_before": 150_000, "net_after": 140_000},
        "variation": {"number": 3, "reason": "The hall put its prices up, and two volunteers now share lifts.",
                      "approved_at": approved, "note": "", "returned": 10_000, "paid_back": 0,
                      "paid_back_reference": ""},
        "approved_by": {"names": ["Folasade Adeyemi"], "role": _("a facilitator of the collective")},
        "lines": [{"description": "Health visitor time", "before": 60_000, "after": 60_000},
                  {"description": "Play workers", "before": 60_000, "after": 50_000},
                  {"description": "Hall hire", "before": None, "after": 30_000},
                  {"description": "Toys and materials", "before": 30_000, "after": 0}],
        "total_before": 150_000, "total_after": 140_000,
        "dates": [{"report": _(KINDS["end"]), "before": date(2028, 4, 6), "after": date(2028, 6, 30)}],
        "purpose": None, "outcomes": None,
        "generated_at": utcnow(),
    }


def newest_approved() -> int | None:
    return db.session.exec(select(Variation.id).where(Variation.state == "approved")
                           .order_by(Variation.id.desc())).first()


def letter_filename(values: dict) -> str:
    return (f"variation-letter-{filename_words(values['organisation']['name'], 'document')}-"
            f"{values['grant']['number']}-{values['variation']['number']}.pdf")


def _language(variation_id: int) -> str:
    variation = db.session.get(Variation, variation_id)
    return grantee_language(variation.grant_id) if variation else grantee_language(0)


VARIATION_LETTER = register(DocumentKind(
    name="variation-letter", title="Variation letter", template="variation_letter.html",
    load=variation_letter_values, sample=sample_variation_letter, filename=letter_filename,
    example=newest_approved, language=_language))
