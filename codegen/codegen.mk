# codegen: SDK skeletons from spec/ (see codegen/config.yaml). Included by the root Makefile.
#
#   make codegen        regenerate sdks/*/generated from the specs
#   make codegen-check  regenerate into a temporary folder; fail on any difference (CI)
#   make test-codegen   the generator's own tests (golden files for codegen/tests/fixture)

CODEGEN := $(RUN) python codegen/generate.py
# isort must know our first-party packages; the root ruff config only lists the server's.
CODEGEN_RUFF_CONFIG := lint.isort.known-first-party = ["tidings", "tidings_codegen", "support"]

.PHONY: codegen codegen-check test-codegen lint-codegen
TEST_SUITES += codegen-check test-codegen
LINT_SUITES += lint-codegen

codegen: $(VENV)/.synced
	$(CODEGEN)

codegen-check: $(VENV)/.synced
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(CODEGEN) --out-root "$$tmp" >/dev/null; \
	dirs=$$($(CODEGEN) --list-outputs); test -n "$$dirs"; \
	status=0; \
	for dir in $$dirs; do \
	  diff -ru "$$dir" "$$tmp/$$dir" || status=1; \
	done; \
	if [ $$status -ne 0 ]; then echo "codegen-check: generated code is stale; run 'make codegen' and commit" >&2; fi; \
	exit $$status

test-codegen: $(VENV)/.synced
	$(RUN) pytest -c codegen/pytest.ini codegen/tests

lint-codegen: $(VENV)/.synced
	$(RUN) ruff check --config '$(CODEGEN_RUFF_CONFIG)' --extend-exclude codegen/tests/golden codegen
	$(RUN) ruff format --check --extend-exclude codegen/tests/golden codegen
	$(RUN) mypy --strict codegen/tidings_codegen codegen/generate.py
