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
test-server test-tools: install-promtool

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

# ---------------------------------------------------------------------------------------------
# Deployment artefacts: container image, Compose, Helm chart, kustomize manifests, Terraform.
#
#   make install-helm    go install helm (pinned) into .tools/go/bin (a stamp names the pin)
#   make test-deploy     helm lint + helm template (every values file) and kustomize build (every
#                        overlay) through kubernetes-validate; compose.yaml against the Compose
#                        specification schema; hadolint on the Dockerfile; terraform fmt -check
#                        (when a terraform/tofu CLI is on PATH) and the Terraform property tests
#
# helm is a Go program no Python wheel ships: built once from the Go module proxy with the
# machine's Go, like stripe-mock (server/billing.mk). kustomize is kubectl's built-in
# (`kubectl kustomize`) or the helm-free kustomize binary when one is on PATH.

HELM_VERSION := v4.3.2
HELM := $(TOOLS)/go/bin/helm
HELM_STAMP := $(TOOLS)/go/.helm-$(HELM_VERSION)

.PHONY: install-helm
install-helm:
	@if [ -x $(HELM) ] && [ -f $(HELM_STAMP) ]; then exit 0; fi; \
	if ! command -v go >/dev/null 2>&1; then \
	  echo "install-helm: no Go toolchain; the chart checks will be skipped (CI fails them)" >&2; exit 0; fi; \
	echo "install-helm: go install helm.sh/helm/v4/cmd/helm@$(HELM_VERSION) (a few minutes, once)"; \
	GOBIN=$(abspath $(TOOLS)/go/bin) GOFLAGS=-buildvcs=false go install helm.sh/helm/v4/cmd/helm@$(HELM_VERSION) \
	  && touch $(HELM_STAMP)

DEPLOYCHECK := $(RUN) python infra/tools/deploycheck.py

.PHONY: test-deploy k8s-base lint-deploy
TEST_SUITES += test-deploy
LINT_SUITES += lint-deploy

# infra/tools is outside the root lint's folders; mypy covers it through pyproject's files.
lint-deploy: $(VENV)/.synced
	$(RUN) ruff check infra/tools
	$(RUN) ruff format --check infra/tools

# The chart tests in tests/infra (part of the server's pytest run) need helm too.
test-server test-tools: install-helm

# Offline checks of Dockerfile, compose.yaml, the chart (every values file), the kustomize overlays
# and the Terraform modules (property 1). A missing tool skips its check here and fails it on CI.
test-deploy: $(VENV)/.synced install-helm install-promtool
	TF_CLI_CONFIG_FILE=/dev/null $(DEPLOYCHECK) all

# Regenerate infra/k8s/base from the chart's defaults (test-deploy fails while it is stale).
k8s-base: $(VENV)/.synced install-helm
	$(DEPLOYCHECK) k8s-base
