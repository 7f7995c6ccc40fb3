"""Fixtures for reverse commissioning: a collective with its people, partners, themes and evidence files."""

from __future__ import annotations

import io
from functools import lru_cache

import pytest
from werkzeug.security import generate_password_hash

from grants.auth.models import Person
from grants.db import db
from grants.timeutil import utcnow
from tests import factories

THEMES = ("Building trust", "Primary care access", "Diabetes, obesity and asthma", "Communications")

POPULATION_CSV = """area,ethnic_group,population
Ladywood,Pakistani,2000
Ladywood,"English, Welsh, Scottish, Northern Irish or British",8000
Ladywood,Roma,500
Ladywood,African,1500
Handsworth,Pakistani,5000
Handsworth,"English, Welsh, Scottish, Northern Irish or British",3000
Handsworth,Roma,1000
Handsworth,African,1000
"""

# GP registrations: Roma and African residents register far less than their share.
USAGE_CSV = """service,period,area,ethnic_group,count
GP registrations,2025-26,Ladywood,Pakistani,210
GP registrations,2025-26,Ladywood,"English, Welsh, Scottish, Northern Irish or British",800
GP registrations,2025-26,Ladywood,Roma,6
GP registrations,2025-26,Ladywood,African,60
GP registrations,2025-26,Ladywood,Not stated,50
GP registrations,2025-26,Handsworth,Pakistani,500
GP registrations,2025-26,Handsworth,"English, Welsh, Scottish, Northern Irish or British",300
GP registrations,2025-26,Handsworth,Roma,20
GP registrations,2025-26,Handsworth,African,90
"""


def csv_bytes(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return generate_password_hash(factories.PASSWORD, method=factories.PASSWORD_METHOD)


def person(name: str, email: str) -> Person:
    """A person who signs in with ``factories.PASSWORD``; the hash is worked out once."""
    found = Person(email=email, name=name, password_hash=_password_hash(), email_verified_at=utcnow())
    db.session.add(found)
    db.session.flush()
    return found


@pytest.fixture
def west(app):
    """Collective 'west' with a facilitator, a reviewer, a member, partners and themes; ids and people."""
    with app.app_context():
        collective = factories.collective("west", "West Birmingham Collective", themes=THEMES)
        facilitator = factories.member(collective, person("Fola Adeyemi", "fola@example.org"),
                                       roles=("facilitator", "member"))
        reviewer = factories.member(collective, person("Rachel Okafor", "rachel@example.org"),
                                    roles=("reviewer",))
        member = factories.member(collective, person("Mo Member", "mo@example.org"), roles=("member",))
        mosque = factories.organisation(collective, "Winson Green Mosque Health Circle", kind="faith_group",
                                        partner_type="mosque", contact_email="imran@example.org")
        roma = factories.organisation(collective, "Roma Families Birmingham", partner_type="community_group",
                                      contact_email="elena@example.org")
        db.session.commit()
        from grants.collectives.models import Theme
        from sqlmodel import select

        themes = {t.name: t.id for t in db.session.exec(select(Theme).where(Theme.collective_id == collective.id)).all()}
        return {"collective": collective, "collective_id": collective.id, "facilitator": facilitator,
                "reviewer": reviewer, "member": member, "mosque": mosque.id, "roma": roma.id, "themes": themes}


def load_evidence(west_values) -> None:
    """Import the population and the GP usage for 'west' (inside an app context)."""
    from grants.collectives.models import Collective
    from grants.commissioning import operations

    collective = db.session.get(Collective, west_values["collective_id"])
    operations.import_population(collective, csv_bytes(POPULATION_CSV), actor=west_values["facilitator"],
                                 filename="population.csv")
    operations.import_usage(collective, csv_bytes(USAGE_CSV), actor=west_values["facilitator"], filename="usage.csv")
    db.session.commit()
