"""The documents of a round's money loop, rendered as PDFs from templates under ``templates/pdf/``.

Glossary
- *proposal pack* (kind ``proposal-pack``, id = round): every proposal of a round that is
  eligible or in the vote, with what a member needs to judge it, and a *paper ballot sheet* in
  the round's voting method for a voting meeting. It runs to a page or so per proposal, so the
  pack page builds it off the request (:mod:`grants.documents.builds`).
- *award letter* (``award-letter``, id = grant): the offer to an organisation: amount, purpose,
  conditions, the reports it owes and when, how to accept, and who it is from.
- *decision report* (``decision-report``, id = round): the allocation with the rule's reasons,
  totals per pot, theme and community, the exchange with the locality partnership, its decision
  and a summary of the round's audit trail.
- *grant report* (``grant-report``, id = report): one submitted report with the grant's facts.

Each kind has a loader that reads the database into plain values (no model row reaches a
template), a sample with realistic values for ``flask --app grants documents samples`` and the
benchmark, a filename, and a finder for the newest object to show as the sample.

Counts by community are published through :mod:`grants.disclosure` in every document, whoever
downloads it, because documents are filed and passed on: a grant report's people reached, and the
decision report's funded proposals per community (by the rules of :mod:`grants.rounds.communities`,
without money). The exact figures stay in the app, on the review page. The decision report
therefore lists no proposal's communities either: they would add back up to the hidden counts.
Email addresses never appear: people are named only.

Every document is in a language (:mod:`grants.documents.builds` reads its values and renders it
inside ``force_locale``): what a loader words here (ballot instructions, due dates, the decision)
is written with ``_()`` when it is read, and labels declared elsewhere (states, report kinds,
communities, conditions, rules) are translated where they are read, ``_(label)``. The award letter
is in its grantee's language (:func:`grantee_language`), with a copy in any other on request.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlmodel import func, select

from grants import disclosure, i18n
from grants.allocation import RULES
from grants.audit.models import AuditEvent
from grants.awards.models import CONDITIONS, Grant, Payment, grant_lines
from grants.collectives.models import Collective, Outcome
from grants.collectives.queries import facilitators
from grants.db import db, sum_pence
from grants.documents.registry import DocumentKind, register
from grants.organisations.models import Organisation
from grants.proposals.models import BudgetLine, Proposal, budget_lines
from grants.reference import ETHNIC_CATEGORIES, ETHNIC_CATEGORY_BY_CODE
from grants.reporting.models import KINDS, Report
from grants.reporting.operations import photo_data_uri, reports_of, tiers
from grants.review import operations as review_ops
from grants.review.queries import by_theme
from grants.rounds import queries as round_queries
from grants.rounds.communities import community_table
from grants.rounds.models import Count, Round
from grants.rounds.presenters import voting_method_text
from grants.timeutil import format_date, format_datetime, utcnow
from grants.urls import external_url
from grants.views import filename_words
from grants.workflow.operations import workflow_of

PACK_STATES = ("eligible", "in_vote")
SUBMITTED_STATES = ("submitted", "accepted")
DAYS_PER_MONTH = 365 / 12
MAX_SCORE = 5
_EMAIL = re.compile(r"\s*<[^>]*@[^>]*>")


# -- shared helpers ----------------------------------------------------------------------------

def _slug(text: str) -> str:
    return filename_words(text, "document")


def _name_only(label: str) -> str:
    """'Rachel <rachel@example.org>' → 'Rachel': documents name people, never their addresses."""
    return _EMAIL.sub("", label).strip()


def _state_label(row) -> str:
    return _(workflow_of(row).state_of(row).staff_label)


def _community_labels(codes) -> list[str]:
    return [_(ETHNIC_CATEGORY_BY_CODE[code].label) for code in codes or [] if code in ETHNIC_CATEGORY_BY_CODE]


def _ring_fenced(theme: str) -> str:
    return _("%(theme)s (ring-fenced pot)", theme=theme)


def _grouped(groups: dict[tuple[bool, str], list[dict]]) -> list[dict]:
    """Groups keyed by (ring-fenced, theme): ring-fenced pots first, then by theme, each headed
    in the document's language."""
    return [{"heading": _ring_fenced(theme) if ring_fenced else theme, "proposals": proposals}
            for (ring_fenced, theme), proposals in sorted(groups.items(), key=lambda item: (not item[0][0], item[0][1]))]


def _months(days: int) -> int:
    return max(1, round(days / DAYS_PER_MONTH))


def _get(model, object_id: int, what: str):
    row = db.session.get(model, object_id)
    if row is None:
        raise LookupError(f"There is no {what} with id {object_id}.")
    return row


# -- the proposal pack -------------------------------------------------------------------------

