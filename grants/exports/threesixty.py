"""A collective's awarded grants as a 360Giving Data Standard package (JSON, schema 1.4).

Which grants: those in :data:`AWARDED_STATES`. A grant counts as awarded once the group has
*accepted* the offer, and stays awarded while it is paid, reported on and closed. A grant whose
funds were later returned was still awarded (and paid): it stays, with ``amountDisbursed`` saying
what was paid. An offer still waiting for an answer is left out — it may yet be declined or lapse,
and published data should not have to take a grant back — and so are declined offers and
withdrawn (or expired) ones, which never took effect.

Identifiers (see the 360Giving identifier guidance):

- grant: ``{THREESIXTY_PREFIX}-{collective slug}-{grant id}``. The prefix is the ``360G-…`` prefix
  360Giving registers for the publisher; the export refuses to run without a well-formed one.
- funder: the collective's org-id from ``THREESIXTY_FUNDER_IDS`` (``{slug: org-id}``, e.g.
  ``{"west": "GB-CHC-1234567"}``); without one, ``{prefix}-collective-{slug}``.
- recipient: the org-id of the organisation's registration, where its kind says it is a charity
  (``GB-CHC`` England and Wales, ``GB-SC`` Scotland, ``GB-NIC`` Northern Ireland) or a company
  (``GB-COH``) and its number has that register's form; otherwise ``{prefix}-org-{organisation id}``.
  Nothing is guessed: an unregistered group, a faith group or a number of no known form gets our own id.

Amounts are exact: integer pence become pounds with at most two decimals (1234 → 12.34), and a
JSON number of under 15 significant digits reads back as exactly that decimal. Times are UTC
date-times; ``awardDate`` is when the offer was issued. The beneficiary location is the
organisation's ward, by name only (we hold no ONS ward codes, and invent none). Links (the round's
public results page as the grant programme's URL) are included only when the round's results are
public and the site's public address is not a loopback one: a link to 127.0.0.1 helps nobody.
The rounds hold no planned project dates, so ``plannedDates`` is not given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app

from grants.collectives.models import Collective
from grants.errors import Refused
from grants.exports.queries import MAX_PENCE, GrantRow, grant_rows
from grants.money import pounds
from grants.organisations.models import Organisation
from grants.rounds.queries import is_public
from grants.timeutil import utcnow
from grants.urls import external_url

SCHEMA_VERSION = "1.4"
AWARDED_STATES = ("accepted", "paid", "reporting", "closed", "funds_returned")
CURRENCY = "GBP"

PREFIX_PATTERN = re.compile(r"^360G-[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*$")
# An org-id: a list code (two-letter country or XI/XM, then the register) and the identifier in it,
# or a 360Giving prefix with the publisher's own identifier.
ORG_ID_PATTERN = re.compile(r"^(?:[A-Z]{2}-[A-Z0-9]{2,}|360G)-[^\s]+$")

CHARITY_KINDS = frozenset({"charity", "cio"})
COMPANY_KINDS = frozenset({"cic", "clg"})
_CHARITY_NUMBERS = (
    (re.compile(r"^[0-9]{6,7}$"), "GB-CHC"),           # Charity Commission for England and Wales
    (re.compile(r"^SC[0-9]{6}$"), "GB-SC"),            # OSCR: the SC is part of the number
    (re.compile(r"^NIC([0-9]{6})$"), "GB-NIC"),        # Charity Commission for Northern Ireland
)
_COMPANY_NUMBER = re.compile(r"^(?:[0-9]{1,8}|[A-Z]{2}[0-9]{6})$")
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # nosec B104  # hosts recognised in a URL, nothing binds


@dataclass(frozen=True)
class Settings:
    prefix: str
    funder_id: str
    license: str


def funder_ids(value) -> dict[str, str]:
    """``THREESIXTY_FUNDER_IDS``: a mapping (instance/config.py) or ``slug=org-id,slug=org-id`` text
    (the environment)."""
    if not value:
        return {}
    if isinstance(value, Mapping):
        return {str(k).strip(): str(v).strip() for k, v in value.items()}
    found = {}
    for part in str(value).split(","):
        if not part.strip():
            continue
        slug, sep, org_id = part.partition("=")
        if not sep or not slug.strip() or not org_id.strip():
            raise Refused(f"THREESIXTY_FUNDER_IDS: “{part.strip()}” is not slug=org-id "
                          "(for example west=GB-CHC-1234567)")
        found[slug.strip()] = org_id.strip()
    return found


def settings_for(collective: Collective, config: Mapping | None = None) -> Settings:
    """The prefix, the collective's funder org-id and the licence, checked; a clear refusal if not set."""
    config = current_app.config if config is None else config
    prefix = str(config.get("THREESIXTY_PREFIX") or "").strip()
    if not prefix:
        raise Refused("The 360Giving export needs the publisher's 360Giving prefix: set THREESIXTY_PREFIX "
                      "(for example 360G-westcollective; 360Giving gives you one when you register to publish)")
    if not PREFIX_PATTERN.match(prefix):
        raise Refused(f"THREESIXTY_PREFIX “{prefix}” is not a 360Giving prefix: it starts with 360G- "
                      "followed by letters and digits, for example 360G-westcollective")
    funder_id = funder_ids(config.get("THREESIXTY_FUNDER_IDS")).get(collective.slug) or \
        f"{prefix}-collective-{collective.slug}"
    if not ORG_ID_PATTERN.match(funder_id):
        raise Refused(f"THREESIXTY_FUNDER_IDS: “{funder_id}” for {collective.slug} is not an organisation "
                      "identifier such as GB-CHC-1234567, GB-COH-01234567 or a 360G- one")
    license_url = str(config.get("THREESIXTY_LICENSE") or "").strip()
    if license_url and urlsplit(license_url).scheme not in ("http", "https"):
        raise Refused(f"THREESIXTY_LICENSE “{license_url}” is not a web address: give the licence's canonical URL, "
                      "for example https://creativecommons.org/licenses/by/4.0/")
    return Settings(prefix=prefix, funder_id=funder_id, license=license_url)


