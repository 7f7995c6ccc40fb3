"""Downloads of the round and grant documents, for whoever may see the page each belongs to.

Every PDF is built by the worker and kept in the database (:mod:`grants.documents.builds`); a
download serves the built file, or queues the build and says it is being prepared
(:func:`grants.documents.downloads.serve_document`). Nothing here renders a PDF.

- award letter: anyone who may see the grant (``grants.awards.routes.can_view_grant``), in the
  grantee's language (:func:`grants.awards.documents.grantee_language`), or with ``?lang=en`` (any
  of the interface's languages) a copy in that language;
- grant report: the same, once the report is submitted;
- variation letter: the same, once the change is approved (in the grantee's language);
- decision report: the partnership and the facilitators (the review page's rule), once counted;
- proposal pack: facilitators and members (voters). It is built in the background: its page
  shows how far a build has got and offers to build again when the proposals or the round have
  changed since; the PDF is served only while current. While a build runs, a script on the page
  (``grants/static/js/proposal-pack.js``) polls :func:`proposal_pack_status` (JSON) every two
  seconds and updates the page's status region in place; without the script, a "Check again"
  link reloads the page. (No ``<meta http-equiv="refresh">``: a page that reloads itself moves
  screen-reader users back to its top.)
- impact report of a round: once counted, for facilitators and reviewers; once the round's
  results are public (ratified), for everyone, like the results page: every count by community
  in it is disclosure-controlled. Of a financial year: facilitators and reviewers, from the
  impact reports page.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from grants import i18n, permissions, ratelimits
from grants.awards import documents
from grants.awards import routes as award_routes
from grants.collectives import queries as collective_queries
from grants.documents import builds
from grants.documents.downloads import serve_document
from grants.reporting import impact
from grants.reporting import routes as reporting_routes
from grants.review import routes as review_routes
from grants.rounds import queries as round_queries
from grants.rounds.models import Round, latest_count
from grants.timeutil import format_datetime
from grants.views import attempt

bp = Blueprint("documents", __name__, url_prefix="/c/<slug>")


@bp.route("/grants/<id:grant_id>/award-letter.pdf")
@login_required
def award_letter(slug: str, grant_id: int):
    collective, grant = award_routes.load(slug, grant_id)
    language = request.args.get("lang")
    if language is not None and i18n.supported(language) is None:
        abort(404)
    return serve_document(documents.AWARD_LETTER, grant.id, collective, language=language,
                          back_url=url_for("awards.show", slug=slug, grant_id=grant.id),
                          back_text=_("Back to the grant"))


@bp.app_template_global()
def award_letter_language(grant_id: int) -> str:
    """The language a grant's award letter is in (its grantee's), for the grant page's "Download
    in English" link beside it."""
    return documents.grantee_language(grant_id)


@bp.route("/grants/<id:grant_id>/variations/<id:variation_id>/letter.pdf")
@login_required
def variation_letter(slug: str, grant_id: int, variation_id: int):
    """An approved change's letter, for whoever may see the grant, in the grantee's language."""
    from grants.variations import routes as variation_routes
    from grants.variations.documents import VARIATION_LETTER

    collective, grant, variation = variation_routes.load(slug, grant_id, variation_id)
    if variation.state != "approved":
        abort(404)
    return serve_document(VARIATION_LETTER, variation.id, collective,
                          back_url=url_for("variations.show", slug=slug, grant_id=grant.id, variation_id=variation.id),
                          back_text=_("Back to the change"))


@bp.route("/grants/<id:grant_id>/reports/<id:report_id>/report.pdf")
@login_required
def grant_report(slug: str, grant_id: int, report_id: int):
    collective, _grant, report = reporting_routes.load(slug, grant_id, report_id)
    if report.state not in documents.SUBMITTED_STATES:
        abort(404)
    return serve_document(documents.GRANT_REPORT, report.id, collective)


@bp.route("/rounds/<id:round_id>/review/decision-report.pdf")
@login_required
def decision_report(slug: str, round_id: int):
    collective = collective_queries.collective_for(current_user, slug, review_routes._can_see)
    round_ = collective_queries.in_collective(Round, round_id, collective)
    if latest_count(round_) is None:
        abort(404)
    return serve_document(documents.DECISION_REPORT, round_.id, collective)


# -- the proposal pack, built off the request --------------------------------------------------

def can_see_proposal_pack(person, collective) -> bool:
    return permissions.can_manage_collective(person, collective) or permissions.can_vote(person, collective)


def _pack_round(slug: str, round_id: int):
    collective = collective_queries.collective_for(current_user, slug, can_see_proposal_pack)
    return collective, collective_queries.in_collective(Round, round_id, collective)


def _pack_values(round_id: int) -> dict:
    """The pack's values in the page's language (the pack is built in the language of who asks)."""
    return builds.document_values(documents.PROPOSAL_PACK, round_id, "", i18n.current_language())


def _pack_fingerprint(round_id: int):
    return lambda: builds.fingerprint(_pack_values(round_id))


