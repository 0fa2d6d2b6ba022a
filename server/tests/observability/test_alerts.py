"""infra/: the alert rules fire in promtool unit tests (property 28), and the rules and the
Grafana dashboard only query metrics of the catalog."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tidings_server.observability.metrics import CATALOG, LATENCY_SLO_SECONDS

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "infra" / "prometheus" / "alerts.yaml"
RULE_TESTS = ROOT / "infra" / "prometheus" / "alerts_test.yaml"
DASHBOARD = ROOT / "infra" / "grafana" / "tidings.json"
SERIES = {series for spec in CATALOG for series in spec.series}
METRIC_NAME = re.compile(r"\btidings_[a-z0-9_]+")


def promtool() -> str:
    """promtool's path. Skipped without it on a developer machine; on CI (CI=true) a missing
    promtool fails, so the alert tests never silently stop running (`make install-promtool`)."""
    path = shutil.which("promtool")
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("promtool is required on CI: make install-promtool")
        pytest.skip("promtool not installed (make install-promtool)")
    return path


def rules() -> list[dict[str, Any]]:
    doc = yaml.safe_load(RULES.read_text())
    return [rule for group in doc["groups"] for rule in group["rules"]]


def test_property_28_alert_generation_promtool_rules_are_valid() -> None:
    result = subprocess.run(
        [promtool(), "check", "rules", str(RULES)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_property_28_alert_generation_promtool_unit_tests_pass() -> None:
    result = subprocess.run(
        [promtool(), "test", "rules", str(RULE_TESTS)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_property_28_alert_generation_each_alert_fires_and_stays_quiet_in_a_test() -> None:
    """Every alert has a test where it fires and one where it does not."""
    cases = [
        case
        for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
    ]
    for rule in rules():
        name = rule["alert"]
        assert any(c["alertname"] == name and c.get("exp_alerts") for c in cases), f"{name} never fires"
        assert any(c["alertname"] == name and not c.get("exp_alerts") for c in cases), f"{name} never quiet"


def test_the_required_conditions_have_alerts() -> None:
    names = {rule["alert"] for rule in rules()}
    assert {
        "TidingsHighErrorRate",
        "TidingsLatencySLOBurnFast",
        "TidingsLatencySLOBurnSlow",
        "TidingsSlowConsumerDisconnects",
        "TidingsJetStreamDown",
        "TidingsDurableConsumerLagging",
        "TidingsDeadLettersGrowing",
        "TidingsBillingSyncFailing",
        "TidingsWebhookSignatureFailures",
        "TidingsTenantsNearLimit",
    } <= names
    for rule in rules():
        assert rule["labels"]["severity"] in {"page", "ticket", "info"}
        assert rule["annotations"]["summary"]


def test_alert_rules_only_use_catalog_metrics() -> None:
    used = {name for rule in rules() for name in METRIC_NAME.findall(rule["expr"])}
    assert used
    assert used - SERIES == set()


def test_the_latency_slo_rules_use_the_catalog_objective() -> None:
    slo_rules = [rule["expr"] for rule in rules() if "LatencySLO" in rule["alert"]]
    assert slo_rules
    for expr in slo_rules:
        assert f'le="{LATENCY_SLO_SECONDS}"' in expr


def dashboard_exprs() -> list[str]:
    doc = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in doc["panels"] for target in panel.get("targets", [])]


def test_the_dashboard_only_uses_catalog_metrics() -> None:
    used = {name for expr in dashboard_exprs() for name in METRIC_NAME.findall(expr)}
    assert used - SERIES == set()


def test_the_dashboard_shows_the_main_figures() -> None:
    used = {name for expr in dashboard_exprs() for name in METRIC_NAME.findall(expr)}
    catalog_names = {spec.name for spec in CATALOG}
    shown = {spec.name for spec in CATALOG if set(spec.series) & used}
    assert catalog_names - shown == set()


def test_dashboard_panels_have_unique_ids_and_a_datasource_variable() -> None:
    doc = json.loads(DASHBOARD.read_text())
    ids = [panel["id"] for panel in doc["panels"]]
    assert len(ids) == len(set(ids))
    assert doc["templating"]["list"][0]["type"] == "datasource"
    for panel in doc["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}"
