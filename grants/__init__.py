"""Commonpot: participatory grant-making and reverse commissioning for community collectives.

``create_app`` builds the Flask application. Each domain lives in its own package
(``grants.auth``, ``grants.collectives``, ``grants.organisations``, ...) with models, operations
(the only code that changes state), forms and routes; ``grants.allocation`` holds the pure
allocation rules and ``workflows`` (top level) the state-machine engine.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None):
    from flask import Flask

    from grants import config as config_module

    instance_path = REPO_ROOT / "instance"
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
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module.ensure_secret_key(app.instance_path)

    from grants.web import init_app as init_web

    init_web(app)
    return app
