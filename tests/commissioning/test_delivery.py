"""A cycle chooses the round that funds its priorities; the round shows the priorities it answers;
"we did" gathers the grants that answered each priority and what their accepted reports say."""

from __future__ import annotations

import re

import pytest
from sqlmodel import func, select

from grants.audit.models import AuditEvent
from grants.awards.models import Grant
import sqlalchemy as sa

from grants.collectives.models import Collective, Theme
from grants.commissioning import delivery, operations, summary
from grants.commissioning.models import CommissioningCycle, Need, Priority
from grants.db import db
from grants.errors import Refused
from grants.rounds.models import Round
from grants.workflow.operations import fire, options
from tests import factories
from tests.commissioning.funded import awarded_round, cycle_with_priorities, report, take_up
from tests.rounds_helpers import round_values
from tests.commissioning.helpers import untyped
from workflows import GuardFailed

BASE = "/c/west/commissioning"
GP, FAMILIES = "Registering with a GP without papers", "Somewhere for young families"


def _cycle(cycle_id: int) -> CommissioningCycle:
    db.session.expire_all()
    return db.session.get(CommissioningCycle, cycle_id)


def _option(cycle, name, actor):
    return next(o for o in options(cycle, actor) if o.name == name)


@pytest.fixture
def funded(app):
    """An awarded round, and a cycle at "Priorities" with one priority on each of its themes."""
    w = awarded_round(app)
    with app.test_request_context("/", method="POST"):
        cycle, priorities = cycle_with_priorities(w, {GP: ["Building trust"], FAMILIES: ["Best start in life"]})
        w["cycle_id"], w["priorities"] = cycle.id, {title: p.id for title, p in priorities.items()}
    return w


def _foreign_round() -> int:
    east = factories.collective("east", "East Collective")
    secret = Round(collective_id=east.id, state="voting", **round_values(name="East secret round"))
    db.session.add(secret)
    db.session.commit()
    return secret.id


# -- the link -----------------------------------------------------------------------------------

def test_choosing_the_round_is_audited_and_lets_the_cycle_be_commissioned_then_delivered(app, funded):
    w = funded
    with app.test_request_context("/", method="POST"):
        facilitator = db.session.merge(w["facilitator"])
        cycle = _cycle(w["cycle_id"])
        commission = _option(cycle, "commission", facilitator)
        assert not commission.allowed and "Choose the round that will fund these priorities" in commission.reason
        version = cycle.version

        operations.choose_round(cycle, w["round_id"], facilitator)
        db.session.commit()
        cycle = _cycle(w["cycle_id"])
        assert cycle.round_id == w["round_id"] and cycle.version == version + 1
        assert (cycle.commissioned_round_id, cycle.commissioned_round_closed) == (w["round_id"], False)
        chosen = db.session.exec(select(AuditEvent).where(AuditEvent.action == "commissioning.round_chosen")).one()
        assert chosen.before == {"round_id": None, "round": None}
        assert chosen.after == {"round_id": w["round_id"], "round": "Spring 2027 small grants"}
        assert chosen.actor_id == facilitator.id and "Spring 2027 small grants" in chosen.summary
        # choosing the same round again changes nothing and writes nothing
        operations.choose_round(cycle, w["round_id"], facilitator)
        assert db.session.exec(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "commissioning.round_chosen")).one() == 1

        assert _option(cycle, "commission", facilitator).allowed
        fire(cycle, "commission", facilitator)
        db.session.commit()
        with pytest.raises(Refused, match="reopen the priorities first"):
            operations.choose_round(_cycle(w["cycle_id"]), None, facilitator)
        db.session.rollback()
        with pytest.raises(GuardFailed, match="The commissioned round has not closed yet"):
            fire(_cycle(w["cycle_id"]), "mark_delivered", facilitator)
        db.session.rollback()

        # the round finishes: one grant reported and closed, the other offers withdrawn
        take_up(w, "Mosque diabetes circle")
        report(w, "Mosque diabetes circle", people={"asian_pakistani": 12})
        for title in ("Stay-and-play", "Registration navigators", "Leaflets nobody took up"):
            fire(db.session.get(Grant, w["grants"][title]), "withdraw_offer", facilitator,
                 data={"reason": "The group could not run it"})
        round_ = db.session.get(Round, w["round_id"])
        fire(round_, "start_monitoring", facilitator)
        fire(round_, "close_round", facilitator)
        db.session.commit()
        cycle = _cycle(w["cycle_id"])
        assert cycle.commissioned_round_closed is True
        fire(cycle, "mark_delivered", facilitator)
        db.session.commit()
        assert _cycle(w["cycle_id"]).state == "delivered"
        # the mosque circle's accepted report answers the GP need; nothing answers the families' need yet
        assert _cycle(w["cycle_id"]).needs_without_response == [FAMILIES]


