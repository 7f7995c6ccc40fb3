"""Once the partnership ratifies a round, its results are public: anyone can read them."""

from __future__ import annotations

from sqlmodel import select

from grants.db import db
from grants.review import operations as review_ops
from grants.rounds import operations as round_ops
from grants.rounds.models import Round
from tests.rounds_helpers import counted_round


def test_ratified_results_are_public_and_linked_from_the_collective_page(client, app):
    w = counted_round(app)
    round_id = w["round"].id
    assert client.get(f"/c/west/rounds/{round_id}/results").status_code == 302      # not yet
    with app.test_request_context("/", method="POST"):
        round_ = db.session.get(Round, round_id)
        round_ops.move_round(round_, "submit_for_review", w["facilitator"])
        review_ops.ratify(round_, w["reviewer"])
        db.session.commit()
        assert db.session.exec(select(Round)).one().state == "ratified"
    page = client.get("/c/west").data.decode()
    assert f"/c/west/rounds/{round_id}/results" in page
    page = client.get(f"/c/west/rounds/{round_id}/results").data.decode()
    assert "3 of 3 proposals funded" in page
    assert "These results are for the collective" not in page
    assert client.get(f"/c/west/rounds/{round_id}/election.pb").status_code == 200
