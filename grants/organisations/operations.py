"""Operations on organisations: the only code that changes an Organisation's details."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import select

from grants import audit, versions
from grants.db import db
from grants.errors import Refused
from grants.organisations.models import Organisation

EDITABLE = ("name", "kind", "registration_number", "postcode", "ward", "communities_served", "partner_type",
            "languages", "contact_name", "contact_email", "contact_phone", "description")


def update_organisation(organisation: Organisation, values: dict, actor, version: int | None = None) -> None:
    """Change an organisation's details. ``version`` is the one the form was loaded from: a save over a
    newer one is refused (``grants.versions``)."""
    versions.claim(organisation, version, actor)
    clash = db.session.exec(select(Organisation).where(
        Organisation.collective_id == organisation.collective_id, Organisation.name == values["name"],
        Organisation.id != organisation.id)).first()
    if clash is not None:
        raise Refused(_("Another organisation in the collective already has this name"), field="name")
    before = {key: getattr(organisation, key) for key in EDITABLE}
    for key in EDITABLE:
        setattr(organisation, key, values[key])
    db.session.add(organisation)
    db.session.flush()
    changed = {key: values[key] for key in EDITABLE if before[key] != values[key]}
    audit.record(actor, "organisation.updated", organisation, f"Details of {organisation.name} changed",
                 before={key: before[key] for key in changed}, after=changed)
