"""Organisation details: validation next to the field, nothing saved on error, audited changes."""

from __future__ import annotations

import pytest
from sqlmodel import select

from grants.audit.models import AuditEvent
from grants.db import db
from grants.forms import normalise_postcode
from grants.organisations.models import Organisation
from tests import factories

VALID = {"name": "Ladywood Mums", "kind": "unregistered", "postcode": "B16 8HA", "communities_served": ["black_african"],
         "languages": ["en", "so"], "contact_name": "Amina", "contact_email": "amina@example.org", "partner_type": ""}


@pytest.fixture
def org_setting(app):
    with app.app_context():
        collective = factories.collective("west")
        organisation = factories.organisation(collective, "Ladywood Mums")
        applicant = factories.member(collective, roles=("member", "applicant"), organisation=organisation)
        db.session.commit()
        return {"organisation": organisation, "applicant": applicant}


@pytest.mark.parametrize("postcode, ok", [
    ("B16 8HA", True), ("b168ha", True), ("SW1A 1AA", True), ("EC1A 1BB", True), ("GIR 0AA", True),
    ("B16", False), ("12345", False), ("QQ1 1QQ", False), ("B16 8H", False), ("<script>", False),
])
def test_postcodes_are_validated_and_normalised(client, app, org_setting, postcode, ok):
    factories.login(client, org_setting["applicant"])
    response = client.post(f"/c/west/organisations/{org_setting['organisation'].id}/edit",
                           data={**VALID, "postcode": postcode})
    with app.app_context():
        stored = db.session.get(Organisation, org_setting["organisation"].id).postcode
    if ok:
        assert response.status_code == 302
        assert stored == normalise_postcode(postcode)
    else:
        assert b"Enter a real UK postcode" in response.data
        assert stored == "B18 7QH"   # unchanged


def test_changes_are_audited_with_before_and_after(client, app, org_setting):
    factories.login(client, org_setting["applicant"])
    client.post(f"/c/west/organisations/{org_setting['organisation'].id}/edit", data={**VALID, "ward": "Ladywood"})
    with app.app_context():
        event = db.session.exec(select(AuditEvent).where(AuditEvent.action == "organisation.updated")).one()
        assert event.after["ward"] == "Ladywood"
        assert event.before["ward"] == ""


def test_registration_number_is_optional_and_there_is_no_fee(client, app, org_setting):
    factories.login(client, org_setting["applicant"])
    page = client.get(f"/c/west/organisations/{org_setting['organisation'].id}/edit").data.decode()
    assert "Registration number (optional)" in page
    assert "fee" not in page.lower()
    assert "BAME" not in page
    # the five ONS high-level groups are shown as groups of the 19 categories
    for group in ("Asian, Asian British or Asian Welsh", "Black, Black British, Black Welsh, Caribbean or African",
                  "Mixed or Multiple ethnic groups", "White", "Other ethnic group"):
        assert group in page
    assert page.count('name="communities_served"') == 19


def test_a_name_taken_in_the_collective_is_refused_beside_the_field(client, app, org_setting):
    with app.app_context():
        from grants.collectives.models import Collective

        west = db.session.exec(select(Collective)).one()
        factories.organisation(west, "Taken Name")
        db.session.commit()
    factories.login(client, org_setting["applicant"])
    response = client.post(f"/c/west/organisations/{org_setting['organisation'].id}/edit",
                           data={**VALID, "name": "Taken Name"})
    assert b"Another organisation in the collective already has this name" in response.data
