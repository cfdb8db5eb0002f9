# Store edge POS — the two README commands (make demo, make test) and the benchmarks.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.txt | cut -c1-12)
export APP_ENV ?= development

.PHONY: demo test lint lint-js typecheck audit test-store test-hq test-e2e bench clean

$(STAMP): requirements.txt
	$(PYTHON) deploy/local/bootstrap_venv.py $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m deploy.local.demo

test: lint typecheck audit test-store test-hq test-e2e

lint: $(STAMP) lint-js
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The lane page's ES modules (store_edge/pos/static), with .oxlintrc.json's rules.
lint-js: $(STAMP)
	$(BIN)/oxlint --config .oxlintrc.json --deny-warnings store_edge/pos/static

# Known vulnerabilities in the pinned dependencies (deploy/audit_dependencies.py).
audit: $(STAMP)
	$(BIN)/python -m deploy.audit_dependencies

typecheck: $(STAMP)
	DJANGO_SETTINGS_MODULE=store_edge.settings $(BIN)/mypy --cache-dir .mypy_cache_store store_edge devices
	DJANGO_SETTINGS_MODULE=cloud_hq.settings $(BIN)/mypy --cache-dir .mypy_cache_hq cloud_hq

# The store's tests (and the device code's) run on SQLite, HQ's on HQ_DATABASE_URL when it
# is set (PostgreSQL in CI), and the end-to-end tests start real processes.
test-store: $(STAMP)
	$(BIN)/pytest -p no:cacheprovider --ds=store_edge.settings tests/devices tests/store_edge tests/deploy

test-hq: $(STAMP)
	DATABASE_URL="$${HQ_DATABASE_URL:-sqlite:///$(CURDIR)/var/test/hq.sqlite3}" \
	  $(BIN)/pytest -p no:cacheprovider --ds=cloud_hq.settings tests/cloud_hq

test-e2e: $(STAMP)
	$(BIN)/pytest -p no:cacheprovider -p no:django tests/e2e

bench: $(STAMP)
	$(BIN)/python -m tests.bench

clean:
	rm -rf var/test var/bench
