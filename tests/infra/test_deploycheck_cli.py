"""`make test-deploy` runs deploycheck's command line: a failing check fails it, and a missing
tool skips its check on a developer machine but fails it on CI, so a missing tool never passes
for green there."""

from __future__ import annotations

from pathlib import Path

import deploycheck
import pytest


def test_a_missing_tool_skips_locally_and_fails_on_ci(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(deploycheck, "tool", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    assert deploycheck.main(["deploycheck", "dockerfile"]) == 0
    assert "dockerfile: SKIPPED: hadolint is not installed" in capsys.readouterr().err
    monkeypatch.setenv("CI", "true")
    assert deploycheck.main(["deploycheck", "dockerfile"]) == 1
    assert "dockerfile: FAILED: hadolint is not installed" in capsys.readouterr().err


def test_a_failing_check_fails_the_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text('FROM python:3.12-slim\nCMD ["serve"]\n')
    monkeypatch.setattr(deploycheck, "REPO", tmp_path)
    monkeypatch.setattr(deploycheck.check_dockerfile, "__defaults__", (bad,))
    assert deploycheck.main(["deploycheck", "dockerfile"]) == 1
    assert "multi-stage" in capsys.readouterr().err
