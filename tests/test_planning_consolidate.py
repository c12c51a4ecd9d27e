"""Rules for consolidation: nodes go only when every pod they evict finds a node (checked
by scheduling the cluster without them), pods that cannot move keep their node and say
why, budgets are respected, and the cost before and after is exact."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from podfit.cli import main
from podfit.errors import ConfigError
from podfit.manifests import Workload, load
from podfit.manifests.objects import LabelSelector, PodDisruptionBudget
from podfit.planning.catalog import shape_from_text
from podfit.planning.consolidate import (
    ConsolidationPlan,
    PodFacts,
    _allowed,
    blocking_reason,
    consolidate,
    pod_facts,
)
from podfit.pods import Pod
from podfit.scheduler import schedule
from podfit.yamlsafe import DEFAULT_LIMITS, load_all

DATA = Path(__file__).parent / "data" / "consolidate"


def read(name: str) -> tuple[Workload, dict[tuple[str, str, str], PodFacts]]:
    path = DATA / name
    return load(path), pod_facts(load_all(path.read_bytes(), DEFAULT_LIMITS, name))


def reschedules_cleanly(workload: Workload, plan: ConsolidationPlan) -> int:
    """Schedule the cluster without the removed nodes, plus the added ones: pods of the
    removed nodes unbound (their DaemonSet pods gone), every other pod where it runs.
    Returns how many pods are left Pending."""
    gone = {name for name, _, _ in plan.removed}
    pods = []
    for pod in workload.pods:
        if pod.node_name in gone:
            if pod.daemonset is None and not (pod.owner or "").startswith("DaemonSet/"):
                pods.append(replace(pod, node_name=None, phase=None))
        else:
            pods.append(pod)
    nodes = [n for n in workload.nodes if n.name not in gone]
    nodes += [node for node, _, _ in plan.added]
    result = schedule(pods, nodes, daemonsets=workload.daemonsets)
    return result.summary()["pending"]


def test_a_node_whose_pods_fit_elsewhere_goes_and_blocked_nodes_say_why() -> None:
    """n3's web replica moves; n4 (bare pod), n2 (emptyDir) and n1 (budget 0) stay."""
    workload, facts = read("cluster.yaml")
    plan = consolidate(workload, [], facts, region="us-east-1")
    assert [(n, a) for n, a, _ in plan.removed] == [("n3", "delete")]
    assert [(m.pod, m.source) for m in plan.moves] == [("default/web-c", "n3")]
    assert plan.moves[0].target in {"n1", "n2", "n4"}
    assert (plan.before, plan.after) == (Fraction("0.576"), Fraction("0.48"))
    kept = dict(plan.kept)
    assert kept["n4"] == [
        "default/debug: not replicated: no controller would recreate it (a bare pod)"
    ]
    assert kept["n2"] == ["default/db-0: local storage (emptyDir/hostPath volume scratch)"]
    assert kept["n1"] == [
        "PodDisruptionBudget default/api allows 0 disruption(s); the node has 2 of its pods"
    ]
    assert reschedules_cleanly(workload, plan) == 0


def test_several_nodes_are_replaced_by_one_cheaper_node_with_its_daemonset_pod() -> None:
    """big (0.384) + small (0.096) → one m6i.xlarge (0.192) that runs the agent too."""
    workload, facts = read("replace.yaml")
    shapes = [
        shape_from_text(s, f"s[{i}]")
        for i, s in enumerate(
            ["aws/m6i.large@0.096", "aws/m6i.xlarge@0.192", "aws/m6i.2xlarge@0.384"]
        )
    ]
    plan = consolidate(workload, shapes, facts)
    doc = plan.to_dict()
    assert doc["kind"] == "ConsolidationPlan"
    assert doc["addNodes"] == [{"shape": "aws/m6i.xlarge", "count": 1}]
    assert {n["name"] for n in doc["removeNodes"]} == {"big", "small"}
    assert doc["costPerHour"] == {"before": "0.48", "after": "0.192"}
    assert sorted(m["pod"] for m in doc["moves"]) == [
        "default/batch-a", "default/batch-b", "default/front-a"
    ]  # fmt: skip
    assert {m["to"] for m in doc["moves"]} == {"aws-m6i.xlarge-new-1"}
    assert doc["drainOrder"] == [n["name"] for n in doc["removeNodes"]]
    assert reschedules_cleanly(workload, plan) == 0
    assert plan.result is not None
    agent = [p for p in plan.result.pods if p.pod.daemonset]
    assert {p.node for p in agent} == {"aws-m6i.xlarge-new-1"}


