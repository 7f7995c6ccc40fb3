"""One test per cause of a server error the fuzz found (issue 11; issue 13, item 6), named for it.

Each fails on the code before the cure: ids that ``str.isdigit()`` or ``\\d`` accept but ``int()``
or the database do not, ids and counts past the integer columns, a date in other than three
parts, a repeated theme, a smallest grant of £0, NUL bytes, and an evidence file read to its end
after its first bad line.
"""

from __future__ import annotations

import io
import pytest
from sqlmodel import func, select

from grants.db import db
from tests import factories
from tests.rounds_helpers import open_round, proposal, to_voting, world

HUGE_ID = "9" * 20  # 10**20 - 1: past every integer column (SQLite's 64 bits, PostgreSQL's 32)


@pytest.fixture
def voting(app):
    """A round in its vote with two proposals, and a member who may vote."""
    with app.test_request_context("/", method="POST"):
        w = world(organisations=2, extra_members=1)
        open_round(w)
        w["proposals"] = [proposal(w, 0, title="Walking club", amount=300_000),
                          proposal(w, 1, title="Baby massage", amount=400_000)]
        to_voting(w, w["proposals"])
        return w


def _count(model) -> int:
    return db.session.exec(select(func.count()).select_from(model)).one()


def _signed_in(client, person):
    assert factories.login(client, person).status_code == 302
    return client


# -- ids in addresses ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    f"/c/west/rounds/{HUGE_ID}",
    f"/c/west/rounds/{HUGE_ID}/results",
    f"/c/west/grants/{HUGE_ID}/award-letter.pdf",
    f"/c/west/commissioning/evidence/imports/{HUGE_ID}",
    f"/c/west/rounds/{HUGE_ID}/proposals/{HUGE_ID}",
    f"/c/west/impact-reports/{HUGE_ID}.pdf",
])
def test_an_id_of_10_20_in_an_address_is_not_found(client, app, voting, path):
    _signed_in(client, voting["facilitator"])
    assert client.get(path).status_code == 404


def test_arabic_indic_digits_in_an_address_are_not_an_id(client, app, voting):
    # \\d matched "٣" and int("٣") is 3: the page of round 3 answered at an address nobody links to
    _signed_in(client, voting["facilitator"])
    arabic = "".join(chr(0x0660 + int(d)) for d in str(voting["round"].id))
    assert client.get(f"/c/west/rounds/{voting['round'].id}").status_code == 200
    assert client.get(f"/c/west/rounds/{arabic}").status_code == 404


def test_a_nul_in_a_collectives_address_is_not_found(client, app, voting):
    _signed_in(client, voting["facilitator"])
    assert client.get("/c/we%00st/rounds/").status_code == 404


# -- numbers in query strings -------------------------------------------------------------------

@pytest.mark.parametrize("page", [HUGE_ID, "²", "٣", "0", "-1", "abc"])
def test_the_audit_pages_number_of_10_20_or_superscript_two_shows_a_page(client, app, voting, page):
    _signed_in(client, voting["facilitator"])
    response = client.get("/c/west/audit", query_string={"page": page})
    assert response.status_code == 200


# -- numbers in forms ---------------------------------------------------------------------------

@pytest.mark.parametrize("approve", ["²", "٣", HUGE_ID])
def test_a_ballot_approving_superscript_two_is_refused_on_the_page(client, app, voting, approve):
    from grants.voting.models import Ballot

    _signed_in(client, voting["members"][0])
    response = client.post(f"/c/west/rounds/{voting['round'].id}/ballot", data={"approve": [approve]})
    assert response.status_code == 200
    assert "is not in this round" in response.data.decode()
    with app.app_context():
        assert _count(Ballot) == 0


@pytest.mark.parametrize("points", ["²", HUGE_ID])
def test_a_score_of_superscript_two_is_refused_with_what_to_type(client, app, voting, points):
    from grants.rounds.models import Round
    from grants.voting.models import Ballot

    with app.app_context():
        round_ = db.session.get(Round, voting["round"].id)
        round_.voting_method, round_.cumulative_points = "cumulative", 10
        db.session.commit()
    _signed_in(client, voting["members"][0])
    proposal_id = voting["proposals"][0].id
    response = client.post(f"/c/west/rounds/{voting['round'].id}/ballot", data={f"points-{proposal_id}": points})
    assert response.status_code == 200
    assert "as a whole number, like 3" in response.data.decode() or "or fewer" in response.data.decode()
    with app.app_context():
        assert _count(Ballot) == 0


@pytest.mark.parametrize("member_id", [HUGE_ID, "²"])
def test_a_paper_ballot_for_member_id_10_20_is_refused_beside_the_field(client, app, voting, member_id):
    from grants.voting.models import Ballot

    _signed_in(client, voting["facilitator"])
    response = client.post(f"/c/west/rounds/{voting['round'].id}/paper-ballot",
                           data={"member_id": member_id, "approve": [str(voting["proposals"][0].id)]})
    assert response.status_code == 200
    assert "Not a valid choice" in response.data.decode()
    with app.app_context():
        assert _count(Ballot) == 0


def _round_form(themes) -> dict:
    return {"name": "Autumn round", "variant": "standard", "budget": "10,000", "min_grant": "500",
            "max_grant": "5000", "theme_ids": [str(t.id) for t in themes], "voting_method": "approval",
            "allocation_rule": "greedy_cost", "proposals_open_at": "2027-03-01T09:00",
            "proposals_close_at": "2027-03-15T17:00", "voting_opens_at": "2027-03-22T09:00",
            "voting_closes_at": "2027-03-29T17:00", "review_due_at": "2027-04-05T17:00", "reminder_hours": "48",
            "small_grant_limit": "1000", "medium_grant_limit": "5000", "ratifications_needed": "1"}


