# Cairn — two commands for a fresh machine:
#   make run    set up, migrate, load labelled demo data, serve on http://127.0.0.1:8000
#   make test   set up everything the tests need, then ruff, ESLint, mypy --strict, node --test and pytest

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
TOOLS  := .venv-tools
UV     := $(TOOLS)/bin/uv

# Python packages come from uv.lock only (exact versions with hashes, no resolver at install
# time): the runtime set for `make run`, the runtime and dev sets for `make test`.
UV_SYNC := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy \
	$(UV) sync --frozen --python $(PYTHON) --quiet

.PHONY: run test install runtime browser services pwa node lint typecheck pwa-unit pytest openapi schema bench postgis bench-tools peers fuzz upgrade clean

# uv itself, pinned with hashes, in a venv of its own so that syncing .venv never removes it.
$(UV): bootstrap-requirements.txt
	test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --require-hashes --no-deps -r bootstrap-requirements.txt
	touch $@

$(VENV)/.runtime: uv.lock pyproject.toml | $(UV)
	$(UV_SYNC) --no-dev --inexact
	touch $@

$(VENV)/.installed: uv.lock pyproject.toml | $(UV)
	$(UV_SYNC)
	touch $@

runtime: $(VENV)/.runtime

install: $(VENV)/.installed

run: runtime pwa
	$(BIN)/cairn serve --demo

# Refresh uv.lock to the newest versions pyproject.toml's ranges allow; run `make test` before
# committing it. One package only: `$(UV) lock --upgrade-package NAME`.
upgrade: $(UV)
	$(UV) lock --upgrade
	$(MAKE) install

# The field app (pwa/): npm packages from the lock file, then a Vite build when sources change.
PWA_SOURCES := $(shell find pwa/src pwa/public -type f 2>/dev/null) pwa/index.html pwa/vite.config.js
PWA_MODULES := pwa/node_modules/.installed

node:
	command -v npm >/dev/null || (apt-get update -q && apt-get install -y -q nodejs npm)

$(PWA_MODULES): pwa/package.json pwa/package-lock.json | node
	cd pwa && npm ci --no-audit --no-fund --loglevel=error
	touch $@

pwa/dist/index.html: $(PWA_MODULES) $(PWA_SOURCES)
	cd pwa && npm run build --silent
	touch $@

pwa: pwa/dist/index.html

test: install lint typecheck pwa-unit pytest

lint: install $(PWA_MODULES)
	$(UV) lock --check
	$(BIN)/ruff check api tests bench migrations
	$(BIN)/ruff format --check api tests bench migrations
	$(BIN)/lint-imports
	cd pwa && npm run lint --silent

typecheck: install
	$(BIN)/mypy

# The field app's outbox engine against every class of server answer (node's test runner).
pwa-unit: $(PWA_MODULES)
	cd pwa && npm run test:unit --silent

# Debian's Chromium for the browser tests: Playwright drives it, downloads no browser.
browser:
	test -x /usr/bin/chromium || (apt-get update -q && apt-get install -y -q chromium)

# Debian's Redis for the shared rate-limit tests (each test starts its own on loopback).
services:
	test -x /usr/bin/redis-server || (apt-get update -q && apt-get install -y -q redis-server)

pytest: install browser services pwa
	$(BIN)/pytest

# Regenerate the committed artefacts that tests compare against.
openapi: install
	$(BIN)/cairn openapi --out openapi

schema: install
	CAIRN_WRITE_SCHEMA=1 $(BIN)/pytest tests/platform/test_migrations.py -q

# Every benchmark (the load one needs Redis: `services`), then one table
# (bench/results/summary.md and .json); `BENCH_ARGS=--full`
# for each benchmark's default (long) sizes. Each one alone: `python -m bench.<name>`.
# What a benchmark needs and a fresh machine lacks is installed first; a part that fails to
# install does not stop the others: its rows in the table say they could not run, and why.
PEERS_VENV  := .venv-peers
BENCH_STAMP := $(VENV)/.bench-installed
PEERS_STAMP := $(PEERS_VENV)/.installed

bench: install browser services pwa postgis bench-tools peers
	$(BIN)/python -m bench.summary $(BENCH_ARGS)

# Debian's PostgreSQL with PostGIS (the peers' database, started by bench/postgis.py in a
# temporary folder) and gdal-bin (ogr2ogr, the GeoJSON dump's floor).
postgis:
	(ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 && command -v ogr2ogr >/dev/null) \
	  || (apt-get update -q && apt-get install -y -q postgresql postgresql-postgis gdal-bin) \
	  || echo "PostGIS could not be installed: the peers' rows will say so"

$(BENCH_STAMP): bench/requirements.txt | install
	$(UV) pip install --quiet --python $(BIN)/python -r bench/requirements.txt
	touch $@

bench-tools: $(BENCH_STAMP)

# tipg and pygeoapi from PyPI at pinned versions, in their own environment (never Cairn's).
$(PEERS_STAMP): bench/requirements-peers.txt
	test -x $(PEERS_VENV)/bin/python || $(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install --quiet -r bench/requirements-peers.txt
	touch $@

peers:
	$(MAKE) $(PEERS_STAMP) || echo "the peers could not be installed: their rows will say so"

# A longer contract fuzz than the one in `make test` (60 examples per operation), with the same
# checks: every one of schemathesis's, so any drift between the code and openapi/ fails.
fuzz: install
	CAIRN_FUZZ_EXAMPLES=1000 $(BIN)/pytest tests/hardening/test_contract_fuzz.py -q

clean:
	rm -rf $(VENV) $(TOOLS) $(PEERS_VENV) .mypy_cache .ruff_cache .pytest_cache
