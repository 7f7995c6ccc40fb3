#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL database, then drop it.
# Starts the local cluster if it is installed but down. The server is PGHOST/PGPORT/PGUSER
# (default 127.0.0.1:5432, user postgres); the database URL is passed to the tests as
# COMMONPOT_TEST_DATABASE_URL.
set -euo pipefail
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"

if ! pg_isready -q -t 2 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "PostgreSQL is down: starting it"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -t 1 && break; sleep 1; done
  fi
fi
if ! pg_isready -q -t 2; then
  echo "PostgreSQL is not reachable at $PGHOST:$PGPORT. Install it, or set PGHOST/PGPORT/PGUSER." >&2
  exit 1
fi

database="commonpot_test_$$_$(date +%s)"
createdb "$database"
# Throwaway data: commits need not wait for the disk (the same visibility and locking).
psql -q -d "$database" -c "ALTER DATABASE \"$database\" SET synchronous_commit TO off"
trap 'dropdb --if-exists --force "$database" >/dev/null 2>&1 || true' EXIT
export COMMONPOT_TEST_DATABASE_URL="postgresql+psycopg://${PGUSER}@${PGHOST}:${PGPORT}/${database}"
echo "PostgreSQL pass on database $database"
"$@"
