"""Downloads of the round and grant documents, for whoever may see the page each belongs to.

- award letter: anyone who may see the grant (``grants.awards.routes.can_view_grant``);
- grant report: the same, once the report is submitted;
- decision report: the partnership and the facilitators (the review page's rule), once counted;
- proposal pack: facilitators and members (voters). It is built in the background: its page
  shows how far a build has got, refreshing itself while one runs, and offers to build again
  when the proposals or the round have changed since; the PDF is served only while current.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grants import permissions
from grants.awards import documents
from grants.awards import routes as award_routes
from grants.collectives import queries as collective_queries
from grants.documents import builds
from grants.documents.registry import DocumentKind
from grants.reporting import routes as reporting_routes
from grants.review import routes as review_routes
from grants.rounds.models import Round, latest_count
from grants.views import attempt

bp = Blueprint("documents", __name__, url_prefix="/c/<slug>")


def _pdf(pdf: bytes, filename: str) -> Response:
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _rendered(kind: DocumentKind, object_id: int) -> Response:
    values = kind.load(object_id)
    return _pdf(kind.render(values), kind.filename(values))


@bp.route("/grants/<int:grant_id>/award-letter.pdf")
@login_required
def award_letter(slug: str, grant_id: int):
    _collective, grant = award_routes.load(slug, grant_id)
    return _rendered(documents.AWARD_LETTER, grant.id)


@bp.route("/grants/<int:grant_id>/reports/<int:report_id>/report.pdf")
@login_required
def grant_report(slug: str, grant_id: int, report_id: int):
    _collective, _grant, report = reporting_routes.load(slug, grant_id, report_id)
    if report.state not in documents.SUBMITTED_STATES:
        abort(404)
    return _rendered(documents.GRANT_REPORT, report.id)


@bp.route("/rounds/<int:round_id>/review/decision-report.pdf")
@login_required
def decision_report(slug: str, round_id: int):
    collective = collective_queries.collective_for(current_user, slug, review_routes._can_see)
    round_ = collective_queries.in_collective(Round, round_id, collective)
    if latest_count(round_) is None:
        abort(404)
    return _rendered(documents.DECISION_REPORT, round_.id)


# -- the proposal pack, built off the request --------------------------------------------------

def can_see_proposal_pack(person, collective) -> bool:
    return permissions.can_manage_collective(person, collective) or permissions.can_vote(person, collective)


def _pack_round(slug: str, round_id: int):
    collective = collective_queries.collective_for(current_user, slug, can_see_proposal_pack)
    return collective, collective_queries.in_collective(Round, round_id, collective)


@bp.route("/rounds/<int:round_id>/proposal-pack")
@login_required
def proposal_pack(slug: str, round_id: int):
    collective, round_ = _pack_round(slug, round_id)
    values = documents.PROPOSAL_PACK.load(round_.id)
    found = builds.status(documents.PROPOSAL_PACK.name, round_.id, builds.fingerprint(values))
    return render_template("documents/proposal_pack.html", collective=collective, round=round_, status=found,
                           proposals=values["count"],
                           refresh=found.under_way and request.args.get("refresh") != "off")


@bp.route("/rounds/<int:round_id>/proposal-pack", methods=["POST"])
@login_required
def build_proposal_pack(slug: str, round_id: int):
    collective, round_ = _pack_round(slug, round_id)
    page = url_for("documents.proposal_pack", slug=slug, round_id=round_id)
    if not documents.PROPOSAL_PACK.load(round_.id)["count"]:
        flash("No proposal of this round is eligible or in the vote yet: there is nothing to put in a pack.", "info")
        return redirect(page)
    done = attempt(None, builds.request_build, documents.PROPOSAL_PACK.name, round_.id, collective.id, current_user)
    if done:
        build, started = done.result
        if started:
            builds.start_in_background(build.id)
            flash("The proposal pack is being built. This page shows how far it has got.", "success")
        elif build.state == "done":
            flash("The proposal pack is already up to date: download it below.", "info")
        else:
            flash("The proposal pack is already being built.", "info")
    return redirect(page)


@bp.route("/rounds/<int:round_id>/proposal-pack.pdf")
@login_required
def proposal_pack_pdf(slug: str, round_id: int):
    _collective, round_ = _pack_round(slug, round_id)
    values = documents.PROPOSAL_PACK.load(round_.id)
    found = builds.ready_pdf(documents.PROPOSAL_PACK.name, round_.id, builds.fingerprint(values))
    if found is None:
        flash("The proposal pack has not been built for the proposals as they are now. Build it first.", "info")
        return redirect(url_for("documents.proposal_pack", slug=slug, round_id=round_id))
    _build, pdf = found
    return _pdf(pdf, documents.PROPOSAL_PACK.filename(values))
