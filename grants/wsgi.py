"""The WSGI entry point for production servers: ``gunicorn --config gunicorn.conf.py grants.wsgi:app``."""

from __future__ import annotations

from grants import create_app
from grants.logs import configure

app = create_app()
configure(app.config["LOG_LEVEL"])
