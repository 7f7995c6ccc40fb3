"""``/healthz`` (the process answers) and ``/readyz`` (it can do its work), for load balancers.

``/healthz`` touches nothing: a failing database must not make an orchestrator restart every web
process. ``/readyz`` checks the database and the queue's storage and answers 503 while either is
unreachable, so a load balancer stops sending people to a host that would only show them errors.
Neither says why (the reason goes to the log, with the request id): what is down, and where, is
nothing to tell the public.

Load balancers probe a host by its address (``Host: 10.0.3.7:8000``), which is not one of
``TRUSTED_HOSTS``; ``ProbesAnyHost`` lets those two paths through under the site's own host name.
They build no links and show nothing of the request, so the Host they were asked under is moot.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from grants import queue
from grants.db import db

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


PROBES = frozenset({"/healthz", "/readyz"})


class ProbesAnyHost:
    """WSGI middleware: a GET or HEAD of a probe path is answered whatever Host it names."""

    def __init__(self, app, wsgi_app) -> None:
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        trusted = self.app.config.get("TRUSTED_HOSTS")
        if (trusted and environ.get("PATH_INFO") in PROBES
                and environ.get("REQUEST_METHOD") in ("GET", "HEAD")):
            environ = {**environ, "HTTP_HOST": trusted[0]}
        return self.wsgi_app(environ, start_response)


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.wsgi_app = ProbesAnyHost(app, app.wsgi_app)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
def healthz():
    return _no_store(jsonify(status="ok"))


@bp.route("/readyz")
def readyz():
    checks = {"database": _database_ready, "queue": lambda: queue.check_ready(current_app)}
    failed = []
    for name, check in checks.items():
        try:
            check()
        except Exception:  # noqa: BLE001 - any failure means "not ready"; the log keeps the detail
            log.warning("readiness check failed: %s", name, exc_info=True, extra={"check": name})
            failed.append(name)
    if failed:
        return _no_store(jsonify(status="unavailable")), 503
    return _no_store(jsonify(status="ok"))


def _database_ready() -> None:
    with db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
