"""The production server's parts: health checks, request ids in JSON logs, ProxyFix, the secret key."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from flask import request, url_for

from grants import REPO_ROOT, create_app
from grants.config import ConfigurationError


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_and_readyz_answer_when_all_is_well(client):
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.get_json() == {"status": "ok"}
        assert response.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in response.headers


def test_probes_answer_a_load_balancer_asking_by_address_and_nothing_else_does(app, client):
    app.config["TRUSTED_HOSTS"] = ["grants.example.org"]
    for path in ("/healthz", "/readyz"):
        assert client.get(path, base_url="http://10.0.3.7:8000").status_code == 200, path
        assert client.head(path, base_url="http://10.0.3.7:8000").status_code == 200, path
    for path in ("/", "/login", "/healthz/", "/assets/../readyz/x"):
        assert client.get(path, base_url="http://10.0.3.7:8000").status_code in (400, 404), path
    assert client.post("/healthz", base_url="http://10.0.3.7:8000").status_code in (400, 405)


def test_readyz_is_503_with_the_database_down_and_says_nothing_of_why(make_app):
    port = _free_port()   # nothing listens there: an unreachable PostgreSQL
    app = make_app(DATABASE_URL=f"postgresql://commonpot@127.0.0.1:{port}/commonpot")
    client = app.test_client()
    assert client.get("/healthz").status_code == 200          # the process itself is alive
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
    body = response.get_data(as_text=True)
    assert str(port) not in body and "database" not in body and "psycopg" not in body.lower()


def test_readyz_is_503_with_the_queue_down(make_app):
    app = make_app(HUEY_IMMEDIATE=False, REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert "redis" not in response.get_data(as_text=True).lower()


def _probe(app):
    @app.route("/test-probe")
    def probe():
        return {"remote_addr": request.remote_addr, "scheme": request.scheme, "host": request.host,
                "url": url_for("health.healthz", _external=True)}

    return app.test_client()


FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "grants.example.org"}


def test_without_proxy_fix_forwarded_headers_are_ignored(make_app):
    client = _probe(make_app())
    seen = client.get("/test-probe", headers=FORWARDED).get_json()
    assert seen["remote_addr"] == "127.0.0.1" and seen["scheme"] == "http"
    assert seen["host"] == "localhost"


def test_proxy_fix_believes_one_trusted_proxy(make_app):
    client = _probe(make_app(COMMONPOT_PROXY_FIX=1, TRUSTED_HOSTS=["grants.example.org", "localhost"]))
    seen = client.get("/test-probe", headers=FORWARDED).get_json()
    assert seen == {"remote_addr": "203.0.113.9", "scheme": "https", "host": "grants.example.org",
                    "url": "https://grants.example.org/healthz"}
    # a client's own forged X-Forwarded-For before the proxy's is not believed: only the last hop
    seen = client.get("/test-probe", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.9"}).get_json()
    assert seen["remote_addr"] == "203.0.113.9"


def test_every_response_carries_a_request_id_generated_unless_a_trusted_proxy_gave_one(make_app):
    plain = make_app().test_client()
    first, second = (plain.get("/healthz", headers={"X-Request-ID": "from-the-client"}) for _ in range(2))
    assert first.headers["X-Request-ID"] != "from-the-client"          # no proxy: not believed
    assert len(first.headers["X-Request-ID"]) == 32
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    proxied = make_app(COMMONPOT_PROXY_FIX=1).test_client()
    assert proxied.get("/healthz", headers={"X-Request-ID": "lb-7f3a-01"}).headers["X-Request-ID"] == "lb-7f3a-01"
    # a header that is not an id (a log injection attempt) is replaced
    forged = proxied.get("/healthz", headers={"X-Request-ID": 'x" injected\tline'}).headers["X-Request-ID"]
    assert forged != 'x" injected\tline' and len(forged) == 32


def test_logs_are_one_json_object_a_line_with_the_request_id(tmp_path):
    """Through the real entry point (grants.wsgi) and logging configuration, in a process of its own."""
    code = (
        "import grants.wsgi as w, logging, sys\n"
        "r = w.app.test_client().get('/healthz')\n"
        "logging.getLogger('grants.test').warning('after the request')\n"
        "print(r.headers['X-Request-ID'])\n")
    env = {**os.environ, "SECRET_KEY": "s", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
           "COMMONPOT_INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                          check=True, cwd=tmp_path)
    request_id = done.stdout.strip()
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]   # every line is JSON
    [line] = [entry for entry in lines if entry.get("message") == "request"]
    assert line["request_id"] == request_id
    assert (line["method"], line["path"], line["status"], line["level"]) == ("GET", "/healthz", 200, "INFO")
    assert "time" in line and line["logger"] == "grants.request"
    [outside] = [entry for entry in lines if entry.get("message") == "after the request"]
    assert outside["request_id"] == "" and outside["level"] == "WARNING"


def test_a_token_in_the_path_is_not_written_to_the_log(make_app, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="grants.request")
    make_app().test_client().get("/password/reset/very-secret-token")
    [record] = [r for r in caplog.records if r.getMessage() == "request"]
    assert record.path == "/password/reset/<token>"


def test_the_secret_key_is_required_outside_the_demo_and_debug(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("COMMONPOT_DEMO", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("COMMONPOT_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app()
    assert not (tmp_path / "instance" / "secret_key").exists()
    # the same refusal, as an operator sees it when starting a command
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "grants", "routes"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr.splitlines()[-1]


def test_gunicorn_config_reads_the_environment(monkeypatch):
    import runpy

    monkeypatch.setenv("PORT", "6123")
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("GUNICORN_THREADS", "1")
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "50")
    settings = runpy.run_path(str(REPO_ROOT / "gunicorn.conf.py"))
    assert (settings["bind"], settings["workers"], settings["threads"], settings["worker_class"]) == \
        ("127.0.0.1:6123", 5, 1, "sync")
    assert (settings["max_requests"], settings["max_requests_jitter"], settings["timeout"]) == (50, 100, 30)
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:80")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "soon")
    with pytest.raises(SystemExit, match="GUNICORN_TIMEOUT must be a whole number"):
        runpy.run_path(str(REPO_ROOT / "gunicorn.conf.py"))