def ballot_instructions(method: str, approval_limit: int | None, cumulative_points: int | None,
                        voting_closes_at: datetime | None) -> dict:
    """How to fill in the paper ballot sheet in this voting method, in words and columns."""
    if method == "approval":
        how = [_("Tick the box of every proposal you support. Leave the others blank.")]
        columns = [_("Tick")]
    elif method == "approval_limited":
        how = [ngettext("Tick the box of each proposal you support: tick at most %(num)d proposal.",
                        "Tick the box of each proposal you support: tick at most %(num)d proposals.", approval_limit),
               ngettext("Commonpot refuses a ballot with more than %(num)d tick, so it could not be entered.",
                        "Commonpot refuses a ballot with more than %(num)d ticks, so it could not be entered.",
                        approval_limit)]
        columns = [_("Tick")]
    elif method == "score":
        how = [_("Give every proposal a score from 0 (no support) to %(max)d (strong support): tick one box in "
                 "its row. A row left blank scores 0.", max=MAX_SCORE)]
        columns = [str(n) for n in range(MAX_SCORE + 1)]
    else:
        how = [ngettext("You have %(num)d point to spread. Write the points you give each proposal in its "
                        "row: at most %(num)d point in all. A row left blank gets 0 points.",
                        "You have %(num)d points to spread. Write the points you give each proposal in its "
                        "row: at most %(num)d points in all. A row left blank gets 0 points.", cumulative_points)]
        columns = [_("Points")]
    how.append(_("You cannot vote on your own organisation's proposal: leave its row blank. Each row names the "
                 "organisation."))
    if voting_closes_at is not None:
        how.append(_("Hand the signed sheet to a facilitator, who enters it in Commonpot before voting closes on "
                     "%(when)s. A paper ballot replaces any ballot you cast online: only one ever counts.",
                     when=format_datetime(voting_closes_at)))
    return {"method": method, "instructions": how, "columns": columns,
            "points": cumulative_points if method == "cumulative" else None,
            "limit": approval_limit if method == "approval_limited" else None}


def _method_text(method: str, approval_limit: int | None, cumulative_points: int | None) -> str:
    return voting_method_text(SimpleNamespace(voting_method=method, approval_limit=approval_limit,
                                              cumulative_points=cumulative_points))


def pack_values(*, collective: str, round_: dict, groups: list[dict]) -> dict:
    """Plain values for ``proposal_pack.html`` from the round's facts and its proposals grouped by
    heading (each proposal a dict; numbers are given here, in reading order)."""
    number = 0
    for group in groups:
        for proposal in group["proposals"]:
            number += 1
            proposal["number"] = number
    proposals = [p for g in groups for p in g["proposals"]]
    return {
        "collective": collective,
        "round": round_,
        "generated_at": utcnow(),
        "groups": groups,
        "count": len(proposals),
        "requested": sum(p["amount"] for p in proposals),
        "ballot": ballot_instructions(round_["method"], round_["approval_limit"], round_["cumulative_points"],
                                      round_["voting_closes_at"]),
    }


def proposal_pack_values(round_id: int) -> dict:
    round_ = _get(Round, round_id, "round")
    collective = db.session.get(Collective, round_.collective_id)
    themes = round_queries.theme_map(round_)
    pots = round_queries.pots_with_names(round_)
    ring_fenced = {pot.theme_id for pot, _name in pots}
    rows = round_queries.proposals_with_organisations(round_, PACK_STATES)
    ids = [proposal.id for proposal, _organisation in rows]
    lines: dict[int, list[dict]] = {}
    if ids:
        for line in db.session.exec(select(BudgetLine).where(BudgetLine.proposal_id.in_(ids))
                                    .order_by(BudgetLine.proposal_id, BudgetLine.position, BudgetLine.id)).all():
            lines.setdefault(line.proposal_id, []).append({"description": line.description, "amount": line.amount})
    outcomes = dict(db.session.exec(select(Outcome.id, Outcome.text)
                                    .where(Outcome.collective_id == round_.collective_id)).all())
    groups: dict[tuple[bool, str], list[dict]] = {}
    for proposal, organisation in rows:
        theme = themes.get(proposal.theme_id) or _("Other")
        groups.setdefault((proposal.theme_id in ring_fenced, theme), []).append({
            "title": proposal.title, "organisation": organisation.name, "amount": proposal.amount_requested,
            "theme": theme, "communities": _community_labels(proposal.communities_served),
            "summary": proposal.summary, "outcomes": [outcomes[i] for i in proposal.outcome_ids or [] if i in outcomes],
            "people_reached": proposal.people_reached, "budget": lines.get(proposal.id, []),
        })
    return pack_values(collective=collective.name, round_={
        "name": round_.name, "description": round_.description, "state": _state_label(round_),
        "budget": round_.budget, "min_grant": round_.min_grant, "max_grant": round_.max_grant,
        "pots": [{"name": name, "amount": pot.amount} for pot, name in pots],
        "method": round_.voting_method, "method_text": voting_method_text(round_),
        "approval_limit": round_.approval_limit, "cumulative_points": round_.cumulative_points,
        "voting_opens_at": round_.voting_opens_at, "voting_closes_at": round_.voting_closes_at,
    }, groups=_grouped(groups))


