# Real browsers for the browser tests: Debian's `chromium` package, installed through apt when it
# is missing (CI runs as root on a fresh machine; nothing is downloaded by a browser driver at run
# time). Drivers (Playwright for Python, playwright-core for the JS SDK) are pointed at this binary
# through TIDINGS_CHROMIUM.
#
#   make install-chromium   install Debian's chromium if it is not on PATH
#
# The browser tests (tests/browser/, run by `make test-server`) skip without chromium on a
# developer machine and fail on CI (CI=true); `make test` installs it first.

CHROMIUM ?= $(shell command -v chromium 2>/dev/null || echo /usr/bin/chromium)
export TIDINGS_CHROMIUM := $(CHROMIUM)
# Playwright drives the binary above; it must never fetch a browser build of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

test-server test-tools: install-chromium

.PHONY: install-chromium
install-chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  echo "installing Debian's chromium (apt-get)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi
	@chromium --version
