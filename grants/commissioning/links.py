"""How the workflow learns which round commissions a cycle: a small registry the rounds package fills.

The ``commissioning`` workflow's ``commission`` and ``mark_delivered`` transitions need to know
the round that funds a cycle's priorities and whether it has closed (``commissioned_round_id``,
``commissioned_round_closed``). A facilitator chooses the round on the cycle's page
(``commissioning_cycle.round_id``, :func:`grants.commissioning.operations.choose_round`); whether
it has closed is the rounds package's business, so that package registers a resolver here
(``grants/rounds/models.py``, loaded with every table)::

    from grants.commissioning import links

    @links.round_resolver
    def _round_commissioning(cycle) -> links.RoundLink | None:
        ...one query for the round the cycle chose...

A round is *closed* when it has reached its ``closed`` state; a cancelled round is not delivered
(reopen the priorities and choose another). Until a round is chosen, "Commission" stays
unavailable with the reason "Choose the round that will fund these priorities".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RoundLink:
    round_id: int
    closed: bool


Resolver = Callable[[object], "RoundLink | None"]
_resolvers: list[Resolver] = []


def round_resolver(resolver: Resolver) -> Resolver:
    """Register a function answering which round commissions a cycle (or ``None``)."""
    if resolver not in _resolvers:
        _resolvers.append(resolver)
    return resolver


def round_for(cycle) -> RoundLink | None:
    for resolver in _resolvers:
        found = resolver(cycle)
        if found is not None:
            return found
    return None
