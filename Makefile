# The README's two commands: `make run` (the app with demo data on SQLite) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DATABASE_URL ?= sqlite://./mailrenew.sqlite3
DATABASE_URL_PG ?= postgres://postgres@127.0.0.1:5432/test
STAMP := .make

export DATABASE_URL_PG

.PHONY: run test test-sqlite test-postgres browser install frontend frontend-check lint check schema bench clean

$(STAMP)/python: pyproject.toml constraints.txt
	@mkdir -p $(STAMP)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

$(STAMP)/frontend: frontend/package.json frontend/package-lock.json $(shell find frontend/src frontend/*.html frontend/vite.config.ts -type f 2>/dev/null)
	@mkdir -p $(STAMP)
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build
	@touch $@

install: $(STAMP)/python

frontend: $(STAMP)/frontend

# The console's checks: generated API types up to date with schema.graphql, svelte-check, vitest.
frontend-check: $(STAMP)/frontend
	cd frontend && npm run codegen:check && npm run check && npm test

run: $(STAMP)/python $(STAMP)/frontend
	DATABASE_URL='$(DATABASE_URL)' $(VENV)/bin/mailrenew migrate
	DATABASE_URL='$(DATABASE_URL)' $(VENV)/bin/mailrenew seed-demo --if-empty
	@echo "Open http://127.0.0.1:$(PORT)  (API explorer: http://127.0.0.1:$(PORT)/graphql)"
	DATABASE_URL='$(DATABASE_URL)' exec $(VENV)/bin/mailrenew serve --port $(PORT) --no-migrate

lint: $(STAMP)/python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Every linter and type checker, Python and console (no pytest): ruff, ruff format, mypy, then frontend-check.
check: lint frontend-check

# The suite on SQLite (browser tests included), then on PostgreSQL when it answers (required under CI=true).
test: $(STAMP)/python $(STAMP)/frontend frontend-check browser lint test-sqlite test-postgres

# Browser tests drive Debian's Chromium; install it when missing and we may (root with apt-get).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "The browser tests need Chromium at /usr/bin/chromium: apt-get install chromium" >&2; exit 1; \
		fi; \
	fi

test-sqlite: $(STAMP)/python
	MAILRENEW_TEST_DB=sqlite $(PY) -m pytest

test-postgres: $(STAMP)/python
	@if $(PY) tests/pg_available.py; then \
		MAILRENEW_TEST_DB=postgres $(PY) -m pytest; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "PostgreSQL does not answer at $(DATABASE_URL_PG): required under CI" >&2; exit 1; \
	else \
		echo "PostgreSQL does not answer at $(DATABASE_URL_PG): PostgreSQL pass NOT run" >&2; \
	fi

# The exported schema, then the console's types generated from it (both are committed).
schema: $(STAMP)/python $(STAMP)/frontend
	$(PY) -m mailrenew.graphql.export > schema.graphql
	cd frontend && npm run --silent codegen

# The renewal sweep against a raw-SQL baseline, SQLite then PostgreSQL when it answers (BENCH_ITEMS=5000 for a quick run), then the API benchmark.
bench: $(STAMP)/python
	$(PY) bench/bench_sweep.py
	$(PY) bench/bench_api.py

# The GraphQL API (Mailrenew's /graphql) against a raw asyncpg baseline and PostGraphile, see bench/README.md
# (BENCH_API_SCALE=0.05 BENCH_API_ROUNDS=1 BENCH_API_SECONDS=2 for a quick run).
.PHONY: bench-api
bench-api: $(STAMP)/python
	$(PY) bench/bench_api.py

clean:
	rm -rf $(STAMP) $(VENV) frontend/node_modules frontend/dist
