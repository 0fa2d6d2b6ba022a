"""The kustomize manifests: the base is the chart's render, each overlay builds into valid objects
that make the same decisions as the chart with the matching values file; drift is caught."""

from __future__ import annotations

import shutil
from pathlib import Path

import deploycheck
import pytest


def test_every_overlay_builds_validates_and_agrees_with_the_chart(kustomize: str) -> None:
    assert set(deploycheck.check_kustomize()) == {"dev", "staging", "production"}


def test_an_overlay_that_drifts_from_its_values_file_fails(kustomize: str, tmp_path: Path) -> None:
    root = tmp_path / "k8s"
    shutil.copytree(deploycheck.K8S, root)
    overlay = root / "overlays" / "production" / "kustomization.yaml"
    overlay.write_text(overlay.read_text().replace("TIDINGS_DRAIN_SECONDS=15", "TIDINGS_DRAIN_SECONDS=14"))
    with pytest.raises(deploycheck.CheckError, match="production: config differs from the chart"):
        deploycheck.check_kustomize(root)


def test_a_stale_base_fails(kustomize: str, tmp_path: Path) -> None:
    root = tmp_path / "k8s"
    shutil.copytree(deploycheck.K8S, root)
    env = root / "base" / "config.env"
    env.write_text(env.read_text().replace("TIDINGS_LOG_LEVEL=info", "TIDINGS_LOG_LEVEL=debug"))
    with pytest.raises(deploycheck.CheckError, match=r"base/config.env is not the chart's render"):
        deploycheck.check_kustomize(root)
