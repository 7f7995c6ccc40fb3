"""What the fuzz and CSRF tests share: the world, every POST route's case, snapshots of every table.

The world is the tenancy matrix's (``tests/test_tenancy.py``: collectives alpha and beta, a person
in every role, a round in its vote, a counted round with a grant and reports, commissioning
cycles at three stages), plus what the POST forms need to be shown: a draft round with a draft
proposal, a spare member and a spare account (whose roles and activation the fuzz may change), a
password-reset token and an invitation token.

``POST_CASES`` lists every POST route once or more, in the order the fuzz runs them: a route whose
success moves something on for good (withdrawing, moving a round, revoking) comes after the
routes that need it as it was. ``test_every_post_route_has_a_case`` fails when a route is added
without one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from html.parser import HTMLParser

from sqlmodel import SQLModel, select

from grants.db import db, make_engine
from tests import factories
from tests.test_tenancy import ADMIN, ANON, APPLICANT, FACILITATOR, FOREIGN, MEMBER, OUTSIDER, REVIEWER

STRANGER = "stranger"

# Endpoints that are not the application's (files served as they are).
STATIC_ENDPOINTS = {"static", "govuk_assets", "built_assets"}


@dataclass(frozen=True)
class Case:
    """One POST route: who may post it, where, and where its form is shown.

    ``page`` is the page that renders the form (the route's own path when None); ``pick`` a field
    name that tells the form apart from others posting to the same address; ``submit`` the button
    to press (the first named one when None); ``baseline`` the form's fields when the world's state
    does not render it (the route still validates them)."""

    endpoint: str
    role: str
    path: str
    page: str | None = None
    pick: str | None = None
    submit: str | None = None
    baseline: dict | None = None


POST_CASES = [
    Case("auth.login", ANON, "/login"),
    Case("auth.register", ANON, "/register"),
    Case("auth.forgot_password", ANON, "/password/forgot"),
    Case("auth.reset_password", ANON, "/password/reset/{reset_token}"),
    Case("auth.account", MEMBER, "/account", pick="account-name"),
    Case("auth.account", MEMBER, "/account", pick="password-current"),
    Case("collectives.invitation", ANON, "/invitations/{invite_token}"),
    Case("collectives.join", OUTSIDER, "/c/{slug}/join"),
    Case("collectives.join_request", FACILITATOR, "/c/{slug}/join-requests/{join}"),
    Case("collectives.edit_membership", FACILITATOR, "/c/{slug}/people/{spare_membership}"),
    Case("collectives.invite", FACILITATOR, "/c/{slug}/invitations/new"),
    Case("organisations.edit", APPLICANT, "/c/{slug}/organisations/{org}/edit"),
    Case("admin.index", ADMIN, "/admin/"),
    Case("documents.build_proposal_pack", FACILITATOR, "/c/{slug}/rounds/{round}/proposal-pack", baseline={}),
    Case("rounds.new", FACILITATOR, "/c/{slug}/rounds/new"),
    Case("rounds.edit", FACILITATOR, "/c/{slug}/rounds/{draft}/edit"),
    Case("proposals.edit", APPLICANT, "/c/{slug}/rounds/{draft}/proposals/{draft_proposal}/edit", submit="save"),
    Case("proposals.start", APPLICANT, "/c/{slug}/rounds/{draft}/proposals/new", baseline={}),
    Case("proposals.submit", APPLICANT, "/c/{slug}/rounds/{round}/proposals/{proposal}/submit", baseline={}),
    Case("proposals.reopen", APPLICANT, "/c/{slug}/rounds/{round}/proposals/{proposal}/reopen", baseline={}),
    Case("proposals.eligibility", FACILITATOR, "/c/{slug}/rounds/{round}/proposals/{proposal}/eligibility",
         page="/c/{slug}/rounds/{round}/proposals/{proposal}",
         baseline={"decision": ["eligible"], "reason": [""], "submit": ["Save decision"]}),
    # the world's proposals are in the vote and selected: the form is not shown, the route still refuses
    # the world's proposal is in the vote: partners are refused beside the field, nothing saved
    Case("proposals.add_partner", APPLICANT, "/c/{slug}/rounds/{round}/proposals/{proposal}/partners",
         page="/c/{slug}/rounds/{round}/proposals/{proposal}",
         baseline={"organisation_id": ["{org}"], "share": ["10"], "invite": ["Invite the partner"]}),
    Case("proposals.answer_partner", APPLICANT, "/c/{slug}/rounds/{round}/proposals/{proposal}/partners/1/answer",
         page="/c/{slug}/rounds/{round}/proposals/{proposal}", baseline={"accept": ["Take part"]}),
    Case("proposals.remove_partner", APPLICANT, "/c/{slug}/rounds/{round}/proposals/{proposal}/partners/1/remove",
         page="/c/{slug}/rounds/{round}/proposals/{proposal}", baseline={}),
    Case("proposals.feedback", FACILITATOR, "/c/{slug}/rounds/{round}/proposals/{proposal}/feedback",
         page="/c/{slug}/rounds/{round}/proposals/{proposal}",
         baseline={"note": ["A note"], "version": ["1"], "submit": ["Save feedback"]}),
    Case("variations.new", APPLICANT, "/c/{slug}/grants/{grant}/variations/new",
         baseline={"reason": ["Secret"], "purpose": ["x"], "submit": ["Ask for the change"]}),
    Case("variations.edit", APPLICANT, "/c/{slug}/grants/{grant}/variations/{variation}/edit"),
    Case("variations.decide", FACILITATOR, "/c/{slug}/grants/{grant}/variations/{variation}/decide",
         page="/c/{slug}/grants/{grant}/variations/{variation}",
         baseline={"decision": ["refuse"], "reason": ["No"], "submit": ["Save the decision"]}),
    Case("voting.ballot", MEMBER, "/c/{slug}/rounds/{round}/ballot"),
    Case("voting.paper_ballot", FACILITATOR, "/c/{slug}/rounds/{round}/paper-ballot",
         baseline={"member_id": ["{member}"], "approve": ["{proposal}"]}),
    Case("voting.send_reminders", FACILITATOR, "/c/{slug}/rounds/{round}/reminders", page="/c/{slug}/rounds/{round}",
         baseline={}),
    Case("rounds.extend", FACILITATOR, "/c/{slug}/rounds/{round}/deadlines", page="/c/{slug}/rounds/{round}"),
    Case("review.ratify", REVIEWER, "/c/{slug}/rounds/{counted}/review/ratify", page="/c/{slug}/rounds/{counted}/review/",
         baseline={"ratify-note": [""], "ratify-ratify": ["Ratify the allocation"]}),
    Case("review.send_back", REVIEWER, "/c/{slug}/rounds/{counted}/review/return",
         page="/c/{slug}/rounds/{counted}/review/",
         baseline={"return-reason": ["Recount please"], "return-send_back": ["Return the allocation"]}),
    Case("review.resubmit", FACILITATOR, "/c/{slug}/rounds/{counted}/review/resubmit",
         page="/c/{slug}/rounds/{counted}/review/",
         baseline={"resubmit-response": [""], "resubmit-resubmit": ["Send the allocation for review"]}),
    Case("awards.accept", APPLICANT, "/c/{slug}/grants/{grant}/accept", page="/c/{slug}/grants/{grant}",
         baseline={"accept-accepted_by_name": ["A Person"], "accept-conditions_confirmed": ["y"],
                   "accept-accept": ["Accept the grant"]}),
    Case("awards.decline", APPLICANT, "/c/{slug}/grants/{grant}/decline",
         baseline={"decline-reason": [""], "decline-decline": ["Decline the grant"]}),
    Case("awards.undo_decline", FACILITATOR, "/c/{slug}/grants/{grant}/undo-decline", page="/c/{slug}/grants/{grant}",
         baseline={"undo-undo": ["Undo the decline"]}),
    Case("awards.reverse_payment", FACILITATOR, "/c/{slug}/grants/{grant}/payments/{payment}/reverse"),
    Case("awards.record_payment", FACILITATOR, "/c/{slug}/grants/{grant}/payments", page="/c/{slug}/grants/{grant}"),
    Case("reporting.show", APPLICANT, "/c/{slug}/grants/{grant}/reports/{report}", submit="save"),
    Case("reporting.review", FACILITATOR, "/c/{slug}/grants/{grant}/reports/{submitted_report}/review",
         page="/c/{slug}/grants/{grant}/reports/{submitted_report}",
         baseline={"review-note": [""], "review-accept": ["Accept the report"]}),
    Case("commissioning.settings", FACILITATOR, "/c/{slug}/commissioning/settings"),
    Case("commissioning.upload", FACILITATOR, "/c/{slug}/commissioning/evidence/import"),
    Case("commissioning.new_cycle", FACILITATOR, "/c/{slug}/commissioning/cycles/new"),
    Case("commissioning.cycle_evidence", FACILITATOR, "/c/{slug}/commissioning/cycles/{early_cycle}/evidence"),
    Case("commissioning.new_event", FACILITATOR, "/c/{slug}/commissioning/cycles/{cycle}/events/new"),
    Case("commissioning.event", FACILITATOR, "/c/{slug}/commissioning/cycles/{cycle}/events/{event}"),
    Case("commissioning.new_need", FACILITATOR, "/c/{slug}/commissioning/cycles/{cycle}/needs/new"),
    Case("commissioning.need", REVIEWER, "/c/{slug}/commissioning/cycles/{cycle}/needs/{need}",
         baseline={"decision": ["priority"], "themes": ["{theme}"], "note": [""], "submit": ["Save the decision"]}),
    Case("commissioning.we_did", FACILITATOR, "/c/{slug}/commissioning/cycles/{agreed_cycle}/priorities/{priority}/we-did"),
    Case("commissioning.confirm_grants", FACILITATOR,
         "/c/{slug}/commissioning/cycles/{agreed_cycle}/priorities/{priority}/grants",
         baseline={"submit": ["Save the grants that answer it"]}),
    Case("commissioning.check_we_did", REVIEWER, "/c/{slug}/commissioning/cycles/{agreed_cycle}/we-did/{we_did}/check"),
    Case("commissioning.cycle", FACILITATOR, "/c/{slug}/commissioning/cycles/{agreed_cycle}", pick="round-round_id"),
    Case("commissioning.cycle", FACILITATOR, "/c/{slug}/commissioning/cycles/{cycle}", pick="transition",
         baseline={"transition": ["agree_priorities"], "reason": [""], "submit": ["Move the cycle on"]}),
    Case("collectives.settings", FACILITATOR, "/c/{slug}/settings"),
    Case("rounds.recount", FACILITATOR, "/c/{slug}/rounds/{counted}/count", baseline={"submit": ["Run the count again"]}),
    Case("proposals.withdraw", APPLICANT, "/c/{slug}/rounds/{round}/proposals/{proposal}/withdraw"),
    Case("variations.withdraw", APPLICANT, "/c/{slug}/grants/{grant}/variations/{variation}/withdraw",
         page="/c/{slug}/grants/{grant}/variations/{variation}"),
    Case("collectives.invitation_detail", FACILITATOR, "/c/{slug}/invitations/{invitation}"),
    Case("collectives.withdraw_join_request", OUTSIDER, "/c/{slug}/join-requests/{join}/withdraw", baseline={}),
    Case("rounds.import_file", FACILITATOR, "/c/{slug}/rounds/{draft}/import"),
    Case("rounds.move", FACILITATOR, "/c/{slug}/rounds/{draft}/move", page="/c/{slug}/rounds/{draft}"),
    # h6 (issue 13): the same route sent from the confirmation page of cancelling (after opening, above)
    Case("rounds.move", FACILITATOR, "/c/{slug}/rounds/{draft}/move", page="/c/{slug}/rounds/{draft}/confirm/cancel"),
    Case("admin.set_active", ADMIN, "/admin/people/{spare_person}/active/0", page="/admin/people"),
    # Accounts: email confirmation, the demo admin's first password, two-factor sign-in.
    Case("auth.resend_verification", ANON, "/email/confirm"),
    Case("auth.verify_email", ANON, "/email/confirm/not-a-token", baseline={"submit": ["Confirm my email address"]}),
    Case("auth.choose_password", MEMBER, "/account/new-password", page="/account",
         baseline={"password": ["a new password"], "confirm": ["a new password"]}),
    Case("twofactor.challenge", ANON, "/login/two-factor", page="/login", baseline={"code": ["123456"]}),
    Case("twofactor.manage", MEMBER, "/account/two-factor"),
    Case("twofactor.reset_for_person", ADMIN, "/admin/people/{spare_person}/two-factor/reset", page="/admin/people",
         baseline={}),
    # Failed mail: nothing has failed in this world, so every retry is refused.
    Case("mail.collective_retry", FACILITATOR, "/c/{slug}/mail/1/retry", page="/c/{slug}/mail", baseline={}),
    Case("mail.admin_retry", ADMIN, "/admin/mail/1/retry", page="/admin/mail", baseline={}),
    # Erasure last but one: it ends the spare account for good.
    Case("privacy.erase", ADMIN, "/admin/people/{spare_person}/erase"),
    Case("auth.logout", MEMBER, "/logout", page="/c/{slug}"),
    # The header offers buttons for the languages the page is not in (a case may have changed it).
    Case("auth.set_language", MEMBER, "/language/bn", page="/c/{slug}", baseline={"next": ["/c/{slug}"]}),
]


def post_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "POST" in (rule.methods or ()) and rule.endpoint not in STATIC_ENDPOINTS}


def build_world(app) -> dict:
    """The tenancy world plus the extras above; ``ids["alpha"]`` / ``ids["beta"]`` fill the paths."""
    from tests.test_tenancy import world as tenancy_world

    made = tenancy_world.__wrapped__(app)
    with app.app_context():
        from grants.auth.models import Person
        from grants.auth.tokens import new_invitation_token, password_reset_token
        from grants.collectives.models import Collective, Invitation, Membership, Theme
        from grants.proposals.models import Proposal
        from grants.rounds.models import Round, RoundTheme
        from tests.rounds_helpers import round_values

        alpha = db.session.exec(select(Collective).where(Collective.slug == "alpha")).one()
        beta = db.session.exec(select(Collective).where(Collective.slug == "beta")).one()
        ids = made["ids"]
        spare = factories.member(alpha, roles=("member",))
        spare_person = factories.person("Spare Account", "spare.account@example.org")
        # the outsider asks to join alpha (and the fuzz may approve it): the stranger stays outside
        made["people"][STRANGER] = factories.person("Stranger", "stranger@example.org")
        theme = db.session.exec(select(Theme).where(Theme.collective_id == alpha.id)).first()
        draft = Round(collective_id=alpha.id, state="draft", **round_values(name="Alpha draft round"))
        db.session.add(draft)
        db.session.flush()
        db.session.add(RoundTheme(round_id=draft.id, theme_id=theme.id))
        proposal = Proposal(collective_id=alpha.id, round_id=draft.id, organisation_id=ids["alpha"]["org"],
                            state="draft", title="Alpha draft", summary="Draft summary", amount_requested=50_000,
                            theme_id=theme.id)
        db.session.add(proposal)
        token, token_hash = new_invitation_token()
        from datetime import datetime, timezone

        db.session.add(Invitation(collective_id=alpha.id, email="invitee.new@example.org", roles=["member"],
                                  token_hash=token_hash, expires_at=datetime(2100, 1, 1, tzinfo=timezone.utc)))
        db.session.flush()
        reset_for = made["people"][OUTSIDER]
        ids["alpha"].update(
            draft=draft.id, draft_proposal=proposal.id, theme=theme.id, spare_person=spare_person.id, invite_token=token,
            reset_token=password_reset_token(db.session.get(Person, reset_for.id)),
            member=made["people"][MEMBER].id,
            spare_membership=db.session.exec(select(Membership.id).where(
                Membership.collective_id == alpha.id, Membership.person_id == spare.id)).one())
        beta_theme = db.session.exec(select(Theme).where(Theme.collective_id == beta.id)).first()
        beta_person = db.session.exec(select(Membership.person_id).where(Membership.collective_id == beta.id)).first()
        ids["beta"].update(theme=beta_theme.id, person=beta_person)
        db.session.commit()
    return made


class Snapshot:
    """Every table's row count and a hash of its rows, read on a connection of its own.

    Rows are read as stored (no column types: a sealed column is compared sealed, with no app)."""

    def __init__(self, database_url: str) -> None:
        self.engine = make_engine(database_url)
        self.names = [table.name for table in SQLModel.metadata.sorted_tables]
        # On PostgreSQL the server counts and hashes every table's rows (as text, sorted) in one
        # statement: the fuzz's snapshots, 55 tables read into Python after each of its thousands
        # of requests, were a fifth of its time there.
        self.hashed_by_server = " UNION ALL ".join(
            f"SELECT '{name}', count(*), md5(coalesce(string_agg(row_text, E'\\n' ORDER BY row_text), ''))"
            f' FROM (SELECT t::text AS row_text FROM "{name}" t) rows' for name in self.names)

    def take(self) -> dict[str, tuple[int, str]]:
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as connection:
                return {name: (count, digest) for name, count, digest
                        in connection.exec_driver_sql(self.hashed_by_server)}
        found = {}
        with self.engine.connect() as connection, connection.begin():
            # The driver's own cursor, in the transaction SQLAlchemy began (one consistent read of
            # every table): the fuzz takes a snapshot after each of its thousands of requests, and
            # SQLAlchemy's statement and result objects for 55 tables were most of its cost.
            cursor = connection.connection.cursor()
            try:
                for name in self.names:
                    cursor.execute(f'SELECT * FROM "{name}"')
                    rows = cursor.fetchall()
                    digest = hashlib.blake2b(repr(sorted(map(repr, rows))).encode(), digest_size=12).hexdigest()
                    found[name] = (len(rows), digest)
            finally:
                cursor.close()
        return found

    def dispose(self) -> None:
        self.engine.dispose()


# Written on purpose by refused requests: every sign-in attempt, successful or not, is recorded.
RECORDS_OF_ATTEMPTS = frozenset({"sign_in_event"})


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if name not in RECORDS_OF_ATTEMPTS and before[name] != after.get(name))


# -- reading the forms a page shows -------------------------------------------------------------

@dataclass
class FormFields:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)    # name -> values posted as shown
    kinds: dict[str, str] = field(default_factory=dict)           # name -> text, textarea, choice, date, file
    submits: list[tuple[str, str]] = field(default_factory=list)  # (name, value) of named buttons


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[FormFields] = []
        self._form: FormFields | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._radios: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = FormFields(action=a.get("action") or "")
            self._radios = {}
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "submit":
                form.submits.append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                form.kinds[name] = "choice"
                form.fields.setdefault(name, [])
                if "checked" in a:
                    form.fields[name].append(a.get("value", "on"))
                elif kind == "radio":
                    self._radios.setdefault(name, a.get("value", ""))
            elif kind == "file":
                form.kinds[name] = "file"
            else:
                form.kinds[name] = {"date": "date", "datetime-local": "date"}.get(kind, "text")
                form.fields.setdefault(name, []).append(a.get("value", ""))
                if len(form.fields[name]) == 3:
                    form.kinds[name] = "date"  # the GOV.UK date input: day, month, year
        elif tag == "button" and name:
            form.submits.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            form.kinds[name] = "textarea"
            self._textarea = name
            form.fields[name] = [""]
        elif tag == "select" and name:
            form.kinds[name] = "choice"
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea][0] += data

    def handle_endtag(self, tag):
        form = self._form
        if tag == "textarea":
            if form is not None and self._textarea:
                form.fields[self._textarea][0] = form.fields[self._textarea][0].removeprefix("\n")
            self._textarea = None
        elif tag == "select" and form is not None and self._select:
            chosen = [v for v, selected in self._options if selected] or [v for v, _s in self._options if v][:1]
            form.fields[self._select] = chosen[:1]
            self._select = None
        elif tag == "form" and form is not None:
            for name, first in self._radios.items():  # a radio group with none chosen: choose the first
                if not form.fields.get(name):
                    form.fields[name] = [first]
            self.forms.append(form)
            self._form = None


def forms_on(html: str) -> list[FormFields]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_for(html: str, page_path: str, action_path: str, pick: str | None = None) -> FormFields | None:
    """The form on a page that posts to ``action_path`` (and has the field ``pick``, when given)."""
    for form in forms_on(html):
        action = form.action.split("#")[0].split("?")[0] or page_path
        if action != action_path:
            continue
        if pick and pick not in form.fields and pick not in form.kinds:
            continue
        return form
    return None


__all__ = ["ADMIN", "ANON", "APPLICANT", "FACILITATOR", "FOREIGN", "MEMBER", "OUTSIDER", "REVIEWER", "STRANGER", "Case",
           "POST_CASES", "STATIC_ENDPOINTS", "Snapshot", "build_world", "changed_tables", "form_for", "forms_on",
           "post_endpoints"]