def test_a_cancelled_round_is_not_delivered_and_cannot_be_chosen(app, funded):
    w = funded
    with app.test_request_context("/", method="POST"):
        facilitator = db.session.merge(w["facilitator"])
        collective = db.session.get(Round, w["round_id"]).collective_id
        draft = Round(collective_id=collective, state="cancelled", **round_values(name="Cancelled round"))
        db.session.add(draft)
        db.session.commit()
        with pytest.raises(Refused, match="Choose a round from the list") as refused:
            operations.choose_round(_cycle(w["cycle_id"]), draft.id, facilitator)
        assert refused.value.field == "round_id"
        db.session.rollback()
        assert _cycle(w["cycle_id"]).round_id is None
        labels = [label for _id, label in delivery.round_choices(db.session.get(Collective, w["collective_id"]))]
        assert labels == ["Spring 2027 small grants (awarded)"]


def test_the_cycle_page_chooses_the_round_and_refuses_a_tampered_one_beside_the_field(client, app, funded):
    w = funded
    with app.app_context():
        foreign = _foreign_round()
    page_url = f"{BASE}/cycles/{w['cycle_id']}"
    factories.login(client, w["reviewer"])
    assert "Save the round" not in client.get(page_url).data.decode()        # the button is hidden ...
    assert client.post(page_url, data={"round-round_id": str(w["round_id"]), "round-submit": "y"}).status_code == 403
    client.post("/logout")

    factories.login(client, w["facilitator"])
    page = client.get(page_url).data.decode()
    assert "No round chosen yet" in page and "Spring 2027 small grants (awarded)" in page
    assert "East secret round" not in page
    for tampered in (str(foreign), "999999", "99999999999999999999", "not-a-number"):
        page = client.post(page_url, data={"round-round_id": tampered, "round-submit": "y"}).data.decode()
        assert "Choose a round from the list" in page, tampered
        assert 'id="round-round_id-error" class="govuk-error-message"' in page
        assert "East secret round" not in page
    with app.app_context():
        assert _cycle(w["cycle_id"]).round_id is None
        assert db.session.exec(select(AuditEvent).where(AuditEvent.action == "commissioning.round_chosen")).all() == []

    response = client.post(page_url, data={"round-round_id": str(w["round_id"]), "round-submit": "y"})
    assert response.status_code == 302
    page = untyped(client.get(page_url).data.decode())
    assert "The round that funds these priorities is saved." in page
    assert f'href="/c/west/rounds/{w["round_id"]}">Spring 2027 small grants</a>' in page
    # "Commission" is now offered, and moving the cycle on still works beside the round's form
    assert 'value="commission"' in page
    assert client.post(page_url, data={"transition": "commission"}).status_code == 302
    with app.app_context():
        assert _cycle(w["cycle_id"]).state == "commissioned"
    page = client.get(page_url).data.decode()
    assert "Save the round" not in page                                   # chosen for good now
    # a form left open from before is told why, beside the field, and changes nothing
    page = client.post(page_url, data={"round-round_id": "", "round-submit": "y"}).data.decode()
    assert "To choose another round, reopen the priorities first." in page
    assert 'id="round-round_id-error"' in page
    with app.app_context():
        assert _cycle(w["cycle_id"]).round_id == w["round_id"]


# -- a round shows the priorities it answers ------------------------------------------------------

