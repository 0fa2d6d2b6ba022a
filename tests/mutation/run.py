"""Mutation testing of the security- and delivery-critical cores, with cosmic-ray.

    python tests/mutation/run.py                 every module of modules.toml (`make mutation`)
    python tests/mutation/run.py --sample        the modules marked `sample` (`make mutation-check`)
    python tests/mutation/run.py topics grants   the named modules

Each module is mutated in a scratch copy of the repository (never in the working tree, so an
interrupted run leaves nothing mutated behind), and each mutant runs only the pure tests listed
for its module. A module passes when at least 90 % of its mutants are killed and every survivor
is listed in tests/mutation/equivalent.md with the reason it cannot change behaviour. The table
printed at the end is the score per module; survivors are shown as diffs.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cosmic_ray.work_db import use_db
from cosmic_ray.work_item import WorkerOutcome, WorkResult

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
THRESHOLD = 0.90
# Bounds one mutant (a mutant that loops forever counts as killed by the timeout).
MUTANT_TIMEOUT_SECONDS = 120.0
COPIED = ("server/src", "server/tests", "spec", "tests/mutation", "pyproject.toml")
IGNORED = shutil.ignore_patterns("__pycache__", ".hypothesis", "*.pyc", "node_modules", ".mypy_cache")
# `- `key` — reason` lines of equivalent.md; a key is `module:line:column operator`.
EQUIVALENT_LINE = re.compile(r"- `(?P<key>[^`]+)`\s+(?:—|--)\s+(?P<reason>\S.*)")


@dataclass(frozen=True)
class Module:
    name: str
    path: str
    tests: tuple[str, ...]
    sample: bool


@dataclass
class Mutant:
    key: str
    outcome: str  # killed | survived | incompetent
    diff: str


@dataclass
class Score:
    module: Module
    mutants: list[Mutant] = field(default_factory=list)
    in_annotations: int = 0
    error: str = ""

    @property
    def killed(self) -> int:
        return sum(m.outcome != "survived" for m in self.mutants)

    @property
    def ratio(self) -> float:
        return self.killed / len(self.mutants) if self.mutants else 0.0

    def survivors(self) -> list[Mutant]:
        return [m for m in self.mutants if m.outcome == "survived"]


def load_modules() -> dict[str, Module]:
    table = tomllib.loads((HERE / "modules.toml").read_text())
    return {
        name: Module(name, spec["path"], tuple(spec["tests"]), bool(spec.get("sample", False)))
        for name, spec in table.items()
    }


def load_equivalent(text: str) -> dict[str, str]:
    """Accepted survivors: key -> reason. A line that looks like an entry but has no reason is an
    error, so that no survivor is accepted without one."""
    accepted: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("- `"):
            continue
        match = EQUIVALENT_LINE.fullmatch(line.strip())
        if match is None:
            raise SystemExit(f"equivalent.md:{number}: expected '- `key` — reason', got {line!r}")
        accepted[match["key"]] = match["reason"]
    return accepted


def scratch_copy(into: Path) -> None:
    for part in COPIED:
        source, target = ROOT / part, into / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=IGNORED)
        else:
            shutil.copy2(source, target)


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the module's annotations are. Under `from __future__ import annotations` (every core
    module has it) they are never evaluated, so a mutant inside one cannot change behaviour."""
    tree = ast.parse(source)
    if not any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and node.names[0].name == "annotations"
        for node in tree.body
    ):
        return []
    spans = []
    for node in ast.walk(tree):
        annotations: list[ast.expr | None] = []
        if isinstance(node, ast.arg):
            annotations.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            annotations.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
        for annotation in annotations:
            if annotation is not None and annotation.end_lineno is not None:
                end_col = annotation.end_col_offset or 0
                spans.append(((annotation.lineno, annotation.col_offset), (annotation.end_lineno, end_col)))
    return spans


def in_annotation(position: tuple[int, int], spans: list[tuple[tuple[int, int], tuple[int, int]]]) -> bool:
    return any(start <= position < end for start, end in spans)