def pack_filename(values: dict) -> str:
    return f"proposal-pack-{_slug(values['round']['name'])}.pdf"


def newest_round_with_proposals_in_vote() -> int | None:
    return db.session.exec(select(Proposal.round_id).where(Proposal.state.in_(PACK_STATES))
                           .order_by(Proposal.round_id.desc())).first()


_SAMPLE_PROJECTS = [
    ("Friday diabetes circle", "Winson Green Mosque Health Circle", 300_000, "Preventing ill health",
     ["asian_pakistani", "asian_bangladeshi"],
     "Peer support and blood-sugar checks after Friday prayers, with translated leaflets and a practice nurse "
     "once a month. Men who do not go to the surgery hear about diabetes from people they trust.",
     ["People understand how to manage long-term conditions", "People use primary care earlier"], 60,
     [("Practice nurse sessions", 120_000), ("Glucose meters and test strips", 90_000),
      ("Leaflets in Urdu and Bengali", 40_000), ("Volunteers' expenses", 50_000)]),
    ("Roma families health navigators", "Roma Families Birmingham", 450_000, "Primary care access",
     ["white_roma"],
     "Two part-time navigators who help Roma families register with GPs and dentists, go with them to first "
     "appointments and explain letters from the NHS.",
     ["More people are registered with a GP"], 120,
     [("Navigators' hours", 360_000), ("Interpreting", 60_000), ("Travel", 30_000)]),
    ("Parents' first aid in Polish", "Polish Saturday School", 90_000, "Best start in life",
     ["white_other"],
     "Paediatric first aid courses in Polish for parents at the Saturday school, run by a qualified trainer.",
     ["Parents feel confident to look after their children's health"], 45,
     [("Trainer", 60_000), ("Training manikins", 30_000)]),
    ("Blood pressure Sundays", "New Testament Church of God, Handsworth", 110_000, "Preventing ill health",
     ["black_caribbean", "black_african"],
     "Blood-pressure checks after Sunday services, with referrals to the practice nurse for anyone with a high "
     "reading and a follow-up call a week later.",
     ["People use primary care earlier"], 200,
     [("Blood-pressure monitors", 30_000), ("Health champion training", 50_000), ("Refreshments", 30_000)]),
    ("New arrivals health guide", "Eritrean Community in Birmingham", 200_000, "Primary care access",
     ["black_african"],
     "A health guide in Tigrinya and Arabic, and six sessions to go through it with families who arrived in "
     "the last two years: registering with a GP, NHS 111, pharmacies and dentists.",
     ["More people are registered with a GP", "People know where to go for help"], 80,
     [("Translation and printing", 80_000), ("Session facilitators", 90_000), ("Venue", 30_000)]),
    ("Youth asthma and sport", "Soho Road Youth Club", 160_000, "Best start in life",
     ["asian_indian", "mixed_white_black_caribbean", "white_british"],
     "Asthma-friendly football and cricket for young people, with inhaler technique checks by a community "
     "pharmacist and a plan for each child to take home.",
     ["Children and young people are active and well"], 70,
     [("Coaches", 80_000), ("Pharmacist sessions", 40_000), ("Pitch hire", 40_000)]),
    ("Stay-and-play with a health visitor", "Lozells Family Hub", 150_000, "Best start in life",
     ["black_african", "black_caribbean", "mixed_white_black_caribbean"],
     "Weekly stay-and-play sessions with a health visitor's drop-in, so parents can ask about feeding, sleep "
     "and breathing without an appointment.",
     ["Parents feel confident to look after their children's health"], 90,
     [("Health visitor time", 60_000), ("Play workers", 60_000), ("Toys and materials", 30_000)]),
    ("Caribbean elders' lunch and learn", "Windrush Elders Club", 90_000, "Preventing ill health",
     ["black_caribbean"],
     "Monthly lunches with short talks on blood pressure, medicines and falls, given by local NHS staff.",
     ["People understand how to manage long-term conditions"], 40,
     [("Lunches", 60_000), ("Transport", 30_000)]),
]
_SAMPLE_AREAS = ["Handsworth", "Lozells", "Soho", "Winson Green", "Ladywood", "Aston", "Newtown", "Birchfield",
                 "Perry Barr", "Hockley", "Smethwick", "Rotton Park", "Edgbaston"]
_SAMPLE_COLLECTIVE = "West Birmingham Community Health Collective"


