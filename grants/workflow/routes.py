"""Workflow pages: each workflow's diagram, states and transitions, for facilitators and reviewers."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from markupsafe import Markup

import workflows
from grants import permissions
from grants.collectives import queries

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
                           svg=Markup(workflows.to_svg(workflow)), mermaid=workflows.to_mermaid(workflow))  # nosec B704  # see above
