"""The demo collective: a West Birmingham collective with real-looking organisations and people.

Modelled on the kind of collective Commonpot is for: grassroots groups in Ladywood, Soho and
Handsworth working with the local NHS and council on building trust, primary care access, best
start in life, long-term conditions, and communications. Seeding is idempotent: a second run
changes nothing and prints the same logins.
"""

from __future__ import annotations

from sqlmodel import select

from grants import audit
from grants.auth.models import Person
from grants.collectives.models import Collective, Membership, Outcome, Theme
from grants.commissioning.demo import seed_commissioning, start_cycle
from grants.db import db
from grants.organisations.models import Organisation
from grants.timeutil import utcnow

DEMO_PASSWORD = "commonpot-demo"  # nosec B105  # the demo's published password (README), for demo data only
SLUG = "demo"

THEMES = [
    ("Building trust", "Rebuilding trust between communities and health and care services."),
    ("Primary care access", "Making it easier to register with and use GP practices, pharmacies and dentists."),
    ("Best start in life", "Pregnancy, early years and families with young children."),
    ("Diabetes, obesity and asthma", "Preventing and living well with long-term conditions."),
    ("Communications", "Health information in the languages and places people use."),
]

OUTCOMES = [
    ("short", "More people from under-served communities know how to register with a GP"),
    ("short", "Community organisations have the resources to run health activities"),
    ("medium", "More people use primary care and screening early"),
    ("medium", "Services change because of what communities tell them"),
    ("long", "Fewer avoidable admissions for diabetes and asthma in West Birmingham"),
    ("long", "Health inequalities between ethnic groups narrow"),
]

ORGANISATIONS = [
    dict(name="Soho Road Gurdwara Seva Group", kind="faith_group", postcode="B21 9SN", ward="Soho & Jewellery Quarter",
         communities_served=["asian_indian", "asian_other"], partner_type="gurdwara", languages=["pa", "en"],
         contact_name="Harjit Kaur", description="Langar volunteers who run health talks after Sunday diwan."),
    dict(name="Ladywood Mums Network", kind="unregistered", postcode="B16 8HA", ward="Ladywood",
         communities_served=["black_african", "black_caribbean", "mixed_white_black_caribbean"],
         partner_type="community_group", languages=["en", "so"], contact_name="Amina Yusuf",
         description="Peer support for mothers of under-fives."),
    dict(name="Handsworth Caribbean Elders", kind="charity", registration_number="1098765", postcode="B21 0QT",
         ward="Handsworth", communities_served=["black_caribbean"], partner_type="community_group",
         languages=["en"], contact_name="Winston Clarke", description="Day centre and lunch club for Caribbean elders."),
    dict(name="Winson Green Mosque Health Circle", kind="faith_group", postcode="B18 4HN", ward="North Edgbaston",
         communities_served=["asian_pakistani", "asian_bangladeshi", "other_arab"], partner_type="mosque",
         languages=["ur", "bn", "ar", "en"], contact_name="Imran Hussain",
         description="Diabetes awareness after Friday prayers."),
    dict(name="Roma Families Birmingham", kind="cic", registration_number="12345678", postcode="B19 3NY",
         ward="Newtown", communities_served=["white_roma"], partner_type="community_group", languages=["ro", "en"],
         contact_name="Elena Rostas", description="Advocacy and GP registration support for Roma families."),
    dict(name="Smethwick Polish Saturday School", kind="unregistered", postcode="B66 3PU", ward="Smethwick",
         communities_served=["white_other"], partner_type="", languages=["pl", "en"], contact_name="Katarzyna Nowak",
         description="Saturday school that also runs parents' health sessions."),
    dict(name="New Testament Church of God Handsworth", kind="faith_group", registration_number="", postcode="B20 2ES",
         ward="Handsworth Wood", communities_served=["black_caribbean", "black_african"], partner_type="church",
         languages=["en"], contact_name="Pastor Grace Bennett", description="Church health ministry and blood-pressure checks."),
    dict(name="Eritrean Community in Birmingham", kind="cio", registration_number="1187654", postcode="B6 4QE",
         ward="Aston", communities_served=["black_african"], partner_type="community_group", languages=["ti", "ar", "en"],
         contact_name="Selam Tesfaye", description="Support for new arrivals, including registering with a GP."),
    dict(name="Shree Ram Mandir Youth", kind="faith_group", postcode="B21 8JN", ward="Lozells",
         communities_served=["asian_indian"], partner_type="temple", languages=["gu", "en"], contact_name="Priya Patel",
         description="Young volunteers running asthma and exercise sessions."),
    dict(name="Ladywood Irish Traveller Project", kind="social_enterprise", postcode="B1 2HE", ward="Ladywood",
         communities_served=["white_gypsy_traveller", "white_irish"], partner_type="community_group", languages=["en"],
         contact_name="Bridget Ward", description="Outreach with Gypsy and Irish Traveller families."),
]