def _sample_proposal(index: int) -> dict:
    title, organisation, amount, theme, communities, summary, outcomes, people, lines = \
        _SAMPLE_PROJECTS[index % len(_SAMPLE_PROJECTS)]
    repeat = index // len(_SAMPLE_PROJECTS)
    if repeat:
        area = _SAMPLE_AREAS[(repeat - 1) % len(_SAMPLE_AREAS)]
        title, organisation = f"{title}: {area}", f"{organisation} ({area})"
    return {"title": title, "organisation": organisation, "amount": amount, "theme": theme,
            "communities": _community_labels(communities), "summary": summary, "outcomes": list(outcomes),
            "people_reached": people, "budget": [{"description": d, "amount": a} for d, a in lines]}


def sample_proposal_pack(count: int = 8, method: str = "approval_limited") -> dict:
    """A pack of ``count`` realistic proposals, without a database (also what the benchmark renders)."""
    closes = datetime(2027, 3, 3, 17, 0, tzinfo=timezone.utc)
    limit = 4 if method == "approval_limited" else None
    points = 10 if method == "cumulative" else None
    groups: dict[tuple[bool, str], list[dict]] = {}
    for index in range(count):
        proposal = _sample_proposal(index)
        groups.setdefault((proposal["theme"] == "Primary care access", proposal["theme"]), []).append(proposal)
    return pack_values(collective=_SAMPLE_COLLECTIVE, round_={
        "name": "Spring 2027 community health grants",
        "description": "Small grants of £500 to £5,000 for community-led health projects in West Birmingham.",
        "state": "Voting", "budget": 1_500_000, "min_grant": 50_000, "max_grant": 500_000,
        "pots": [{"name": "Primary care access", "amount": 400_000}],
        "method": method, "method_text": _method_text(method, limit, points),
        "approval_limit": limit, "cumulative_points": points,
        "voting_opens_at": closes - timedelta(days=14), "voting_closes_at": closes,
    }, groups=_grouped(groups))


PROPOSAL_PACK = register(DocumentKind(
    name="proposal-pack", title="Proposal pack", template="proposal_pack.html",
    load=proposal_pack_values, sample=sample_proposal_pack, filename=pack_filename,
    example=newest_round_with_proposals_in_vote))


# -- the award letter --------------------------------------------------------------------------

def reporting_requirements(grant: Grant, round_: Round) -> list[dict]:
    """The reports the grant owes: with their due dates once accepted; before that, how long
    after acceptance each falls due (and the date it would be if accepted on the day of the offer)."""
    reports = reports_of(grant) if grant.accepted_at else []
    if reports:
        return [{"label": _(r.label), "spend": r.asks_spend, "due": r.due_at,
                 "due_text": format_date(r.due_at), "state": _state_label(r)} for r in reports]
    return [{"label": _(KINDS[kind]), "spend": asks_spend, "due": None,
             "due_text": due_after_accepting(_months(days), grant.offered_at + timedelta(days=days), grant.offered_at),
             "state": ""}
            for kind, asks_spend, days in tiers(grant, round_)]


def due_after_accepting(months: int, due: datetime, offered: datetime) -> str:
    return ngettext("%(num)d month after you accept (%(due)s if you accept on %(offered)s)",
                    "%(num)d months after you accept (%(due)s if you accept on %(offered)s)", months,
                    due=format_date(due), offered=format_date(offered))


def _issued_by(round_: Round, collective: Collective) -> dict:
    """Who signs the letter: the facilitator who issued the round's awards (from its history), else
    the collective's first facilitator by name; with their role."""
    from grants.auth.models import Person
    from grants.workflow.models import StateHistory

    actor_id = db.session.exec(select(StateHistory.actor_id).where(
        StateHistory.object_type == "round", StateHistory.object_id == round_.id,
        StateHistory.transition == "issue_awards").order_by(StateHistory.at.desc())).first()
    person = db.session.get(Person, actor_id) if actor_id else None
    if person is None:
        person = next(iter(sorted(facilitators(collective), key=lambda p: p.name)), None)
    return {"name": person.name if person else "", "role": _("Facilitator, %(collective)s", collective=collective.name)}


def payment_schedule(grant: Grant) -> list[dict]:
    """The grant's payments so far (reversals shown as such), in date order."""
    from grants.awards.operations import payments

    return [{"paid_on": p.paid_on, "amount": p.amount, "reversal": p.is_reversal} for p in payments(grant)]


def letterhead(collective: Collective) -> dict:
    """What a letter's head and signature say about the collective (``templates/pdf/_letterhead.html``)."""
    return {"name": collective.name, "locality": collective.locality,
            "address": [line.strip() for line in collective.postal_address.splitlines() if line.strip()],
            "email": collective.contact_email, "phone": collective.contact_phone,
            "facilitators": sorted(p.name for p in facilitators(collective))}


