"""gunicorn's settings for Commonpot, each from the environment (the defaults suit one small host).

    gunicorn --config gunicorn.conf.py grants.wsgi:app

| variable | gunicorn setting | default |
| --- | --- | --- |
| ``GUNICORN_BIND`` | ``bind`` | ``127.0.0.1:$PORT`` (``PORT`` defaults to 8000) |
| ``WEB_CONCURRENCY`` | ``workers`` (processes) | 2 |
| ``GUNICORN_THREADS`` | ``threads`` per worker (``gthread`` worker) | 4 |
| ``GUNICORN_TIMEOUT`` | ``timeout``: a worker silent this long is killed and replaced | 30 (seconds) |
| ``GUNICORN_GRACEFUL_TIMEOUT`` | ``graceful_timeout``: time to finish requests on restart | 30 (seconds) |
| ``GUNICORN_MAX_REQUESTS`` | ``max_requests``: a worker is recycled after this many requests | 1000 (0: never) |
| ``GUNICORN_MAX_REQUESTS_JITTER`` | ``max_requests_jitter``: so workers do not recycle at once | 100 |
| ``LOG_LEVEL`` | the level of every log line (JSON, one a line, on standard error) | ``INFO`` |

Nothing slow runs in a request (documents and mail are the worker's), so the timeout can stay short.
Forwarded headers are left to the app (``COMMONPOT_PROXY_FIX``), so there is one place that decides
which proxies are trusted: gunicorn's own ``X-Forwarded-Proto`` handling is switched off.
"""

from __future__ import annotations

import os

from grants.logs import dict_config


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value.strip() else default
    except ValueError as error:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from error


bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", 2)
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# The app logs one line per request with its request id; gunicorn's access log would repeat it without.
accesslog = None
logconfig_dict = dict_config(os.environ.get("LOG_LEVEL", "INFO"))
secure_scheme_headers: dict = {}
forwarded_allow_ips = ""
# Heartbeat files in memory, not on a disk that may stall under load.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
proc_name = "commonpot-web"
# gunicorn ≥ 25 opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl): two
# servers on one machine would take it from each other, and nothing here uses gunicornc.
control_socket_disable = True
