"""Logs: one JSON object a line, on standard error, from every process; a request id on each request.

Glossary
- *configure*: :func:`configure` sets up the root logger once per process (the web server's
  ``grants.wsgi``, the ``worker`` and ``scheduler`` commands; gunicorn's own loggers through
  :func:`dict_config` in ``gunicorn.conf.py``), so a log collector reads one format from all three.
- *request id*: each request gets an id, taken from the ``X-Request-ID`` header only when a
  trusted proxy (``COMMONPOT_PROXY_FIX``) is in front, otherwise generated. It is on every log line
  written while the request runs, and returned in the response's ``X-Request-ID`` header, so a
  person's "it went wrong at 10:02" and the proxy's log lead to the same lines.
- *request line*: one ``request`` line per request, with method, path, status and duration (the
  gunicorn access log is off: this line carries the request id, which it could not).
"""

from __future__ import annotations

import logging
import logging.config
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id may look like: a UUID, a hex string, or a similar token; never a log injection.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_CONFIGURED = "_commonpot_json"
FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d"

log = logging.getLogger("grants.request")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record written inside a request (empty outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = g.get("request_id", "") if has_request_context() else ""
        return True


class StderrHandler(logging.StreamHandler):
    """A stream handler bound to whatever ``sys.stderr`` is when it writes, not when it was made."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def dict_config(level: str = "INFO") -> dict:
    """The logging configuration of every process, as :func:`logging.config.dictConfig` takes it."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": FIELDS + " %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        }},
        "handlers": {"stderr": {"()": StderrHandler, "formatter": "json", "filters": ["request_id"]}},
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        # gunicorn's own loggers go through the root handler, in the same format.
        "loggers": {
            "gunicorn.error": {"level": level.upper(), "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
            # APScheduler says "Running job …" every minute: keep its warnings and errors only.
            "apscheduler": {"level": "WARNING", "propagate": True},
        },
    }


def configure(level: str = "INFO") -> None:
    """Send every log record to standard error as JSON; once per process (again-safe)."""
    root = logging.getLogger()
    if getattr(root, _CONFIGURED, False):
        return
    logging.config.dictConfig(dict_config(level))
    setattr(root, _CONFIGURED, True)


def init_app(app: Flask) -> None:
    trusted = bool(app.config.get("COMMONPOT_PROXY_FIX"))

    @app.before_request
    def assign_request_id():
        offered = request.headers.get(REQUEST_ID_HEADER, "") if trusted else ""
        g.request_id = offered if _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def report_request(response):
        if not g.get("request_id"):
            g.request_id = uuid.uuid4().hex
        response.headers[REQUEST_ID_HEADER] = g.request_id
        elapsed = time.perf_counter() - g.get("request_started", time.perf_counter())
        log.info("request", extra={
            "method": request.method, "path": _loggable_path(), "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 1), "remote_addr": request.remote_addr})
        return response


def _loggable_path() -> str:
    """The path, but a secret in it (an emailed token) is logged as its route's pattern."""
    if request.url_rule is not None and "token" in (request.view_args or {}):
        return request.url_rule.rule
    return request.path
