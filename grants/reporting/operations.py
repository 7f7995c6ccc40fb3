"""Operations on reports: created on acceptance, drafted and submitted by the grantee, accepted or
sent back by a facilitator; reminders before the due date and an overdue notice after it."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from sqlmodel import select

from grants import audit, versions
from grants.auth.models import Person
from grants.awards.models import Grant, GrantBudgetLine, grant_lines
from grants.awards.operations import notify_grantee
from grants.collectives.models import Outcome
from grants.db import db
from grants.errors import Refused
from grants.mail import later
from grants.money import format_pence
from grants.reference import ETHNIC_CATEGORY_BY_CODE
from grants.reporting.models import KINDS, Report, ReportPhoto, ReportReminder
from grants.reporting.photos import clean_photo
from grants.rounds.models import Round
from grants.timeutil import format_datetime, utcnow
from grants.workflow.operations import effect, fire

EDITABLE_STATES = ("due", "overdue", "changes_requested")



def tiers(grant: Grant, round_: Round) -> list[tuple[str, bool, int]]:
    """(kind, asks for spend, days after acceptance) for each report this grant owes."""
    end_days = current_app.config.get("REPORT_END_DAYS", 365)
    mid_days = current_app.config.get("REPORT_MID_DAYS", 182)
    if grant.amount <= round_.small_grant_limit:
        return [("end", False, end_days)]
    if grant.amount <= round_.medium_grant_limit:
        return [("end", True, end_days)]
    return [("mid", True, mid_days), ("end", True, end_days)]


@effect("create_report_requirements")
def _create_report_requirements(grant: Grant, move, _actor) -> None:
    round_ = db.session.get(Round, grant.round_id)
    accepted = move.at
    due_dates = []
    for kind, asks_spend, days in tiers(grant, round_):
        due = accepted + timedelta(days=days)
        due_dates.append(due)
        db.session.add(Report(collective_id=grant.collective_id, grant_id=grant.id, kind=kind, asks_spend=asks_spend,
                              due_at=due))
    # Reporting begins a month before the first report is due (the scheduler moves the grant on).
    grant.reporting_starts_at = min(due_dates) - timedelta(days=30)
    db.session.add(grant)
    db.session.flush()


def save_report(report: Report, values: dict, actor: Person, photo: bytes | None = None,
                version: int | None = None) -> None:
    """Save the report as a draft (it may be incomplete until submitted).

    ``version`` is the one the form was loaded from: a save over a newer one is refused (``grants.versions``)."""
    if report.state not in EDITABLE_STATES:
        raise Refused(_("This report has been submitted: it can only change if the facilitator asks for changes"))
    grant = db.session.get(Grant, report.grant_id)
    if grant.state in ("closed", "declined", "withdrawn", "funds_returned"):
        raise Refused(_("This grant is closed: its reports cannot change"))
    if "applicant" not in report.actor_roles(actor) and "facilitator" not in report.actor_roles(actor):
        raise Refused(_("Only the grantee (or a facilitator on their behalf) can write this report"))
    versions.claim(report, version, actor)
    people = values.get("people_reached", {})
    if any(code not in ETHNIC_CATEGORY_BY_CODE for code in people):
        raise Refused(_("Count people reached by the communities in the list"), field="people_reached")
    if any(not isinstance(n, int) or n < 0 for n in people.values()):
        raise Refused(_("Counts of people must be whole numbers, 0 or more"), field="people_reached")
    outcomes = values.get("outcomes_achieved", {})
    known = {str(o) for o in db.session.exec(select(Outcome.id).where(Outcome.collective_id == report.collective_id)).all()}
    if not set(outcomes) <= known:
        raise Refused(_("Choose outcomes from the collective's theory of change"), field="outcomes_achieved")
    spend = values.get("spend", {}) if report.asks_spend else {}
    lines = {str(line) for line in db.session.exec(select(GrantBudgetLine.id).where(
        GrantBudgetLine.grant_id == grant.id)).all()}
    if not set(spend) <= lines:
        raise Refused(_("Report spending against the lines of your budget"), field="spend")
    if any(not isinstance(v, int) or v < 0 for v in spend.values()):
        raise Refused(_("Amounts spent must be £0 or more"), field="spend")
    spent = sum(spend.values())
    if spent > grant.net_amount:
        # The grant is all the money this report accounts for: spending beyond it (from the group's
        # own money or another funder) is not spending of this grant. The message sits beside the
        # first line of the spend fieldset (``spend_<line id>`` in the report form).
        ordered = grant_lines(grant)
        raise Refused(_("You have entered %(spent)s spent, more than the grant of %(amount)s. The amounts spent "
                        "from this grant cannot add up to more than the grant: check each line, and leave out "
                        "money that came from elsewhere", spent=format_pence(spent), amount=format_pence(grant.net_amount)),
                      field=f"spend_{ordered[0].id}" if ordered else "spend")
    if values.get("story") and not values.get("story_consent"):
        raise Refused(_("Tick the box to confirm the people in the story agreed to it being shared, or leave the "
                        "story out"), field="story_consent")
    report.what_happened = values.get("what_happened", "")
    report.people_reached = {k: v for k, v in people.items() if v}
    report.outcomes_achieved = {k: v for k, v in outcomes.items() if v.strip()}
    report.story = values.get("story", "")
    report.story_consent = bool(values.get("story_consent")) and bool(report.story)
    report.spend = {k: v for k, v in spend.items() if v}
    if photo:
        clean = clean_photo(photo)
        stored = db.session.get(ReportPhoto, report.id) or ReportPhoto(report_id=report.id)
        stored.content, stored.content_type, stored.size = clean.content, clean.content_type, len(clean.content)
        stored.width, stored.height, stored.uploaded_at = clean.width, clean.height, utcnow()
        db.session.add(stored)
    db.session.add(report)
    db.session.flush()
    audit.record(actor, "report.saved", report, f"{report.label} saved as a draft", collective_id=report.collective_id)


def report_photo(report: Report) -> ReportPhoto | None:
    """The report's photo with its bytes (read only when asked for)."""
    return db.session.get(ReportPhoto, report.id)


