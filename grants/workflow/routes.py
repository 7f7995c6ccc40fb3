"""Workflow pages: each workflow's diagram, states and transitions, for facilitators and reviewers."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

import workflows
from grants import permissions
from grants.collectives import queries
from workflows.text import join_words

bp = Blueprint("workflow", __name__, url_prefix="/c/<slug>/workflows")


def _can_view(person, collective) -> bool:
    return permissions.can_oversee(person, collective)


@bp.route("/")
@login_required
def index(slug: str):
    collective = queries.collective_for(current_user, slug, _can_view)
    return render_template("workflow/index.html", collective=collective, workflows=list(workflows.WORKFLOWS.values()))


@bp.route("/<name>")
@login_required
def show(slug: str, name: str):
    collective = queries.collective_for(current_user, slug, _can_view)
    if name not in workflows.WORKFLOWS:
        abort(404)
    workflow = workflows.get(name)
    # The SVG is generated from our own definitions (labels escaped by the generator), not user text.
    return render_template("workflow/show.html", collective=collective, workflow=workflow,
                           states=_state_rows(workflow), transitions=_transition_rows(workflow),
                           svg=Markup(workflows.to_svg(workflow, for_people=True)),  # nosec B704  # see above
                           mermaid=workflows.to_mermaid(workflow, for_people=True))


def _state_rows(workflow: workflows.Workflow) -> list[dict]:
    """Each state in words, in the reader's language."""
    return [{"label": _(state.staff_label), "public": _(state.public_label),
             "end": _("Start") if state.initial else (_("End") if state.final else "")}
            for state in workflow.used_states]


def _transition_rows(workflow: workflows.Workflow) -> list[dict]:
    """Each transition in words: what it is called, from where to where, who, when, and its conditions."""
    rows = []
    for t in workflow.transitions:
        rows.append({
            "label": _(t.label),
            "move": _("%(from)s → %(to)s", **{"from": join_words([_(s.staff_label) for s in t.source], "or"),
                                                "to": _(t.target.staff_label)}),
            "who": join_words(sorted(role.label for role in t.human_roles), "or") or "—",
            "timed": _("When “%(event)s” passes", event=_(t.timed_label)) if t.timed else "—",
            "conditions": "; ".join(_(guard.description) for guard in t.guards) or "—",
        })
    return rows
