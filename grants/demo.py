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
from grants.db import db
from grants.organisations.models import Organisation

DEMO_PASSWORD = "commonpot-demo"
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
    collective = Collective(
        slug=SLUG, name="West Birmingham Community Health Collective", locality="West Birmingham",
        description=("Grassroots and faith organisations in Ladywood, Soho, Handsworth and Smethwick who decide "
                     "together how the community health fund is spent.\n\nWe work with the NHS and the council "
                     "through the locality partnership, which ratifies each round."))
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
    return logins


def _person(local: str, name: str, is_admin: bool = False) -> Person:
    person = Person(email=_email(local), name=name, is_admin=is_admin, password_hash="")
    person.set_password(DEMO_PASSWORD)
    db.session.add(person)
    db.session.flush()
    return person
