"""Real processes for the deployment tests: gunicorn hosts, a worker, schedulers, an SMTP server.

Each process is started in its own process group with the configuration a real host would have
(environment variables only), its output kept in a file the failure message shows. Every wait is
a bounded poll: no test sleeps longer than a fraction of a second at a time.
"""

from __future__ import annotations

import email
import email.policy
import http.cookies
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grants import REPO_ROOT

PYTHON = sys.executable
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], object], *, timeout: float, what: str, every: float = 0.2):
    """Poll ``predicate`` until it returns something true; fail saying ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.popen.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL, as a host losing power would: the process and any children it forked."""
        self.signal_group(signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self, timeout: float = 20) -> None:
        if self.alive():
            self.signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.signal_group(signal.SIGKILL)   # any child left behind by a killed parent


@dataclass
class Processes:
    """The processes one test started; all stopped when it ends."""

    directory: Path
    started: list[Process] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> Process:
        log = self.directory / f"{name}.log"
        handle = log.open("ab")
        popen = subprocess.Popen(args, env=env, cwd=REPO_ROOT, stdout=handle, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        handle.close()
        process = Process(name, popen, log)
        self.started.append(process)
        return process

    def flask(self, name: str, command: list[str], env: dict[str, str]) -> Process:
        return self.start(name, [PYTHON, "-m", "flask", "--app", "grants", *command], env)

    def gunicorn(self, name: str, port: int, env: dict[str, str]) -> Process:
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "4"}
        return self.start(name, [str(BIN / "gunicorn"), "--config", str(REPO_ROOT / "gunicorn.conf.py"),
                                 "grants.wsgi:app"], env)

    def smtp(self, name: str, port: int, directory: Path, env: dict[str, str]) -> Process:
        process = self.start(name, [PYTHON, "-m", "tests.deploy.smtp_process", str(port), str(directory)], env)
        wait_until(lambda: _listening(port) or not process.alive(), timeout=30, what=f"{name} to listen")
        assert process.alive(), process.output()
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            process.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} (pid {p.pid}) ---\n{p.output()[-4000:]}" for p in self.started)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def host_env(*, database_url: str, instance: Path, secret_key: str, base_url: str, **extra: str) -> dict[str, str]:
    """What one host is configured with: only the environment, as in production (no demo)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("FLASK_", "COMMONPOT_", "GUNICORN_", "MAIL_", "PYTEST")) and key not in
           ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY", "PORT")}
    env.update(PYTHONPATH=str(REPO_ROOT), DATABASE_URL=database_url, SECRET_KEY=secret_key,
               COMMONPOT_INSTANCE_PATH=str(instance), COMMONPOT_BASE_URL=base_url, LOG_LEVEL="INFO",
               TRUSTED_HOSTS="127.0.0.1,localhost", PYTHONUNBUFFERED="1")
    env.update(extra)
    instance.mkdir(parents=True, exist_ok=True)
    return env


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Browser:
    """A person's browser reduced to what these tests need: cookies carried by hand to any host.

    Cookies are kept by name whatever host set them, because the hosts stand for one site behind a
    load balancer; they are sent even over plain HTTP here (a Secure cookie would be too, by the
    balancer's HTTPS, in production).
    """

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self._opener = urllib.request.build_opener(_NoRedirect)

    def request(self, method: str, url: str, data: dict | None = None, timeout: float = 30) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, method=method)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            with self._opener.open(request, timeout=timeout) as answer:
                response = Response(answer.status, dict(answer.headers), answer.read())
                raw_cookies = answer.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as error:
            response = Response(error.code, dict(error.headers), error.read())
            raw_cookies = error.headers.get_all("Set-Cookie") or []
        for raw in raw_cookies:
            jar = http.cookies.SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response

    def get(self, url: str) -> Response:
        return self.request("GET", url)

    def post(self, url: str, data: dict) -> Response:
        return self.request("POST", url, data)

    def csrf_token(self, url: str) -> str:
        page = self.get(url)
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text) or \
            re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page.text)
        assert found, f"no CSRF token on {url} ({page.status})"
        return found.group(1)

    def sign_in(self, base: str, email_address: str, password: str) -> Response:
        token = self.csrf_token(f"{base}/login")
        return self.post(f"{base}/login", {"csrf_token": token, "email": email_address, "password": password,
                                           "next": ""})


def read_messages(directory: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(directory.glob("*.eml"))]
