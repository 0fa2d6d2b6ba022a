# Every entry point of the monorepo. On a fresh machine `make run` and `make test` do all the
# set-up themselves: a pinned uv in .tools/, the Python workspace in .venv/ (uv.lock), npm
# packages where a part needs them.
#
#   make run          install, then start Tidings on its embedded default (NATS + PostgreSQL)
#   make test         install, then every suite: spec, lint, server, contract, chaos, attack,
#                     browser, SDKs, conformance, deployment checks, mutation sample
#   make chaos | attack | contract-deep | mutation | test-conformance | test-deploy   one suite
#   make lint         ruff (lint + format check) and mypy --strict on the server
#   make spec-lint    validate spec/openapi.yaml, spec/asyncapi.yaml, spec/errors.yaml
#   make fmt          format the Python code
#   make docs         regenerate the docs made from code (README config table, docs/rbac.md)
#   make dev          same as run

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
RUN := $(UV) run --frozen --no-sync
NPM := npm --no-audit --no-fund --loglevel=error

# Parts with their own make fragments add their suites to these (read before the rules below,
# which use them as prerequisites).
TEST_SUITES :=
LINT_SUITES :=
-include codegen/codegen.mk
-include sdks/sdks.mk
-include infra/infra.mk
-include server/billing.mk
-include tests/browser/browser.mk
-include tests/chaos/chaos.mk
-include tests/attack/attack.mk
-include tests/contract/contract.mk
-include tests/mutation/mutation.mk
-include tests/conformance/conformance.mk


.PHONY: help install run dev test test-tools test-server lint spec-lint fmt docs clean
help:
	@sed -n 's/^#   //p' Makefile

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) uv.lock pyproject.toml server/pyproject.toml
	$(UV) sync --frozen --all-packages
	touch $@

spec/tools/node_modules/.installed: spec/tools/package.json spec/tools/package-lock.json
	cd spec/tools && $(NPM) ci
	touch $@

install: $(VENV)/.synced spec/tools/node_modules/.installed

run dev: $(VENV)/.synced
	$(RUN) tidings-server dev

spec-lint: install
	$(RUN) python spec/tools/lint.py
	node spec/tools/lint-asyncapi.mjs spec/asyncapi.yaml

lint: $(VENV)/.synced $(LINT_SUITES)
	$(RUN) ruff check server spec/tools tests loadtests
	$(RUN) ruff format --check server spec/tools tests loadtests
	$(RUN) mypy

fmt: $(VENV)/.synced
	$(RUN) ruff check --fix server spec/tools tests loadtests
	$(RUN) ruff format server spec/tools tests loadtests

docs: $(VENV)/.synced
	$(RUN) python -m tidings_server.docs .

test-server: $(VENV)/.synced
	$(RUN) pytest

# Every tool a suite installs, one at a time before the suites start (fragments add to it), so
# that suites running side by side never build the same tool twice at once.
test-tools: install sdks/js/node_modules/.installed

# pytest (test-server) spends most of its time waiting on the services it started, so the other
# suites run beside it; their output is printed when both are done.
test: install
	$(MAKE) --no-print-directory spec-lint
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-tools
	@log=$$(mktemp); \
	( $(foreach suite,$(TEST_SUITES),$(MAKE) --no-print-directory $(suite) &&) true ) >$$log 2>&1 & suites=$$!; \
	server=0; $(MAKE) --no-print-directory test-server || server=$$?; \
	others=0; wait $$suites || others=$$?; \
	echo "======== the other suites ($(TEST_SUITES)), run beside test-server ========"; \
	cat $$log; rm -f $$log; \
	echo "test-server: exit $$server; other suites: exit $$others"; \
	test $$server -eq 0 && test $$others -eq 0

clean:
	rm -rf $(VENV) $(TOOLS) spec/tools/node_modules .pytest_cache .mypy_cache .ruff_cache
