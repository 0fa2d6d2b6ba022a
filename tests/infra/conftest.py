"""Deployment artefact tests: they call infra/tools/deploycheck.py (also `make test-deploy`),
registered here as the module `deploycheck`."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "infra" / "tools" / "deploycheck.py"
_SPEC = importlib.util.spec_from_file_location("deploycheck", _PATH)
assert _SPEC is not None
assert _SPEC.loader is not None
deploycheck = importlib.util.module_from_spec(_SPEC)
sys.modules["deploycheck"] = deploycheck
_SPEC.loader.exec_module(deploycheck)


def require_tool(name: str, hint: str) -> str:
    """The tool's path; a missing tool skips on a developer machine and fails on CI."""
    found = deploycheck.tool(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is required on CI ({hint})")
        pytest.skip(f"{name} is not installed ({hint})")
    return found


@pytest.fixture
def helm() -> str:
    return require_tool("helm", "make install-helm")


@pytest.fixture
def kustomize(helm: str) -> str:
    return deploycheck.tool("kustomize") or require_tool("kubectl", "kubectl with its built-in kustomize")


@pytest.fixture
def promtool() -> str:
    return require_tool("promtool", "make install-promtool")