def pack_progress(found: builds.BuildStatus, slug: str, round_id: int) -> dict:
    """What the page's status region says about the latest build, for the page and its JSON alike."""
    build = found.latest
    ready = found.ready
    values = {"state": found.state, "under_way": found.under_way, "ready": ready is not None,
              "progress": build.progress if build else 0, "stage": build.stage if build else "",
              "pages": ready.pages if ready else None,
              "download_url": url_for("documents.proposal_pack_pdf", slug=slug, round_id=round_id) if ready else None,
              "page_url": url_for("documents.proposal_pack", slug=slug, round_id=round_id)}
    if found.under_way:
        values["message"] = _("%(progress)s%% done. %(stage)s.", progress=build.progress,
                              stage=builds.stage_text(build))
    elif ready is not None:
        values["message"] = ngettext("The pack is ready: %(num)d page, built on %(when)s.",
                                     "The pack is ready: %(num)d pages, built on %(when)s.", ready.pages,
                                     when=format_datetime(ready.finished_at))
    elif found.state == "failed":
        values["message"] = _("The build did not finish. Check again to build it again.")
    else:
        values["message"] = _("The pack is no longer being built. Check again to build it.")
    return values


@bp.route("/rounds/<id:round_id>/proposal-pack")
@login_required
def proposal_pack(slug: str, round_id: int):
    collective, round_ = _pack_round(slug, round_id)
    values = _pack_values(round_.id)
    found = builds.status(documents.PROPOSAL_PACK.name, round_.id, builds.fingerprint(values),
                          language=i18n.current_language())
    return render_template("documents/proposal_pack.html", collective=collective, round=round_, status=found,
                           proposals=values["count"], progress=pack_progress(found, slug, round_.id))


@bp.route("/rounds/<id:round_id>/proposal-pack/status")
@login_required
def proposal_pack_status(slug: str, round_id: int):
    """How far the latest build has got, as JSON, for the page's script to poll."""
    _collective, round_ = _pack_round(slug, round_id)
    found = builds.current_status(documents.PROPOSAL_PACK.name, round_.id, _pack_fingerprint(round_.id),
                                  language=i18n.current_language())
    response = jsonify(pack_progress(found, slug, round_.id))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/rounds/<id:round_id>/proposal-pack", methods=["POST"])
@login_required
def build_proposal_pack(slug: str, round_id: int):
    collective, round_ = _pack_round(slug, round_id)
    page = url_for("documents.proposal_pack", slug=slug, round_id=round_id)
    if not documents.PROPOSAL_PACK.load(round_.id)["count"]:
        flash(_("No proposal of this round is eligible or in the vote yet: there is nothing to put in a pack."), "info")
        return redirect(page)
    done = attempt(None, builds.request_build, documents.PROPOSAL_PACK.name, round_.id, collective.id, current_user,
                   language=i18n.current_language())
    if done:
        build, started = done.result
        if started:
            flash(_("The proposal pack is being built. This page shows how far it has got."), "success")
        elif build.state == "done":
            flash(_("The proposal pack is already up to date: download it below."), "info")
        else:
            flash(_("The proposal pack is already being built."), "info")
    return redirect(page)


@bp.route("/rounds/<id:round_id>/proposal-pack.pdf")
@login_required
def proposal_pack_pdf(slug: str, round_id: int):
    _collective, round_ = _pack_round(slug, round_id)
    values = _pack_values(round_.id)
    found = builds.ready_pdf(documents.PROPOSAL_PACK.name, round_.id, builds.fingerprint(values),
                             language=i18n.current_language())
    if found is None:
        flash(_("The proposal pack has not been built for the proposals as they are now. Build it first."), "info")
        return redirect(url_for("documents.proposal_pack", slug=slug, round_id=round_id))
    _build, pdf = found
    return builds.pdf_response(pdf, documents.PROPOSAL_PACK.filename(values))


# -- the impact report, of a round or a financial year ----------------------------------------

@bp.route("/rounds/<id:round_id>/impact-report.pdf")
@ratelimits.public_documents
def impact_report(slug: str, round_id: int):
    """Public once the round's results are; before that, for the facilitators and reviewers."""
    collective = collective_queries.collective_by_slug(slug)
    round_ = collective_queries.in_collective(Round, round_id, collective)
    if not round_queries.is_public(round_) and not permissions.can_oversee(current_user, collective):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.path))
        abort(403)
    if latest_count(round_) is None:
        abort(404)
    return serve_document(impact.IMPACT_REPORT, round_.id, collective)


@bp.route("/impact-reports")
@login_required
def impact_reports(slug: str):
    collective = collective_queries.collective_for(current_user, slug, permissions.can_oversee)
    return render_template("documents/impact_reports.html", collective=collective,
                           index=impact.report_index(collective.id))


@bp.route("/impact-reports/<int:year>.pdf")
@login_required
def impact_report_year(slug: str, year: int):
    """``year`` is the financial year's first year: 2027 is April 2027 to March 2028."""
    collective = collective_queries.collective_for(current_user, slug, permissions.can_oversee)
    if not impact.FIRST_YEAR <= year <= impact.current_year():
        abort(404)
    return serve_document(impact.IMPACT_REPORT_YEAR, collective.id, collective, str(year),
                          back_url=url_for("documents.impact_reports", slug=slug),
                          back_text=_("Back to the impact reports"))
