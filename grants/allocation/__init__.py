"""Allocation rules for participatory budgeting: pure Python, no Flask, no database.

Given an :class:`Election` (a budget, projects with costs, and ballots), a rule from
:data:`RULES` returns an :class:`Allocation`: the selected projects in selection order, their
exact total cost, and an :class:`Explanation` for every project, selected or not, with a
reason code, JSON-able facts and a plain-language sentence (English unless the app installed its
translations in :mod:`workflows.i18n`; ``explain.retell`` tells it again from the facts).

The rules reproduce pabutools 1.2.3 exactly (same selections, same exact costs, same
lexicographic tie-breaking by project id string) and are checked against it on the 44 real
pabulib elections in ``shared/pabulib``; they are much faster (see ``equal_shares`` for how).

Glossary: ``model`` (election, project, ballot, money), ``outcome`` (allocation, explanation,
reason codes), ``greedy``, ``equal_shares``, ``phragmen`` (the rules), ``registry`` (rule names),
``pots`` (ring-fenced pots), ``pabulib`` (the ``.pb`` file format), ``explain`` (sentences),
``cli`` (the ``pabulib`` command group).

Example::

    from grants.allocation import read_pb, run_rule
    allocation = run_rule("mes_cost_add1_greedy", read_pb("Poland_Swiecie_2023.pb"))
    for project_id, why in allocation.explanations.items():
        print(project_id, why.reason, why.sentence)
"""

from grants.allocation.explain import MoneyFormatter, plain_money
from grants.allocation.model import Ballot, BallotKind, Election, Money, Project, exact
from grants.allocation.outcome import REASONS, Allocation, Explanation
from grants.allocation.pabulib import PabulibError, read_pb, write_pb
from grants.allocation.pots import Pot, PotResult, PotsAllocation, allocate_with_pots
from grants.allocation.registry import RULES, Rule, RuleNotApplicable, UnknownRule, run_rule

__all__ = [
    "Allocation",
    "Ballot",
    "BallotKind",
    "Election",
    "Explanation",
    "Money",
    "MoneyFormatter",
    "PabulibError",
    "Pot",
    "PotResult",
    "PotsAllocation",
    "Project",
    "REASONS",
    "RULES",
    "Rule",
    "RuleNotApplicable",
    "UnknownRule",
    "allocate_with_pots",
    "exact",
    "plain_money",
    "read_pb",
    "run_rule",
    "write_pb",
]
