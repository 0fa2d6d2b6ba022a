# Schemathesis at nightly size: many more examples per operation than `make test` runs (40),
# with the same pinned resources (tests/contract/schemathesis.toml). Not part of `make test`.
CONTRACT_DEEP_EXAMPLES ?= 400

.PHONY: contract-deep
contract-deep: $(VENV)/.synced
	TIDINGS_CONTRACT_EXAMPLES=$(CONTRACT_DEEP_EXAMPLES) $(RUN) pytest tests/contract -q
