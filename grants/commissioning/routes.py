"""Pages of reverse commissioning: evidence and gaps, cycles, engagement, needs, priorities, "we did",
the needs-analysis PDF, and the public "You said, we did" page.

Every route: permission check (403) → form validation → one operation through ``attempt`` →
commit → redirect. Objects are loaded only within the collective named by the address (404).
"""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required

import workflows

from grants import ratelimits, versions
from grants.collectives import queries as collective_queries
from grants.commissioning import charts, delivery, ethnicity, forms, operations, queries, report, stats, summary, uploads
from grants.commissioning import permissions as cperm
from grants.commissioning.models import (
    CommissioningCycle,
    EngagementEvent,
    EvidenceImport,
    EvidenceUpload,
    Need,
    Priority,
    ServiceUseDataset,
    WeDidEntry,
)
from grants.db import db
from grants.documents.downloads import serve_document
from grants.exports.csvfile import csv_download, csv_text
from grants.forms import choices
from grants.views import attempt
from grants.web import csrf
from grants.workflow.operations import panel

bp = Blueprint("commissioning", __name__, url_prefix="/c/<slug>")
UPLOAD_LIMIT = forms.MAX_UPLOAD_MB * 1024 * 1024
ALL_AREAS = stats.ALL_AREAS


@bp.context_processor
def _helpers():
    return {"cperm": cperm, "ethnic_label": ethnicity.label, "sample_data": queries.sample_data}


def _collective(slug: str, predicate=cperm.can_view_commissioning):
    return collective_queries.collective_for(current_user, slug, predicate)


def _cycle(collective, cycle_id: int) -> CommissioningCycle:
    return collective_queries.in_collective(CommissioningCycle, cycle_id, collective)


def _in_cycle(model, object_id: int, collective, cycle: CommissioningCycle):
    row = collective_queries.in_collective(model, object_id, collective)
    if row.cycle_id != cycle.id:
        abort(404)
    return row


def _theme_choices(collective):
    return choices((t.id, t.name) for t in collective_queries.themes(collective))


# -- overview and settings -------------------------------------------------------------------------

@bp.route("/commissioning/")
@login_required
def index(slug: str):
    collective = _collective(slug)
    commissioning = workflows.get("commissioning")
    cycles = [(c, _(commissioning.coerce_state(c.state).staff_label)) for c in queries.cycles(collective)]
    return render_template("commissioning/index.html", collective=collective, cycles=cycles,
                           datasets=queries.datasets(collective), areas=queries.population_areas(collective),
                           threshold=queries.threshold(collective))