def award_letter_values(grant_id: int) -> dict:
    grant = _get(Grant, grant_id, "grant")
    proposal = db.session.get(Proposal, grant.proposal_id)
    organisation = db.session.get(Organisation, grant.organisation_id)
    round_ = db.session.get(Round, grant.round_id)
    collective = db.session.get(Collective, grant.collective_id)
    paid = db.session.exec(select(sum_pence(Payment.amount)).where(Payment.grant_id == grant.id)).one()
    signer = _issued_by(round_, collective)
    return {
        "collective": letterhead(collective),
        "signed_by": {"name": signer["name"], "role": signer["role"]},
        "payments": payment_schedule(grant),
        "organisation": {"name": organisation.name, "contact": organisation.contact_name,
                         "postcode": organisation.postcode},
        "round": round_.name,
        "grant": {"number": grant.id, "amount": grant.amount, "state": grant.state, "state_label": _state_label(grant),
                  "offered_at": grant.offered_at, "offer_expires_at": grant.offer_expires_at,
                  "accepted_by": grant.accepted_by_name, "accepted_at": grant.accepted_at, "paid": paid},
        "proposal": {"title": proposal.title, "summary": proposal.summary,
                     "budget": [{"description": line.description, "amount": line.amount}
                                for line in budget_lines(proposal)]},
        "conditions": [_(condition) for condition in CONDITIONS],
        "reports": reporting_requirements(grant, round_),
        "link": external_url("awards.show", slug=collective.slug, grant_id=grant.id),
        "generated_at": utcnow(),
    }


def grantee_language(grant_id: int) -> str:
    """The language the award letter is written in: the one its recipient reads.

    The letter is addressed to the organisation's contact: their preferred language when they
    have an account (by the contact's email address); else the language most of the people who
    act for the organisation in the collective (its applicants, who accept the grant) prefer, the
    earliest account first on a tie; else English.
    """
    from grants.auth.models import Person, normalise_email
    from grants.collectives.models import Membership

    grant = db.session.get(Grant, grant_id)
    if grant is None:
        return i18n.DEFAULT
    organisation = db.session.get(Organisation, grant.organisation_id)
    contact = db.session.exec(select(Person.preferred_language).where(
        Person.email == normalise_email(organisation.contact_email or ""), Person.active == True)).first()  # noqa: E712
    if i18n.supported(contact):
        return contact
    chosen = db.session.exec(select(Person.preferred_language).join(Membership, Membership.person_id == Person.id).where(
        Membership.collective_id == grant.collective_id, Membership.organisation_id == grant.organisation_id,
        Membership.is_applicant == True, Person.active == True).order_by(Person.id)).all()  # noqa: E712
    languages = [code for code in chosen if i18n.supported(code)]
    if not languages:
        return i18n.DEFAULT
    return max(dict.fromkeys(languages), key=languages.count)


def letter_filename(values: dict) -> str:
    return f"award-letter-{_slug(values['organisation']['name'])}-{values['grant']['number']}.pdf"


def newest_grant() -> int | None:
    return db.session.exec(select(Grant.id).order_by(Grant.id.desc())).first()


def sample_award_letter() -> dict:
    offered = datetime(2027, 4, 6, 10, 0, tzinfo=timezone.utc)
    return {
        "collective": {"name": _SAMPLE_COLLECTIVE, "locality": "West Birmingham",
                       "address": ["Soho Road Community Centre", "120 Soho Road", "Birmingham B21 9DP"],
                       "email": "grants@westbirminghamhealth.example.org", "phone": "0121 496 0134",
                       "facilitators": ["Folasade Adeyemi", "Imran Hussain"]},
        "signed_by": {"name": "Folasade Adeyemi", "role": _("Facilitator, %(collective)s", collective=_SAMPLE_COLLECTIVE)},
        "payments": [],
        "organisation": {"name": "Lozells Family Hub", "contact": "Grace Mensah", "postcode": "B19 1AB"},
        "round": "Spring 2027 community health grants",
        "grant": {"number": 12, "amount": 150_000, "state": "offered", "state_label": "Offered",
                  "offered_at": offered, "offer_expires_at": offered + timedelta(days=30), "accepted_by": "",
                  "accepted_at": None, "paid": 0},
        "proposal": {"title": "Stay-and-play with a health visitor",
                     "summary": "Weekly stay-and-play sessions with a health visitor's drop-in, so parents can ask "
                                "about feeding, sleep and breathing without an appointment.",
                     "budget": [{"description": "Health visitor time", "amount": 60_000},
                                {"description": "Play workers", "amount": 60_000},
                                {"description": "Toys and materials", "amount": 30_000}]},
        "conditions": [_(condition) for condition in CONDITIONS],
        "reports": [{"label": _(KINDS["end"]), "spend": True, "due": None, "state": "",
                     "due_text": due_after_accepting(12, offered + timedelta(days=365), offered)}],
        "link": "http://127.0.0.1:5000/c/demo/grants/12",
        "generated_at": utcnow(),
    }


