"""How a round says which commissioning cycle it commissions: a small registry the rounds package fills.

The ``commissioning`` workflow's ``commission`` and ``mark_delivered`` transitions need to know
the round that funds a cycle's priorities and whether it has closed (``commissioned_round_id``,
``commissioned_round_closed``). Rounds live in their own package, which this one must not import;
so the rounds package registers a resolver here::

    from grants.commissioning import links

    @links.round_resolver
    def _round_of(cycle) -> links.RoundLink | None:
        ...one query for the round linked to this cycle...

Until a resolver is registered, no cycle has a round: "Commission" stays unavailable with the
reason "Choose the round that will fund these priorities", which is the truth.
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
