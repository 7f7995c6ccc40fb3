"""Small builders for test data; each goes through the same models the app uses."""

from __future__ import annotations

import itertools

from grants.auth.models import Person
from grants.collectives.models import Collective, Membership, Theme
from grants.db import db
from grants.organisations.models import Organisation
from grants.timeutil import utcnow

PASSWORD = "correct horse battery"
# The tests' password hashing: the same scrypt as production at a cost of N=2**7, not 2**15 (about
# 0.3 ms a hash, not 0.1 s). Every person made here hashes once and every sign-in checks once, so the
# production cost was minutes of the suite's CPU. The app reads it as PASSWORD_HASH_METHOD
# (tests/conftest.py); tests/test_password_cost.py checks production keeps the strong default.
PASSWORD_METHOD = "scrypt:128:8:1"  # nosec B105  # a KDF's name and cost, not a password
_counter = itertools.count(1)


def person(name: str | None = None, email: str | None = None, *, is_admin: bool = False, active: bool = True) -> Person:
    n = next(_counter)
    found = Person(email=(email or f"person{n}@example.org").lower(), name=name or f"Person {n}",
                   is_admin=is_admin, active=active, password_hash="", email_verified_at=utcnow())
    found.set_password(PASSWORD)
    db.session.add(found)
    db.session.flush()
    return found


def collective(slug: str | None = None, name: str | None = None, themes=("Building trust", "Best start in life")) -> Collective:
    n = next(_counter)
    found = Collective(slug=slug or f"collective-{n}", name=name or f"Collective {n}", locality="Birmingham")
    db.session.add(found)
    db.session.flush()
    for position, theme in enumerate(themes):
        db.session.add(Theme(collective_id=found.id, name=theme, position=position))
    db.session.flush()
    return found


def organisation(collective: Collective, name: str | None = None, status: str = "active", **values) -> Organisation:
    n = next(_counter)
    defaults = dict(kind="unregistered", postcode="B18 7QH", contact_name="Contact", contact_email=f"org{n}@example.org",
                    communities_served=["asian_pakistani"], languages=["en"])
    defaults.update(values)
    found = Organisation(collective_id=collective.id, name=name or f"Organisation {n}", status=status, **defaults)
    db.session.add(found)
    db.session.flush()
    return found


def member(collective: Collective, who: Person | None = None, roles=("member",), organisation: Organisation | None = None) -> Person:
    who = who or person()
    membership = Membership(collective_id=collective.id, person_id=who.id,
                            organisation_id=organisation.id if organisation else None)
    membership.set_roles(roles)
    db.session.add(membership)
    db.session.flush()
    return who


def login(client, who: Person, password: str = PASSWORD):
    return client.post("/login", data={"email": who.email, "password": password})


def image_bytes(format: str = "PNG", size=(1, 1), colour=(255, 0, 0), **save_options) -> bytes:
    """A real image file made with Pillow (``exif=`` and other save options pass through)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=format, **save_options)
    return out.getvalue()