AWARD_LETTER = register(DocumentKind(
    name="award-letter", title="Award letter", template="award_letter.html",
    load=award_letter_values, sample=sample_award_letter, filename=letter_filename, example=newest_grant,
    language=grantee_language))


# -- the decision report -----------------------------------------------------------------------

MESSAGE_KINDS = {"returned": _l("Returned"), "response": _l("Facilitators' response"), "ratified": _l("Ratified")}
DECIDED_STATES = ("ratified", "awarded", "monitoring", "closed")


def _decision(round_: Round, ratified_by: list[dict]) -> dict:
    if round_.state in DECIDED_STATES:
        return {"ratified": True, "text": _("Ratified by the locality partnership.")}
    if round_.state == "cancelled":
        return {"ratified": False, "text": _("The round was cancelled.")}
    if round_.state == "returned":
        return {"ratified": False, "text": _("Returned to the facilitators: awaiting ratification.")}
    if round_.state == "partnership_review":
        return {"ratified": False, "text": _("Awaiting ratification: %(ratified)d of %(needed)d reviewers have ratified.",
                                             ratified=len(ratified_by), needed=round_.ratifications_needed)}
    return {"ratified": False, "text": _("Awaiting ratification: not yet sent to the partnership for review.")}


def _communities(rows: list[dict]) -> dict:
    """Funded proposals per ONS high-level group and category, as published (no money: see
    :mod:`grants.rounds.communities`)."""
    table = community_table(rows, disclosure.PUBLISHED)
    return {"withheld": table.withheld, "threshold": table.threshold, "rounding": table.rounding,
            "rows": [{"label": _(row.label), "proposals": row.proposals, "group": row.group} for row in table.rows]}


def _audit_summary(round_: Round) -> dict:
    """The round's own audit entries in full, and what happened to its proposals counted by kind."""
    round_events = db.session.exec(select(AuditEvent).where(
        AuditEvent.object_type == "round", AuditEvent.object_id == round_.id)
        .order_by(AuditEvent.at, AuditEvent.id)).all()
    proposal_ids = select(Proposal.id).where(Proposal.round_id == round_.id)
    grouped = db.session.exec(
        select(AuditEvent.summary, func.count(), func.min(AuditEvent.at), func.max(AuditEvent.at))
        .where(AuditEvent.object_type == "proposal", AuditEvent.object_id.in_(proposal_ids),
               AuditEvent.action.not_in(("proposal.saved", "proposal.started")))
        .group_by(AuditEvent.summary).order_by(func.min(AuditEvent.at))).all()
    return {
        "round": [{"at": e.at, "who": _name_only(e.actor_label), "what": e.summary} for e in round_events],
        "proposals": [{"what": summary, "times": times, "first": first, "last": last}
                      for summary, times, first, last in grouped],
    }


def decision_report_values(round_id: int) -> dict:
    round_ = _get(Round, round_id, "round")
    results = round_queries.results(round_)
    if results is None:
        raise LookupError(f"The votes of round {round_id} have not been counted yet: there is no decision to report.")
    collective = db.session.get(Collective, round_.collective_id)
    count: Count = results["count"]
    rows = results["rows"]
    ratified_by = [{"reviewer": person.name, "at": r.at, "note": r.note}
                   for r, person in review_ops.ratifications(round_)]
    rule = RULES.get(round_.allocation_rule)
    return {
        "collective": collective.name,
        "round": {"name": round_.name, "state": _state_label(round_), "budget": round_.budget,
                  "method_text": voting_method_text(round_), "rule": _(rule.label) if rule else round_.allocation_rule,
                  "ratifications_needed": round_.ratifications_needed},
        "count": {"run_at": count.run_at, "run_by": _name_only(count.run_by), "ballots": count.ballots},
        "allocation": [{"title": r["title"], "organisation": r["organisation"], "theme": r["theme"], "pot": r["pot"],
                        "requested": r["amount_requested"], "support": r["support"], "supporters": r["supporters"],
                        "selected": r["selected"], "amount": r["amount"], "sentence": r["sentence"]} for r in rows],
        "pots": [{"name": p["name"], "budget": p["budget"], "allocated": p["allocated"], "note": p.get("note", "")}
                 for p in results["pots"]],
        "total": results["total"], "selected": results["selected"],
        "themes": by_theme(rows),
        "communities": _communities(rows),
        "messages": [{"kind": str(MESSAGE_KINDS.get(m.kind, m.kind)), "author": _name_only(m.author_label), "at": m.at,
                      "text": m.text} for m in review_ops.messages(round_)],
        "ratifications": ratified_by,
        "decision": _decision(round_, ratified_by),
        "trail": _audit_summary(round_),
        "generated_at": utcnow(),
    }


def decision_filename(values: dict) -> str:
    return f"decision-report-{_slug(values['round']['name'])}.pdf"


