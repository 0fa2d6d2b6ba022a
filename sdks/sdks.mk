# SDKs: TypeScript (sdks/js), Rust (sdks/rust), Python (sdks/python). Included by the root Makefile.
# Each suite installs what it needs (npm ci from package-lock.json, cargo from Cargo.lock), so
# they run on a clean clone.
#
#   make test-sdk-ts       tsc --strict, the browser bundle and the package check (exports, size),
#                          then node's test runner: unit tests, and the live tests (a real Tidings
#                          from tests/conformance/harness.py, and headless Chromium)
#   make test-sdk-rust     cargo fmt --check, clippy -D warnings, cargo test
#   make test-sdk-python   mypy --strict (package, generated code, tests), pytest
#   make test-sdks         all three

# rustup installs into ~/.cargo/bin, which a non-login shell (CI) may not have on PATH.
CARGO ?= $(shell command -v cargo 2>/dev/null || echo $(HOME)/.cargo/bin/cargo)
# Two cores are shared with the server's suites; one build job keeps the machine responsive.
CARGO_JOBS ?= 1
SDK_RUFF_CONFIG := lint.isort.known-first-party = ["tidings", "tidings_codegen", "support"]

.PHONY: test-sdks test-sdk-ts test-sdk-rust test-sdk-python lint-sdk-python
TEST_SUITES += test-sdk-ts test-sdk-rust test-sdk-python
LINT_SUITES += lint-sdk-python

test-sdks: test-sdk-ts test-sdk-rust test-sdk-python

# No browser download: the browser tests drive Debian's chromium (tests/browser/browser.mk).
sdks/js/node_modules/.installed: sdks/js/package.json sdks/js/package-lock.json
	cd sdks/js && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(NPM) ci
	touch $@

test-sdk-ts: sdks/js/node_modules/.installed $(VENV)/.synced install-chromium
	cd sdks/js && rm -rf dist && node_modules/.bin/tsc -p tsconfig.json
	cd sdks/js && $(NPM) run --silent bundle && node scripts/check-package.mjs
	cd sdks/js && node --test dist/test/*.test.js

test-sdk-rust:
	cd sdks/rust && PATH="$(dir $(CARGO)):$$PATH" $(CARGO) fmt --check
	cd sdks/rust && PATH="$(dir $(CARGO)):$$PATH" $(CARGO) clippy --locked -j $(CARGO_JOBS) --all-targets -- -D warnings
	cd sdks/rust && PATH="$(dir $(CARGO)):$$PATH" $(CARGO) test --locked -j $(CARGO_JOBS)

# MYPYPATH: the live tests import the server's test fixtures, which mypy reads from source (the
# installed server package carries no py.typed marker).
test-sdk-python: $(VENV)/.synced
	MYPYPATH=server/src $(RUN) mypy --strict sdks/python/src sdks/python/tests
	$(RUN) pytest -c sdks/python/pyproject.toml sdks/python/tests

lint-sdk-python: $(VENV)/.synced
	$(RUN) ruff check --config '$(SDK_RUFF_CONFIG)' sdks/python
	$(RUN) ruff format --check sdks/python
