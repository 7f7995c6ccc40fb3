"""The application factory: configuration order, instance folder, and no I/O at import."""

from __future__ import annotations

import subprocess
import sys

from grants import REPO_ROOT, create_app
from grants.web import ImportingTemplate


def test_instance_folder_is_the_repository_instance_folder():
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    assert app.instance_path == str(REPO_ROOT / "instance")


def test_config_order_defaults_then_instance_file_then_environment(tmp_path, monkeypatch):
    import grants

    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("MAIL_SERVER = 'from-file'\nMAIL_PORT = 2525\nINVITATION_DAYS = 3\n")
    monkeypatch.setattr(grants, "REPO_ROOT", tmp_path)
    monkeypatch.setenv("MAIL_SERVER", "from-env")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "x.db"))
    monkeypatch.setenv("SECRET_KEY", "env-secret")
    app = create_app()
    assert app.config["MAIL_SERVER"] == "from-env"        # environment wins over the file
    assert app.config["MAIL_PORT"] == 2525                # the file wins over defaults
    assert app.config["INVITATION_DAYS"] == 3
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024  # defaults fill the rest
    assert app.config["SECRET_KEY"] == "env-secret"


def test_the_demos_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    import grants

    monkeypatch.setattr(grants, "REPO_ROOT", tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("COMMONPOT_DEMO", "1")   # only the demo may go without a configured key
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "instance" / "secret_key").read_text() == first


def test_importing_the_package_does_no_work():
    code = ("import sys, grants; heavy = [m for m in ('flask', 'sqlalchemy', 'sqlmodel') if m in sys.modules];"
            "print(','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_an_app_starts_without_the_chart_and_pdf_libraries():
    """matplotlib and WeasyPrint are imported by the first chart or document, not by every web
    worker, job worker and command as it starts."""
    code = ("import sys; from grants import create_app; create_app({'SECRET_KEY': 'x', 'DATABASE_URL': 'sqlite://'});"
            "print(','.join(m for m in ('matplotlib', 'weasyprint') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    from grants.db import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_naive_datetimes_are_refused(app, ctx):
    from datetime import datetime

    import pytest

    from grants.collectives.models import Collective
    from grants.db import db

    db.session.add(Collective(slug="naive", name="Naive", created_at=datetime(2026, 1, 1)))
    with pytest.raises(Exception, match="naive datetime"):
        db.session.flush()
    db.session.rollback()


def test_times_come_back_aware_in_utc(app, ctx):
    from datetime import timezone

    from grants.db import db
    from tests import factories

    collective = factories.collective()
    db.session.commit()
    db.session.expire_all()
    from grants.collectives.models import Collective

    again = db.session.get(Collective, collective.id)
    assert again.created_at.tzinfo is not None
    assert again.created_at.utcoffset() == timezone.utc.utcoffset(None)


def test_signing_in_reads_without_taking_sqlites_write_lock(app):
    from grants.db import _read_only_request

    with app.test_request_context("/login", method="POST"):
        assert _read_only_request()            # a password check must not block voters
    with app.test_request_context("/register", method="POST"):
        assert not _read_only_request()        # writes take the lock at BEGIN
    with app.test_request_context("/c/x/rounds/1", method="GET"):
        assert _read_only_request()


def test_imported_macros_render_as_jinja_renders_them():
    """``ImportingTemplate`` answers Jinja's question on import faster, and the same way: a
    context with a global the imported template lacks gets a module that sees it; one without
    gets the cached module."""
    from jinja2 import DictLoader, Environment, Template

    sources = {"macros.html": "{% macro greet(name) %}{{ greeting }}, {{ name }}{{ mark }}{% endmacro %}",
               "page.html": '{% from "macros.html" import greet %}{{ greet("Amina") }}'}
    rendered = {}
    for template_class in (Template, ImportingTemplate):
        env = Environment(loader=DictLoader(sources))
        env.template_class = template_class
        env.globals["greeting"] = "Hello"
        assert isinstance(env.get_template("page.html"), template_class)
        rendered[template_class] = [
            env.get_template("page.html").render(),
            # a global of this page only, which macros.html was loaded without: the macro sees it
            env.from_string(sources["page.html"], globals={"mark": "!"}).render(),
            # a page global macros.html has too: nothing new to see
            env.from_string(sources["page.html"], globals={"greeting": "Salaam"}).render(),
            env.get_template("page.html").render(),
        ]
    assert rendered[Template] == ["Hello, Amina", "Hello, Amina!", "Hello, Amina", "Hello, Amina"]
    assert rendered[ImportingTemplate] == rendered[Template]


def test_the_apps_templates_are_importing_templates(app):
    with app.test_request_context("/"):
        assert isinstance(app.jinja_env.get_template("base.html"), ImportingTemplate)
