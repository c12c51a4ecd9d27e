"""Pod (anti-)affinity and topology spread constraints: modelled by ``podfit schedule``
(no warning), still named, once per template, by the plans that do not model them."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from podfit.cli.schedule_cmd import schedule as schedule_cmd
from podfit.manifests import load_objects
from podfit.scheduler import schedule
from podfit.schemas.schedule import ScheduleResultSchema

ANTI = {
    "requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}
    ]
}
SPREAD = [
    {
        "maxSkew": 1,
        "topologyKey": "kubernetes.io/hostname",
        "whenUnsatisfiable": "DoNotSchedule",
        "labelSelector": {"matchLabels": {"app": "web"}},
    }
]


def node(name: str, cpu: str = "4") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "status": {"allocatable": {"cpu": cpu, "memory": "8Gi", "pods": "110"}},
    }


def workload(kind: str, spec_extra: dict[str, Any], replicas: int = 3) -> dict[str, Any]:
    pod_spec = {
        "containers": [{"name": "c", "resources": {"requests": {"cpu": "100m"}}}],
        **spec_extra,
    }
    if kind == "Pod":
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": pod_spec}
    return {
        "apiVersion": "batch/v1" if kind == "Job" else "apps/v1",
        "kind": kind,
        "metadata": {"name": "web"},
        "spec": {
            "parallelism" if kind == "Job" else "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec},
        },
    }


PREFERRED = {
    "preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 1, "podAffinityTerm": {"topologyKey": "zone"}}
    ]
}
CASES = [
    ("Deployment", {"affinity": {"podAntiAffinity": ANTI}},
     ["default/Deployment/web: spec.template.spec.affinity.podAntiAffinity"]),
    ("StatefulSet", {"affinity": {"podAffinity": PREFERRED}},
     ["default/StatefulSet/web: spec.template.spec.affinity.podAffinity"]),
    ("Pod", {"topologySpreadConstraints": SPREAD},
     ["default/Pod/p: spec.topologySpreadConstraints"]),
    ("Deployment", {"affinity": {"podAntiAffinity": ANTI}, "topologySpreadConstraints": SPREAD},
     ["default/Deployment/web: spec.template.spec.affinity.podAntiAffinity",
      "default/Deployment/web: spec.template.spec.topologySpreadConstraints"]),
    ("Deployment", {"affinity": {"podAntiAffinity": {}}, "topologySpreadConstraints": []}, []),
    ("Deployment", {"affinity": {"nodeAffinity": {}}}, []),
]  # fmt: skip


def _prefixes(warnings: list[str]) -> list[str]:
    return [w.split(" is not modelled")[0] for w in warnings if " is not modelled (" in w]


@pytest.mark.parametrize(("kind", "extra", "expected"), CASES)
def test_pod_affinity_and_spread_constraints_are_modelled_by_schedule(
    kind: str, extra: dict[str, Any], expected: list[str]
) -> None:
    """The loader reads pod (anti-)affinity and topology spread constraints and the
    scheduler models them (PodTopologySpread, InterPodAffinity): neither warns. The pods
    still list the paths (``Pod.unmodelled``) for the plans that do not model them."""
    loaded = load_objects([workload(kind, extra)])
    assert _prefixes(loaded.warnings) == []
    result = schedule(loaded.pods, [], daemonsets=loaded.daemonsets)
    assert _prefixes(result.warnings) == []
    doc = result.to_dict()
    assert _prefixes(doc["warnings"]) == []
    ScheduleResultSchema().load(doc)
    pod = loaded.pods[0]
    who = f"{pod.namespace}/{pod.owner or 'Pod/' + pod.name}"
    assert [f"{who}: {path}" for path in pod.unmodelled] == expected


def test_cli_schedule_prints_no_modelling_warning_and_keeps_one_per_node(tmp_path: Any) -> None:
    """podfit schedule: required anti-affinity on the hostname places one replica per
    node and leaves the third Pending with InterPodAffinity's reason, without a warning."""
    path = tmp_path / "w.yaml"
    nodes = [node("n1"), node("n2")]
    for n in nodes:
        n["metadata"]["labels"] = {"kubernetes.io/hostname": n["metadata"]["name"]}
    docs = [workload("Deployment", {"affinity": {"podAntiAffinity": ANTI}}), *nodes]
    path.write_text(yaml.safe_dump_all(docs))
    result = CliRunner().invoke(schedule_cmd, ["-f", str(path), "-o", "json"])
    assert result.exit_code == 0
    assert "not modelled" not in result.stderr
    doc = json.loads(result.stdout)
    assert _prefixes(doc["warnings"]) == []
    assert sorted(str(p["node"]) for p in doc["pods"]) == ["None", "n1", "n2"]
    pending = next(p for p in doc["pods"] if p["node"] is None)
    message = pending["conditions"][0]["message"]
    assert message.startswith(
        "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules."
    )


def test_default_topology_spreading_is_modelled() -> None:
    """kube-scheduler's system-default PodTopologySpread (hostname maxSkew 3, ScheduleAnyway)
    scores a Deployment's replicas: with one replica already on the big node, the next goes
    to the small one although LeastAllocated prefers the big one; no warning is left.
    Hostname domain size 2 → weight ln 4: raw big round(1·1.386 + 2) = 3, small 2 →
    big 100·(3+2−3)//3 = 66, small 100; ×2."""
    nodes = [node("small", "2"), node("big", "8")]
    for n in nodes:
        n["metadata"]["labels"] = {"kubernetes.io/hostname": n["metadata"]["name"]}
    loaded = load_objects([workload("Deployment", {}, replicas=2), *nodes])
    result = schedule(loaded.pods, loaded.nodes, explain=True)
    assert not any("default topology spreading" in w for w in result.warnings)
    assert [p.node for p in result.pods] == ["big", "small"]
    second = result.pods[1].explain
    assert second is not None
    assert second["scores"]["small"]["PodTopologySpread"] == 200
    assert second["scores"]["big"]["PodTopologySpread"] == 132
