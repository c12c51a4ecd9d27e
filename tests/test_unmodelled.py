"""Scheduling constraints podfit does not model are never dropped silently: the loader and
every schedule result name the owner and the field path, once per template."""

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
def test_pod_affinity_and_spread_constraints_are_warned_once_per_template(
    kind: str, extra: dict[str, Any], expected: list[str]
) -> None:
    """Each unmodelled field gets one warning naming namespace/owner and the field path,
    for 3 replicas as for 1; empty constraints (which constrain nothing) get none."""
    loaded = load_objects([workload(kind, extra)])
    assert _prefixes(loaded.warnings) == expected
    result = schedule(loaded.pods, [], daemonsets=loaded.daemonsets)
    assert _prefixes(result.warnings) == expected
    doc = result.to_dict()
    assert _prefixes(doc["warnings"]) == expected
    ScheduleResultSchema().load(doc)


def test_warning_names_the_plugin_that_would_use_the_field() -> None:
    extra = {"affinity": {"podAntiAffinity": ANTI}, "topologySpreadConstraints": SPREAD}
    loaded = load_objects([workload("Deployment", extra)])
    assert [w.split("kube-scheduler's ")[1].split()[0] for w in loaded.warnings] == [
        "InterPodAffinity",
        "PodTopologySpread",
    ]


def test_cli_table_prints_each_warning_once_on_stderr_and_json_carries_them(
    tmp_path: Any,
) -> None:
    """Table output: the loader's and the result's warnings, each once, on stderr; -o json:
    the document's ``warnings``."""
    path = tmp_path / "w.yaml"
    docs = [workload("Deployment", {"affinity": {"podAntiAffinity": ANTI}}), node("n1")]
    path.write_text(yaml.safe_dump_all(docs))
    result = CliRunner().invoke(schedule_cmd, ["-f", str(path)])
    assert result.exit_code == 0
    lines = [line for line in result.stderr.splitlines() if "podAntiAffinity" in line]
    assert lines == [
        "warning: default/Deployment/web: spec.template.spec.affinity.podAntiAffinity is not "
        "modelled (kube-scheduler's InterPodAffinity may put these pods on other nodes or "
        "leave some Pending)"
    ]
    assert "podAntiAffinity" not in result.stdout
    result = CliRunner().invoke(schedule_cmd, ["-f", str(path), "-o", "json"])
    doc = json.loads(result.stdout)
    assert _prefixes(doc["warnings"]) == [
        "default/Deployment/web: spec.template.spec.affinity.podAntiAffinity"
    ]


@pytest.mark.parametrize(
    ("kind", "nodes", "warned"),
    [
        ("Deployment", [node("a"), node("b")], False),  # identical empty nodes: same spread
        ("Deployment", [node("a"), node("b", "8")], True),  # unequal sizes
        ("StatefulSet", [node("a"), node("b", "8")], True),
        ("Job", [node("a"), node("b", "8")], False),  # no ReplicaSet/StatefulSet selects it
        ("Deployment", [node("a", "8")], False),  # one node: nothing to spread over
    ],
)
def test_default_topology_spreading_is_warned_where_it_can_matter(
    kind: str, nodes: list[dict[str, Any]], warned: bool
) -> None:
    """kube-scheduler's system-default PodTopologySpread (not modelled) is named when the
    workload's replicas could be spread differently: ReplicaSet/StatefulSet pods on nodes
    of unequal size or load."""
    extra: dict[str, Any] = {"restartPolicy": "Never"} if kind == "Job" else {}
    loaded = load_objects([workload(kind, extra), *nodes])
    result = schedule(loaded.pods, loaded.nodes)
    found = [w for w in result.to_dict()["warnings"] if "default topology spreading" in w]
    assert bool(found) is warned
    if warned:
        assert f"default/{kind}/web" in found[0]


def test_default_spreading_is_warned_when_pods_are_already_bound() -> None:
    """Identical nodes, but one already runs a pod: the default spreading can matter."""
    running = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "old"},
        "spec": {"nodeName": "a", "containers": [{"name": "c"}]},
        "status": {"phase": "Running"},
    }
    loaded = load_objects([workload("Deployment", {}), running, node("a"), node("b")])
    result = schedule(loaded.pods, loaded.nodes)
    assert any("default topology spreading" in w for w in result.warnings)
