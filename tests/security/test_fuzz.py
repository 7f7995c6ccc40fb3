"""Fuzz every route with what a careless person or an attacker sends: never a 500, nothing half-saved.

Enumerated from ``app.url_map`` (a new endpoint without a case fails the coverage tests):

- every GET route (the tenancy matrix's paths): each path parameter replaced by each bad id or
  slug, and each query parameter the app reads (``QUERY_PARAMS``, checked against the source) by
  each bad value, as the role that may open the page, anonymously and as an outsider;
- every POST route (``tests/security/world.py``'s ``POST_CASES``): the form read from the page
  that shows it, then each field in turn replaced by each class of bad input, the other fields
  as shown, as the role that may post it; anonymously and as an outsider with the form as shown.

A refused request (4xx, or the form shown again) must leave every table as it was: each table's
row count and a hash of its rows are compared before and after. A request that redirects may
have saved (the next comparison starts from what it left). Deterministic: the values are fixed
and the routes run in a fixed order. Bounded: the classes that only matter to numbers, ids and
dates go to the fields that hold those; fields of one family (``people_…``, ``count_…``, budget
lines) get every class on their first member and the text classes on the rest.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests import factories
from tests.security.world import (
    ANON,
    APPLICANT,
    FACILITATOR,
    MEMBER,
    OUTSIDER,
    POST_CASES,
    STATIC_ENDPOINTS,
    STRANGER,
    Snapshot,
    build_world,
    changed_tables,
    form_for,
    post_endpoints,
)
from tests.test_tenancy import ADMIN, NOT_IN_MATRIX, REVIEWER, ROUTES

GRANTS = Path(__file__).resolve().parents[2] / "grants"

# -- the classes of bad input --------------------------------------------------------------------

HUGE = "a" * 100_000
TEXT_VALUES = {
    "empty": [""],
    "repeated": None,  # the shown value twice
    "100 kB": [HUGE],
    "NUL": ["a\x00b"],
    "control characters": ["\x01\x08\x1b[31m\x7f\x85"],
    "right-to-left and emoji": ["\u202eעברית عربي 😀👩🏽‍🚀"],
}
NUMBER_VALUES = {
    "superscript two": ["²"],
    "Arabic-Indic three": ["٣"],
    "negative": ["-1"],
    "zero": ["0"],
    "10**20": [str(10**20)],
    "400 digits": ["9" * 400],
    "1e400": ["1e400"],
    "NaN": ["NaN"],
    "non-numeric": ["abc"],
    "fraction": ["1.5"],
}
DATE_VALUES = {
    "31 February": ["2026-02-31"],
    "month 13": ["2026-13-01"],
    "31 February at 10": ["2026-02-31T10:00"],
    "day month year, four parts": ["31", "2", "2026", "1"],
    "day month year, one part": ["31"],
    "31 2 2026": ["31", "2", "2026"],
}
BAD_IDS = {
    "empty": "", "zero": "0", "negative": "-1", "10**20": str(10**20), "400 digits": "9" * 400,
    "superscript two": "²", "Arabic-Indic three": "٣", "non-numeric": "abc", "NUL": "%00", "fraction": "1.5",
}
BAD_SLUGS = {"NUL": "%00", "100 kB": "a" * 100_000, "right-to-left and emoji": "%E2%80%AE%F0%9F%98%80",
             "control characters": "%01%1B"}
BAD_QUERY = {**{k: v[0] for k, v in NUMBER_VALUES.items()}, "NUL": "a\x00b", "100 kB": HUGE,
             "right-to-left and emoji": TEXT_VALUES["right-to-left and emoji"][0], "empty": "",
             "control characters": "\x01\x1b", "another site": "//evil.example/x", "scheme": "javascript:alert(1)"}

# Query parameters the app reads, by endpoint; ``test_every_query_parameter_is_fuzzed`` reads the
# source for ``request.args`` and fails on one not listed here.
QUERY_PARAMS = {
    "auth.login": ["next"],
    "auth.register": ["next"],
    "auth.resend_verification": ["email"],
    "auth.set_language": ["next"],
    "collectives.audit_log": ["page"],
    "commissioning.gaps": ["dataset", "area"],
    "documents.award_letter": ["lang"],  # the English copy of a letter in the grantee's language
}

# GET routes outside the tenancy matrix (reached by emailed tokens or from another page).
EXTRA_GETS = [
    ("auth.reset_password", "/password/reset/{reset_token}", {ANON}),
    ("collectives.invitation", "/invitations/{invite_token}", {ANON}),
    ("reporting.photo", "/c/{slug}/grants/{grant}/reports/{report}/photo", {FACILITATOR}),
    ("auth.verify_email", "/email/confirm/not-a-token", {ANON}),
    ("auth.choose_password", "/account/new-password", {MEMBER}),
    ("twofactor.challenge", "/login/two-factor", {ANON}),
    ("auth.set_language", "/language/ur", {ANON}),  # a redirect that sets the language cookie
    # the world's change is not approved: its letter is not found (tests/test_variations.py downloads one)
    ("documents.variation_letter", "/c/{slug}/grants/{grant}/variations/{variation}/letter.pdf", {APPLICANT}),
]

FOREIGN_KEYS = {"member": "person", "person": "person", "theme": "theme", "round": "round", "host": "org",
                "organisation": "org", "dataset": "import", "approve": "proposal", "score": "proposal",
                "points": "proposal"}


@pytest.fixture
def app_config(app_config):
    # The 360Giving download needs a prefix; rate limits would turn the fuzz's sign-ins into 429s.
    return {**app_config, "THREESIXTY_PREFIX": "360G-fuzztest", "RATELIMIT_ENABLED": False}


@pytest.fixture
def fuzz_world(app):
    return build_world(app)


@pytest.fixture
def snapshot(app_config):
    taker = Snapshot(app_config["DATABASE_URL"])
    yield taker
    taker.dispose()


class Clients:
    """One signed-in test client per role, signed in once; anonymous clients are fresh each time."""

    def __init__(self, app, world) -> None:
        self.app, self.world, self._clients = app, world, {}

    def __call__(self, role: str):
        if role == ANON:
            return self.app.test_client()
        if role not in self._clients:
            client = self.app.test_client()
            assert factories.login(client, self.world["people"][role]).status_code == 302, role
            self._clients[role] = client
        return self._clients[role]


def _fill(template: str, ids: dict) -> str:
    return template.format(**ids)


def _first_allowed(allowed: set[str]) -> str:
    for role in (FACILITATOR, APPLICANT, MEMBER, REVIEWER, ADMIN, OUTSIDER, ANON):
        if role in allowed:
            return role
    raise AssertionError(allowed)


def _server_error(response) -> bool:
    return response.status_code >= 500


# -- coverage ------------------------------------------------------------------------------------

def test_every_get_route_is_fuzzed(app):
    listed = {endpoint for endpoint, _path, _roles in ROUTES} | {endpoint for endpoint, _p, _r in EXTRA_GETS}
    gets = {rule.endpoint for rule in app.url_map.iter_rules()
            if "GET" in (rule.methods or ()) and rule.endpoint not in STATIC_ENDPOINTS}
    assert gets - listed == set(), "add these GET routes to the tenancy matrix or EXTRA_GETS"
    assert set(NOT_IN_MATRIX) - STATIC_ENDPOINTS - post_endpoints(app) <= {e for e, _p, _r in EXTRA_GETS}


def test_every_post_route_has_a_case(app):
    assert post_endpoints(app) - {case.endpoint for case in POST_CASES} == set(), \
        "add these POST routes to tests/security/world.py's POST_CASES"


def test_every_query_parameter_is_fuzzed():
    read = set()
    for path in GRANTS.rglob("*.py"):
        read |= set(re.findall(r"request\.args\.get\(\s*[\"'](\w+)", path.read_text()))
    assert read - {p for params in QUERY_PARAMS.values() for p in params} == set()


def test_no_route_takes_an_unchecked_number(app):
    """Every number in an address goes through the id converter (or the bounded ``int`` one)."""
    from grants.ids import IdConverter

    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if name.endswith("_id"):
                assert isinstance(converter, IdConverter), (rule.rule, name)


# -- GET routes ----------------------------------------------------------------------------------

@pytest.mark.long_pole
def test_get_routes_survive_bad_paths_and_queries(app, fuzz_world):
    clients = Clients(app, fuzz_world)
    alpha, beta = fuzz_world["ids"]["alpha"], fuzz_world["ids"]["beta"]
    failures, slugs_tried = [], set()
    for endpoint, template, allowed in [*ROUTES, *EXTRA_GETS]:
        role = _first_allowed(allowed)
        for key in re.findall(r"\{(\w+)\}", template):
            if key == "slug":
                # one converter and one lookup serve every blueprint's slug: all its classes on a
                # blueprint's first route, a NUL on the others
                blueprint = endpoint.split(".")[0]
                values = BAD_SLUGS if blueprint not in slugs_tried else {"NUL": BAD_SLUGS["NUL"]}
                slugs_tried.add(blueprint)
            else:
                values = dict(BAD_IDS)
                if key in beta:
                    values["another collective's id"] = str(beta[key])
            for label, bad in values.items():
                path = template.format(**{**alpha, key: "\0"}).replace("\0", bad)
                for who in (role, ANON, OUTSIDER) if label in ("10**20", "another collective's id") else (role,):
                    response = clients(who).get(path)
                    if _server_error(response):
                        failures.append((endpoint, who, key, label, response.status_code))
        for param in QUERY_PARAMS.get(endpoint, []) if "?" not in template else []:
            # (a row whose address already has a query, like the letter's ?lang=en, is the same route
            # as the row without it, which the parameters are fuzzed on)
            path = _fill(template, alpha)
            for label, bad in BAD_QUERY.items():
                queries = [({param: bad}, role)]
                if label == "10**20":
                    queries += [({param: [bad, "1"]}, role), ({param: bad}, ANON), ({param: bad}, OUTSIDER)]
                for query, who in queries:
                    response = clients(who).get(path, query_string=query)
                    if _server_error(response):
                        failures.append((endpoint, who, param, label, response.status_code))
    assert failures == []


# -- POST routes ---------------------------------------------------------------------------------

def _family(name: str) -> str:
    """``people_white_roma`` → ``people_``; ``budget_lines-3-amount`` → ``budget_lines--amount``."""
    name = re.sub(r"-\d+-", "--", name)
    name = re.sub(r"(?<=[a-z])[-_]\d+$", "_#", name)
    match = re.match(r"^(people_|count_|pot_|spend_|outcome_|score-|points-)", name)
    return match.group(1) if match else name


def _looks_numeric(values: list[str]) -> bool:
    return any(re.fullmatch(r"[0-9][0-9,.]*", v or "") for v in values)


def _classes_for(name: str, kind: str, shown: list[str], first_of_family: bool) -> dict:
    """The bad inputs one field gets (see the module docstring for the bounds)."""
    classes = {"missing": None, **TEXT_VALUES}
    classes["repeated"] = (shown or [""]) * 2
    if not first_of_family:
        return {"missing": None, "100 kB": [HUGE], "NUL": ["a\x00b"], "superscript two": ["²"]}
    if kind == "file":
        return {"junk file": "file", "empty file": "empty file", "not a file": ["plain text"], "missing": None}
    if kind in ("choice", "date") or _looks_numeric(shown) or kind == "text" and name.endswith(("_id", "amount")):
        classes.update(NUMBER_VALUES)
    if kind == "date" or "date" in name or name.endswith(("_at", "_on", "new_value")):
        classes.update(DATE_VALUES)
    return classes


def _foreign_value(name: str, beta: dict) -> str | None:
    for hint, key in FOREIGN_KEYS.items():
        if hint in name and key in beta:
            return str(beta[key])
    return None


def _post(client, path: str, data: dict, files: dict):
    payload = {k: v for k, v in data.items()}
    for name, content in files.items():
        payload[name] = (io.BytesIO(content), "evidence.csv" if content else "")
    return client.post(path, data=payload, content_type="multipart/form-data" if files else None)


def _baseline(case, client, ids):
    """The form's fields as the page shows them (or the case's own), and the button to press."""
    path = _fill(case.path, ids)
    if case.baseline is not None:
        fields = {k: [_fill(v, ids) for v in values] for k, values in case.baseline.items()}
        return path, fields, {k: "text" for k in fields}
    page_path = _fill(case.page or case.path, ids)
    page = client.get(page_path)
    assert page.status_code == 200, (case.endpoint, page_path, page.status_code)
    form = form_for(page.data.decode(), page_path, path, case.pick)
    assert form is not None, f"{case.endpoint}: no form posting to {path} on {page_path}"
    fields = {k: v for k, v in form.fields.items() if v}
    press = next((s for s in form.submits if s[0] == case.submit), None) if case.submit else None
    press = press or (form.submits[0] if form.submits else None)
    if press:
        fields[press[0]] = [press[1]]
    for name, kind in form.kinds.items():
        if kind != "file":
            fields.setdefault(name, [])
    return path, fields, dict(form.kinds)


def test_every_post_case_finds_its_form(app, fuzz_world):
    """Each case's form is on its page as the world stands (or the case says its fields)."""
    clients = Clients(app, fuzz_world)
    missing = []
    for case in POST_CASES:
        try:
            _baseline(case, clients(case.role), fuzz_world["ids"]["alpha"])
        except AssertionError as error:
            missing.append(str(error).splitlines()[0])
    assert missing == [], "\n".join(missing)