# (email local part, name, roles, index of the organisation they act for or None)
PEOPLE = [
    ("facilitator", "Fola Adeyemi", ("facilitator", "member"), None),
    ("reviewer.nhs", "Dr Rachel Okafor (NHS)", ("reviewer",), None),
    ("reviewer.council", "Tom Brennan (Council)", ("reviewer",), None),
] + [
    (f"member{index + 1}", organisation["contact_name"], ("member", "applicant"), index)
    for index, organisation in enumerate(ORGANISATIONS)
]


def _email(local: str) -> str:
    return f"{local}@demo.example.org"


def seed() -> dict:
    """Create the demo collective if it is not there; return the logins either way."""
    logins = {"password": DEMO_PASSWORD,
              "people": [("site admin", _email("admin"))]
              + [(", ".join(roles), _email(local)) for local, _name, roles, _org in PEOPLE]}
    if db.session.exec(select(Collective).where(Collective.slug == SLUG)).first() is not None:
        return logins

    admin = _person("admin", "Site Administrator", is_admin=True)
    # Its password is published: anywhere but localhost, the first sign-in must replace it.
    admin.must_change_password = True
    collective = Collective(
        slug=SLUG, name="West Birmingham Community Health Collective", locality="West Birmingham",
        description=("Grassroots and faith organisations in Ladywood, Soho, Handsworth and Smethwick who decide "
                     "together how the community health fund is spent.\n\nWe work with the NHS and the council "
                     "through the locality partnership, which ratifies each round."),
        # An example.org address and a reserved drama number: the letterhead's sample contact.
        postal_address="c/o Soho Road Community Centre\nSoho Road\nBirmingham B21 9AA",
        contact_email="collective@demo.example.org", contact_phone="0121 496 0000")
    db.session.add(collective)
    db.session.flush()
    for position, (name, description) in enumerate(THEMES):
        db.session.add(Theme(collective_id=collective.id, name=name, description=description, position=position))
    for position, (term, text) in enumerate(OUTCOMES):
        db.session.add(Outcome(collective_id=collective.id, term=term, text=text, position=position))
    organisations = []
    for index, values in enumerate(ORGANISATIONS):
        organisation = Organisation(collective_id=collective.id, status="active",
                                    contact_email=_email(f"member{index + 1}"), **values)
        db.session.add(organisation)
        organisations.append(organisation)
    db.session.flush()
    for local, name, roles, org_index in PEOPLE:
        person = _person(local, name)
        membership = Membership(collective_id=collective.id, person_id=person.id,
                                organisation_id=organisations[org_index].id if org_index is not None else None)
        membership.set_roles(roles)
        db.session.add(membership)
    db.session.flush()
    audit.record(admin, "collective.created", collective, "Demo collective seeded",
                 after={"organisations": len(organisations), "people": len(PEOPLE)})
    seed_round_in_progress(collective)
    cycle = start_cycle(collective)        # the cycle began before the awarded round offered its grants
    awarded = seed_awarded_round(collective)
    seed_commissioning(collective, funded_by=awarded, cycle=cycle)
    return logins


ROUND_PROPOSALS = [
    # (organisation index, title, summary, amount in pence, theme index)
    (0, "Langar health talks", "Monthly talks on diabetes and heart health after Sunday langar, in Punjabi and English, "
        "with a GP from the local practice.", 180_000, 3),
    (1, "Buggy walks for new mums", "Weekly led walks from Ladywood children's centre, with a health visitor joining "
        "once a month.", 120_000, 2),
    (2, "Elders' GP registration clinic", "Drop-in sessions to help Caribbean elders register with a GP and use the "
        "NHS App.", 250_000, 1),
    (3, "Friday diabetes circle", "Peer support and blood-sugar checks after Friday prayers, with translated leaflets.",
     300_000, 3),
    (4, "Roma families health navigators", "Two part-time navigators who help Roma families register with GPs and "
        "dentists.", 450_000, 1),
    (5, "Parents' first aid in Polish", "Paediatric first aid courses in Polish for parents at the Saturday school.",
     90_000, 2),
    (6, "Blood pressure Sundays", "Blood-pressure checks after services, with referrals to the practice nurse.",
     110_000, 3),
    (7, "New arrivals health guide", "A health guide in Tigrinya and Arabic, and sessions to go through it.", 200_000, 4),
    (8, "Youth asthma and sport", "Asthma-friendly football and cricket for young people, with inhaler checks.",
     160_000, 3),
]


