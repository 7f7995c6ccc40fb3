"""Open data and spreadsheets: the 360Giving package, the grants CSV, and CSV safety.

The package is checked against the official 360Giving schema files in ../shared/360giving/ (the
package schema and the grant schema it refers to by URL, resolved locally: no network), with the
``date-time`` and ``uri`` formats checked too.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlmodel import select

from grants.awards import operations as award_ops
from grants.awards.models import Grant
from grants.collectives.models import Collective, Theme
from grants.db import db
from grants.errors import Refused
from grants.exports import threesixty
from grants.exports.csvfile import csv_text, safe_cell
from grants.exports.grants_csv import HEADER
from grants.money import pounds
from grants.organisations.models import Organisation
from grants.proposals.models import Proposal
from grants.rounds.models import Round
from grants.timeutil import to_london, utcnow
from grants.workflow.operations import fire
from tests import factories
from tests.conftest import SHARED
from tests.rounds_helpers import award_round, counted_round, round_values

PREFIX = "360G-commonpottest"
# paid (part paid), declined, accepted, offer withdrawn, still offered
AMOUNTS = (123_456, 400_000, 90_001, 60_000, 55_000)
SCHEMA_DIR = SHARED / "360giving"

# -- the official schema, resolved locally -------------------------------------------------------

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _format_checker() -> FormatChecker:
    """jsonschema checks date-time and uri only with optional packages; check them here instead."""
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value) -> bool:
        if not isinstance(value, str):
            return True
        if not _RFC3339.match(value):
            return False
        datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
        return True

    @checker.checks("uri")
    def _uri(value) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and parts.netloc) and not re.search(r"\s", value)

    return checker


@pytest.fixture(scope="module")
def package_validator() -> Draft202012Validator:
    package_schema = json.loads((SCHEMA_DIR / "360-giving-package-schema.json").read_text())
    grant_schema = json.loads((SCHEMA_DIR / "360-giving-schema.json").read_text())
    grant = Resource(contents=grant_schema, specification=DRAFT202012)
    # the package refers to the grant schema by a URL (1.4.2) other than the grant schema's own $id (1.4.3)
    registry = Registry().with_resources([(grant_schema["$id"], grant),
                                          (package_schema["properties"]["grants"]["items"]["$ref"], grant)])
    return Draft202012Validator(package_schema, registry=registry, format_checker=_format_checker())


def _errors(validator, package) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(package)]


# -- a round with grants in every state --------------------------------------------------------

def _awarded(app) -> dict:
    """Five grants: one paid in part, one declined, one accepted, one offer withdrawn, one still offered."""
    w = counted_round(app, amounts=AMOUNTS)
    with app.test_request_context("/", method="POST"):
        award_round(w)
        paid, declined, accepted, withdrawn, offered = db.session.exec(select(Grant).order_by(Grant.id)).all()
        award_ops.accept_grant(paid, w["applicants"][0], accepted_by_name="Applicant A", conditions_confirmed=True)
        award_ops.record_payment(paid, w["facilitator"], paid_on=utcnow().date(), amount=50_000, reference="BACS 1")
        award_ops.decline_grant(declined, w["applicants"][1], "We cannot run it this year")
        award_ops.accept_grant(accepted, w["applicants"][2], accepted_by_name="Applicant C", conditions_confirmed=True)
        fire(withdrawn, "withdraw_offer", w["facilitator"], data={"reason": "The group has closed"})
        # what the organisations told us about themselves
        orgs = [db.session.get(Organisation, o.id) for o in w["orgs"]]
        orgs[0].kind, orgs[0].registration_number, orgs[0].ward = "charity", "1098765", "Ladywood"
        orgs[2].kind, orgs[2].registration_number = "cic", "1234567"
        orgs[2].name = '=HYPERLINK("http://evil.example","Click")'
        db.session.get(Proposal, accepted.proposal_id).title = "+SUM(A1:A9) for the elders' lunch club"
        db.session.add_all(orgs)
        db.session.commit()
        w["grant_ids"] = {"paid": paid.id, "declined": declined.id, "accepted": accepted.id,
                          "withdrawn": withdrawn.id, "offered": offered.id}
        w["org_ids"] = [o.id for o in orgs]
    return w


def _package(app, **config) -> dict:
    app.config.update({"THREESIXTY_PREFIX": PREFIX, **config})
    with app.test_request_context("/"):
        collective = db.session.exec(select(Collective).where(Collective.slug == "west")).one()
        return json.loads(threesixty.package_json(collective))


def test_the_package_validates_against_the_official_schema(app, package_validator):
    _awarded(app)
    package = _package(app)
    assert _errors(package_validator, package) == []
    assert package["version"] == "1.4"
    # the grant schema is really in use: a grant without its amount is caught
    broken = json.loads(json.dumps(package))
    del broken["grants"][0]["amountAwarded"]
    assert _errors(package_validator, broken)
    # and so are the formats: a date-time that is not one
    broken = json.loads(json.dumps(package))
    broken["grants"][0]["dateModified"] = "5 March 2027"
    assert any("date-time" in e for e in _errors(package_validator, broken))


def test_only_grants_that_were_really_awarded_are_published(app):
    w = _awarded(app)
    package = _package(app)
    ids = w["grant_ids"]
    published = {g["id"] for g in package["grants"]}
    assert published == {f"{PREFIX}-west-{ids['paid']}", f"{PREFIX}-west-{ids['accepted']}"}
    for left_out in ("declined", "withdrawn", "offered"):
        assert f"{PREFIX}-west-{ids[left_out]}" not in published
    # a grant whose funds were later returned was still awarded, and paid: it stays
    with app.test_request_context("/", method="POST"):
        grant = db.session.get(Grant, ids["paid"])
        fire(grant, "record_funds_returned", w["facilitator"], data={"reason": "The project stopped early"})
        db.session.commit()
    assert {g["id"] for g in _package(app)["grants"]} == published


def test_amounts_are_exact_pounds(app):
    w = _awarded(app)
    app.config["THREESIXTY_PREFIX"] = PREFIX
    with app.test_request_context("/"):
        collective = db.session.exec(select(Collective).where(Collective.slug == "west")).one()
        text = threesixty.package_json(collective)
    grants = {g["id"]: g for g in json.loads(text, parse_float=Decimal)["grants"]}
    paid = grants[f"{PREFIX}-west-{w['grant_ids']['paid']}"]
    accepted = grants[f"{PREFIX}-west-{w['grant_ids']['accepted']}"]
    assert (paid["amountAwarded"], paid["amountDisbursed"]) == (Decimal("1234.56"), 500)
    assert (accepted["amountAwarded"], accepted["amountDisbursed"]) == (Decimal("900.01"), 0)
    assert '"amountAwarded": 1234.56' in text and '"amountAwarded": 900.01' in text
    assert {g["currency"] for g in grants.values()} == {"GBP"}


@pytest.mark.parametrize("pence", [1, 5, 10, 99, 101, 1234, 99_999, 123_456_789, 10**12 + 1, 9_999_999_999_999])
def test_every_amount_reads_back_exactly(pence):
    written = json.dumps({"amount": threesixty.json_amount(pence)})
    assert json.loads(written, parse_float=Decimal)["amount"] == pounds(pence)
    assert pounds(pence) * 100 == pence


def test_amounts_beyond_exact_json_are_refused():
    with pytest.raises(ValueError):
        threesixty.json_amount(10**13)


def test_identifiers_carry_the_prefix_and_registered_numbers(app):
    w = _awarded(app)
    grants = {g["id"]: g for g in _package(app)["grants"]}
    paid = grants[f"{PREFIX}-west-{w['grant_ids']['paid']}"]
    accepted = grants[f"{PREFIX}-west-{w['grant_ids']['accepted']}"]
    assert all(g["id"].startswith(f"{PREFIX}-") for g in grants.values())
    # a registered charity (England and Wales) and a community interest company: their org-ids
    assert paid["recipientOrganization"] == [{"id": "GB-CHC-1098765", "charityNumber": "1098765",
                                              "name": "Organisation A", "postalCode": "B18 7QH"}]
    assert accepted["recipientOrganization"][0]["id"] == "GB-COH-01234567"
    assert accepted["recipientOrganization"][0]["companyNumber"] == "01234567"
    # the funder: the collective under our prefix, unless it has an org-id of its own
    assert paid["fundingOrganization"] == [{"id": f"{PREFIX}-collective-west", "name": "West Collective"}]
    registered = _package(app, THREESIXTY_FUNDER_IDS="east=GB-CHC-1111111, west=GB-COH-09876543")
    assert {g["fundingOrganization"][0]["id"] for g in registered["grants"]} == {"GB-COH-09876543"}
    assert registered["publisher"] == {"name": "West Collective", "identifier": "GB-COH-09876543"}
    # the ward, by name only; the round as the grant programme
    assert paid["beneficiaryLocation"] == [{"name": "Ladywood", "countryCode": "GB"}]
    assert "beneficiaryLocation" not in accepted                         # no ward given
    round_id = w["round"].id
    assert paid["grantProgramme"] == [{"code": f"west-round-{round_id}", "title": "Spring 2027 small grants"}]
    assert paid["title"] == "Project A" and paid["description"] == "Project A: what we will do."


@pytest.mark.parametrize(("kind", "number", "expected"), [
    ("charity", "1098765", {"id": "GB-CHC-1098765", "charityNumber": "1098765"}),
    ("charity", "210 345", {"id": "GB-CHC-210345", "charityNumber": "210345"}),
    ("cio", "1187654", {"id": "GB-CHC-1187654", "charityNumber": "1187654"}),
    ("charity", "sc012345", {"id": "GB-SC-SC012345", "charityNumber": "SC012345"}),
    ("charity", "NIC100002", {"id": "GB-NIC-100002", "charityNumber": "NIC100002"}),
    ("cic", "12345678", {"id": "GB-COH-12345678", "companyNumber": "12345678"}),
    ("clg", "SC123456", {"id": "GB-COH-SC123456", "companyNumber": "SC123456"}),
    ("charity", "", {"id": f"{PREFIX}-org-7"}),                  # a charity that gave no number
    ("charity", "12345678", {"id": f"{PREFIX}-org-7"}),          # not a charity number: nothing guessed
    ("cic", "CH-42", {"id": f"{PREFIX}-org-7"}),
    ("faith_group", "1098765", {"id": f"{PREFIX}-org-7"}),       # the kind does not say registered
    ("unregistered", "", {"id": f"{PREFIX}-org-7"}),
])
def test_recipient_identifiers(kind, number, expected):
    organisation = Organisation(id=7, collective_id=1, name="X", kind=kind, registration_number=number,
                                postcode="B18 7QH", contact_name="C", contact_email="c@example.org")
    assert threesixty.recipient_identity(organisation, PREFIX) == expected


def test_links_only_to_a_real_public_address(app):
    w = _awarded(app)
    app.config["THREESIXTY_PREFIX"] = PREFIX
    app.config["COMMONPOT_BASE_URL"] = "https://grants.example.org"
    with app.test_request_context("/"):
        collective = db.session.exec(select(Collective).where(Collective.slug == "west")).one()
        package = threesixty.build_package(collective)
    programme = package["grants"][0]["grantProgramme"][0]
    assert programme["url"] == f"https://grants.example.org/c/west/rounds/{w['round'].id}/results"
    app.config["COMMONPOT_BASE_URL"] = "http://localhost:5000"
    assert "url" not in _package(app)["grants"][0]["grantProgramme"][0]      # http://localhost: left out


@pytest.mark.parametrize(("config", "message"), [
    ({"THREESIXTY_PREFIX": ""}, "needs the publisher's 360Giving prefix"),
    ({"THREESIXTY_PREFIX": "GB-CHC-123"}, "is not a 360Giving prefix"),
    ({"THREESIXTY_PREFIX": "360G-"}, "is not a 360Giving prefix"),
    ({"THREESIXTY_PREFIX": PREFIX, "THREESIXTY_FUNDER_IDS": "west"}, "is not slug=org-id"),
    ({"THREESIXTY_PREFIX": PREFIX, "THREESIXTY_FUNDER_IDS": {"west": "1234567"}}, "is not an organisation identifier"),
    ({"THREESIXTY_PREFIX": PREFIX, "THREESIXTY_LICENSE": "CC-BY"}, "is not a web address"),
])
def test_bad_settings_are_refused_with_the_reason(app, config, message):
    with app.app_context():
        collective = factories.collective("west", "West Collective")
        with pytest.raises(Refused, match=message):
            threesixty.settings_for(collective, config)


def test_a_licence_is_stated_when_configured(app, package_validator):
    _awarded(app)
    package = _package(app, THREESIXTY_LICENSE="https://creativecommons.org/licenses/by/4.0/")
    assert package["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert _errors(package_validator, package) == []


# -- the commands --------------------------------------------------------------------------------

def test_cli_writes_the_package(app, runner, tmp_path, package_validator):
    w = _awarded(app)
    app.config.update(THREESIXTY_PREFIX=PREFIX, COMMONPOT_BASE_URL="https://grants.example.org")
    out = tmp_path / "west.json"
    result = runner.invoke(args=["export", "360giving", "--collective", "west", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 2 awarded grant(s) of west" in result.stderr
    package = json.loads(out.read_text(encoding="utf-8"))
    assert _errors(package_validator, package) == []
    assert package["grants"][0]["grantProgramme"][0]["url"] == \
        f"https://grants.example.org/c/west/rounds/{w['round'].id}/results"
    # "-" is standard output, with nothing else in it
    result = runner.invoke(args=["export", "360giving", "--collective", "west", "--out", "-"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {**package, "issued": json.loads(result.stdout)["issued"]}


def test_cli_refuses_without_a_traceback_and_writes_nothing(app, runner, tmp_path):
    out = tmp_path / "west.json"
    result = runner.invoke(args=["export", "360giving", "--collective", "nowhere", "--out", str(out)])
    assert result.exit_code == 2 and "there is no collective 'nowhere'" in result.output
    _awarded(app)
    app.config["THREESIXTY_PREFIX"] = ""
    result = runner.invoke(args=["export", "360giving", "--collective", "west", "--out", str(out)])
    assert result.exit_code == 1 and "set THREESIXTY_PREFIX" in result.output
    assert not out.exists()
    with app.app_context():
        factories.collective("empty", "Empty Collective")
        db.session.commit()
    app.config["THREESIXTY_PREFIX"] = PREFIX
    result = runner.invoke(args=["export", "360giving", "--collective", "empty", "--out", str(out)])
    assert result.exit_code == 1 and "Empty Collective has no awarded grants yet" in result.output
    assert not out.exists() and "Traceback" not in result.output
    result = runner.invoke(args=["export", "grants-csv", "--collective", "west", "--out", str(tmp_path / "no" / "x.csv")])
    assert result.exit_code == 1 and "cannot write" in result.output


def test_cli_writes_the_grants_csv(app, runner, tmp_path):
    _awarded(app)
    out = tmp_path / "grants.csv"
    result = runner.invoke(args=["export", "grants-csv", "--collective", "west", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 5 grant(s) of west" in result.stderr
    with out.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == list(HEADER) and len(rows) == 6


# -- the grants CSV and CSV safety --------------------------------------------------------------

def _csv_rows(body: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body)))


def test_the_grants_csv_has_every_grant_with_exact_amounts(app, client):
    w = _awarded(app)
    factories.login(client, w["facilitator"])
    response = client.get("/c/west/grants/grants.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=grants-west.csv"
    body = response.data.decode()
    assert body.splitlines()[0] == ",".join(HEADER)
    rows = {int(r["grant_id"]): r for r in _csv_rows(body)}
    assert len(rows) == 5
    paid = rows[w["grant_ids"]["paid"]]
    today = to_london(utcnow()).date().isoformat()
    assert paid == {"grant_id": str(w["grant_ids"]["paid"]), "round": "Spring 2027 small grants",
                    "organisation": "Organisation A", "project": "Project A", "amount_pounds": "1234.56",
                    "state": "Paid", "offered_on": paid["offered_on"], "accepted_on": paid["accepted_on"],
                    "paid_pounds": "500.00", "theme": "Building trust", "communities_served": "Pakistani"}
    assert paid["offered_on"] == paid["accepted_on"] == today          # London dates, YYYY-MM-DD
    assert rows[w["grant_ids"]["declined"]]["state"] == "Declined"
    assert rows[w["grant_ids"]["withdrawn"]]["state"] == "Offer withdrawn"
    offered = rows[w["grant_ids"]["offered"]]
    assert (offered["state"], offered["accepted_on"], offered["paid_pounds"]) == ("Offered", "", "0.00")


def test_csv_cells_that_could_run_as_formulas_are_defused(app, client):
    w = _awarded(app)
    factories.login(client, w["facilitator"])
    row = next(r for r in _csv_rows(client.get("/c/west/grants/grants.csv").data.decode())
               if r["grant_id"] == str(w["grant_ids"]["accepted"]))
    assert row["organisation"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row["project"] == "'+SUM(A1:A9) for the elders' lunch club"
    assert row["amount_pounds"] == "900.01"                  # our own numbers are left as numbers


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"), ("+44 121 000", "'+44 121 000"), ("-5 people", "'-5 people"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("Ladywood", "Ladywood"), ("a=b", "a=b"), ("", ""), (None, ""),
    (-5, -5), (Decimal("-1.50"), Decimal("-1.50")), (12, 12),
])
def test_safe_cell(value, written):
    assert safe_cell(value) == written


def test_csv_text_defuses_the_header_and_every_row():
    text = csv_text(["name", "=bad"], [["=cmd|' /C calc'!A0", 3], ["fine", Decimal("1.00")]])
    assert list(csv.reader(io.StringIO(text))) == [["name", "'=bad"], ["'=cmd|' /C calc'!A0", "3"], ["fine", "1.00"]]


# -- the download routes: who may, and nobody from another collective ------------------------------

def _other_collective_with_a_grant() -> dict:
    """Another collective with an accepted grant, set straight into the tables (only who sees what matters)."""
    east = factories.collective("east", "East Collective")
    org = factories.organisation(east, "East Secret Organisation", kind="charity", registration_number="1111111")
    facilitator = factories.member(east, roles=("facilitator",))
    theme = db.session.exec(select(Theme).where(Theme.collective_id == east.id)).first()
    round_ = Round(collective_id=east.id, state="awarded", **round_values(name="East secret round"))
    db.session.add(round_)
    db.session.flush()
    proposal = Proposal(collective_id=east.id, round_id=round_.id, organisation_id=org.id, state="awarded",
                        title="East secret project", summary="Secret", amount_requested=100_000, theme_id=theme.id)
    db.session.add(proposal)
    db.session.flush()
    db.session.add(Grant(collective_id=east.id, round_id=round_.id, proposal_id=proposal.id, organisation_id=org.id,
                         amount=100_000, state="accepted", offer_expires_at=round_.review_due_at))
    db.session.commit()
    return {"facilitator": facilitator}


def test_who_may_download(app):
    w = _awarded(app)
    app.config["THREESIXTY_PREFIX"] = PREFIX
    with app.app_context():
        east = _other_collective_with_a_grant()
        outsider = factories.person()
        db.session.commit()
    people = {"facilitator": w["facilitator"], "reviewer": w["reviewer"], "applicant": w["applicants"][0],
              "member": w["members"][0], "outsider": outsider, "east facilitator": east["facilitator"]}
    allowed = {"/c/west/grants/grants.csv": {"facilitator", "reviewer"},
               "/c/west/grants/360giving.json": {"facilitator"}}
    for path, may in allowed.items():
        assert app.test_client().get(path).status_code == 302           # signed out: to the sign-in page
        for role, person in people.items():
            client = app.test_client()
            factories.login(client, person)
            response = client.get(path)
            if role in may:
                assert response.status_code == 200, (path, role)
                assert b"East" not in response.data and b"Organisation A" in response.data
            else:
                assert response.status_code == 403, (path, role, response.status_code)
    # another collective's facilitator is refused at its address, and sees none of west's grants at its own
    client = app.test_client()
    factories.login(client, east["facilitator"])
    assert client.get("/c/west/grants/360giving.json").status_code == 403
    own = client.get("/c/east/grants/360giving.json")
    assert own.status_code == 200
    package = json.loads(own.data)
    assert [g["recipientOrganization"][0]["id"] for g in package["grants"]] == ["GB-CHC-1111111"]
    assert b"Organisation A" not in client.get("/c/east/grants/grants.csv").data


def test_the_grants_page_links_the_downloads_to_those_who_may_use_them(app):
    w = _awarded(app)
    app.config["THREESIXTY_PREFIX"] = PREFIX
    pages = {}
    for role, person in (("facilitator", w["facilitator"]), ("reviewer", w["reviewer"]),
                         ("applicant", w["applicants"][0])):
        client = app.test_client()
        factories.login(client, person)
        pages[role] = client.get("/c/west/grants/").data.decode()
    assert "/c/west/grants/grants.csv" in pages["facilitator"] and "/c/west/grants/360giving.json" in pages["facilitator"]
    assert "The 2 awarded grants as 360Giving open data" in pages["facilitator"]
    assert "/c/west/grants/grants.csv" in pages["reviewer"] and "360giving.json" not in pages["reviewer"]
    assert "grants.csv" not in pages["applicant"] and "360giving.json" not in pages["applicant"]


def test_without_a_prefix_the_facilitator_is_told_why_not(app, client):
    w = _awarded(app)
    app.config["THREESIXTY_PREFIX"] = ""
    factories.login(client, w["facilitator"])
    page = client.get("/c/west/grants/").data.decode()
    assert "360giving.json" not in page and "needs the site administrator first" in page
    response = client.get("/c/west/grants/360giving.json", follow_redirects=True)
    assert response.status_code == 200 and response.request.path == "/c/west/grants/"
    assert "set THREESIXTY_PREFIX" in response.data.decode()