def _refused(response) -> bool:
    return response.status_code != 302 and response.status_code != 303


# The POST cases run in this many parts, each on a world of its own, so that pytest-xdist can share
# them between its workers (one test of every case took a worker six minutes). A part keeps the
# cases' order: a world starts as every case expects it, and later cases in a part come after the
# ones that need the world as it was.
FUZZ_PARTS = 8

# The requests a case sends (its form's fields times the classes of bad input each gets), as
# measured, for the cases that send 40 or more; the others send 2 to 40, about 15. The parts are
# cut where they send about as many requests each: cut by the number of cases, the part holding
# rounds.new, rounds.edit and proposals.edit sent 900 of the 3,000 requests and took as long as
# four other parts together. A figure gone stale makes the parts uneven, never a request missed.
REQUESTS = {"rounds.edit": 370, "rounds.new": 330, "proposals.edit": 190, "commissioning.new_event": 175,
            "organisations.edit": 150, "reporting.show": 150, "collectives.join": 140, "commissioning.we_did": 95,
            "awards.record_payment": 65, "commissioning.new_need": 55, "auth.login": 50, "auth.register": 50,
            "collectives.invite": 50, "rounds.extend": 50, "commissioning.event": 50,
            "collectives.edit_membership": 45, "auth.account": 40, "commissioning.need": 40}
