"""Every table of the application, imported in one place for Alembic and the test schema."""

from grants.audit.models import AuditEvent
from grants.awards.models import Grant, GrantBudgetLine, Payment
from grants.auth.models import Person, SignInEvent
from grants.auth.twofactor import RecoveryCode, TwoFactor
from grants.collectives.models import Collective, Invitation, JoinRequest, Membership, Outcome, Theme
from grants.documents.models import DocumentBuild
from grants.mail.models import OutboxMessage
from grants.commissioning.models import (
    CommissioningCycle,
    CommissioningSetting,
    CycleEvidence,
    EngagementEvent,
    EngagementHost,
    EngagementParticipation,
    EvidenceImport,
    EvidenceUpload,
    FeedbackItem,
    FeedbackTheme,
    Need,
    NeedEvidence,
    NeedFeedback,
    PopulationCount,
    Priority,
    PriorityGrant,
    PriorityTheme,
    ServiceUseCount,
    ServiceUseDataset,
    WeDidEntry,
    WeDidReach,
)
from grants.organisations.models import Organisation
from grants.proposals.models import BudgetLine, Proposal, ProposalPartner
from grants.reporting.models import Report, ReportPhoto, ReportReminder
from grants.review.models import Ratification, ReviewMessage
from grants.rounds.models import Count, CountOutcome, ElectionImport, Pot, Round, RoundTheme
from grants.submissions import FormSubmission
from grants.voting.models import Ballot, BallotMark, ReminderSent
from grants.variations.models import Variation, VariationApproval
from grants.workflow.models import StateHistory

__all__ = [
    "AuditEvent",
    "SignInEvent",
    "Ballot",
    "BallotMark",
    "BudgetLine",
    "Count",
    "CountOutcome",
    "ElectionImport",
    "Grant",
    "GrantBudgetLine",
    "Payment",
    "Pot",
    "Proposal",
    "ProposalPartner",
    "Ratification",
    "Report",
    "ReportPhoto",
    "ReportReminder",
    "ReviewMessage",
    "Variation",
    "VariationApproval",
    "ReminderSent",
    "Round",
    "RoundTheme",
    "Collective",
    "DocumentBuild",
    "FormSubmission",
    "Invitation",
    "JoinRequest",
    "Membership",
    "Organisation",
    "Outcome",
    "OutboxMessage",
    "Person",
    "RecoveryCode",
    "StateHistory",
    "Theme",
    "TwoFactor",
    # reverse commissioning
    "CommissioningCycle", "CommissioningSetting", "CycleEvidence", "EngagementEvent", "EngagementHost",
    "EngagementParticipation", "EvidenceImport", "EvidenceUpload", "FeedbackItem", "FeedbackTheme", "Need",
    "NeedEvidence", "NeedFeedback", "PopulationCount", "Priority", "PriorityGrant", "PriorityTheme", "ServiceUseCount",
    "ServiceUseDataset", "WeDidEntry", "WeDidReach",
]