@pytest.mark.parametrize("changes, message", [
    ({"reminder_hours": "9" * 400}, "Enter the hours of 2,147,483,647 or fewer"),
    ({"reminder_hours": "٣"}, "Enter the hours as a whole number, like 48"),
    ({"ratifications_needed": "²"}, "Enter the reviewers as a whole number, like 1"),
    ({"min_grant": "0"}, "Enter an amount of £0.01 or more"),
    ({"budget": "0"}, "Enter an amount of £0.01 or more"),
    ({"small_grant_limit": "0"}, "Enter an amount of £0.01 or more"),
    ({"budget": "٣٠٠٠"}, "Enter an amount in pounds"),
    ({"max_grant": "1000000001"}, "Enter an amount of £1,000,000,000 or less"),
])
def test_a_400_digit_count_or_a_smallest_grant_of_0_is_refused_beside_the_field(client, app, voting, changes, message):
    from grants.rounds.models import Round

    _signed_in(client, voting["facilitator"])
    response = client.post("/c/west/rounds/new", data={**_round_form(voting["themes"].values()), **changes})
    assert response.status_code == 200
    assert message in response.data.decode()
    with app.app_context():
        assert _count(Round) == 1


def test_a_repeated_theme_is_refused_beside_the_themes(client, app, voting):
    from grants.rounds.models import Round

    _signed_in(client, voting["facilitator"])
    theme = next(iter(voting["themes"].values()))
    response = client.post("/c/west/rounds/new", data={**_round_form([]), "theme_ids": [str(theme.id)] * 2})
    assert response.status_code == 200
    assert "Choose each theme once" in response.data.decode()
    with app.app_context():
        assert _count(Round) == 1


@pytest.mark.parametrize("threshold", ["٠.٨", "1e400", "nan"])
def test_a_threshold_in_other_digits_is_refused(client, app, voting, threshold):
    _signed_in(client, voting["facilitator"])
    response = client.post("/c/west/commissioning/settings", data={"threshold": threshold})
    assert response.status_code == 200
    assert "Enter the threshold as a number, like 0.8" in response.data.decode() or \
        "between 0.01 and 1" in response.data.decode()


# -- dates ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("parts", [["27", "3", "2027", "1"], ["27"], []])
def test_a_date_in_four_parts_is_shown_again_as_three_boxes(client, app, parts):
    from grants.commissioning.models import CommissioningCycle, EngagementEvent

    with app.app_context():
        collective = factories.collective("west")
        facilitator = factories.member(collective, roles=("facilitator",))
        host = factories.organisation(collective, "Host")
        cycle = CommissioningCycle(collective_id=collective.id, name="Cycle", state="engagement")
        db.session.add(cycle)
        db.session.commit()
    _signed_in(client, facilitator)
    response = client.post(f"/c/west/commissioning/cycles/{cycle.id}/events/new", data={
        "title": "Workshop", "held_on": parts, "place": "Hall", "kind": "workshop", "hosts": [str(host.id)],
        "participants": "12"})
    assert response.status_code == 200
    page = response.data.decode()
    assert page.count('name="held_on"') == 3
    assert "Enter a real date" in page or "Enter the date of the event" in page
    with app.app_context():
        assert _count(EngagementEvent) == 0


# -- text -----------------------------------------------------------------------------------------

def test_nul_bytes_and_control_characters_never_reach_the_database(client, app):
    from grants.auth.models import Person

    with app.app_context():
        who = factories.person("Ada")
        db.session.commit()
    _signed_in(client, who)
    response = client.post("/account", data={"account-name": "Ada\x00 Love\x1b[31mlace", "account-preferred_language": "en",
                                             "account-submit": "Save changes"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Person, who.id).name == "Ada Love[31mlace"


def test_multi_line_text_keeps_its_newlines_and_tabs_but_not_nul():
    from grants.forms import _without_control_characters

    assert _without_control_characters(multiline=True)("one\r\n\ttwo\x00\x07") == "one\r\n\ttwo"
    assert _without_control_characters(multiline=False)("one\ttwo\n\x00") == "onetwo"


# -- evidence files ------------------------------------------------------------------------------

def test_a_20_mb_evidence_file_with_a_bad_first_line_is_refused_without_reading_it_all():
    from grants.commissioning import csvfiles

    rows = b"".join(b"GP registrations %d,2025-26,Soho,white_british,12\n" % n for n in range(400_000))
    data = b"service,period,area,ethnic_group,count\n" + b"GP registrations,2025-26,Soho,nobody knows,12\n" + rows
    assert len(data) > 20_000_000
    stream = io.BytesIO(data)
    with pytest.raises(csvfiles.FileProblems) as refused:
        csvfiles.read_usage(stream)
    assert refused.value.problems[0].line == 2
    assert refused.value.stopped_at == 2 + csvfiles.LOOK_AHEAD
    assert "It was checked up to line 1,002" in refused.value.message
    assert stream.tell() < len(data) / 10   # stopped near the top: the rest was never read


def test_the_first_hundred_problems_of_a_short_file_are_all_named():
    from grants.commissioning import csvfiles

    data = b"service,period,area,ethnic_group,count\n" + b"".join(
        b"S%d,2025-26,Soho,white_british,-1\n" % n for n in range(30))
    with pytest.raises(csvfiles.FileProblems) as refused:
        csvfiles.read_usage(io.BytesIO(data))
    assert len(refused.value.problems) == 30 and refused.value.stopped_at is None