OTHER_CASE_REQUESTS = 15


def balanced_bounds(weights: list[int], parts: int) -> list[int]:
    """Where runs of ``weights`` start (and the last ends) when cut into ``parts`` runs, none empty,
    the heaviest run as light as it can be: the lightest limit a greedy filling fits in ``parts``."""
    def bounds_within(limit: int) -> list[int]:
        bounds, total = [0], 0
        for i, weight in enumerate(weights):
            # a new run when this weight would pass the limit, or when each remaining weight
            # must have a run of its own for there to be ``parts`` runs
            if i > bounds[-1] and (total + weight > limit or len(weights) - i == parts - len(bounds)):
                bounds.append(i)
                total = 0
            total += weight
        return [*bounds, len(weights)]

    limit = max(weights)
    while len(bounds_within(limit)) - 1 > parts:
        limit += 1
    return bounds_within(limit)


PART_BOUNDS = balanced_bounds([REQUESTS.get(case.endpoint, OTHER_CASE_REQUESTS) for case in POST_CASES], FUZZ_PARTS)


def cases_of_part(part: int) -> list:
    return POST_CASES[PART_BOUNDS[part]:PART_BOUNDS[part + 1]]


def test_the_parts_cover_every_case_once():
    assert [case for part in range(FUZZ_PARTS) for case in cases_of_part(part)] == POST_CASES
    assert all(cases_of_part(part) for part in range(FUZZ_PARTS))


