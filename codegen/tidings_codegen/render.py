"""Run the tasks of a codegen config: load the specs once, render each template folder.

A task is a language, a folder of Jinja templates and an output folder; `X.j2` in the template
folder becomes `X` in the output folder. The output folder belongs to codegen: files there that
no template produced any more are deleted, so a removed model cannot linger.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

from . import ir
from .lang_common import Adapter
from .lang_python import Python
from .lang_rust import Rust
from .lang_typescript import TypeScript
from .loader import PaginationConvention, load_api

__all__ = ["Task", "generate", "load_config", "render_task"]

ADAPTERS: dict[str, type[Adapter]] = {"typescript": TypeScript, "rust": Rust, "python": Python}


@dataclass(frozen=True)
class Task:
    language: str
    templates: Path  # absolute
    output: str  # relative to the output root
    # A formatter fed each rendered file on stdin (e.g. rustfmt), so output is what `fmt --check` wants.
    formatter: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    root: Path
    api_args: dict[str, Any]
    tasks: tuple[Task, ...]


def load_config(path: Path) -> Config:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    here = path.parent.resolve()
    root = (here / raw.get("root", ".")).resolve()
    sources = raw["sources"]
    api_args = {
        "openapi": sources["openapi"],
        "asyncapi": sources.get("asyncapi"),
        "errors": sources.get("errors"),
        "schema_files": tuple(sources.get("schemas", ())),
        "pagination": PaginationConvention(**raw.get("pagination", {})),
        "frame_unions": raw.get("frame_unions", {}),
    }
    tasks = tuple(
        Task(t["language"], (here / t["templates"]).resolve(), t["output"], tuple(t.get("formatter", ())))
        for t in raw["tasks"]
    )
    return Config(root, api_args, tasks)


def render_task(api: ir.Api, task: Task) -> dict[str, str]:
    """File name -> content for one task, without touching the disk."""
    adapter = ADAPTERS[task.language](api)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(task.templates),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - source code, not HTML
    )
    env.filters.update(adapter.filters())
    env.tests["instanceof"] = lambda value, name: type(value).__name__ == name
    env.globals.update(
        api=api,
        ir=ir,
        lang=adapter,
        header_sources=", ".join(api.sources),
        objects=[m for m in api.models if isinstance(m, ir.ObjectModel)],
        enums=[m for m in api.models if isinstance(m, ir.EnumModel)],
        unions=[m for m in api.models if isinstance(m, ir.UnionModel)],
        aliases=[m for m in api.models if isinstance(m, ir.AliasModel)],
        paginated=[o for o in api.operations if o.pagination],
    )
    files: dict[str, str] = {}
    for template in sorted(task.templates.glob("*.j2")):
        text = env.get_template(template.name).render()
        text = "\n".join(line.rstrip() for line in text.splitlines()).rstrip("\n") + "\n"
        if task.formatter:
            text = _format(task.formatter, text)
        files[template.name.removesuffix(".j2")] = text
    return files


def _format(command: tuple[str, ...], text: str) -> str:
    # rustup installs into ~/.cargo/bin, which a non-login shell (CI) may not have on PATH.
    cargo_bin = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo")) / "bin"
    program = shutil.which(command[0]) or shutil.which(command[0], path=str(cargo_bin))
    if program is None:
        raise RuntimeError(f"codegen needs {command[0]!r} on PATH to format its output")
    result = subprocess.run([program, *command[1:]], input=text, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed on generated code:\n{result.stderr}")
    return result.stdout


def generate(config_path: Path, out_root: Path | None = None) -> list[Path]:
    """Render every task of the config; write under `out_root` (default: the config's root)."""
    config = load_config(config_path)
    api = load_api(config.root, **config.api_args)
    written: list[Path] = []
    for task in config.tasks:
        folder = (out_root or config.root) / task.output
        files = render_task(api, task)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in sorted(folder.iterdir()):
            if stale.is_file() and stale.name not in files:
                stale.unlink()
        for name, text in files.items():
            target = folder / name
            # Write only on change: keeps mtimes (and so incremental builds) stable.
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                target.write_text(text, encoding="utf-8")
            written.append(target)
    return written