def test_the_round_pages_show_the_priorities_the_round_answers(client, app, funded):
    w = funded
    with app.test_request_context("/", method="POST"):
        themes_of = db.session.exec(select(Theme).where(Theme.collective_id == w["collective_id"])).all()
        other = Theme(collective_id=w["collective_id"], name="Communications", position=len(themes_of))
        db.session.add(other)
        db.session.commit()
        # a second cycle, still gathering needs (not public), also chose the round
        hidden, _ = cycle_with_priorities(w, {"Letters in our language": ["Communications"]}, name="Earlier cycle")
        operations.choose_round(_cycle(w["cycle_id"]), w["round_id"], db.session.merge(w["facilitator"]))
        operations.choose_round(hidden, w["round_id"], db.session.merge(w["facilitator"]))
        fire(hidden, "revise_needs", db.session.merge(w["facilitator"]), data={"reason": "Start again"})
        db.session.commit()
    dashboard, results = f"/c/west/rounds/{w['round_id']}", f"/c/west/rounds/{w['round_id']}/results"

    factories.login(client, w["facilitator"])
    page = client.get(dashboard).data.decode()
    assert "Priorities this round answers" in page
    need_link = f'{BASE}/cycles/{w["cycle_id"]}/needs/'
    assert need_link in page and GP in page and FAMILIES in page
    assert "This round funds none of the themes of: Letters in our language" in page
    client.post("/logout")

    factories.login(client, w["members"][0])
    page = client.get(dashboard).data.decode()
    assert GP in page and FAMILIES in page and need_link not in page and "/commissioning/" not in page
    assert "Letters in our language" not in page                       # that cycle is not public
    client.post("/logout")

    page = client.get(results).data.decode()                            # anonymous: the round is public
    assert "Priorities this round answers" in page and GP in page and "/c/west/you-said-we-did" in page
    assert "Letters in our language" not in page and need_link not in page


def test_the_round_pages_cost_the_same_queries_however_many_priorities(app, funded):
    from tests.test_rounds_scale import counting_queries

    w = funded
    client = app.test_client()
    factories.login(client, w["facilitator"])

    def cost() -> dict[str, int]:
        figures = {}
        for key, path in (("dashboard", f"/c/west/rounds/{w['round_id']}"),
                          ("results", f"/c/west/rounds/{w['round_id']}/results")):
            with counting_queries(app) as statements:
                assert client.get(path).status_code == 200
            figures[key] = len(statements)
        return figures

    with app.test_request_context("/", method="POST"):
        operations.choose_round(_cycle(w["cycle_id"]), w["round_id"], db.session.merge(w["facilitator"]))
        db.session.commit()
    few = cost()
    with app.test_request_context("/", method="POST"):
        more, _ = cycle_with_priorities(w, {f"Need {n}": ["Building trust", "Best start in life"] for n in range(6)},
                                        name="Bigger cycle")
        operations.choose_round(more, w["round_id"], db.session.merge(w["facilitator"]))
        db.session.commit()
    many = cost()
    assert many == few, (few, many)
    assert "Need 5" in client.get(f"/c/west/rounds/{w['round_id']}").data.decode()


# -- "we did" from grant reports ------------------------------------------------------------------

def _reported(app, w):
    """Grants taken up and reported: the mosque circle's end report accepted; the navigators' mid-point
    and end reports accepted; the stay-and-play end report submitted, not accepted; the leaflets' offer
    never taken up."""
    with app.test_request_context("/", method="POST"):
        operations.choose_round(_cycle(w["cycle_id"]), w["round_id"], db.session.merge(w["facilitator"]))
        db.session.commit()
        for title in ("Mosque diabetes circle", "Registration navigators", "Stay-and-play"):
            take_up(w, title)
        report(w, "Mosque diabetes circle", people={"asian_pakistani": 10, "black_african": 3},
               outcomes={"People know how to register with a GP": "Ten people registered after Friday prayers."},
               story="“I am registered now.”")
        report(w, "Registration navigators", "mid", people={"asian_pakistani": 4, "white_roma": 5},
               outcomes={"Services change because of what communities say": "The surgery changed its form."})
        report(w, "Registration navigators", "end", people={"asian_pakistani": 12, "white_roma": 2},
               outcomes={"People know how to register with a GP": "Navigators sat with 14 people."})
        report(w, "Stay-and-play", people={"black_african": 50}, accept=False)