def photo_data_uri(report: Report) -> str:
    """The photo as a ``data:`` URI for the grant report's PDF (WeasyPrint fetches nothing), or ''."""
    photo = report_photo(report)
    if photo is None:
        return ""
    return f"data:{photo.content_type};base64,{base64.b64encode(photo.content).decode('ascii')}"


def submit_report(report: Report, actor: Person) -> None:
    fire(report, "submit", actor, changes={"submitted_at": utcnow()})


def _report_name(report: Report) -> str:
    """The report's kind inside a sentence of an email: "mid-point report"."""
    return _(str(report.label)).lower()


def request_changes(report: Report, actor: Person, note: str) -> None:
    fire(report, "request_changes", actor, data={"reason": note.strip()}, changes={"feedback": note.strip()})
    grant = db.session.get(Grant, report.grant_id)
    notify_grantee(grant, _l("Changes requested to your %(report)s", report=later(_report_name, report)),
                   "report_changes.txt",
                   report=report, note=note.strip())


def accept_report(report: Report, actor: Person) -> None:
    """Accept the report; when it was the last one outstanding, the grant closes."""
    fire(report, "accept", actor)
    grant = db.session.get(Grant, report.grant_id)
    notify_grantee(grant, _l("Your %(report)s is accepted", report=later(_report_name, report)), "report_accepted.txt",
                   report=report)
    if grant.reports_outstanding == 0:
        if grant.state == "paid":
            fire(grant, "start_reporting", actor)
        if grant.state == "reporting":
            fire(grant, "close_grant", actor)


@effect("send_overdue_reminder")
def _overdue(report: Report, _move, _actor) -> None:
    grant = db.session.get(Grant, report.grant_id)
    notify_grantee(grant, _l("Your %(report)s is overdue", report=later(_report_name, report)), "report_overdue.txt",
                   reminder=True, report=report, due=later(format_datetime, report.due_at))


def send_report_reminders(now: datetime | None = None) -> int:
    """Remind grantees a fortnight before a report is due; once per report (idempotent)."""
    now = now or utcnow()
    days = current_app.config.get("REPORT_REMINDER_DAYS", 14)
    reminded = select(ReportReminder.report_id).where(ReportReminder.kind == "due_soon")
    due = db.session.exec(select(Report).where(Report.state.in_(("due", "changes_requested")),
                                               Report.due_at > now, Report.due_at <= now + timedelta(days=days),
                                               Report.id.not_in(reminded))).all()
    for report in due:
        db.session.add(ReportReminder(report_id=report.id, kind="due_soon"))
        grant = db.session.get(Grant, report.grant_id)
        notify_grantee(grant, _l("Reminder: your %(report)s is due on %(due)s", report=later(_report_name, report),
                                 due=later(format_datetime, report.due_at)),
                       "report_reminder.txt", reminder=True, report=report, due=later(format_datetime, report.due_at))
        db.session.commit()
    return len(due)


def reports_of(grant: Grant) -> list[Report]:
    return list(db.session.exec(select(Report).where(Report.grant_id == grant.id).order_by(Report.due_at)).all())


__all__ = ["KINDS", "accept_report", "photo_data_uri", "report_photo", "reports_of", "request_changes", "save_report",
           "send_report_reminders", "submit_report", "tiers"]