def newest_counted_round() -> int | None:
    return db.session.exec(select(Count.round_id).where(Count.current == True)  # noqa: E712
                           .order_by(Count.id.desc())).first()


def sample_decision_report() -> dict:
    ran = datetime(2027, 3, 3, 17, 1, tzinfo=timezone.utc)
    support = [31, 27, 24, 19, 12, 9]
    rows, spent = [], 0
    for index, (title, organisation, amount, theme, codes, *_rest) in enumerate(_SAMPLE_PROJECTS[:6]):
        selected = index < 5 and spent + amount <= 1_000_000
        spent += amount if selected else 0
        rows.append({
            "title": title, "organisation": organisation, "theme": theme, "pot": "General pot",
            "amount_requested": amount, "support": support[index], "supporters": support[index],
            "selected": selected, "amount": amount if selected else 0, "communities": codes,
            "sentence": (f"Funded: {support[index]} members approved it, and it fitted in what was left of the budget."
                         if selected else "Not funded: the budget was spent on proposals with more support.")})
    allocation = [{"title": r["title"], "organisation": r["organisation"], "theme": r["theme"], "pot": r["pot"],
                   "requested": r["amount_requested"], "support": r["support"], "supporters": r["supporters"],
                   "selected": r["selected"], "amount": r["amount"], "sentence": r["sentence"]} for r in rows]
    return {
        "collective": _SAMPLE_COLLECTIVE,
        "round": {"name": "Spring 2027 community health grants", "state": "Ratified", "budget": 1_000_000,
                  "method_text": "Approval: members tick every proposal they support",
                  "rule": "Method of equal shares", "ratifications_needed": 1},
        "count": {"run_at": ran, "run_by": "scheduler", "ballots": 41},
        "allocation": allocation,
        "pots": [{"name": "General pot", "budget": 1_000_000, "allocated": spent, "note": ""}],
        "total": spent, "selected": sum(1 for r in rows if r["selected"]),
        "themes": by_theme(rows),
        "communities": _communities(rows),
        "messages": [
            {"kind": "Returned", "author": "Dr Rachel Okafor", "at": ran + timedelta(days=2),
             "text": "Please recount: the paper ballots from the Handsworth meeting are missing."},
            {"kind": "Facilitators' response", "author": "Folasade Adeyemi", "at": ran + timedelta(days=3),
             "text": "We entered the 9 paper ballots from Handsworth and ran the count again."},
            {"kind": "Ratified", "author": "Dr Rachel Okafor", "at": ran + timedelta(days=5),
             "text": "The partnership agrees this allocation."}],
        "ratifications": [{"reviewer": "Dr Rachel Okafor", "at": ran + timedelta(days=5),
                           "note": "The partnership agrees this allocation."}],
        "decision": {"ratified": True, "text": "Ratified by the locality partnership."},
        "trail": {"round": [
            {"at": ran - timedelta(days=60), "who": "Folasade Adeyemi", "what": "Round Spring 2027 community health grants set up"},
            {"at": ran - timedelta(days=45), "who": "scheduler", "what": "Round: Draft → Open for proposals"},
            {"at": ran - timedelta(days=14), "who": "Folasade Adeyemi", "what": "Round: Eligibility check → Voting"},
            {"at": ran, "who": "scheduler", "what": "Round: Voting → Counting"},
            {"at": ran + timedelta(days=5), "who": "Dr Rachel Okafor", "what": "Dr Rachel Okafor ratified the allocation"}],
            "proposals": [{"what": "Proposal: Draft → Submitted", "times": 6, "first": ran - timedelta(days=40),
                           "last": ran - timedelta(days=31)},
                          {"what": "Proposal: Submitted → Eligible", "times": 6, "first": ran - timedelta(days=29),
                           "last": ran - timedelta(days=28)}]},
        "generated_at": utcnow(),
    }


DECISION_REPORT = register(DocumentKind(
    name="decision-report", title="Round decision report", template="decision_report.html",
    load=decision_report_values, sample=sample_decision_report, filename=decision_filename,
    example=newest_counted_round))


# -- the grant report --------------------------------------------------------------------------

def people_reached(counts: dict[str, int]) -> dict:
    """People reached by community, published by the disclosure rules (codes in the ONS order)."""
    order = {c.code: n for n, c in enumerate(ETHNIC_CATEGORIES)}
    ordered = {code: counts[code] for code in sorted(counts, key=lambda c: order.get(c, len(order)))
               if code in ETHNIC_CATEGORY_BY_CODE}
    if not ordered:
        return {"rows": [], "total": ""}
    published = disclosure.publish_counts(ordered)
    return {"rows": [{"label": _(ETHNIC_CATEGORY_BY_CODE[code].label), "count": cell.text,
                      "percent": published.percentages.get(code, "")} for code, cell in published.cells.items()],
            "total": published.total.text if published.total is not None else ""}


