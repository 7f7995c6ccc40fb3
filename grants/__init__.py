"""Commonpot: participatory grant-making and reverse commissioning for community collectives.

``create_app`` builds the Flask application. Each domain lives in its own package
(``grants.auth``, ``grants.collectives``, ``grants.organisations``, ...) with models, operations
(the only code that changes state), forms and routes; ``grants.allocation`` holds the pure
allocation rules and ``workflows`` (top level) the state-machine engine.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None):
    app = _configured_app(test_config)
    from grants import config as config_module

    app.config["SECRET_KEY"] = config_module.require_secret_key(app.config, app.instance_path)

    from grants import logs

    logs.init_app(app)

    from grants.web import init_app as init_web

    init_web(app)
    if app.config["COMMONPOT_PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["COMMONPOT_PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    return app


def configured_database_url() -> str:
    """The database the configuration names, without building the app (Alembic run by hand)."""
    return _configured_app(None).config["DATABASE_URL"]


def _configured_app(test_config: dict | None):
    """A bare Flask app with its configuration: defaults, then instance/config.py, then the environment."""
    from flask import Flask

    from grants import config as config_module

    instance_path = Path(os.environ.get("COMMONPOT_INSTANCE_PATH") or REPO_ROOT / "instance")
    if test_config and test_config.get("INSTANCE_PATH"):
        instance_path = Path(test_config["INSTANCE_PATH"])
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        instance_relative_config=True,
        template_folder=str(REPO_ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_mapping(config_module.defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_mapping(config_module.from_environment())
    else:
        app.config.from_mapping(test_config)
    config_module.finish(app.config, app.debug)
    return app
