"""A round taken from proposals to paid grants, with ballots whose ids nobody could mistake.

Ballot ids start at 7,340,001, so finding one on a page, in a download or in a PDF's text is
never a coincidence. Members vote online (some through the ballot page), one on paper (entered
by the facilitator through its page); the vote is counted, ratified and awarded; the applicant of
organisation A is its contact, accepts its grant by typing their name, and is paid.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine
from sqlmodel import select

from grants.awards import operations as award_ops
from grants.awards.models import Grant
from grants.db import db
from grants.timeutil import utcnow
from grants.voting.models import Ballot
from grants.workflow.scheduler import run_jobs
from tests import factories
from tests.rounds_helpers import award_round, T0, open_round, proposal, to_voting, vote, world

FIRST_BALLOT_ID = 7_340_001
# The applicant of organisation A, the member who votes online through the page, the one who votes on paper.
ERASABLE = (("Zuleikha Okonkwo-Baptiste", "zuleikha.ob@example.org"), ("Ignatius Fairweather", "ignatius.f@example.org"),
            ("Philippa Quennell", "pq@example.org"))


def _ballot_ids_start_at(first: int, w) -> int:
    """Make the next ballot id ``first``: a placeholder ballot just below it (removed once the real
    ones are in), and on PostgreSQL the id sequence moved on too."""
    table = Ballot.__table__
    db.session.execute(table.insert().values(id=first - 1, collective_id=w["collective"].id, round_id=w["round"].id,
                                             member_id=None, is_paper=False, created_at=T0, updated_at=T0))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT setval(pg_get_serial_sequence('ballot', 'id'), :last)"), {"last": first - 1})
    return first - 1


def decided_round(app) -> dict:
    with app.test_request_context("/", method="POST"):
        w = world(organisations=3, extra_members=4)
        applicant, organisation = w["applicants"][0], w["orgs"][0]
        # Names and addresses that appear nowhere else, so a search for them finds only them.
        for person, (name, email) in zip((applicant, w["members"][0], w["members"][3]), ERASABLE):
            person.name, person.email = name, email
            db.session.add(person)
        organisation.contact_name, organisation.contact_email = applicant.name, applicant.email
        organisation.contact_phone = "0121 496 0000"
        db.session.add(organisation)
        db.session.commit()
        open_round(w)
        w["proposals"] = ps = [proposal(w, n, title=f"Project {chr(65 + n)}", amount=amount)
                               for n, amount in enumerate((300_000, 400_000, 90_000))]
        to_voting(w, ps)
        placeholder = _ballot_ids_start_at(FIRST_BALLOT_ID, w)
        db.session.commit()
        members = w["members"]
        vote(w, members[1], {ps[0].id: 1, ps[2].id: 1})
        vote(w, members[2], {ps[1].id: 1})
        vote(w, w["applicants"][1], {ps[0].id: 1})
    with time_machine.travel(T0 + timedelta(days=23), tick=False):
        client = app.test_client()
        factories.login(client, members[0])
        assert client.post(f"/c/west/rounds/{w['round'].id}/ballot",
                           data={"approve": [str(ps[0].id), str(ps[1].id)]}).status_code == 302
        client = app.test_client()
        factories.login(client, w["facilitator"])
        assert client.post(f"/c/west/rounds/{w['round'].id}/paper-ballot",
                           data={"member_id": str(members[3].id), "approve": [str(ps[2].id)]}).status_code == 302
        assert client.post(f"/c/west/rounds/{w['round'].id}/proposal-pack").status_code in (200, 302)
    with app.test_request_context("/", method="POST"):
        db.session.execute(Ballot.__table__.delete().where(Ballot.__table__.c.id == placeholder))
        w["ballot_ids"] = db.session.exec(select(Ballot.id).where(Ballot.round_id == w["round"].id)).all()
        db.session.commit()
    with app.app_context(), time_machine.travel(w["round"].voting_closes_at + timedelta(minutes=1), tick=False):
        run_jobs()
    with app.test_request_context("/", method="POST"):
        award_round(w)
        grant = db.session.exec(select(Grant).where(Grant.organisation_id == organisation.id)).one()
        award_ops.accept_grant(grant, db.session.merge(applicant), accepted_by_name=applicant.name,
                               conditions_confirmed=True)
        db.session.commit()
        award_ops.record_payment(grant, db.session.merge(w["facilitator"]), paid_on=utcnow().date(),
                                 amount=100_000, reference="BACS 1")
        db.session.commit()
        w["grant_id"] = grant.id
    return w
