# The chaos suite (tests/chaos): a real two-worker stack on its own NATS and PostgreSQL, faults
# under load, figures in tests/chaos/RESULTS.md. `make test-server` collects it too (pytest's
# testpaths include tests/), so `make test` runs it once; `make chaos` runs it alone.
#
#   make chaos          the chaos suite alone (TIDINGS_CHAOS_EVENTS per scenario, default 5000)

.PHONY: chaos
chaos: $(VENV)/.synced
	$(RUN) pytest tests/chaos -q
