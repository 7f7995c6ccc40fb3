"""Commonpot's workflow definitions, one module per kind of object.

=================  ==========================================================================
module             workflows
=================  ==========================================================================
``round``          ``round`` (standard) and ``round_light`` (no eligibility check)
``proposal``       ``proposal``: draft to award
``grant``          ``grant``: offer to close
``report``         ``report``: a grant report, due to accepted
``variation``      ``variation``: a grantee's request to change a grant, to its decision
``partner``        ``proposal_partner``: an organisation invited into a joint proposal, and its answer
``commissioning``  ``commissioning``: reverse commissioning, evidence to "we did"
``membership``     ``join_request`` and ``invitation``: joining a collective
=================  ==========================================================================

Each module's docstring documents its *subject protocol*: the attributes its guards and timed
transitions read from the object being moved, and the ``ctx.data`` keys they expect. Each module
exports ``WORKFLOWS``, a tuple of its validated :class:`~workflows.engine.Workflow` objects;
:data:`ALL` collects them in registry order.
"""

from __future__ import annotations

from workflows.definitions.commissioning import WORKFLOWS as _COMMISSIONING
from workflows.definitions.grant import WORKFLOWS as _GRANT
from workflows.definitions.membership import WORKFLOWS as _MEMBERSHIP
from workflows.definitions.partner import WORKFLOWS as _PARTNER
from workflows.definitions.proposal import WORKFLOWS as _PROPOSAL
from workflows.definitions.report import WORKFLOWS as _REPORT
from workflows.definitions.round import WORKFLOWS as _ROUND
from workflows.definitions.variation import WORKFLOWS as _VARIATION
from workflows.engine import Workflow

ALL: tuple[Workflow, ...] = (*_ROUND, *_PROPOSAL, *_PARTNER, *_GRANT, *_REPORT, *_VARIATION, *_COMMISSIONING, *_MEMBERSHIP)