def test_without_a_cheaper_shape_nothing_is_replaced() -> None:
    """Only the node's own type is offered: deleting small is the one saving."""
    workload, facts = read("replace.yaml")
    shapes = [
        shape_from_text("aws/m6i.2xlarge@0.384", "s[0]"),
        shape_from_text("aws/m6i.large@0.096", "s[1]"),
    ]
    plan = consolidate(workload, shapes, facts)
    assert plan.after <= plan.before
    assert not plan.added or all(p < plan.before for _, _, p in plan.added)
    assert reschedules_cleanly(workload, plan) == 0


FACTS = [
    ({}, "app", "not replicated"),
    ({"cluster-autoscaler.kubernetes.io/safe-to-evict": "true"}, "app", None),
    ({"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"}, "ReplicaSet/x", "safe-to-evict"),
    ({"karpenter.sh/do-not-disrupt": "true"}, "ReplicaSet/x", "do-not-disrupt"),
    ({}, "ReplicaSet/x", None),
]


@pytest.mark.parametrize(("annotations", "owner", "reason"), FACTS)
def test_drain_rules_of_a_pod(annotations: dict[str, str], owner: str, reason: str | None) -> None:
    """cluster-autoscaler's drain rules (safe-to-evict "true" lifts them) and Karpenter's
    do-not-disrupt."""
    pod = Pod("p", owner=None if owner == "app" else owner)
    facts = PodFacts(annotations, (), None)
    why = blocking_reason(pod, facts, [])
    assert (why is None) if reason is None else (why is not None and reason in why)


def test_kube_system_pods_need_a_budget_and_local_storage_blocks() -> None:
    pod = Pod("dns", namespace="kube-system", owner="ReplicaSet/dns", labels={"k": "dns"})
    assert "no PodDisruptionBudget" in (blocking_reason(pod, PodFacts(), []) or "")
    pdb = PodDisruptionBudget("dns", "kube-system", LabelSelector.from_map({"k": "dns"}))
    assert blocking_reason(pod, PodFacts(), [pdb]) is None
    local = PodFacts({}, ("cache",), True)
    assert "local storage" in (blocking_reason(replace(pod, namespace="x"), local, []) or "")


def test_budgets_allow_what_their_status_or_spec_says() -> None:
    """Status first; else the disruption controller's rule over (selected pods, their
    controllers' replicas, healthy ones): a budget setting neither field fails closed."""
    sel = LabelSelector.from_map({"a": "b"})
    assert _allowed(PodDisruptionBudget("p", "d", sel, 1, disruptions_allowed=3), 5, 5, 5) == 3
    assert _allowed(PodDisruptionBudget("p", "d", sel, "50%"), 5, 5, 5) == 2  # ceil(2.5) = 3
    assert _allowed(PodDisruptionBudget("p", "d", sel, None, 1), 4, 4, 4) == 1
    assert _allowed(PodDisruptionBudget("p", "d", sel, None, "30%"), 4, 4, 3) == 1  # ceil(1.2)
    # two of five replicas not running: desiredHealthy 4 > 3 healthy
    assert _allowed(PodDisruptionBudget("p", "d", sel, None, 1), 3, 5, 3) == 0
    assert _allowed(PodDisruptionBudget("p", "d", sel), 4, 4, 4) == 0


def test_a_node_without_a_price_is_named() -> None:
    workload, facts = read("cluster.yaml")
    with pytest.raises(ConfigError) as err:
        consolidate(workload, [], facts)
    assert err.value.errors[0].path == "nodes[0]"
    assert "no price for node n1 (instance type m6i.xlarge)" in str(err.value)


def test_cli_consolidate_prints_the_plan_document() -> None:
    args = ["plan", "consolidate", "-f", str(DATA / "cluster.yaml"), "--region", "us-east-1"]
    result = CliRunner().invoke(main, [*args, "-o", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["drainOrder"] == ["n3"] and doc["costPerHour"]["after"] == "0.48"
    table = CliRunner().invoke(main, args)
    assert "cost per hour: 0.576 -> 0.48" in table.stdout
    assert "keep n4:\n  default/debug: not replicated" in table.stdout
    missing = CliRunner().invoke(main, args[:4])
    assert missing.exit_code == 1
    assert "error: nodes[0]: no price for node n1" in missing.output
