# The attack suite (tests/attack/): hostile input (input/) and privilege escalation (security/)
# against a live server on real NATS and PostgreSQL. `make test` runs it once, through pytest's
# testpaths (make test-server); `make attack` runs it alone.
.PHONY: attack
attack: $(VENV)/.synced
	$(RUN) pytest tests/attack -q
