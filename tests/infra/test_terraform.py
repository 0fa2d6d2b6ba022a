"""Terraform: every file parses as HCL and is formatted (`terraform fmt -check` when a CLI is on
PATH), and property 1, Terraform module completeness, holds for the modules and example roots.
Hypothesis applies one random defect at a time to a copy of the tree and the property must report
it: a check that cannot fail would pass those too."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import deploycheck
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = deploycheck.TERRAFORM
MODULES = deploycheck.TERRAFORM_MODULES
EXAMPLES = tuple(sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_dir()))


def _variables(module: str) -> list[str]:
    return re.findall(
        r'(?m)^variable "([a-z_0-9]+)"', (ROOT / "modules" / module / "variables.tf").read_text()
    )


def _outputs(module: str) -> list[str]:
    return re.findall(r'(?m)^output "([a-z_0-9]+)"', (ROOT / "modules" / module / "outputs.tf").read_text())


def _required(module: str) -> list[str]:
    parsed = deploycheck.parse_hcl(ROOT / "modules" / module / "variables.tf")
    return sorted(n for n, body in deploycheck._blocks(parsed, "variable").items() if "default" not in body)


def _drop_attr(path: Path, block: str, attr: str) -> None:
    """Delete `attr = ...` (one line) from the block that starts with `block {`."""
    lines = path.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(block + " {"))
    for i in range(start + 1, len(lines)):
        if lines[i].startswith("}"):
            raise AssertionError(f"{attr} not found in {block}")
        if re.match(rf"\s*{attr}\s*=", lines[i]):
            # The attribute's value may span lines (`type = object({ ... })`): up to balance.
            end, depth = i, 0
            while True:
                depth += lines[end].count("{") + lines[end].count("(") + lines[end].count("[")
                depth -= lines[end].count("}") + lines[end].count(")") + lines[end].count("]")
                if depth <= 0:
                    break
                end += 1
            del lines[i : end + 1]
            break
    path.write_text("".join(lines))


Defect = tuple[str, Callable[[Path], None], str]


@st.composite
def defects(draw: st.DrawFn) -> Defect:
    """One defect: (what it is, how to apply it to a copy of infra/terraform, what the report names)."""
    module = draw(st.sampled_from(MODULES))
    kind = draw(
        st.sampled_from(
            [
                "variable-description",
                "variable-type",
                "output-description",
                "file",
                "unwired",
                "region",
                "credential",
                "provider-version",
                "unused-module",
            ]
        )
    )
    where = f"modules/{module}"
    if kind in ("variable-description", "variable-type"):
        var = draw(st.sampled_from(_variables(module)))
        attr = kind.split("-")[1]
        return kind, lambda r: _drop_attr(r / where / "variables.tf", f'variable "{var}"', attr), var
    if kind == "output-description":
        out = draw(st.sampled_from(_outputs(module)))
        return kind, lambda r: _drop_attr(r / where / "outputs.tf", f'output "{out}"', "description"), out
    if kind == "file":
        name = draw(st.sampled_from(["variables.tf", "outputs.tf", "versions.tf", "README.md", "main.tf"]))
        return kind, lambda r: (r / where / name).unlink(), name
    if kind == "provider-version":
        return kind, lambda r: _drop_attr_nested(r / where / "versions.tf", "version"), where
    example = draw(st.sampled_from(EXAMPLES))
    main = f"examples/{example}/main.tf"
    if kind == "unwired":
        var = draw(st.sampled_from(_required(module)))
        return kind, lambda r: _drop_attr(r / main, f'module "{module}"', var), var
    if kind == "unused-module":
        return kind, lambda r: _drop_module(r / main, module), f"does not use module {module}"
    target = draw(st.sampled_from([f"{where}/main.tf", main]))
    if kind == "region":
        region = draw(st.sampled_from(["eu-west-1", "us-east-2", "ap-southeast-1"]))
        line = f'locals {{\n  pinned_region = "{region}"\n}}\n'
        return kind, lambda r: _append(r / target, line), "hard-coded region"
    secret = draw(
        st.sampled_from(
            ['password = "hunter2"', 'token = "tok_live_1"', 'access_key = "AKIAABCDEFGHIJKLMNOP"']
        )
    )
    return kind, lambda r: _append(r / target, f"locals {{\n  {secret}\n}}\n"), "hard-coded credential"


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + "\n" + text)


def _drop_attr_nested(path: Path, attr: str) -> None:
    text = path.read_text()
    path.write_text(re.sub(rf"(?m)^\s*{attr}\s*=.*\n", "", text, count=1))


def _drop_module(path: Path, module: str) -> None:
    text = path.read_text()
    path.write_text(re.sub(rf'(?ms)^module "{module}" \{{.*?^\}}\n', "", text))


def test_every_file_parses_as_hcl_and_is_formatted() -> None:
    files = deploycheck.load_tree(ROOT)
    assert len(files) >= 5 * 4 + 3 * 4
    ran_fmt = deploycheck.check_terraform()
    if not ran_fmt:
        pytest.skip("no terraform/tofu CLI on PATH: fmt -check not run (the HCL parse and the property ran)")


def test_an_unparsable_file_fails(tmp_path: Path) -> None:
    bad = tmp_path / "main.tf"
    bad.write_text('resource "aws_vpc" "x" {\n  cidr_block = \n')
    with pytest.raises(deploycheck.CheckError, match="not valid HCL"):
        deploycheck.parse_hcl(bad)


def test_property_01_terraform_module_completeness() -> None:
    """Property 1: every module has variables/outputs/versions/README, every variable a type and a
    description, every output a description, every provider pinned, every required input of every
    module wired in every example, no hard-coded region or credential."""
    assert deploycheck.terraform_completeness(ROOT) == []


@settings(max_examples=40, deadline=None)
@given(defect=defects())
def test_property_01_terraform_module_completeness_reports_every_defect(defect: Defect) -> None:
    kind, apply, mention = defect
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "terraform"
        shutil.copytree(ROOT, root)
        apply(root)
        problems = deploycheck.terraform_completeness(root)
    assert any(mention in p for p in problems), (kind, mention, problems)