def grant_report_values(report_id: int) -> dict:
    report = _get(Report, report_id, "report")
    if report.state not in SUBMITTED_STATES:
        raise LookupError(f"Report {report_id} has not been submitted yet.")
    grant = db.session.get(Grant, report.grant_id)
    proposal = db.session.get(Proposal, grant.proposal_id)
    organisation = db.session.get(Organisation, grant.organisation_id)
    round_ = db.session.get(Round, grant.round_id)
    collective = db.session.get(Collective, grant.collective_id)
    outcome_ids = [int(key) for key in report.outcomes_achieved if str(key).isdigit()]
    outcome_text = dict(db.session.exec(select(Outcome.id, Outcome.text).where(Outcome.id.in_(outcome_ids))).all()) \
        if outcome_ids else {}
    spend = []
    if report.asks_spend:
        spend = [{"description": line.description, "budgeted": line.amount, "spent": report.spend.get(str(line.id), 0)}
                 for line in grant_lines(grant)]
    paid = db.session.exec(select(sum_pence(Payment.amount)).where(Payment.grant_id == grant.id)).one()
    disclosure_threshold, rounding = disclosure.settings()
    return {
        "collective": collective.name,
        "organisation": {"name": organisation.name, "ward": organisation.ward, "postcode": organisation.postcode},
        "grant": {"number": grant.id, "title": proposal.title, "round": round_.name, "amount": grant.amount,
                  "paid": paid, "accepted_at": grant.accepted_at, "state_label": _state_label(grant)},
        "report": {"label": _(report.label), "state_label": _state_label(report), "due_at": report.due_at,
                   "submitted_at": report.submitted_at, "what_happened": report.what_happened,
                   "people": people_reached(report.people_reached),
                   "outcomes": [{"outcome": outcome_text.get(int(key)) or _("An outcome no longer listed"), "how": how}
                                for key, how in report.outcomes_achieved.items() if str(key).isdigit()],
                   "story": report.story if report.story_consent else "",
                   "asks_spend": report.asks_spend, "spend": spend,
                   "spent": sum(line["spent"] for line in spend),
                   "budgeted": sum(line["budgeted"] for line in spend),
                   "photo": photo_data_uri(report)},
        "disclosure_threshold": disclosure_threshold, "rounding": rounding,
        "generated_at": utcnow(),
    }


def report_filename(values: dict) -> str:
    return (f"{_slug(values['report']['label'])}-{_slug(values['organisation']['name'])}-"
            f"grant-{values['grant']['number']}.pdf")


def newest_submitted_report() -> int | None:
    return db.session.exec(select(Report.id).where(Report.state.in_(SUBMITTED_STATES))
                           .order_by(Report.submitted_at.desc(), Report.id.desc())).first()


def sample_grant_report() -> dict:
    submitted = datetime(2028, 3, 20, 14, 30, tzinfo=timezone.utc)
    return {
        "collective": _SAMPLE_COLLECTIVE,
        "organisation": {"name": "Lozells Family Hub", "ward": "Lozells", "postcode": "B19 1AB"},
        "grant": {"number": 12, "title": "Stay-and-play with a health visitor",
                  "round": "Spring 2027 community health grants", "amount": 150_000, "paid": 150_000,
                  "accepted_at": submitted - timedelta(days=340), "state_label": "Reporting"},
        "report": {"label": "End report", "state_label": "Submitted", "due_at": submitted + timedelta(days=25),
                   "submitted_at": submitted,
                   "what_happened": "We ran 44 stay-and-play sessions. A health visitor came to 40 of them; 23 "
                                    "families who had never used the service now drop in, and three children were "
                                    "referred to the GP for breathing problems.",
                   "people": people_reached({"black_african": 31, "black_caribbean": 18,
                                             "mixed_white_black_caribbean": 9, "asian_bangladeshi": 4}),
                   "outcomes": [{"outcome": "Parents feel confident to look after their children's health",
                                 "how": "Parents asked the health visitor about feeding and sleep without an "
                                        "appointment, and came back the week after."}],
                   "story": "“I didn't know I could ask about my baby's breathing. Now I do.”",
                   "asks_spend": True,
                   "spend": [{"description": "Health visitor time", "budgeted": 60_000, "spent": 58_000},
                             {"description": "Play workers", "budgeted": 60_000, "spent": 62_000},
                             {"description": "Toys and materials", "budgeted": 30_000, "spent": 27_500}],
                   "spent": 147_500, "budgeted": 150_000, "photo": ""},
        "disclosure_threshold": disclosure.DEFAULT_THRESHOLD, "rounding": disclosure.DEFAULT_ROUNDING,
        "generated_at": utcnow(),
    }


GRANT_REPORT = register(DocumentKind(
    name="grant-report", title="Grant report", template="grant_report.html",
    load=grant_report_values, sample=sample_grant_report, filename=report_filename,
    example=newest_submitted_report))