@bp.route("/commissioning/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    collective = _collective(slug, cperm.can_manage_commissioning)
    form = forms.ThresholdForm()
    if request.method == "GET":
        setting = queries.threshold(collective)
        form.threshold.data = f"{setting:g}"
    if form.validate_on_submit():
        if attempt(form, operations.set_threshold, collective, form.percent(), current_user):
            flash(_("Commissioning settings saved."), "success")
            return redirect(url_for("commissioning.index", slug=slug))
    return render_template("commissioning/settings.html", collective=collective, form=form)


# -- evidence ------------------------------------------------------------------------------------

@bp.route("/commissioning/evidence/")
@login_required
def evidence(slug: str):
    collective = _collective(slug)
    return render_template("commissioning/evidence.html", collective=collective, datasets=queries.datasets(collective),
                           areas=queries.population_areas(collective), imports=queries.imports(collective))


@bp.route("/commissioning/evidence/import", methods=["GET", "POST"])
@csrf.exempt  # checked below, once the larger upload limit is set
@login_required
def upload(slug: str):
    # An evidence file may be larger than the app-wide request limit; this page alone allows more.
    request.max_content_length = UPLOAD_LIMIT
    if request.method == "POST" and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()   # a 400 like every other form's, before anything is read
    collective = _collective(slug, cperm.can_import_evidence)
    form = forms.UploadForm()
    if form.validate_on_submit():
        upload_file = form.file.data
        filename = upload_file.filename or ""
        if not uploads.in_request(_size(upload_file.stream)):
            done = attempt(form, operations.queue_import, collective, form.kind.data, upload_file.stream,
                           actor=current_user, filename=filename)
            if done:
                return redirect(url_for("commissioning.upload_status", slug=slug, upload_id=done.result.id))
        else:
            operation = operations.import_usage if form.kind.data == "usage" else operations.import_population
            done = attempt(form, operation, collective, upload_file.stream, actor=current_user, filename=filename)
            if done:
                record = done.result
                flash(_rows_imported(record), "success")
                return redirect(url_for("commissioning.import_summary", slug=slug, import_id=record.id))
    return render_template("commissioning/upload.html", collective=collective, form=form,
                           limit_mb=forms.MAX_UPLOAD_MB)


def _rows_imported(record: EvidenceImport) -> str:
    return ngettext("%(rows)s row imported.", "%(rows)s rows imported.", record.rows, rows=f"{record.rows:,}")


def _size(stream) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


@bp.route("/commissioning/evidence/uploads/<id:upload_id>")
@login_required
def upload_status(slug: str, upload_id: int):
    """How far the worker has got with a large evidence file; its summary once imported."""
    collective = _collective(slug, cperm.can_import_evidence)
    upload = collective_queries.in_collective(EvidenceUpload, upload_id, collective)
    if upload.state == "done" and upload.import_id is not None:
        record = db.session.get(EvidenceImport, upload.import_id)
        flash(_rows_imported(record), "success")
        return redirect(url_for("commissioning.import_summary", slug=slug, import_id=record.id))
    # What the worker wrote is in the uploader's language already; the sweep's "gave up" and the stages are
    # stored in English and translated here.
    error = _(upload.error) if upload.error == uploads.STALLED else upload.error
    return render_template("commissioning/upload_status.html", collective=collective, upload=upload, error=error)


@bp.route("/commissioning/evidence/imports/<id:import_id>")
@login_required
def import_summary(slug: str, import_id: int):
    collective = _collective(slug)
    record = collective_queries.in_collective(EvidenceImport, import_id, collective)
    return render_template("commissioning/import.html", collective=collective, record=record)


def _chosen_dataset(collective) -> tuple[list[ServiceUseDataset], ServiceUseDataset | None]:
    datasets = queries.datasets(collective)
    wanted = request.args.get("dataset", "")
    chosen = next((d for d in datasets if str(d.id) == wanted), datasets[0] if datasets else None)
    return datasets, chosen


@bp.route("/commissioning/evidence/gaps")
@login_required
def gaps(slug: str):
    collective = _collective(slug)
    datasets, chosen = _chosen_dataset(collective)
    threshold = queries.threshold(collective)
    context = {"collective": collective, "datasets": datasets, "chosen": chosen, "threshold": threshold,
               "area_names": [], "area": None, "chart": None, "alt": ""}
    if chosen is not None:
        [found] = queries.gaps(collective, [chosen])
        names = [a.area for a in found.areas]
        wanted = request.args.get("area", ALL_AREAS)
        area = found.overall if wanted not in names else next(a for a in found.areas if a.area == wanted)
        area_name = _("All areas") if area.area == ALL_AREAS else area.area
        svg = charts.ratio_chart(area, threshold, _("%(dataset)s: %(area)s", dataset=chosen.title, area=area_name))
        context.update(area_names=names, area=area, chart=charts.data_uri(svg) if svg else None,
                       alt=charts.alt_text(area, threshold),
                       flagged=[g for a in found.areas for g in a.under_served])
    return render_template("commissioning/gaps.html", **context)


GAPS_HEADER = ("service", "period", "area", "ethnic_group", "ethnic_group_label", "users", "population",
               "user_share", "population_share", "ratio", "ci_low", "ci_high", "under_served",
               "area_users_not_stated")


@bp.route("/commissioning/evidence/gaps.csv")
@login_required
def gaps_csv(slug: str):
    collective = _collective(slug)
    rows = []
    for found in queries.gaps(collective):
        for area in found.areas:
            for gap in area.gaps:
                row = gap.as_json()
                rows.append([row["service"], row["period"], row["area"], gap.ethnic_group, gap.label,
                             "no data" if gap.no_data else gap.users,
                             gap.population,
                             None if gap.user_share is None else round(gap.user_share, 6),
                             None if gap.population_share is None else round(gap.population_share, 6),
                             *(row[k] for k in ("ratio", "ci_low", "ci_high")),
                             "yes" if gap.under_served else "no", area.users_not_stated])
    return csv_download(csv_text(GAPS_HEADER, rows), f"gaps-{collective.slug}.csv")


# -- cycles --------------------------------------------------------------------------------------

@bp.route("/commissioning/cycles/new", methods=["GET", "POST"])
@login_required
def new_cycle(slug: str):
    collective = _collective(slug, cperm.can_manage_commissioning)
    form = forms.CycleForm()
    if form.validate_on_submit():
        done = attempt(form, operations.create_cycle, collective, name=form.name.data,
                       description=form.description.data or "", actor=current_user)
        if done:
            flash(_("Cycle “%(name)s” started.", name=done.result.name), "success")
            return redirect(url_for("commissioning.cycle", slug=slug, cycle_id=done.result.id))
    return render_template("commissioning/new_cycle.html", collective=collective, form=form)


@bp.route("/commissioning/cycles/<id:cycle_id>", methods=["GET", "POST"])
@login_required
def cycle(slug: str, cycle_id: int):
    """The cycle, with two forms: moving it on, and (prefix ``round``) choosing the round that funds it."""
    collective = _collective(slug)
    found = _cycle(collective, cycle_id)
    round_form = forms.ChooseRoundForm(prefix="round")
    round_form.round_id.choices = choices([("", _("No round chosen yet")),
                                           *delivery.round_choices(collective, found.round_id)])
    if request.method == "GET":
        round_form.round_id.data = str(found.round_id or "")
    choosing = request.method == "POST" and round_form.submit.name in request.form
    if choosing:
        if not cperm.can_manage_commissioning(current_user, collective):
            abort(403)   # a stale page of a cycle moved on is told why by the operation, beside the field
        if round_form.validate_on_submit():
            done = attempt(round_form, operations.choose_round, found, round_form.chosen_id(), current_user)
            if done:
                flash(_("The round that funds these priorities is saved.") if found.round_id
                      else _("The cycle has no round now."), "success")
                return redirect(url_for("commissioning.cycle", slug=slug, cycle_id=found.id))
    workflow = panel(found, current_user)
    allowed = [o for o in workflow["options"] if o["allowed"]]
    form = forms.MoveCycleForm(formdata=None) if choosing else forms.MoveCycleForm()
    form.transition.choices = choices((o["name"], _(o["label"])) for o in allowed)
    # the data keys the action's guards read ("asks" is in words, in the page's language)
    form.needs_reason = {o["name"] for o in allowed if "reason" in o.get("keys", o["asks"])}
    if request.method == "POST" and not choosing and not allowed:
        abort(403)
    if not choosing and form.validate_on_submit():
        if form.transition.data in form.needs_reason and not form.reason.data:
            form.reason.errors = [_("Say why: the reason is kept in the cycle's history")]
        elif attempt(form, operations.move_cycle, found, form.transition.data, current_user,
                     reason=form.reason.data or ""):
            flash(_("The cycle is now at “%(stage)s”.",
                    stage=_(workflows.get("commissioning").coerce_state(found.state).staff_label)), "success")
            return redirect(url_for("commissioning.cycle", slug=slug, cycle_id=found.id))
    return render_template("commissioning/cycle.html", collective=collective, cycle=found, workflow=workflow,
                           form=form, allowed=allowed, round_form=round_form, view=summary.cycle_summary(found))


@bp.route("/commissioning/cycles/<id:cycle_id>/evidence", methods=["GET", "POST"])
@login_required
def cycle_evidence(slug: str, cycle_id: int):
    collective = _collective(slug, cperm.can_manage_commissioning)
    found = _cycle(collective, cycle_id)
    if not cperm.can_attach_evidence(current_user, found):
        flash(_("The evidence of this cycle can be changed only while it is at “Evidence” or “Engagement”."), "info")
        return redirect(url_for("commissioning.cycle", slug=slug, cycle_id=found.id))
    form = forms.EvidenceChoiceForm()
    form.datasets.choices = choices((d.id, d.title) for d in queries.datasets(collective))
    if request.method == "GET":
        form.datasets.data = [str(d.id) for d in queries.cycle_datasets(found)]
    if form.validate_on_submit():
        if attempt(form, operations.set_cycle_evidence, found, forms.int_ids(form.datasets.data), current_user):
            flash(_("The cycle's evidence is saved."), "success")
            return redirect(url_for("commissioning.cycle", slug=slug, cycle_id=found.id))
    return render_template("commissioning/cycle_evidence.html", collective=collective, cycle=found, form=form)


# -- engagement ----------------------------------------------------------------------------------

@bp.route("/commissioning/cycles/<id:cycle_id>/events/new", methods=["GET", "POST"])
@login_required
def new_event(slug: str, cycle_id: int):
    collective = _collective(slug, cperm.can_manage_commissioning)
    found = _cycle(collective, cycle_id)
    if not cperm.can_record_engagement(current_user, found):
        flash(_("Engagement events can be recorded while the cycle is at “Engagement” or “Needs”."), "info")
        return redirect(url_for("commissioning.cycle", slug=slug, cycle_id=found.id))
    form = forms.EventForm()
    form.hosts.choices = choices((o.id, o.name) for o in collective_queries.organisations(collective))
    if form.validate_on_submit():
        done = attempt(form, operations.record_event, found, title=form.title.data, held_on=form.held_on.data,
                       place=form.place.data, kind=form.kind.data, participants=form.participants.data,
                       notes=form.notes.data or "", host_ids=forms.int_ids(form.hosts.data),
                       by_community=form.by_community(), actor=current_user)
        if done:
            flash(_("“%(event)s” recorded. Add what people said.", event=done.result.title), "success")
            return redirect(url_for("commissioning.event", slug=slug, cycle_id=found.id, event_id=done.result.id))
    return render_template("commissioning/new_event.html", collective=collective, cycle=found, form=form)


@bp.route("/commissioning/cycles/<id:cycle_id>/events/<id:event_id>", methods=["GET", "POST"])
@login_required
def event(slug: str, cycle_id: int, event_id: int):
    collective = _collective(slug)
    found = _cycle(collective, cycle_id)
    event_row = _in_cycle(EngagementEvent, event_id, collective, found)
    form = forms.FeedbackForm()
    form.themes.choices = _theme_choices(collective)
    if request.method == "POST" and not cperm.can_record_engagement(current_user, found):
        abort(403)
    if form.validate_on_submit():
        if attempt(form, operations.add_feedback, event_row, text=form.text.data,
                   theme_ids=forms.int_ids(form.themes.data), communities=form.communities.data or [],
                   actor=current_user):
            flash(_("Feedback added."), "success")
            return redirect(url_for("commissioning.event", slug=slug, cycle_id=found.id, event_id=event_row.id))
    view = summary.cycle_summary(found)
    return render_template("commissioning/event.html", collective=collective, cycle=found, form=form,
                           event=next(e for e in view.events if e.id == event_row.id))


# -- needs, priorities and "we did" -------------------------------------------------------------------

@bp.route("/commissioning/cycles/<id:cycle_id>/needs/new", methods=["GET", "POST"])
@login_required
def new_need(slug: str, cycle_id: int):
    collective = _collective(slug, cperm.can_manage_commissioning)
    found = _cycle(collective, cycle_id)
    if not cperm.can_write_need(current_user, found):
        flash(_("Needs can be written while the cycle is at “Needs (you said)”."), "info")
        return redirect(url_for("commissioning.cycle", slug=slug, cycle_id=found.id))
    gap_sets = queries.gaps(collective, queries.cycle_datasets(found))
    flagged = [summary.gap_ref(d.dataset, gap, gap.area, gap.ethnic_group)
               for d in gap_sets for gap in d.gaps if gap.under_served]
    form = forms.NeedForm()
    form.evidence.choices = choices(
        (ref.value, _("%(service)s, %(period)s: %(group)s in %(area)s (ratio %(ratio)s, interval %(low)s to %(high)s)",
                      service=ref.service, period=ref.period, group=ref.label, area=ref.area, ratio=f"{ref.ratio:.2f}",
                      low=f"{ref.ci_low:.2f}", high=f"{ref.ci_high:.2f}")) for ref in flagged)
    items = queries.feedback(found)
    form.feedback.choices = choices((i.id, i.text) for i in items)
    if form.validate_on_submit():
        done = attempt(form, operations.write_need, found, title=form.title.data, statement=form.statement.data,
                       evidence=form.evidence_keys(), feedback_ids=forms.int_ids(form.feedback.data),
                       actor=current_user)
        if done:
            flash(_("Need “%(title)s” saved.", title=done.result.title), "success")
            return redirect(url_for("commissioning.cycle", slug=slug, cycle_id=found.id))
    return render_template("commissioning/new_need.html", collective=collective, cycle=found, form=form)


@bp.route("/commissioning/cycles/<id:cycle_id>/needs/<id:need_id>", methods=["GET", "POST"])
@login_required
def need(slug: str, cycle_id: int, need_id: int):
    collective = _collective(slug)
    found = _cycle(collective, cycle_id)
    need_row = _in_cycle(Need, need_id, collective, found)
    form = forms.DecideNeedForm()
    form.themes.choices = _theme_choices(collective)
    if not form.is_submitted():
        form.version.data = need_row.version
    if request.method == "POST" and not cperm.can_decide_need(current_user, found, need_row):
        # decided by someone else since this reviewer loaded the page: the decision refuses, saying who and when
        loaded_undecided = SimpleNamespace(decision="undecided")
        if form.version.data in (None, need_row.version) or not cperm.can_decide_need(current_user, found,
                                                                                      loaded_undecided):
            abort(403)
    newer = None
    if form.validate_on_submit():
        approve = form.decision.data == "priority"
        if attempt(form, operations.decide_need, need_row, approve=approve,
                   theme_ids=forms.int_ids(form.themes.data) if approve else [], note=form.note.data or "",
                   actor=current_user, version=form.version.data):
            flash(_("“%(title)s”: %(decision)s.", title=need_row.title, decision=need_row.decision_label.lower()),
                  "success")
            return redirect(url_for("commissioning.need", slug=slug, cycle_id=found.id, need_id=need_row.id))
        newer = versions.newer_values(form, need_row, lambda row: _decision_pairs(form, row), current_user)
    view = summary.cycle_summary(found)
    return render_template("commissioning/need.html", collective=collective, cycle=found, need_row=need_row,
                           form=form, need=next(n for n in view.needs if n.id == need_row.id), newer=newer)


def _decision_pairs(form, need_row: Need) -> list[tuple]:
    """What a refused stale decision compares: the decision and its reason saved now."""
    decision = "" if need_row.decision == "undecided" else need_row.decision
    return [(form.decision, decision), (form.note, need_row.decision_reason)]


@bp.route("/commissioning/cycles/<id:cycle_id>/priorities/<id:priority_id>/we-did", methods=["GET", "POST"])
@login_required
def we_did(slug: str, cycle_id: int, priority_id: int):
    collective = _collective(slug, cperm.can_manage_commissioning)
    found = _cycle(collective, cycle_id)
    priority = _in_cycle(Priority, priority_id, collective, found)
    need_row = db.session.get(Need, priority.need_id)
    if not cperm.can_record_we_did(current_user, found):
        flash(_("What was done can be recorded once priorities are being agreed, until the loop is closed."), "info")
        return redirect(url_for("commissioning.need", slug=slug, cycle_id=found.id, need_id=need_row.id))
    form = forms.WeDidForm()
    if form.validate_on_submit():
        if attempt(form, operations.record_we_did, priority, text=form.text.data, reach=form.by_community(),
                   actor=current_user):
            flash(_("“We did” recorded. A reviewer of the partnership checks it before it is published on the "
                    "“You said, we did” page."), "success")
            return redirect(url_for("commissioning.need", slug=slug, cycle_id=found.id, need_id=need_row.id))
    return render_template("commissioning/we_did.html", collective=collective, cycle=found, need_row=need_row,
                           form=form)


@bp.route("/commissioning/cycles/<id:cycle_id>/priorities/<id:priority_id>/grants", methods=["GET", "POST"])
@login_required
def confirm_grants(slug: str, cycle_id: int, priority_id: int):
    """The grants of the commissioned round matched to a priority by theme, for a facilitator to
    confirm which really answer it (only those count in "we did")."""
    collective = _collective(slug, cperm.can_manage_commissioning)
    found = _cycle(collective, cycle_id)
    priority = _in_cycle(Priority, priority_id, collective, found)
    need_row = db.session.get(Need, priority.need_id)
    back = url_for("commissioning.need", slug=slug, cycle_id=found.id, need_id=need_row.id)
    if not cperm.can_record_we_did(current_user, found):
        flash(_("Which grants answer a priority can be confirmed once priorities are being agreed, until the loop "
                "is closed."), "info")
        return redirect(back)
    offered = delivery.candidates(found, priority)
    form = forms.ConfirmGrantsForm()
    form.grants.choices = choices((c.id, _("%(title)s, by %(organisation)s", title=c.title, organisation=c.organisation))
                                  for c in offered)
    if request.method == "GET":
        form.grants.data = [str(c.id) for c in offered if c.confirmed]
    if form.validate_on_submit():
        if attempt(form, operations.confirm_grants, priority, forms.int_ids(form.grants.data), current_user):
            flash(_("The grants that answer this priority are saved."), "success")
            return redirect(back)
    return render_template("commissioning/confirm_grants.html", collective=collective, cycle=found,
                           need_row=need_row, form=form, candidates=offered, round=delivery.round_ref(found),
                           themes=[t.name for t in queries.priority_themes(collective.id, [priority.id])
                                   .get(priority.id, [])])


@bp.route("/commissioning/cycles/<id:cycle_id>/we-did/<id:entry_id>/check", methods=["GET", "POST"])
@login_required
def check_we_did(slug: str, cycle_id: int, entry_id: int):
    """A reviewer (not the person who wrote it) checks a "we did" entry before it is published."""
    collective = _collective(slug)
    found = _cycle(collective, cycle_id)
    entry = collective_queries.in_collective(WeDidEntry, entry_id, collective)
    priority = db.session.get(Priority, entry.priority_id)
    if priority is None or priority.cycle_id != found.id:
        abort(404)
    if not cperm.can_check_we_did(current_user, found):
        abort(403)
    need_row = db.session.get(Need, priority.need_id)
    back = url_for("commissioning.need", slug=slug, cycle_id=found.id, need_id=need_row.id)
    form = forms.CheckWeDidForm()
    if form.validate_on_submit():
        if attempt(form, operations.check_we_did, entry, current_user):
            flash(_("Checked: what was done is now on the public “You said, we did” page."), "success")
            return redirect(back)
    view = summary.cycle_summary(found, gap_sets=[])
    done = next(w for n in view.priorities for w in n.priority.we_did if w.id == entry.id)
    return render_template("commissioning/check_we_did.html", collective=collective, cycle=found, need_row=need_row,
                           form=form, done=done, back=back)


@bp.route("/commissioning/cycles/<id:cycle_id>/needs-analysis.pdf")
@login_required
def needs_analysis(slug: str, cycle_id: int):
    collective = _collective(slug, cperm.can_download_report)
    found = _cycle(collective, cycle_id)
    return serve_document(report.NEEDS_ANALYSIS, found.id, collective,
                    back_url=url_for("commissioning.cycle", slug=slug, cycle_id=found.id), back_text=_("Back to the cycle"))


# -- public --------------------------------------------------------------------------------------

@bp.route("/you-said-we-did")
@ratelimits.public_documents
def public(slug: str):
    collective = collective_queries.collective_by_slug(slug)
    cycles = [summary.cycle_summary(c, gap_sets=[], public=True) for c in queries.public_cycles(collective)]
    return render_template("commissioning/public.html", collective=collective, cycles=cycles)