def test_people_reached_are_summed_from_accepted_reports_only(app, funded):
    w = funded
    _reported(app, w)
    with app.test_request_context("/"):
        view = summary.cycle_summary(_cycle(w["cycle_id"]), gap_sets=[])
        by_title = {n.title: n.priority for n in view.priorities}
        gp, families = by_title[GP].delivery, by_title[FAMILIES].delivery
        assert view.round.name == "Spring 2027 small grants"

        # the GP priority (Building trust): the two grants taken up, not the offer nobody accepted
        assert [g.title for g in gp.grants] == ["Mosque diabetes circle", "Registration navigators"]
        assert [(g.organisation, g.amount) for g in gp.grants] == [("Organisation A", 90_000),
                                                                   ("Organisation C", 120_000)]
        assert gp.amount == 210_000
        # each community's larger figure of the navigators' mid-point and end reports, never both:
        # Pakistani 10 + max(4, 12), Roma max(5, 2)
        assert gp.reach == {"asian_pakistani": 22, "black_african": 3, "white_roma": 5}
        assert gp.reach_total == 30
        assert [(o.text, o.projects) for o in gp.outcomes] == [
            ("People know how to register with a GP", 2), ("Services change because of what communities say", 1)]
        assert dict(gp.outcomes[0].how) == {"Mosque diabetes circle": "Ten people registered after Friday prayers.",
                                            "Registration navigators": "Navigators sat with 14 people."}
        assert gp.stories == [("Mosque diabetes circle", "“I am registered now.”")]

        # the families' priority: a grant whose report is only submitted counts nobody yet
        assert [g.title for g in families.grants] == ["Stay-and-play"]
        assert families.reach == {} and families.reported == [] and families.reports_waiting == 1
        assert _cycle(w["cycle_id"]).needs_without_response == [FAMILIES]


def test_staff_see_exact_figures_and_the_public_sees_them_through_disclosure(client, app, funded):
    w = funded
    _reported(app, w)
    factories.login(client, w["facilitator"])
    need_page = " ".join(client.get(f"{BASE}/cycles/{w['cycle_id']}/needs/{_need_id(app, w, GP)}")
                         .data.decode().split())
    assert "Grants that answered it" in need_page and "Registration navigators" in need_page
    assert ">22<" in need_page and ">3<" in need_page and ">30<" in need_page      # exact inside the app
    assert "Ten people registered after Friday prayers." in need_page
    families = " ".join(client.get(f"{BASE}/cycles/{w['cycle_id']}/needs/{_need_id(app, w, FAMILIES)}")
                        .data.decode().split())
    assert "Stay-and-play" in families and "1 report is waiting for a facilitator to accept it" in families
    assert ">50<" not in families
    cycle_page = client.get(f"{BASE}/cycles/{w['cycle_id']}").data.decode()
    assert "Spring 2027 small grants" in cycle_page
    client.post("/logout")

    public = " ".join(untyped(client.get("/c/west/you-said-we-did").data.decode()).split())
    assert "Mosque diabetes circle, by Organisation A (£900): completed" in public
    assert "People know how to register with a GP (2 projects)" in public
    assert "“I am registered now.” — Mosque diabetes circle" in public
    # 22 Pakistani → 20; the 3 African and 5 Roma people are shown as "*"; 30 in all
    rows = dict(re.findall(r'<td class="govuk-table__cell">([^<]+)</td> <td class="govuk-table__cell '
                           r'govuk-table__cell--numeric">([^<]+)</td>', public))
    assert rows["African"] == "*" and rows["Roma"] == "*" and rows["Pakistani"] == "20"
    assert rows["Total"] == "30"
    assert ">22<" not in public and ">5<" not in public and ">3<" not in public
    # the stay-and-play report is not accepted: its 50 people are nowhere, and it says what is coming
    assert "Stay-and-play, by Organisation B (£800): funded" in public and ">50<" not in public
    assert "The projects will tell us what happened" in public
    # the "nothing yet" sentence is only for a priority with neither a grant nor a "we did" entry
    assert "We are working on it" not in public


