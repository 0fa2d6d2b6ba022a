"""The generator's output for tests/fixture is exactly tests/golden, and it is deterministic.

To accept an intended change: `python codegen/generate.py --config codegen/tests/fixture/config.yaml`
and review the golden diff.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from mypy import api as mypy_api

from tidings_codegen.render import generate

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "fixture" / "config.yaml"
GOLDEN = HERE / "golden"
GENERATE = HERE.parent / "generate.py"


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("language", ["typescript", "rust", "python"])
def test_output_matches_golden(tmp_path: Path, language: str) -> None:
    generate(CONFIG, tmp_path)
    produced = tree(tmp_path / "golden" / language)
    expected = tree(GOLDEN / language)
    assert sorted(produced) == sorted(expected)
    for name, text in expected.items():
        assert produced[name] == text, f"{language}/{name} differs from the golden file"


def test_output_is_byte_identical_across_runs_and_hash_seeds(tmp_path: Path) -> None:
    # A fresh interpreter per run with a different hash seed: set or dict ordering that leaked
    # into the output would show up here.
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, str(GENERATE), "--config", str(CONFIG), "--out-root", str(out)],
            check=True,
            env=env,
        )
        outputs.append({k: v.encode() for k, v in tree(out).items()})
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 12


def test_every_generated_file_says_it_is_generated() -> None:
    for name, text in tree(GOLDEN).items():
        first = text.splitlines()[0]
        assert "Generated from fixture/openapi.yaml" in first, name
        assert "do not edit" in first, name


def test_golden_python_passes_mypy_strict() -> None:
    stdout, stderr, status = mypy_api.run(["--strict", "--no-incremental", str(GOLDEN / "python")])
    assert status == 0, stdout + stderr


def test_regenerating_in_place_removes_stale_files(tmp_path: Path) -> None:
    generate(CONFIG, tmp_path)
    stale = tmp_path / "golden" / "python" / "removed_model.py"
    stale.write_text("# from an older template\n")
    generate(CONFIG, tmp_path)
    assert not stale.exists()
