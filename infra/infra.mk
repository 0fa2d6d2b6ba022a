# infra: Prometheus alert rules (+ promtool unit tests) and the Grafana dashboard. Included by the
# root Makefile.
#
#   make test-alerts     promtool check + unit tests of infra/prometheus/alerts.yaml
#   make install-promtool  promtool from Debian's `prometheus` package when it is missing (as root)
#
# promtool is a Go binary no Python wheel ships, so it comes from the system packages. Without it
# (and without root to install it) the alert suites are skipped on a developer machine; on CI
# (CI=true) they fail instead, so a missing tool never passes for green.

PROMTOOL ?= promtool
ALERT_RULES := infra/prometheus/alerts.yaml
ALERT_TESTS := infra/prometheus/alerts_test.yaml

.PHONY: install-promtool test-alerts
TEST_SUITES += test-alerts

# The server's pytest suite runs the same promtool tests (property 28), so install first.
test-server: install-promtool

install-promtool:
	@if command -v $(PROMTOOL) >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else echo "install-promtool: promtool missing and no root; 'apt-get install prometheus' to run the alert tests" >&2; exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "install-promtool: no apt-get here; install promtool (Prometheus 2.x) by hand" >&2; exit 0; fi; \
	echo "install-promtool: installing Debian's prometheus package for promtool"; \
	$$SUDO apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null; \
	command -v $(PROMTOOL) >/dev/null

test-alerts: install-promtool
	@if ! command -v $(PROMTOOL) >/dev/null 2>&1; then \
	  if [ "$${CI:-}" = true ]; then echo "test-alerts: promtool is required on CI" >&2; exit 1; fi; \
	  echo "test-alerts: SKIPPED (no promtool)"; exit 0; fi; \
	$(PROMTOOL) check rules $(ALERT_RULES) && $(PROMTOOL) test rules $(ALERT_TESTS)
