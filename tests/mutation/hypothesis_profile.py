"""pytest plugin for mutant runs: Hypothesis derandomized, so that a mutant is killed or survives
the same way on every run (the normal test runs keep random examples, to keep finding new ones)."""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("mutation", derandomize=True, database=None, deadline=None)
settings.load_profile("mutation")