# Each proposal's budget, as its organisation would cost it (pence; each adds up to its amount).
ROUND_BUDGETS: dict[str, list[tuple[str, int]]] = {
    "Langar health talks": [("GP's sessional fee, 12 talks", 96_000), ("Printed leaflets in Punjabi", 24_000),
                            ("Hall hire and sound system", 60_000)],
    "Buggy walks for new mums": [("Walk leader training and first aid", 45_000), ("Volunteers' travel", 30_000),
                                 ("Rain covers and a spare buggy", 25_000), ("Tea and fruit after walks", 20_000)],
    "Elders' GP registration clinic": [("Sessional advice worker, 40 sessions", 160_000),
                                       ("Tablet and mobile data for the NHS App", 55_000),
                                       ("Lunch for the drop-ins", 35_000)],
    "Friday diabetes circle": [("Blood-glucose meters and test strips", 85_000),
                               ("Translated leaflets (Urdu, Bengali, Arabic)", 40_000),
                               ("Peer supporter stipends", 150_000), ("Room hire", 25_000)],
    "Roma families health navigators": [("Two part-time navigators, 12 months", 396_000),
                                        ("Navigators' travel and phones", 36_000), ("Interpreting", 18_000)],
    "Parents' first aid in Polish": [("Accredited trainer, 6 courses", 60_000), ("Training dummies and kits", 30_000)],
    "Blood pressure Sundays": [("Blood-pressure monitors", 38_000), ("Volunteer training", 22_000),
                               ("Referral cards and publicity", 12_000), ("Refreshments", 38_000)],
    "New arrivals health guide": [("Translation into Tigrinya and Arabic", 70_000), ("Design and print", 65_000),
                                  ("Community sessions to go through it", 65_000)],
    "Youth asthma and sport": [("Coaches, 30 sessions", 90_000), ("Pitch hire", 42_000),
                               ("Spacers and peak-flow meters", 16_000), ("Kit", 12_000)],
}


