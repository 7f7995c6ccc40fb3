"""Every table of the application, imported in one place for Alembic and the test schema."""

from grants.audit.models import AuditEvent
from grants.auth.models import Person
from grants.collectives.models import Collective, Invitation, JoinRequest, Membership, Outcome, Theme
from grants.organisations.models import Organisation
from grants.workflow.models import StateHistory

__all__ = [
    "AuditEvent",
    "Collective",
    "Invitation",
    "JoinRequest",
    "Membership",
    "Organisation",
    "Outcome",
    "Person",
    "StateHistory",
    "Theme",
]