def recipient_identity(organisation: Organisation, prefix: str) -> dict:
    """``id`` (an org-id where the registration gives one) and the charity or company number it rests on."""
    number = re.sub(r"\s+", "", organisation.registration_number or "").upper()
    if number and organisation.kind in CHARITY_KINDS:
        for pattern, scheme in _CHARITY_NUMBERS:
            match = pattern.match(number)
            if match:
                identifier = match.group(1) if match.groups() else number
                return {"id": f"{scheme}-{identifier}", "charityNumber": number}
    if number and organisation.kind in COMPANY_KINDS and _COMPANY_NUMBER.match(number):
        number = number.zfill(8)          # Companies House numbers are eight characters: 1234567 → 01234567
        return {"id": f"GB-COH-{number}", "companyNumber": number}
    return {"id": f"{prefix}-org-{organisation.id}"}


def json_amount(pence: int) -> int | float:
    """Pounds for a JSON number: whole pounds as an integer, otherwise the two-decimal value."""
    if abs(pence) >= MAX_PENCE:
        raise ValueError(f"{pence} pence is beyond what the export writes exactly")
    if pence % 100 == 0:
        return pence // 100
    # Under 15 significant digits: the shortest repr of this float is exactly the decimal.
    return float(pounds(pence))


def _timestamp(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def public_url(endpoint: str, **values) -> str | None:
    """An absolute link, or None when the site's address is a loopback one (not worth publishing)."""
    url = external_url(endpoint, **values)
    host = (urlsplit(url).hostname or "").lower()
    if host in _LOOPBACK_HOSTS or host.endswith(".localhost"):
        return None
    return url


def grant_record(row: GrantRow, collective: Collective, settings: Settings) -> dict:
    grant, proposal, organisation, round_ = row.grant, row.proposal, row.organisation, row.round
    recipient = {**recipient_identity(organisation, settings.prefix), "name": organisation.name}
    if organisation.postcode.strip():
        recipient["postalCode"] = organisation.postcode.strip()
    programme = {"code": f"{collective.slug}-round-{round_.id}", "title": round_.name}
    if is_public(round_):
        url = public_url("rounds.results", slug=collective.slug, round_id=round_.id)
        if url:
            programme["url"] = url
    record = {
        "id": f"{settings.prefix}-{collective.slug}-{grant.id}",
        "title": proposal.title.strip() or f"Grant {grant.id}",
        "description": proposal.summary.strip() or proposal.title.strip() or f"Grant {grant.id}",
        "currency": CURRENCY,
        "amountAwarded": json_amount(grant.amount),
        "amountDisbursed": json_amount(row.paid),
        "awardDate": _timestamp(grant.offered_at),
        "recipientOrganization": [recipient],
        "fundingOrganization": [{"id": settings.funder_id, "name": collective.name}],
        "grantProgramme": [programme],
        "dateModified": _timestamp(row.modified_at),
    }
    if organisation.ward.strip():
        record["beneficiaryLocation"] = [{"name": organisation.ward.strip(), "countryCode": "GB"}]
    if row.partners:
        # the grant is to the lead; the partners of a joint proposal, each with its share, beside it
        record["additional_data"] = {"partnerOrganizations": [
            {**recipient_identity(partner, settings.prefix), "name": partner.name, "share": json_amount(share)}
            for partner, share in row.partners]}
    return record


def build_package(collective: Collective, *, config: Mapping | None = None, now: datetime | None = None) -> dict:
    """The package as plain values. Refuses (with the reason) when it cannot be made."""
    settings = settings_for(collective, config)
    rows = grant_rows(collective, AWARDED_STATES)
    if not rows:
        raise Refused(f"{collective.name} has no awarded grants yet (a grant counts once its offer is "
                      "accepted), and a 360Giving file needs at least one")
    issued = now or utcnow()
    package = {
        "version": SCHEMA_VERSION,
        "title": f"{collective.name}: grants awarded",
        "description": f"Grants awarded by {collective.name} through participatory grant-making: its members "
                       "proposed and voted on the projects, and the locality partnership ratified the result.",
        "issued": _timestamp(issued),
        "modified": _timestamp(max(row.modified_at for row in rows)),
        "publisher": {"name": collective.name, "identifier": settings.funder_id},
        "grants": [grant_record(row, collective, settings) for row in rows],
    }
    if settings.license:
        package["license"] = settings.license
    return package


def dumps(package: dict) -> str:
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"


def package_json(collective: Collective, **kwargs) -> str:
    return dumps(build_package(collective, **kwargs))