def skip_annotations(session: Path, spans: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """Mark the mutants inside annotations as skipped before any of them runs."""
    with use_db(str(session)) as db:
        for item in list(db.work_items):
            if any(in_annotation(tuple(m.start_pos), spans) for m in item.mutations):
                db.set_result(
                    item.job_id,
                    WorkResult(
                        output=None, test_outcome=None, diff=None, worker_outcome=WorkerOutcome.SKIPPED
                    ),
                )


def mutant_key(module: Module, mutation: dict[str, object]) -> str:
    line, column = mutation["start_pos"]  # type: ignore[misc]
    return f"{module.name}:{line}:{column} {mutation['operator_name']}"


def run_module(module: Module, workdir: Path) -> Score:
    config = workdir / f"{module.name}.toml"
    session = workdir / f"{module.name}.sqlite"
    command = [sys.executable, "-m", "pytest", "-c", "tests/mutation/pytest.ini", "--rootdir", "."]
    config.write_text(
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(module.path)}\n"
        f"timeout = {MUTANT_TIMEOUT_SECONDS}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(' '.join([*command, *module.tests]))}\n"
        '[cosmic-ray.distributor]\nname = "local"\n'
    )
    env = {
        **os.environ,
        # The scratch copy's package, not the editable install of the working tree.
        "PYTHONPATH": os.pathsep.join(
            [
                str(workdir / "server" / "src"),
                str(workdir / "server" / "tests"),
                str(workdir / "tests" / "mutation"),
            ]
        ),
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }

    def cosmic(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cosmic_ray.cli", *args],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    score = Score(module)
    baseline = subprocess.run(
        [*command, *module.tests], cwd=workdir, env=env, capture_output=True, text=True, check=False
    )
    if baseline.returncode != 0:
        score.error = "the unmutated tests fail:\n" + baseline.stdout[-3000:] + baseline.stderr[-2000:]
        return score
    for step in (("init", str(config), str(session)), ("exec", str(config), str(session))):
        done = cosmic(*step)
        if done.returncode != 0:
            score.error = f"cosmic-ray {step[0]} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
            return score
        if step[0] == "init":
            skip_annotations(session, annotation_spans((workdir / module.path).read_text()))
    dump = cosmic("dump", str(session))
    for line in dump.stdout.splitlines():
        item, result = json.loads(line)
        if result is None:
            continue
        if result["worker_outcome"] == WorkerOutcome.SKIPPED.value:
            score.in_annotations += 1
            continue
        mutation = item["mutations"][0]
        outcome = result.get("test_outcome") or "killed"  # a timeout or a crash is a detection
        score.mutants.append(Mutant(mutant_key(module, mutation), outcome, result.get("diff") or ""))
    return score


def report(scores: Iterable[Score], accepted: dict[str, str]) -> bool:
    ok = True
    rows = []
    listed_keys: set[str] = set()
    for score in scores:
        if score.error:
            ok = False
            print(f"\n{score.module.name}: {score.error}")
            rows.append((score.module.name, "-", "-", "-", "-", "ERROR"))
            continue
        survivors = score.survivors()
        unexplained = [m for m in survivors if m.key not in accepted]
        listed_keys |= {m.key for m in survivors if m.key in accepted}
        passed = score.ratio >= THRESHOLD and not unexplained
        ok &= passed
        for mutant in unexplained:
            print(f"\nSURVIVED {mutant.key}\n{mutant.diff}")
        rows.append(
            (
                score.module.name,
                str(len(score.mutants)),
                str(score.killed),
                f"{score.ratio:.1%}",
                str(score.in_annotations),
                ("ok" if passed else "FAIL") + (f" ({len(unexplained)} unexplained)" if unexplained else ""),
            )
        )
    stale = sorted(k for k in accepted if k.split(":", 1)[0] in {r[0] for r in rows} and k not in listed_keys)
    for key in stale:
        print(f"note: equivalent.md lists {key}, which no longer survives (remove it)")
    header = ("module", "mutants", "killed", "score", "skipped (annotations)", "result")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("modules", nargs="*", help="module names of modules.toml (default: all)")
    parser.add_argument("--sample", action="store_true", help="only the modules marked `sample`")
    parser.add_argument("--jobs", type=int, default=2, help="modules mutated at once")
    args = parser.parse_args()
    modules = load_modules()
    unknown = sorted(set(args.modules) - set(modules))
    if unknown:
        parser.error(f"unknown modules {unknown}; known: {sorted(modules)}")
    chosen = [modules[n] for n in args.modules] or [
        m for m in modules.values() if m.sample or not args.sample
    ]
    accepted = load_equivalent((HERE / "equivalent.md").read_text())
    with tempfile.TemporaryDirectory(prefix="tidings-mutation-") as tmp:
        workdirs = []
        for module in chosen:
            workdir = Path(tmp) / module.name
            scratch_copy(workdir)
            workdirs.append(workdir)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            scores = list(pool.map(run_module, chosen, workdirs))
    return 0 if report(scores, accepted) else 1


if __name__ == "__main__":
    sys.exit(main())
