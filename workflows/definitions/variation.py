"""The variation: a grantee's request to change an accepted grant, and its decision.

draft → requested → approved | refused, or → more information → requested again;
draft → with the partnership → approved | refused, or → more information → with the partnership again;
withdrawn by the grantee from any open state.

A variation moves money between the grant's budget lines, changes report due dates, changes the
grant's purpose or the outcomes it aims at, or hands unspent money back — any of these at once,
with the reason in plain words. Approval is light where the change is small:

- A *small* change (no change of purpose or outcomes, at most the collective's share of the grant
  moved between lines, every date moved by at most its number of months; handing money back is
  small) is decided by a facilitator.
- Anything bigger goes to the locality partnership's reviewers: as many approvals as the round's
  ratification needed; one reviewer may refuse it, or ask for more information.

The grantee *submits* and the app sends the request where its size says (``submit`` to a
facilitator, ``submit_to_partnership`` to the reviewers); the grantee may *withdraw* it while it is
open, and answers a request for more information by changing it and sending it again (where its
size says now). A facilitator can approve only a small change. Approving changes the grant in the
same transaction.

Subject protocol — the attributes of a variation the guards read:

``state``
    The state's string value (``VariationState``).
``needs_partnership``
    ``True`` when the change is too big for a facilitator to approve alone.
``approvals_count``, ``approvals_needed``
    Reviewers' approvals recorded so far *including the actor's own* (recorded first, as for
    ratifications), and how many are needed.

``ctx.data`` keys: ``reason`` (refusing, asking for more information).

Effects: ``apply_variation`` (approved: the grant changes), ``tell_grantee_of_variation`` (each
decision, emailed), ``tell_deciders_of_variation`` (a request submitted: its facilitators or reviewers).
"""

from __future__ import annotations

from typing import Any

from workflows.engine import Context, Guard, Role, StateSpec, Transition, Workflow, WorkflowState
from workflows.guards import reason_given
from workflows.i18n import N_, gettext as _, ngettext

APPLICANT = Role.APPLICANT
FACILITATOR = Role.FACILITATOR
REVIEWER = Role.REVIEWER


class VariationState(WorkflowState):
    """The states of a variation. The values are stored in the database: never change them."""

    DRAFT = StateSpec("draft", N_("Draft"), N_("Draft"), initial=True)
    REQUESTED = StateSpec("requested", N_("Waiting for the facilitator"), N_("Asked for"))
    WITH_PARTNERSHIP = StateSpec("with_partnership", N_("With the partnership"), N_("Asked for"))
    MORE_INFORMATION = StateSpec("more_information", N_("More information asked for"),
                                 N_("More information asked for"))
    APPROVED = StateSpec("approved", N_("Approved"), N_("Approved"), final=True)
    REFUSED = StateSpec("refused", N_("Refused"), N_("Refused"), final=True)
    WITHDRAWN = StateSpec("withdrawn", N_("Withdrawn"), N_("Withdrawn"), final=True)


S = VariationState


def _small(variation: Any, ctx: Context) -> str | None:
    return _("This change needs the partnership's approval") if variation.needs_partnership else None


SMALL = Guard(name="small_change", description=N_("The change is small enough for a facilitator to approve"),
              check=_small, reads=("needs_partnership",))


def _enough_approvals(variation: Any, ctx: Context) -> str | None:
    count, needed = variation.approvals_count, variation.approvals_needed
    if count >= needed:
        return None
    return ngettext("%(num)d of %(needed)d reviewers has approved this change",
                    "%(num)d of %(needed)d reviewers have approved this change", count, needed=needed)


ENOUGH_APPROVALS = Guard(name="enough_approvals", description=N_("Enough reviewers have approved the change"),
                         check=_enough_approvals, reads=("approvals_count", "approvals_needed"))

REFUSE_REASON = reason_given(N_("Say why the change is refused"))
QUESTION_GIVEN = reason_given(N_("Say what you need to know"))

OPEN = (S.REQUESTED, S.WITH_PARTNERSHIP, S.MORE_INFORMATION)
TELL = ("tell_grantee_of_variation",)

VARIATION = Workflow(
    name="variation",
    label=N_("Grant variation"),
    noun=N_("variation"),
    states=VariationState,
    description=N_("A grantee's request to change an accepted grant, decided by a facilitator or the partnership."),
    transitions=(
        Transition(name="submit", label=N_("Ask for the change"), source=S.DRAFT, target=S.REQUESTED,
                   roles={APPLICANT}, effects=("tell_deciders_of_variation",)),
        Transition(name="submit_to_partnership", label=N_("Ask the partnership for the change"), source=S.DRAFT,
                   target=S.WITH_PARTNERSHIP, roles={APPLICANT}, effects=("tell_deciders_of_variation",)),
        Transition(name="approve", label=N_("Approve the change"), source=S.REQUESTED, target=S.APPROVED,
                   roles={FACILITATOR}, guards=(SMALL,), effects=("apply_variation", *TELL)),
        Transition(name="refuse", label=N_("Refuse the change"), source=S.REQUESTED, target=S.REFUSED,
                   roles={FACILITATOR}, guards=(REFUSE_REASON,), effects=TELL),
        Transition(name="ask_for_information", label=N_("Ask for more information"), source=S.REQUESTED,
                   target=S.MORE_INFORMATION, roles={FACILITATOR}, guards=(QUESTION_GIVEN,), effects=TELL),
        Transition(name="partnership_approves", label=N_("Approve the change"), source=S.WITH_PARTNERSHIP,
                   target=S.APPROVED, roles={REVIEWER}, guards=(ENOUGH_APPROVALS,),
                   effects=("apply_variation", *TELL)),
        Transition(name="partnership_refuses", label=N_("Refuse the change"), source=S.WITH_PARTNERSHIP,
                   target=S.REFUSED, roles={REVIEWER}, guards=(REFUSE_REASON,), effects=TELL),
        Transition(name="partnership_asks", label=N_("Ask for more information"), source=S.WITH_PARTNERSHIP,
                   target=S.MORE_INFORMATION, roles={REVIEWER}, guards=(QUESTION_GIVEN,), effects=TELL),
        Transition(name="resubmit", label=N_("Send the change again"), source=S.MORE_INFORMATION,
                   target=S.REQUESTED, roles={APPLICANT}, effects=("tell_deciders_of_variation",)),
        Transition(name="resubmit_to_partnership", label=N_("Send the change again"), source=S.MORE_INFORMATION,
                   target=S.WITH_PARTNERSHIP, roles={APPLICANT}, effects=("tell_deciders_of_variation",)),
        Transition(name="withdraw", label=N_("Withdraw the request"), source=OPEN, target=S.WITHDRAWN,
                   roles={APPLICANT}),
    ),
)

WORKFLOWS = (VARIATION,)