def seed_round_in_progress(collective) -> None:
    """A round whose vote is open: proposals submitted and found eligible, some members have voted."""
    from datetime import timedelta

    from grants.mail import silence_mail
    from grants.proposals import operations as proposals
    from grants.rounds import operations as rounds
    from grants.voting import operations as voting
    from grants.workflow.operations import fire

    silence_mail()
    people = {p.email: p for p in db.session.exec(select(Person)).all()}
    facilitator = people[_email("facilitator")]
    themes = db.session.exec(select(Theme).where(Theme.collective_id == collective.id).order_by(Theme.position)).all()
    now = utcnow().replace(second=0, microsecond=0)
    round_ = rounds.create_round(collective, {
        "name": "Winter 2026 community health grants",
        "description": "Small grants of £500 to £5,000 for community-led health projects in West Birmingham.",
        "variant": "standard", "budget": 1_500_000, "min_grant": 50_000, "max_grant": 500_000,
        "voting_method": "approval", "approval_limit": None, "cumulative_points": None,
        "allocation_rule": "mes_cost_add1_greedy", "proposals_open_at": now - timedelta(days=30),
        "proposals_close_at": now - timedelta(days=12), "voting_opens_at": now - timedelta(days=5),
        "voting_closes_at": now + timedelta(days=9), "review_due_at": now + timedelta(days=23),
        "reminder_hours": 48, "small_grant_limit": 100_000, "medium_grant_limit": 500_000,
        "ratifications_needed": 1,
    }, theme_ids=[t.id for t in themes], pot_amounts={themes[1].id: 400_000}, actor=facilitator)
    fire(round_, "open_proposals", facilitator)
    submitted = []
    for org_index, title, summary, amount, theme_index in ROUND_PROPOSALS:
        applicant = people[_email(f"member{org_index + 1}")]
        proposal = proposals.start_proposal(round_, applicant)
        proposals.save_proposal(proposal, {
            "title": title, "summary": summary, "amount_requested": amount, "theme_id": themes[theme_index].id,
            "communities_served": list(proposal.communities_served), "outcome_ids": [],
            "people_reached": amount // 5_000}, ROUND_BUDGETS[title], applicant)
        proposals.submit_proposal(proposal, applicant)
        submitted.append(proposal)
    fire(round_, "close_proposals", facilitator)
    for proposal in submitted:
        proposals.decide_eligibility(proposal, eligible=True, reason="", actor=facilitator)
    fire(round_, "open_voting", facilitator)
    # Four members have voted so far (never on their own organisation's proposal).
    ballots = {2: [0, 2, 4], 3: [1, 3, 6, 8], 5: [0, 3, 6], 7: [1, 2, 5, 7]}
    for member_number, chosen in ballots.items():
        member = people[_email(f"member{member_number}")]
        voting.cast_ballot(round_, member, {submitted[i].id: 1 for i in chosen}, actor=member)


def _person(local: str, name: str, is_admin: bool = False) -> Person:
    # Demo accounts sign in straight away: their made-up addresses could never be confirmed.
    person = Person(email=_email(local), name=name, is_admin=is_admin, password_hash="", email_verified_at=utcnow())  # nosec B106  # set on the next line
    person.set_password(DEMO_PASSWORD)
    db.session.add(person)
    db.session.flush()
    return person


AWARDED_PROPOSALS = [
    (1, "Stay-and-play sessions", "Weekly stay-and-play with a health visitor's drop-in.", 150_000, 2),
    (2, "Caribbean elders' lunch and learn", "Monthly lunches with talks on blood pressure and medicines.", 90_000, 3),
    (3, "Translated GP registration cards", "Cards in Urdu, Bengali and Arabic explaining how to register.", 60_000, 1),
    (8, "Temple yoga for asthma", "Breathing and yoga sessions for young people with asthma.", 80_000, 3),
]


# The grant of the awarded round whose end report the facilitator has accepted: the facilitator
# confirms it answers the demo cycle's priority on registering with a GP (its theme, primary care
# access, is one of that priority's), so "you said, we did" shows it.
# Outcomes are keyed by their index in OUTCOMES.
REPORTED_GRANT = dict(
    title="Translated GP registration cards",
    what_happened="We printed 2,000 cards in Urdu, Bengali and Arabic, went through them after Friday prayers and "
                  "at the women's circle, and volunteers sat with 64 people while they registered with a GP.",
    people_reached={"asian_pakistani": 38, "asian_bangladeshi": 21, "other_arab": 5},
    outcomes={0: "64 people registered with a GP with a volunteer beside them.",
              3: "Two surgeries on Dudley Road now hand our cards out at reception."},
    story="“My mother registered at the surgery the week after the session. Nobody asked for her passport.”",
)


def _paid_on(grant):
    """A demo payment's date: the London day the grant was accepted, never before its offer."""
    from grants.timeutil import to_london

    return to_london(grant.accepted_at or grant.offered_at).date()


def seed_awarded_round(collective):
    """A round that has been voted on, counted, ratified by the partnership and awarded: its
    grants are offered; one accepted and paid, with its end report submitted; another accepted,
    paid and closed, its end report accepted. Returns the round."""
    from datetime import timedelta

    from grants.awards import operations as awards
    from grants.awards.models import Grant
    from grants.mail import silence_mail
    from grants.proposals.models import Proposal
    from grants.proposals import operations as proposals
    from grants.reporting import operations as reporting
    from grants.reporting.models import Report
    from grants.review import operations as review
    from grants.rounds import operations as rounds
    from grants.timeutil import utcnow
    from grants.voting import operations as voting
    from grants.workflow.operations import fire

    silence_mail()
    people = {p.email: p for p in db.session.exec(select(Person)).all()}
    facilitator, reviewer = people[_email("facilitator")], people[_email("reviewer.nhs")]
    themes = db.session.exec(select(Theme).where(Theme.collective_id == collective.id).order_by(Theme.position)).all()
    now = utcnow().replace(second=0, microsecond=0)
    round_ = rounds.create_round(collective, {
        "name": "Summer 2026 community health grants",
        "description": "The collective's first round: small grants for community-led health projects.",
        "variant": "light", "budget": 400_000, "min_grant": 50_000, "max_grant": 200_000,
        "voting_method": "approval", "approval_limit": None, "cumulative_points": None,
        "allocation_rule": "mes_cost_add1_greedy", "proposals_open_at": now - timedelta(days=150),
        "proposals_close_at": now - timedelta(days=130), "voting_opens_at": now - timedelta(days=130),
        "voting_closes_at": now - timedelta(days=120), "review_due_at": now - timedelta(days=100),
        "reminder_hours": 48, "small_grant_limit": 100_000, "medium_grant_limit": 500_000,
        "ratifications_needed": 1,
    }, theme_ids=[t.id for t in themes], pot_amounts={}, actor=facilitator)
    fire(round_, "open_proposals", facilitator)
    made = []
    for org_index, title, summary, amount, theme_index in AWARDED_PROPOSALS:
        applicant = people[_email(f"member{org_index + 1}")]
        proposal = proposals.start_proposal(round_, applicant)
        proposals.save_proposal(proposal, {
            "title": title, "summary": summary, "amount_requested": amount, "theme_id": themes[theme_index].id,
            "communities_served": list(proposal.communities_served), "outcome_ids": [],
            "people_reached": amount // 4_000}, [("Sessions and materials", amount)], applicant)
        proposals.submit_proposal(proposal, applicant)
        made.append(proposal)
    fire(round_, "open_voting", facilitator)   # light-touch: submitted proposals go straight to the vote
    for member_number, chosen in {1: [1, 2, 3], 4: [0, 1, 3], 6: [0, 2], 10: [0, 1, 2]}.items():
        member = people[_email(f"member{member_number}")]
        # votes cast while that round's vote was open
        voting.cast_ballot(round_, member, {made[i].id: 1 for i in chosen}, actor=member,
                           now=round_.voting_opens_at + timedelta(days=2))
    fire(round_, "close_voting", facilitator)   # runs the count
    fire(round_, "submit_for_review", facilitator)
    review.ratify(round_, reviewer, "The partnership agrees this allocation.")
    fire(round_, "issue_awards", facilitator)
    grant = db.session.exec(select(Grant).where(Grant.round_id == round_.id).order_by(Grant.id)).first()
    grantee = next(p for p in people.values() if "applicant" in grant.actor_roles(p))
    awards.accept_grant(grant, grantee, accepted_by_name=grantee.name, conditions_confirmed=True)
    # paid on the day it was accepted: never before the offer (issued today)
    awards.record_payment(grant, facilitator, paid_on=_paid_on(grant), amount=grant.amount,
                          reference="BACS DEMO-001")
    report = db.session.exec(select(Report).where(Report.grant_id == grant.id).order_by(Report.due_at)).first()
    from grants.awards.models import grant_lines

    spent = {str(line.id): line.amount for line in grant_lines(grant)}
    reporting.save_report(report, {
        "what_happened": "We ran 20 sessions. Families who had never used a health visitor now drop in weekly.",
        "people_reached": {"black_african": 14, "black_caribbean": 9, "mixed_white_black_caribbean": 6},
        "outcomes_achieved": {}, "story": "“I didn't know I could ask about my baby's breathing. Now I do.”",
        "story_consent": True, "spend": spent if report.asks_spend else {}}, grantee)
    reporting.submit_report(report, grantee)

    cards = db.session.exec(select(Grant).join(Proposal, Proposal.id == Grant.proposal_id).where(
        Grant.round_id == round_.id, Proposal.title == REPORTED_GRANT["title"])).one()
    grantee = next(p for p in people.values() if "applicant" in cards.actor_roles(p))
    awards.accept_grant(cards, grantee, accepted_by_name=grantee.name, conditions_confirmed=True)
    awards.record_payment(cards, facilitator, paid_on=_paid_on(cards), amount=cards.amount,
                          reference="BACS DEMO-002")
    report = db.session.exec(select(Report).where(Report.grant_id == cards.id).order_by(Report.due_at)).first()
    outcomes = db.session.exec(select(Outcome).where(Outcome.collective_id == collective.id)
                               .order_by(Outcome.position)).all()
    reporting.save_report(report, {
        "what_happened": REPORTED_GRANT["what_happened"], "people_reached": REPORTED_GRANT["people_reached"],
        "outcomes_achieved": {str(outcomes[i].id): how for i, how in REPORTED_GRANT["outcomes"].items()},
        "story": REPORTED_GRANT["story"], "story_consent": True, "spend": {}}, grantee)
    reporting.submit_report(report, grantee)
    reporting.accept_report(report, facilitator)
    return round_
