# The conformance suite (tests/conformance/README.md): every SDK's driver against one live
# Tidings (real NATS and PostgreSQL). Included by the root Makefile.
#
#   make test-conformance   run every driver; rewrites the table in tests/conformance/README.md

.PHONY: test-conformance
TEST_SUITES += test-conformance

test-conformance: $(VENV)/.synced sdks/js/node_modules/.installed
	cd sdks/js && rm -rf dist && node_modules/.bin/tsc -p tsconfig.json
	$(RUN) python tests/conformance/run.py
