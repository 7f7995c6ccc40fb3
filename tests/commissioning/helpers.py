"""Building a commissioning cycle through the operations, for tests that need one at a given stage."""

from __future__ import annotations

import re
from datetime import date

from grants.collectives.models import Collective
from grants.commissioning import operations, queries
from grants.db import db
from grants.workflow.operations import fire
from tests.commissioning.conftest import load_evidence


def cycle_with_a_priority(west, *, we_did: bool = True, checked: bool = True):
    """'west' with evidence, a workshop, a need agreed as a priority and (optionally) a "we did"
    (checked by the reviewer, so published, unless ``checked`` is False)."""
    load_evidence(west)
    collective = db.session.get(Collective, west["collective_id"])
    facilitator, reviewer = west["facilitator"], west["reviewer"]
    cycle = operations.create_cycle(collective, name="2027 community health", description="GP registration",
                                    actor=facilitator)
    [dataset] = queries.datasets(collective)
    operations.set_cycle_evidence(cycle, [dataset.id], facilitator)
    fire(cycle, "start_engagement", facilitator)
    event = operations.record_event(cycle, title="GP registration drop-in", held_on=date(2026, 10, 17),
                                    place="Newtown Community Centre", kind="consultation", participants=19,
                                    notes="", host_ids=[west["roma"]],
                                    by_community={"white_roma": 14, "white_gypsy_traveller": 3}, actor=facilitator)
    item = operations.add_feedback(event, text="We cannot register without an address.",
                                   theme_ids=[west["themes"]["Primary care access"]], communities=["white_roma"],
                                   actor=facilitator)
    fire(cycle, "record_needs", facilitator)
    need = operations.write_need(cycle, title="Registering with a GP without papers",
                                 statement="Let us register with a doctor without a passport or a fixed address.",
                                 evidence=[(dataset.id, "Ladywood", "white_roma")], feedback_ids=[item.id],
                                 actor=facilitator)
    fire(cycle, "draft_priorities", facilitator)
    priority = operations.decide_need(need, approve=True, theme_ids=[west["themes"]["Primary care access"],
                                                                     west["themes"]["Building trust"]],
                                      note="", actor=reviewer)
    if we_did:
        entry = operations.record_we_did(priority, text="Weekly registration drop-ins at three surgeries.",
                                         reach={"white_roma": 41, "black_african": 23, "other_arab": 9,
                                                "white_gypsy_traveller": 4}, actor=facilitator)
        if checked:
            operations.check_we_did(entry, reviewer)
    db.session.commit()
    return cycle, priority


def untyped(html: str) -> str:
    """The page without the ``<span dir="auto">`` that isolates what people typed (names, titles): for
    assertions about a sentence with typed words in it."""
    return re.sub(r'<span dir="auto">(.*?)</span>', r"\1", html)
