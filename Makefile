# Gebiedsradar — `make run` to try it, `make test` to check it.
PY      := $(shell command -v python3.11 || command -v python3)
VENV    := .venv
BIN     := $(VENV)/bin
PORT    ?= 8000
GEBIEDSRADAR_DB ?= data/gebiedsradar.db
export GEBIEDSRADAR_DB PORT

PWA_SOURCES := $(shell find pwa/src pwa/public -type f 2>/dev/null) pwa/index.html pwa/vite.config.js pwa/package.json

.PHONY: help run test test-long install install-test build tools lint bench clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

run: install build ## Install, build the app, create the database with demo data, serve on :8000
	$(BIN)/gebiedsradar --db "$(GEBIEDSRADAR_DB)" serve --demo --port $(PORT)

test: install-test build tools lint ## The whole test suite (lint, PWA unit tests, API, CLI, browser)
	cd pwa && npm test
	$(BIN)/pytest -n 2 --dist loadfile

test-long: install-test ## Nightly-style: 2,000 sync fault schedules; schemathesis with 200 examples per operation
	SYNC_SCHEDULES=2000 $(BIN)/pytest tests/test_sync_faults.py
	FUZZ_EXAMPLES=200 $(BIN)/pytest tests/test_api_fuzz.py

install: $(VENV)/.runtime ## Python venv with the runtime dependencies

install-test: $(VENV)/.test

$(VENV)/.runtime: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime
	$(BIN)/pip install -q -e '.[test]'
	touch $@

pwa/node_modules/.installed: pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund
	touch $@

build: pwa/dist/index.html ## Build the PWA (served by the backend at /)

pwa/dist/index.html: pwa/node_modules/.installed $(PWA_SOURCES)
	cd pwa && npm run build
	touch $@

tools: tools/node_modules/.installed ## Node tools for the tests (Spectral linter)

tools/node_modules/.installed: tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund
	touch $@

lint: install-test ## Lint the Python code (ruff: E, F, I, B, UP, SIM); the API lint runs in the tests
	$(BIN)/ruff check .

bench: install-test build tools ## Benchmarks (references: Debian postgresql + postgis, r-cran-surveillance)
	$(BIN)/python bench/assign_points.py
	$(BIN)/python bench/push_signals.py
	$(BIN)/python bench/stats_query.py
	$(BIN)/python bench/pwa_budgets.py
	$(BIN)/python bench/early_warning.py
	$(BIN)/python bench/proximity.py

clean: ## Remove installs and builds (keeps data/)
	rm -rf $(VENV) pwa/node_modules pwa/dist tools/node_modules
