"""``evaluateNominatedNode`` for input pods that carry ``status.nominatedNodeName``.

kube-scheduler (pkg/scheduler/schedule_one.go, ``findNodesThatFitPod``): once PreFilter
passed, a pod with a nominated node is first filtered on that node alone; if it passes, the
pod is bound there without scoring any node, even when another node would score higher.
If the nominated node is not in the cluster (the snapshot lookup fails: logged, not fatal)
or a filter rejects the pod there, the normal cycle runs over every node. No feature gate:
``PreferNominatedNode`` went GA in 1.24 and the check has been unconditional since.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from podfit import schedule
from podfit.cli import main
from podfit.manifests import load_objects
from podfit.scheduler.result import ScheduleResult


def node(
    name: str,
    cpu: str = "4",
    labels: dict[str, str] | None = None,
    taint: bool = False,
) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if taint:
        spec["taints"] = [{"key": "dedicated", "value": "x", "effect": "NoSchedule"}]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
        "spec": spec,
        "status": {"allocatable": {"cpu": cpu, "memory": "8Gi", "pods": "110"}},
    }


def pod(
    name: str,
    cpu: str,
    *,
    priority: int = 0,
    node_name: str | None = None,
    nominated: str | None = None,
    labels: dict[str, str] | None = None,
    spread: bool = False,
) -> dict[str, Any]:
    """A pod: Running on ``node_name`` when given, else Pending (nominated to
    ``nominated`` when given). ``spread``: hostname spreading of ``app`` pods, maxSkew 1,
    DoNotSchedule."""
    spec: dict[str, Any] = {
        "priority": priority,
        "containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}],
    }
    status: dict[str, Any] = {"phase": "Running" if node_name else "Pending"}
    if node_name:
        spec["nodeName"] = node_name
    if nominated:
        status["nominatedNodeName"] = nominated
    if spread:
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": {"app": "web"}},
            }
        ]
    meta = {"name": name, "namespace": "default", "labels": labels or {}}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def run(*docs: dict[str, Any], explain: bool = False) -> ScheduleResult:
    workload = load_objects(list(docs))
    return schedule(workload.pods, workload.nodes, explain=explain)


def entry(result: ScheduleResult, name: str) -> dict[str, Any]:
    return next(p for p in result.to_dict()["pods"] if p["name"] == name)


def test_a_pod_passing_its_nominated_node_goes_there_without_scoring() -> None:
    """n1 is empty and would win LeastAllocated; the pod is nominated to the busier n2,
    passes its filters there, and is bound to n2, keeping its nominatedNodeName."""
    result = run(
        node("n1"),
        node("n2"),
        pod("busy", "2", node_name="n2"),
        pod("p", "1", nominated="n2"),
    )
    p = entry(result, "p")
    assert (p["node"], p["phase"], p.get("nominatedNodeName")) == ("n2", "Running", "n2")


def test_the_same_pod_without_a_nomination_goes_to_the_best_scored_node() -> None:
    """The control case of the test above: without the field, scoring picks n1."""
    result = run(node("n1"), node("n2"), pod("busy", "2", node_name="n2"), pod("p", "1"))
    p = entry(result, "p")
    assert (p["node"], p["phase"]) == ("n1", "Running")
    assert "nominatedNodeName" not in p


def test_a_nominated_node_missing_from_the_input_falls_back_to_the_normal_cycle() -> None:
    """The snapshot has no node "gone": upstream logs the lookup error and schedules the pod
    over all nodes as if it had no nomination."""
    result = run(
        node("n1"), node("n2"), pod("busy", "2", node_name="n2"), pod("p", "1", nominated="gone")
    )
    p = entry(result, "p")
    assert (p["node"], p["phase"]) == ("n1", "Running")
    assert "nominatedNodeName" not in p


def test_a_nominated_node_without_room_falls_back_to_the_normal_cycle() -> None:
    """n2 has 1 cpu left, the pod asks 2: NodeResourcesFit rejects it there, and the normal
    cycle places it on n1."""
    result = run(
        node("n1"),
        node("n2"),
        pod("busy", "3", node_name="n2"),
        pod("p", "2", nominated="n2"),
    )
    p = entry(result, "p")
    assert (p["node"], p["phase"]) == ("n1", "Running")


def test_a_tainted_nominated_node_falls_back_to_the_normal_cycle() -> None:
    """TaintToleration rejects the pod on its nominated node n2: it goes to n1."""
    result = run(node("n1"), node("n2", taint=True), pod("p", "1", nominated="n2"))
    assert entry(result, "p")["node"] == "n1"


def test_the_spreading_filter_runs_on_the_nominated_node() -> None:
    """Hostname spreading with maxSkew 1: n2 already holds one ``web`` pod and n1 none, so
    a second one on n2 would make the skew 2. The nominated node fails PodTopologySpread
    and the pod goes to n1; when spreading allows n2, it goes to n2 though n1 scores
    higher."""
    web = {"app": "web"}
    blocked = run(
        node("n1"),
        node("n2"),
        pod("w0", "1", node_name="n2", labels=web),
        pod("p", "1", nominated="n2", labels=web, spread=True),
    )
    assert entry(blocked, "p")["node"] == "n1"
    allowed = run(
        node("n1"),
        node("n2"),
        pod("w0", "1", node_name="n1", labels=web),
        pod("w1", "1", node_name="n2", labels=web),
        pod("busy", "1", node_name="n2"),
        pod("p", "1", nominated="n2", labels=web, spread=True),
    )
    assert entry(allowed, "p")["node"] == "n2"


def test_explain_says_the_nominated_node_was_taken_unscored() -> None:
    """``--explain``: no other node was filtered and none scored; the nominated node is
    named."""
    result = run(
        node("n1"),
        node("n2"),
        pod("busy", "2", node_name="n2"),
        pod("p", "1", nominated="n2"),
        explain=True,
    )
    assert entry(result, "p")["explain"] == {
        "filters": {},
        "scores": {},
        "ties": ["n2"],
        "nominatedNode": "n2",
    }


def test_pods_nominated_to_one_node_hold_room_against_each_other() -> None:
    """Two equal-priority pods nominated to n2, room for one: ``a`` (first in the queue) is
    filtered on n2 with ``b`` — nominated there, priority ≥ its own — counted as running
    (``RunFilterPluginsWithNominatedPods``), so n2 rejects it and the normal cycle puts
    it on n1; then ``b`` takes n2."""
    result = run(
        node("n1"),
        node("n2", cpu="2"),
        pod("a", "2", nominated="n2"),
        pod("b", "2", nominated="n2"),
    )
    assert (entry(result, "a")["node"], entry(result, "b")["node"]) == ("n1", "n2")


def test_the_explain_table_says_the_nominated_node_was_filtered_alone(tmp_path: Path) -> None:
    """``podfit schedule --explain``: the nominated node is chosen unscored and the other
    nodes were not evaluated (not "feasible")."""
    docs = [node("n1"), node("n2"), pod("busy", "2", node_name="n2"), pod("p", "1", nominated="n2")]
    path = tmp_path / "in.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    result = CliRunner().invoke(main, ["schedule", "-f", str(path), "--explain"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("default/p -> n2"))
    rows = {line.split()[0]: line for line in lines[start + 2 : start + 4]}
    assert "chosen" in rows["n2"] and "its nominated node, filtered alone" in rows["n2"]
    assert "not evaluated: the nominated node passed" in rows["n1"]
