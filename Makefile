# Commonpot: the two commands are `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app grants
ASSETS := grants/static/build/commonpot.css

.PHONY: run test install translations assets migrate bandit test-sqlite test-postgres bench-allocation bench-ballots bench-ballot-floor bench-pdf bench-queue bench-round clean

# The demo: SQLite and the SQLite job queue in instance/, nothing else to install. The three
# processes of the Procfile (web, worker, scheduler) run under honcho; Ctrl+C stops all three.
# `make run PORT=8080` serves on another port, and emailed links say so.
PORT ?= 5000
run: export COMMONPOT_DEMO := 1
run: export COMMONPOT_BASE_URL := http://127.0.0.1:$(PORT)
run: install assets
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@echo "Commonpot is at http://127.0.0.1:$(PORT): web, worker and scheduler start below (Ctrl+C stops all three)."
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start --procfile Procfile --port $(PORT)

# Redis for the tests that need it (the deployment tests, the Redis queue): CI's local server.
test test-postgres: export REDIS_URL ?= redis://127.0.0.1:6379
test: install assets
	$(MAKE) bandit
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

# Static security checks; each accepted finding carries `# nosec BXXX  # reason` on its line.
bandit:
	$(BIN)/bandit -q -r grants workflows

# Tests run in TEST_WORKERS processes (pytest-xdist, a database each); the 15 slowest are listed.
# Work stealing: a worker that runs out takes tests queued for the other, so a few long tests (the
# add-one reference checks, the fuzz parts, the journeys) do not leave one worker idle at the end.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --durations=15

# The whole suite on SQLite (browser tests included).
test-sqlite:
	$(PYTEST)

# The suite again on a throwaway PostgreSQL database; the pure packages (allocation rules,
# workflow engine) and the tests marked database_free touch no database and ran above.
test-postgres:
	scripts/with-postgres.sh $(PYTEST) --ignore=tests/allocation --ignore=tests/workflows -m "not database_free"

install: $(VENV)/.installed translations

# The catalogues compiled for gettext (.mo files are built, never committed).
CATALOGS := $(wildcard grants/translations/*/LC_MESSAGES/messages.po)
translations: $(CATALOGS:.po=.mo)

grants/translations/%/LC_MESSAGES/messages.mo: grants/translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: $(ASSETS)

$(ASSETS): node_modules/.installed scripts/build-assets.mjs assets-src/commonpot.scss package.json
	npm run --silent build

migrate: install
	$(FLASK) db upgrade

# Benchmarks: outside `make test`; each ends with one JSON line of its figures.
.venv-bench/.installed: pyproject.toml
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/pip install --quiet --upgrade pip
	.venv-bench/bin/pip install --quiet -e . pabutools==1.2.3
	touch $@

# Ours vs pabutools 1.2.3 (multiprofile and plain) on the largest instances; BENCH_ARGS passes flags,
# e.g. make bench-allocation BENCH_ARGS="--rule phragmen --skip-plain".
bench-allocation: .venv-bench/.installed
	.venv-bench/bin/python bench/bench_allocation.py $(BENCH_ARGS)

# Ballots under load: gunicorn (the project's `bench` extra) and aiohttp, in .venv-bench only.
# BENCH_ARGS passes flags, e.g. make bench-ballots BENCH_ARGS="--duration 20 --databases sqlite".
.venv-bench/.ballots-installed: pyproject.toml
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/pip install --quiet --upgrade pip
	.venv-bench/bin/pip install --quiet -e '.[bench]' aiohttp==3.13.2
	touch $@

bench-ballots: .venv-bench/.ballots-installed
	.venv-bench/bin/python bench/bench_ballots.py $(BENCH_ARGS)

# Where a ballot POST's CPU goes beyond the bare insert, step by step, in one process (no HTTP).
bench-ballot-floor: install
	$(BIN)/python bench/ballot_floor.py $(BENCH_ARGS)

# The proposal pack for 100 proposals (sample values, no database), rendered in a child process:
# seconds per page and peak memory. WeasyPrint and pypdf are in the project's own .venv.
bench-pdf: install
	$(BIN)/python bench/bench_pdf.py $(BENCH_ARGS)

# The mail outbox: 1,000 queued mails through a real worker process to a local aiosmtpd, on SqliteHuey
# (with SQLite) and on RedisHuey (with a throwaway PostgreSQL database); needs Redis and PostgreSQL up.
bench-queue: install
	$(BIN)/python bench/bench_queue.py $(BENCH_ARGS)

# A city-sized round end to end (Wrocław 2015 and Warszawa 2026 imported, counted with mes_cost, the
# results page, the decision report) on a fresh SQLite file and a throwaway PostgreSQL database.
bench-round: install
	$(BIN)/python bench/bench_round.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .venv-bench node_modules grants/static/build
