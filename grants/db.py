"""The database layer: one engine per app, one session per app context.

Glossary
- *engine*: built from ``DATABASE_URL`` (PostgreSQL via psycopg 3) or, by default, a SQLite file in
  the instance folder, opened in WAL mode with foreign keys enforced.
- *session*: ``db.session`` is created lazily for the current app context and closed when the
  context ends. Objects are not expired on commit, so a page can still read what it just saved.
- *naming convention*: every constraint gets a stable name, so Alembic revisions can refer to it.
- *UTCDateTime*: timestamps are stored as UTC and always come back timezone-aware.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp that refuses naive datetimes and always comes back aware, in UTC.

    SQLite has no time zones, so values are normalised to UTC before storage and the zone is
    re-attached on the way out; PostgreSQL stores ``timestamp with time zone``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store timezone-aware UTC times")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def pence_column() -> sa.Column:
    """A money column: integer pence, 64 bits on every database. A 32-bit ``INTEGER`` stops at
    £21,474,836.47 on PostgreSQL, less than the largest amount the money fields accept."""
    return sa.Column(sa.BigInteger, nullable=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    # Writers wait for each other instead of failing at once under concurrent requests.
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


# POST endpoints that read first and take SQLite's write lock only for their writes, when they call
# ``db.begin_write()``: most of casting a ballot is reading (the member, the collective, the round,
# its proposals), which can go on while other members' ballots are written; signing in checks a
# password (scrypt, ~0.1 s) before it writes the sign-in record, and must not hold the lock meanwhile.
# ``make bench-ballots`` (SQLite, 220 members, 2x4 gthread, the machine's load average 8.6-10.9):
# the ballot POST with "voting.ballot" here 77 and 91 ballots/s, without it 69 and 74 in the same
# runs (+12%, +22%).
READ_FIRST_ENDPOINTS = frozenset({"voting.ballot", "auth.login"})


def _read_only_request() -> bool:
    """Whether this request's SQLite transaction begins without the write lock (a plain BEGIN).

    GET and HEAD requests only read; READ_FIRST endpoints read until they call ``db.begin_write()``.
    """
    from flask import g, has_request_context, request

    if not has_request_context() or g.get("db_writing", False):
        return False
    return request.method in ("GET", "HEAD") or request.endpoint in READ_FIRST_ENDPOINTS


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 10}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN to the first write; we take the write
        # lock at BEGIN instead (except for read-only requests), so a read-then-write transaction
        # cannot fail half-way with "database is locked" when another writer got there first.
        @event.listens_for(engine, "connect")
        def _no_pysqlite_begin(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN" if _read_only_request() else "BEGIN IMMEDIATE")
    else:
        # A database that does not answer fails a request (and /readyz) in seconds, not minutes.
        kwargs.setdefault("connect_args", {"connect_timeout": 5})
        engine = sa.create_engine(url, pool_pre_ping=True, **kwargs)
    return engine


class Database:
    """Flask extension owning the engine and the per-context session."""

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        app.extensions["commonpot_db"] = make_engine(app.config["DATABASE_URL"])
        app.teardown_appcontext(self._close_session)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["commonpot_db"]

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = Session(self.engine, expire_on_commit=False)
        return g.db_session

    def begin_write(self) -> bool:
        """Take SQLite's write lock for the rest of a READ_FIRST request (or a GET that must write,
        such as a download queuing its document's build), once its reads are done.

        The transaction so far only read: it is committed (ending its snapshot) and the next
        statement begins with ``BEGIN IMMEDIATE``. Returns True then, because what was read may
        have changed since and must be checked again where it matters. Anywhere else (PostgreSQL,
        requests that write from the start, no request, a second call) the transaction goes on as
        it is: returns False.
        """
        if not _read_only_request():
            return False
        session = self.session
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() comes before the request's first change")
        g.db_writing = True
        if self.engine.dialect.name != "sqlite" or not session.in_transaction():
            return False
        session.commit()
        return True

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()


def sum_pence(column) -> sa.ColumnElement:
    """The sum of a money column, 0 when there are no rows, always an integer.

    PostgreSQL sums a BIGINT as NUMERIC, which psycopg returns as a ``Decimal``; money stays ``int``.
    """
    return sa.cast(sa.func.coalesce(sa.func.sum(column), 0), sa.BigInteger)


def _remembering(process):
    """``process`` (a bind processor, or None) remembering what it gave for each value: the rows
    of a bulk insert share most of their timestamps and flags."""
    if process is None:
        return None
    done: dict = {}

    def remembered(value):
        try:
            return done[value]
        except KeyError:
            done[value] = result = process(value)
            return result

    return remembered


def insert_many(table: sa.Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert ``rows`` (tuples of values in the order of ``columns``) into ``table`` in the
    session's transaction, with as little work per row as each database allows: a city's
    election is a few hundred thousand rows (``grants.rounds.imports``).

    SQLite: one ``executemany`` of a prepared INSERT (the driver loops in C). PostgreSQL: ``COPY
    … FROM STDIN`` (psycopg writes the rows in C; an executemany there sends one statement per
    row). Either way SQLAlchemy compiles nothing per row, so its column types' bind processing
    does not run on the values: it is applied here, only for the columns whose type has one
    (timestamps, booleans on SQLite), and plain integers go to the driver as they are. Defaults
    are not filled in: every column without a server default must be given.

    ``make bench-round``, Warszawa 2026 (61,668 ballots, 287,475 marks) on the 2-core machine: the
    import took 5.2 s on SQLite and 17.0 s on PostgreSQL with the ORM's ``insert(Model)`` and a
    dict per row; 2.0 s and 4.7 s with this (on PostgreSQL about half of the server's work left
    is checking each row's foreign keys).
    """
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    processors = [_remembering(table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in columns]
    if any(processors):
        rows = [tuple(value if process is None else process(value) for process, value in zip(processors, row))
                for row in rows]
    names = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    target = dialect.identifier_preparer.format_table(table)
    if dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(f"INSERT INTO {target} ({names}) VALUES ({marks})", rows)  # nosec B608  # names from the table, values bound


def select_rows(statement: sa.Select) -> list[tuple]:
    """Run a Core ``statement`` in the session's transaction and return its rows as the driver
    gives them (plain tuples), for a few hundred thousand rows read at once: a city's ballot
    marks for the count (``grants.rounds.count``). No result types are processed, so select
    integers and strings only; the statement's parameters are bound as they are.

    ``make bench-round``, Warszawa 2026 (287,475 marks, 2-core machine): 0.5–1.2 s of CPU through
    ``session.execute(statement).all()`` (a ``Row`` per row), 0.1–0.25 s here.
    """
    connection = db.session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    parameters = compiled.construct_params()
    if compiled.positional:
        parameters = tuple(parameters[name] for name in compiled.positiontup)
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(compiled.string, parameters)
        return cursor.fetchall()
    finally:
        cursor.close()
