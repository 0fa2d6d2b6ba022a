# Mutation testing (cosmic-ray) of the security- and delivery-critical cores. Included by the root
# Makefile. How to read a survivor: docs/testing.md.
#
#   make mutation         every core of tests/mutation/modules.toml (tens of minutes on 2 cores)
#   make mutation-check   the fixed sample marked `sample` in modules.toml (part of `make test`)

.PHONY: mutation mutation-check
TEST_SUITES += mutation-check

mutation: $(VENV)/.synced
	$(RUN) python tests/mutation/run.py

mutation-check: $(VENV)/.synced
	$(RUN) python tests/mutation/run.py --sample
