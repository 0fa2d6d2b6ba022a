# billing: stripe-mock, Stripe's official mock of its API, for the billing tests. Included by the
# root Makefile.
#
#   make install-stripe-mock   go install stripe-mock (pinned) into .tools/go/bin
#
# stripe-mock validates every request against Stripe's own API definition. It is a Go program
# no Python wheel ships, so it is built from the Go module proxy with the machine's Go. The
# server tests start it on a free port (server/tests/billing/conftest.py); without it (and
# without Go) those tests are skipped on a developer machine and fail on CI (CI=true).

STRIPE_MOCK_VERSION := v0.203.0
STRIPE_MOCK := $(TOOLS)/go/bin/stripe-mock
# stripe-mock built by `go install` reports its version as "master": a stamp names the pin.
STRIPE_MOCK_STAMP := $(TOOLS)/go/.stripe-mock-$(STRIPE_MOCK_VERSION)

.PHONY: install-stripe-mock

test-server test-tools: install-stripe-mock

install-stripe-mock:
	@if [ -x $(STRIPE_MOCK) ] && [ -f $(STRIPE_MOCK_STAMP) ]; then exit 0; fi; \
	if ! command -v go >/dev/null 2>&1; then \
	  echo "install-stripe-mock: no Go toolchain; the Stripe tests will be skipped (CI fails them)" >&2; exit 0; fi; \
	echo "install-stripe-mock: go install github.com/stripe/stripe-mock@$(STRIPE_MOCK_VERSION)"; \
	GOBIN=$(abspath $(TOOLS)/go/bin) GOFLAGS=-buildvcs=false go install github.com/stripe/stripe-mock@$(STRIPE_MOCK_VERSION) \
	  && touch $(STRIPE_MOCK_STAMP)
