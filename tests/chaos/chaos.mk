# The chaos suite (tests/chaos): a real two-worker stack on its own NATS and PostgreSQL, faults
# under load, figures in tests/chaos/RESULTS.md. `make test-server` collects it too (pytest's
# testpaths include tests/), so `make test` runs it once, at 1,000 events per scenario (the
# whole suite within 5 minutes on a busy 2-core machine); `make chaos` runs it alone at the
# issue's 5,000.
#
#   make chaos          the chaos suite alone (TIDINGS_CHAOS_EVENTS per scenario, default 5000)

CHAOS_EVENTS ?= 5000

.PHONY: chaos
chaos: $(VENV)/.synced
	TIDINGS_CHAOS_EVENTS=$(CHAOS_EVENTS) $(RUN) pytest tests/chaos -q
