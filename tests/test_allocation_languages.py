"""An outcome's explanation reads in the reader's language, with money as that language writes it.

The allocation package knows nothing of Flask: its sentences go through ``workflows.i18n``, which
the app fills with its translations, and its money through the formatter it is given (the app's
``format_pence``). A count stores the facts; the page tells the sentence again for whoever reads it
(``explain.retell``, used by ``grants.rounds.queries.told``), so a Bengali reader of a count run in
English reads Bengali, and English stays word for word what the rule has always said.
"""

from __future__ import annotations

from types import SimpleNamespace

from grants.allocation import Ballot, Election, Project, allocate_with_pots, explain, run_rule
from grants.money import format_pence
from grants.rounds.queries import told

# Pounds in lakhs, so the Bengali grouping shows: £3,00,000 budget, £1,60,000 and £1,50,000 asked.
ELECTION = Election(
    300_000_00,
    (Project("A", 160_000_00, name="Walking club"), Project("B", 150_000_00, name="Baby massage")),
    (Ballot("v0", ("A", "B")), Ballot("v1", ("A",))),
)

ENGLISH = ("Not funded. It came 2nd in the queue (by number of supporters) with 1 supporter, but when its "
           "turn came only £140,000 was left, less than its cost of £150,000.")
BENGALI = ("অর্থায়ন হয়নি। সারিতে এটি 2 নম্বর স্থানে ছিল (সমর্থকের সংখ্যা অনুযায়ী), 1 জন সমর্থক নিয়ে, "
           "কিন্তু যখন এর পালা এল তখন মাত্র 1,40,000£ বাকি ছিল, যা এর খরচ 1,50,000£-এর চেয়ে কম।")


def test_an_explanation_is_in_bengali_with_bengali_money_and_unchanged_in_english(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        english = run_rule("greedy_cost", ELECTION, format_money=format_pence).explanations["B"]
        assert english.sentence == ENGLISH
    with app.test_request_context("/", headers={"Accept-Language": "bn"}):
        assert run_rule("greedy_cost", ELECTION, format_money=format_pence).explanations["B"].sentence == BENGALI
        # Told again from what a count stores: the reader's language, not the counter's.
        assert explain.retell(english.reason, english.facts, format_pence) == BENGALI
    # Outside the app (the CLI, the pabulib reference tests) the rule speaks plain English.
    assert run_rule("greedy_cost", ELECTION).explanations["B"].sentence == (
        "Not funded. It came 2nd in the queue (by number of supporters) with 1 supporter, but when its "
        "turn came only 14,000,000 was left, less than its cost of 15,000,000.")


def test_a_stored_outcome_is_told_in_the_readers_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        why = allocate_with_pots(ELECTION, "greedy_cost", [("Health", 160_000_00, ["A"])],
                                 format_money=format_pence).explanations["B"]
        stored = SimpleNamespace(reason=why.reason, facts=dict(why.facts), sentence=why.sentence)
        assert told(stored) == why.sentence
        assert why.sentence.startswith("In the “general” pot (£140,000): Not funded.")
    with app.test_request_context("/", headers={"Accept-Language": "bn"}):
        bengali = told(stored)
        assert bengali.startswith("সাধারণ তহবিলে (1,40,000£): অর্থায়ন হয়নি।")
        assert "1,50,000£" in bengali and "General" not in bengali
    # Facts stored before they could tell the whole sentence again: the stored sentence stands.
    old = SimpleNamespace(reason="did_not_fit", facts={"basis": "supporters"}, sentence="As it was told then.")
    with app.test_request_context("/", headers={"Accept-Language": "bn"}):
        assert told(old) == "As it was told then."
