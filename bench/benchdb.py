"""The throwaway databases the benchmarks run on: a SQLite file in a work folder, or a PostgreSQL
database made for the run and dropped after it (``PGHOST``/``PGPORT``/``PGUSER``, default
127.0.0.1:5432 as ``postgres``; a local cluster that is installed but down is started).

Unlike the test databases, these keep PostgreSQL's default ``synchronous_commit``: a benchmark
measures what production would pay for each commit.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path


def say(text: str = "") -> None:
    print(text, flush=True)


class SQLiteDatabase:
    name = "sqlite"

    def __init__(self, workdir: Path, filename: str = "bench.sqlite3", about: str = "") -> None:
        self.path = workdir / filename
        self.url = f"sqlite:///{self.path}"
        self.about = about

    def create(self) -> None:
        pass

    def drop(self) -> None:
        pass

    def describe(self) -> str:
        return f"SQLite file {self.path}{f' ({self.about})' if self.about else ''}"


class PostgresDatabase:
    name = "postgresql"

    def __init__(self, prefix: str = "commonpot_bench") -> None:
        self.env = dict(os.environ)
        self.env.setdefault("PGHOST", "127.0.0.1")
        self.env.setdefault("PGPORT", "5432")
        self.env.setdefault("PGUSER", "postgres")
        self.database = f"{prefix}_{os.getpid()}_{int(time.time())}"
        self.url = (f"postgresql+psycopg://{self.env['PGUSER']}@{self.env['PGHOST']}:{self.env['PGPORT']}/"
                    f"{self.database}")
        self.created = False

    def _ready(self) -> bool:
        return subprocess.run(["pg_isready", "-q", "-t", "2"], env=self.env).returncode == 0

    def create(self) -> None:
        if not self._ready() and Path("/etc/postgresql").is_dir() and shutil.which("pg_ctlcluster"):
            version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in re.findall(r"\d+", v)])[-1]
            say(f"PostgreSQL is down: starting cluster {version}/main")
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False)
            for _ in range(30):
                if self._ready():
                    break
                time.sleep(1)
        if not self._ready():
            raise SystemExit(f"PostgreSQL is not reachable at {self.env['PGHOST']}:{self.env['PGPORT']}")
        subprocess.run(["createdb", self.database], env=self.env, check=True)
        self.created = True

    def drop(self) -> None:
        if self.created:
            subprocess.run(["dropdb", "--if-exists", "--force", self.database], env=self.env, check=False)
            self.created = False

    def describe(self) -> str:
        return f"PostgreSQL database {self.database} on {self.env['PGHOST']}:{self.env['PGPORT']}"