def _need_id(app, w, title) -> int:
    with app.app_context():
        return db.session.exec(select(Need.id).where(Need.title == title)).one()


def test_a_report_accepted_later_moves_into_we_did(app, funded):
    w = funded
    _reported(app, w)
    with app.test_request_context("/", method="POST"):
        from grants.reporting import operations as report_ops
        from grants.reporting.models import Report

        waiting = db.session.exec(select(Report).where(Report.state == "submitted")).one()
        report_ops.accept_report(waiting, db.session.merge(w["facilitator"]))
        db.session.commit()
        view = summary.cycle_summary(_cycle(w["cycle_id"]), gap_sets=[])
        families = next(n for n in view.priorities if n.title == FAMILIES).priority.delivery
        assert families.reach == {"black_african": 50} and families.reports_waiting == 0
        assert _cycle(w["cycle_id"]).needs_without_response == []
        # the hand-written entries stay beside what the reports say
        gp = next(n for n in view.priorities if n.title == GP)
        operations.record_we_did(db.session.get(Priority, gp.priority.id), text="We asked the surgeries.",
                                 reach={}, actor=db.session.merge(w["facilitator"]))
        db.session.commit()
        gp = next(n for n in summary.cycle_summary(_cycle(w["cycle_id"]), gap_sets=[]).priorities if n.title == GP)
        assert [e.text for e in gp.priority.we_did] == ["We asked the surgeries."]
        assert gp.priority.delivery.reach_total == 30


def test_the_needs_analysis_pdf_says_what_the_grants_did_with_published_counts(app, funded):
    from grants.commissioning import report as needs_report
    from tests.commissioning.test_documents import text_of

    w = funded
    _reported(app, w)
    with app.test_request_context("/"):
        _reader, text = text_of(needs_report.NEEDS_ANALYSIS.render(needs_report.needs_analysis_values(w["cycle_id"])))
    text = " ".join(text.split())
    assert "The round that funds these priorities: Spring 2027 small grants" in text
    assert "Funded through Spring 2027 small grants: 2 grants, £2,100 in all." in text
    assert "Registration navigators Organisation C £1,200" in text
    assert "People know how to register with a GP (2 projects)" in text
    assert "Pakistani 20" in text and "African *" in text and "Roma *" in text and "Total 30" in text
    assert "Pakistani 22" not in text
    assert "Stay-and-play" in text and "No report from these grants has been accepted yet." in text


def test_a_deleted_round_leaves_the_cycle_without_one(app, funded):
    w = funded
    with app.test_request_context("/", method="POST"):
        operations.choose_round(_cycle(w["cycle_id"]), w["round_id"], db.session.merge(w["facilitator"]))
        db.session.commit()
        db.session.delete(db.session.get(Round, w["round_id"]))
        db.session.commit()
        cycle = _cycle(w["cycle_id"])
        assert cycle.round_id is None and cycle.commissioned_round_id is None
        assert summary.cycle_summary(cycle, gap_sets=[]).round is None


def test_of_choosing_the_round_and_commissioning_at_the_same_moment_one_wins(app, funded):
    w = funded
    with app.test_request_context("/", method="POST"):
        facilitator = db.session.merge(w["facilitator"])
        operations.choose_round(_cycle(w["cycle_id"]), w["round_id"], facilitator)
        db.session.commit()
        seen = _cycle(w["cycle_id"])               # read at "Priorities" by the one choosing ...
        table = CommissioningCycle.__table__       # ... while the other commissions it
        db.session.execute(sa.update(table).where(table.c.id == seen.id)
                           .values(state="commissioned", version=table.c.version + 1))
        with pytest.raises(Refused, match="Someone else changed this cycle a moment ago"):
            operations.choose_round(seen, None, facilitator)
        db.session.rollback()
        assert _cycle(w["cycle_id"]).round_id == w["round_id"]