def test_balanced_bounds_keep_the_heaviest_part_as_light_as_it_can_be():
    assert balanced_bounds([5, 1, 1, 1, 1, 1], 2) == [0, 1, 6]
    assert balanced_bounds([1, 1, 1, 1, 1, 5], 2) == [0, 5, 6]
    assert balanced_bounds([3, 3, 3, 3], 4) == [0, 1, 2, 3, 4]
    assert balanced_bounds([1, 1, 1, 1, 1, 1, 1, 1], 3) == [0, 3, 6, 8]
    assert balanced_bounds([1, 9, 1], 3) == [0, 1, 2, 3]


@pytest.mark.long_pole
@pytest.mark.parametrize("part", range(FUZZ_PARTS), ids=lambda part: f"part{part + 1}of{FUZZ_PARTS}")
def test_post_routes_survive_bad_forms_and_save_nothing_when_refused(app, fuzz_world, snapshot, part):
    clients = Clients(app, fuzz_world)
    alpha, beta = fuzz_world["ids"]["alpha"], fuzz_world["ids"]["beta"]
    failures, requests = [], 0
    state = snapshot.take()

    def send(case, who, label, field_name, client, path, data, files):
        nonlocal state, requests
        requests += 1
        response = _post(client, path, {k: v for k, v in data.items() if v is not None}, files)
        after = snapshot.take()
        where = (case.endpoint, who, field_name, label)
        # refused: the form shown again, an error page, or sent to sign in; a redirect elsewhere may
        # have saved (a signed-in stranger may change their own account)
        refused = _refused(response) or "/login" in response.headers.get("Location", "")
        if _server_error(response):
            failures.append((*where, response.status_code))
        elif refused and changed_tables(state, after):
            failures.append((*where, "refused but saved", changed_tables(state, after)))
        state = after

    for case in cases_of_part(part):
        client = clients(case.role)
        try:
            path, fields, kinds = _baseline(case, client, alpha)
        except AssertionError as error:   # an earlier case's success moved the world on
            failures.append((case.endpoint, str(error).splitlines()[0]))
            continue
        # as shown, by someone else: anonymous and a stranger to the collective (one request each)
        for who in (ANON, STRANGER):
            if who != case.role:
                send(case, who, "as shown", "-", clients(who), path, fields, {})
        seen_families = set()
        for name in sorted(set(fields) | {n for n, k in kinds.items() if k == "file"}):
            kind = kinds.get(name, "text")
            family = _family(name)
            first = family not in seen_families
            seen_families.add(family)
            classes = _classes_for(name, kind, fields.get(name, []), first)
            foreign = _foreign_value(name, beta)
            if foreign and first:
                classes["another collective's id"] = [foreign]
            for label, values in classes.items():
                data, files = dict(fields), {}
                if values in ("file", "empty file"):
                    files[name] = b"\x00\xff\xfe junk \x89PNG\r\n" * 200 if values == "file" else b""
                else:
                    data[name] = values
                send(case, case.role, label, name, client if case.role != ANON else clients(ANON), path, data, files)
    assert failures == [], f"{len(failures)} of {requests} requests failed:\n" + "\n".join(map(repr, failures))
