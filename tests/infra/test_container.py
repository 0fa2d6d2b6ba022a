"""The Dockerfile (hadolint + our rules) and compose.yaml (Compose specification schema + our
rules), each shown failing on a defect."""

from __future__ import annotations

import re
from pathlib import Path

import deploycheck
import pytest
import yaml

DOCKERFILE = deploycheck.REPO / "Dockerfile"
COMPOSE = deploycheck.REPO / "compose.yaml"


def test_the_dockerfile_passes_hadolint_and_our_rules() -> None:
    deploycheck.check_dockerfile()


def test_hadolint_fails_an_unpinned_apt_install(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    text = DOCKERFILE.read_text()
    bad.write_text(
        text.replace("WORKDIR /src", "RUN apt-get update && apt-get install -y git\nWORKDIR /src", 1)
    )
    with pytest.raises(deploycheck.CheckError, match="DL3008"):
        deploycheck.check_dockerfile(bad)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda t: re.sub(r"(?m)^USER .*$", "USER root", t), "non-root USER"),
        (lambda t: re.sub(r"(?m)^USER .*\n", "", t), "non-root USER"),
        (lambda t: t.replace("ENTRYPOINT", "RUN pip install httpie\nENTRYPOINT"), "build tools"),
        (lambda t: t.replace("/healthz", "/readyz"), "HEALTHCHECK on /healthz"),
        (lambda t: t.replace('CMD ["serve"]', 'CMD ["dev"]'), 'CMD must be \\["serve"\\]'),
        (lambda t: t.replace('ENTRYPOINT ["tidings-server"]', 'ENTRYPOINT ["sh"]'), "ENTRYPOINT"),
        (lambda t: t[t.index("FROM ${PYTHON_IMAGE} AS runtime") :], "multi-stage"),
    ],
)
def test_the_dockerfile_rules_catch_each_defect(edit: object, problem: str) -> None:
    assert callable(edit)
    problems = deploycheck.dockerfile_rules(edit(DOCKERFILE.read_text()))
    assert any(re.search(problem, p) for p in problems), problems


def test_compose_matches_the_specification_schema_and_our_rules() -> None:
    deploycheck.check_compose()


def test_the_compose_schema_rejects_an_invalid_file(tmp_path: Path) -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    compose["services"]["tidings"]["depends_on"]["migrate"]["condition"] = "service_finished"
    bad = tmp_path / "compose.yaml"
    bad.write_text(yaml.safe_dump(compose))
    with pytest.raises(deploycheck.CheckError, match="service_finished"):
        deploycheck.check_compose(bad)


def test_the_compose_rules_reject_a_literal_secret_and_a_missing_migration_step() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"] = "hunter2"
    del compose["services"]["tidings"]["depends_on"]["migrate"]
    problems = deploycheck.compose_rules(compose)
    assert any("POSTGRES_PASSWORD" in p for p in problems), problems
    assert any("wait for migrate" in p for p in problems), problems


def test_promtool_rejects_a_broken_prometheus_configuration(promtool: str, tmp_path: Path) -> None:
    config = tmp_path / "prometheus.yml"
    config.write_text((deploycheck.REPO / "infra" / "compose" / "prometheus.yml").read_text() + "bogus: 1\n")
    with pytest.raises(deploycheck.CheckError, match="field bogus not found"):
        deploycheck.check_compose(prometheus_config=config)
