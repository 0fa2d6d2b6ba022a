"""The Helm chart: `helm lint` and `helm template` for the defaults and every values file, each
object validated against the Kubernetes schemas (strict) and our deployment rules; each check is
shown failing on a defect rendered through the real chart."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import deploycheck
import pytest
import yaml


def test_the_chart_lints_and_renders_valid_objects_for_every_values_file(helm: str) -> None:
    counts = deploycheck.check_helm()
    assert set(counts) == {"default", "dev", "staging", "production"}
    kinds = {d["kind"] for d in yaml.safe_load_all(deploycheck.helm_template()) if d}
    assert kinds == {
        "ConfigMap",
        "Deployment",
        "HorizontalPodAutoscaler",
        "Ingress",
        "Job",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "PrometheusRule",
        "Service",
        "ServiceAccount",
        "ServiceMonitor",
    }


def test_the_schema_rejects_a_wrong_type_rendered_by_the_chart(helm: str) -> None:
    text = deploycheck.helm_template(sets=["ports.http=http-port"])
    with pytest.raises(deploycheck.CheckError, match=r"Deployment/tidings \(Kubernetes 1\.\d+\.0\) at spec"):
        deploycheck.validate_manifests(text)


def test_strict_validation_rejects_an_unknown_field(helm: str) -> None:
    docs = [d for d in yaml.safe_load_all(deploycheck.helm_template()) if d]
    service = next(d for d in docs if d["kind"] == "Service")
    service["spec"]["sessionAfinity"] = "ClientIP"
    with pytest.raises(deploycheck.CheckError, match="sessionAfinity"):
        deploycheck.validate_manifests(yaml.safe_dump(service))


def test_our_crd_schemas_reject_an_unknown_field(helm: str) -> None:
    docs = [d for d in yaml.safe_load_all(deploycheck.helm_template()) if d]
    monitor = next(d for d in docs if d["kind"] == "ServiceMonitor")
    monitor["spec"]["endpoints"][0]["intervall"] = "15s"
    rule = next(d for d in docs if d["kind"] == "PrometheusRule")
    rule["spec"]["groups"][0]["rules"][0]["for"] = "five minutes"
    with pytest.raises(deploycheck.CheckError) as caught:
        deploycheck.validate_manifests(yaml.safe_dump_all([monitor, rule]))
    assert "intervall" in str(caught.value)
    assert "five minutes" in str(caught.value)


def test_a_grace_period_shorter_than_the_drain_is_caught(helm: str) -> None:
    docs = [
        d for d in yaml.safe_load_all(deploycheck.helm_template(sets=["shutdown.extraGraceSeconds=-12"])) if d
    ]
    problems = deploycheck.deployment_rules(docs)
    assert any(
        re.search(r"terminationGracePeriodSeconds 8 < preStop 5 \+ drain 10 \+ 5", p) for p in problems
    )


def test_the_rules_catch_rendered_secrets_wrong_probes_and_websocket_routing(helm: str) -> None:
    docs = [d for d in yaml.safe_load_all(deploycheck.helm_template()) if d]
    assert deploycheck.deployment_rules(docs) == []
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    server = deployment["spec"]["template"]["spec"]["containers"][0]
    server["readinessProbe"]["httpGet"]["path"] = "/healthz"
    server["env"][1] = {"name": "TIDINGS_API_KEY_PEPPER", "value": "x" * 32}
    ingress = next(d for d in docs if d["kind"] == "Ingress")
    ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"]["name"] = "http"
    docs.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "leak"}, "data": {}})
    problems = "\n".join(deploycheck.deployment_rules(docs))
    assert "readiness must probe /readyz" in problems
    assert "TIDINGS_API_KEY_PEPPER must come from a Secret" in problems
    assert "/v1/projects/*/ws must route to the gateway port" in problems
    assert "Secret/leak: secrets are referenced, never rendered" in problems


def test_the_prometheus_rule_is_infra_prometheus_alerts(helm: str) -> None:
    docs = [d for d in yaml.safe_load_all(deploycheck.helm_template()) if d]
    rule = next(d for d in docs if d["kind"] == "PrometheusRule")
    rule["spec"]["groups"][0]["rules"].pop()
    assert any("differ from infra/prometheus/alerts.yaml" in p for p in deploycheck.deployment_rules(docs))


def test_the_chart_refuses_a_missing_secret_reference(helm: str) -> None:
    with pytest.raises(deploycheck.CheckError, match=r"secrets\.existingSecret must name an existing Secret"):
        deploycheck.helm_template(sets=["secrets.existingSecret="])


def test_every_values_key_is_documented_and_an_undocumented_one_is_caught() -> None:
    text = (deploycheck.CHART / "values.yaml").read_text()
    assert deploycheck.undocumented_values(text) == []
    stripped = text.replace("  # -- Kubernetes image pull policy.\n", "").replace(
        "# -- Number of API/gateway pods when the HPA is off (`autoscaling.enabled: false`).\n", ""
    )
    assert deploycheck.undocumented_values(stripped) == ["replicaCount", "image.pullPolicy"]


def test_promtool_rejects_a_broken_rule_in_the_prometheus_rule(helm: str, promtool: str) -> None:
    docs = [d for d in yaml.safe_load_all(deploycheck.helm_template()) if d]
    rule = next(d for d in docs if d["kind"] == "PrometheusRule")
    rule["spec"]["groups"][0]["rules"][0]["expr"] = "sum(rate(tidings_http_requests_total[5m]"
    problems = "\n".join(deploycheck.deployment_rules(docs))
    assert "promtool check rules" in problems
    assert "unclosed left parenthesis" in problems


def test_a_stale_copy_of_the_alert_rules_in_the_chart_is_caught(tmp_path: Path) -> None:
    assert deploycheck.chart_alerts_problems() == []
    chart = tmp_path / "tidings"
    shutil.copytree(deploycheck.CHART, chart)
    copy = chart / "files" / "alerts.yaml"
    copy.write_text(copy.read_text().replace("for: 5m", "for: 10m", 1))
    assert deploycheck.chart_alerts_problems(chart) == [
        "infra/helm/tidings/files/alerts.yaml differs from infra/prometheus/alerts.yaml (copy it)"
    ]
