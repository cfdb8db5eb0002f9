"""The store edge's Kustomize base and overlays: every one renders (kubectl kustomize),
every object validates against the Kubernetes schemas offline (kubernetes-validate), and
the edge's rules hold: small memory, probes, one beat, non-root, egress to HQ and DNS only."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

K8S = Path(__file__).parents[2] / "deploy" / "k8s"
KUSTOMIZATIONS = sorted(p.parent for p in K8S.rglob("kustomization.yaml"))
KUBERNETES = "1.32.0"


def render(directory: Path) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl renders the manifests (make test installs kubernetes-client)"
    out = subprocess.run([kubectl, "kustomize", str(directory)], capture_output=True,
                         text=True, check=True, timeout=60).stdout  # fmt: skip
    return [doc for doc in yaml.safe_load_all(out) if doc]


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
