"""DefaultPreemption that evicts (facts U59–U75 of the topology notes; D9, D10).

Victim choice on a node (``SelectVictimsOnNode``: lower priority only, PDB-violating
victims reprieved first), the node choice (``pickOneNodeForPreemption``), and what the run
reports: victims ``Failed`` with the DisruptionTarget condition, ``preemptedBy`` and
``preemptedFrom``; replacement pods for controllers' victims; the preemptor bound to its
nominated node; ``summary.preempted``.
"""

from __future__ import annotations

import json

from podfit.scheduler.config import make_config
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.preemption import (
    Budget,
    BudgetSpec,
    Candidate,
    budget_now,
    pick_one_node,
    split_by_budgets,
)
from podfit.scheduler.result import outcome_for
from podfit.scheduler.run import schedule_infos
from podfit.topology import label_selector

GI = 2**30


def pod(name: str, cpu: int, priority: int, **kw: object) -> PodInfo:
    return PodInfo(name, requests={"cpu": cpu, "memory": GI}, priority=priority, **kw)  # type: ignore[arg-type]


def bound(name: str, cpu: int, priority: int, node: str, **kw: object) -> PodInfo:
    return pod(name, cpu, priority, node_name=node, phase="Running", **kw)


def node(name: str, cpu: int) -> NodeInfo:
    return NodeInfo(name, {"cpu": cpu, "memory": 64 * GI, "pods": 110})


def test_d9_lowest_highest_priority_victim_before_fewest_victims() -> None:
    """D9: one victim of priority 5 vs two of priority 1 → the latter (step 2 before 4);
    victims −5, −5 vs one −5 → the single victim (step 3 shifts by 2^31)."""
    p5, p1a, p1b = PodInfo("a", priority=5), PodInfo("b", priority=1), PodInfo("c", priority=1)
    assert (
        pick_one_node([Candidate(0, (p5,), 0), Candidate(1, (p1a, p1b), 0)], lambda p: 0).node == 1
    )
    m1, m2, m3 = (PodInfo(n, priority=-5) for n in "xyz")
    assert pick_one_node([Candidate(0, (m1, m2), 0), Candidate(1, (m3,), 0)], lambda p: 0).node == 1


def test_d10_latest_earliest_start_wins() -> None:
    """D10: equal counts and priorities; A's highest-priority victims started 9:00 and
    10:00, B's at 11:00 → B."""
    a1, a2, b1, b2 = (PodInfo(n, priority=3) for n in ("a1", "a2", "b1", "b2"))
    start = {id(a1): 900, id(a2): 1000, id(b1): 1100, id(b2): 1100}
    chosen = pick_one_node(
        [Candidate(0, (a1, a2), 0), Candidate(1, (b1, b2), 0)], lambda p: start[id(p)]
    )
    assert chosen.node == 1


def test_fewest_pdb_violations_first() -> None:
    """U65 step 1 outranks everything: a candidate breaking a budget loses even to one with
    more and higher-priority victims."""
    low = PodInfo("low", priority=0)
    hi1, hi2 = PodInfo("h1", priority=50), PodInfo("h2", priority=50)
    assert (
        pick_one_node([Candidate(0, (low,), 1), Candidate(1, (hi1, hi2), 0)], lambda p: 0).node == 1
    )


def test_budget_split_in_importance_order() -> None:
    """U62: each covering budget loses one allowed disruption per pod, in order; a pod
    drives one below 0 → violating."""
    web = {"app": "web"}
    pods = [PodInfo(f"w{i}", labels=web) for i in range(3)] + [PodInfo("x", labels={"app": "x"})]
    budget = Budget("default", label_selector(web), 1)
    violating, fine = split_by_budgets(pods, [budget])
    assert [p.name for p in violating] == ["w1", "w2"]
    assert [p.name for p in fine] == ["w0", "x"]
    other_ns = Budget("other", label_selector(web), 0)
    assert split_by_budgets(pods, [other_ns])[0] == []


def test_budget_allowed_from_status_or_computed() -> None:
    """The status's disruptionsAllowed when given; else from the bound covered pods."""
    web = {"app": "web"}
    pods = [PodInfo(f"w{i}", labels=web) for i in range(4)]
    sel = label_selector(web)
    assert budget_now(BudgetSpec("default", sel, disruptions_allowed=2), pods).allowed == 2
    assert budget_now(BudgetSpec("default", sel, min_available=3), pods).allowed == 1
    assert budget_now(BudgetSpec("default", sel, min_available="50%"), pods).allowed == 2
    assert budget_now(BudgetSpec("default", sel, max_unavailable=1), pods).allowed == 1
    assert budget_now(BudgetSpec("default", sel, min_available=9), pods).allowed == 0


def test_budget_expects_its_controllers_replicas_and_fails_closed_without_fields() -> None:
    """The disruption controller's rule (:mod:`podfit.disruption`): ``maxUnavailable`` and
    percentages count against the controllers' replicas, Pending ones included (three of
    five web replicas running, maxUnavailable 1 → desiredHealthy 4 → nothing allowed); a
    budget setting neither field allows no disruption."""
    web = {"app": "web"}
    running = [PodInfo(f"w{i}", labels=web, owner="ReplicaSet/web") for i in range(3)]
    sel = label_selector(web)
    scales = {"default/ReplicaSet/web": 5}
    assert budget_now(BudgetSpec("default", sel, max_unavailable=1), running, scales).allowed == 0
    assert budget_now(BudgetSpec("default", sel, max_unavailable=2), running, scales).allowed == 0
    assert budget_now(BudgetSpec("default", sel, max_unavailable=3), running, scales).allowed == 1
    assert budget_now(BudgetSpec("default", sel, min_available="40%"), running, scales).allowed == 1
    assert budget_now(BudgetSpec("default", sel, min_available=2), running, scales).allowed == 1
    assert budget_now(BudgetSpec("default", sel), running, scales).allowed == 0


def test_pending_replicas_make_an_eviction_break_the_budget() -> None:
    """Two nodes could make room for the 1-cpu preemptor: ``a`` by evicting a web replica
    of priority 0, ``b`` by evicting a pod of priority 10. With the web Deployment's two
    other replicas Pending, its maxUnavailable 1 budget allows no disruption, so ``a``
    would break it and ``b`` is chosen (fewest violations outrank the victims' priority)."""
    nodes = [node("a", 2000), node("b", 2000)]
    web = {"app": "web"}
    owner = {"labels": web, "owner": "ReplicaSet/web"}
    pods = [
        bound("w0", 1000, 0, "a", **owner),
        bound("w1", 1000, 0, "a", **owner),
        bound("other", 2000, 10, "b"),
        pod("high", 1000, 100),
        pod("w2", 3000, 0, **owner),  # Pending: no node has 3 cpu
        pod("w3", 3000, 0, **owner),
    ]
    budgets = [BudgetSpec("default", label_selector(web), max_unavailable=1)]
    result = schedule_infos(pods, nodes, make_config(), budgets=budgets)
    result.check()
    assert outcome_for(result.pods, "high").node == "b"
    assert outcome_for(result.pods, "other").phase == "Failed"


def test_u63_reprieve_and_pdb_choose_the_node() -> None:
    """U63 (scenario 17): v2 (2 cpu) holds low-c 600m p10, low-d 600m p5, low-e 800m p0;
    the 1200m preemptor reprieves low-c and evicts low-d and low-e. v1 holds two 1-cpu
    pods under a budget allowing 0: both would violate → v2 is chosen."""
    nodes = [node("v1", 2000), node("v2", 2000)]
    pods = [
        bound("pdb-a", 1000, 0, "v1", labels={"app": "db"}),
        bound("pdb-b", 1000, 0, "v1", labels={"app": "db"}),
        bound("low-c", 600, 10, "v2"),
        bound("low-d", 600, 5, "v2"),
        bound("low-e", 800, 0, "v2"),
        pod("high", 1200, 100),
    ]
    budgets = [BudgetSpec("default", label_selector({"app": "db"}), disruptions_allowed=0)]
    result = schedule_infos(pods, nodes, make_config(), budgets=budgets)
    result.check()
    high = outcome_for(result.pods, "high")
    assert (high.node, high.phase, high.nominated_node) == ("v2", "Running", "v2")
    for name in ("low-d", "low-e"):
        victim = outcome_for(result.pods, name)
        assert (victim.node, victim.phase) == (None, "Failed")
        assert (victim.preempted_by, victim.preempted_from) == ("default/high", "v2")
    assert outcome_for(result.pods, "low-c").node == "v2"
    assert result.summary()["preempted"] == 2
    doc = result.to_dict()
    entry = next(p for p in doc["pods"] if p["name"] == "low-d")
    assert entry["preemptedBy"] == "default/high" and entry["preemptedFrom"] == "v2"
    assert entry["conditions"][-1] == {
        "type": "DisruptionTarget",
        "status": "True",
        "reason": "PreemptionByScheduler",
        "message": "default-scheduler: preempting to accommodate a higher priority pod",
    }
    assert len(doc["pods"]) == len(pods)  # bare pods: no replacement


def test_u65_scenario_18_replacements_queue_behind() -> None:
    """Scenario 18: c1 {mid p500} vs c2 {two p100 pods of a Deployment} → c2 (lower
    highest-priority victim) despite more victims; each victim gets a replacement that is
    scheduled like a new pod (Pending here: no room left)."""
    nodes = [node("c1", 1000), node("c2", 1000)]
    pods = [
        bound("mid", 1000, 500, "c1"),
        bound("w-h-0", 500, 100, "c2", owner="Deployment/w", labels={"pod-template-hash": "h"}),
        bound("w-h-1", 500, 100, "c2", owner="Deployment/w", labels={"pod-template-hash": "h"}),
        pod("urgent", 1000, 1000),
    ]
    result = schedule_infos(pods, nodes, make_config())
    result.check()
    assert outcome_for(result.pods, "urgent").node == "c2"
    extra = result.pods[len(pods) :]
    assert [o.pod.owner for o in extra] == ["Deployment/w", "Deployment/w"]
    assert all(o.pod.name.startswith("w-h-") and o.phase == "Pending" for o in extra)
    assert len({o.pod.name for o in result.pods}) == len(result.pods)
    assert result.summary() == {"pods": 6, "scheduled": 2, "pending": 2, "preempted": 2, "nodes": 2}


def test_statefulset_victim_keeps_its_name_and_entry() -> None:
    """U72: a StatefulSet's replacement has the victim's name and is reported in the
    victim's entry (its new node and phase, plus preemptedFrom/preemptedBy)."""
    nodes = [node("a", 1000), node("b", 1000)]
    pods = [
        bound("db-0", 1000, 0, "a", owner="StatefulSet/db"),
        pod("urgent", 1000, 10),
        pod("filler", 1000, 5),
    ]
    result = schedule_infos(pods, nodes, make_config())
    result.check()
    assert len(result.pods) == 3
    db = outcome_for(result.pods, "db-0")
    assert db.preempted_from == "a" and db.preempted_by == "default/filler"
    # urgent took b (empty, fits without preemption); filler (p5) preempts db-0 (p0) on a,
    # whose replacement then finds no room
    assert outcome_for(result.pods, "urgent").node == "b"
    assert outcome_for(result.pods, "filler").node == "a"
    assert db.phase == "Pending" and db.node is None


def test_no_preemption_keeps_the_pod_pending_with_its_victims_named() -> None:
    """``preemption: false``: nothing is evicted; the shortfall names the victims."""
    nodes = [node("a", 1000)]
    pods = [bound("low", 1000, 0, "a"), pod("high", 1000, 10)]
    result = schedule_infos(pods, nodes, make_config(preemption=False))
    high = outcome_for(result.pods, "high")
    assert high.phase == "Pending" and high.shortfall is not None
    assert "low" in str(high.shortfall.get("preemption"))
    assert outcome_for(result.pods, "low").node == "a"
    assert result.summary()["preempted"] == 0


def test_preemption_never_and_equal_priority_do_not_evict() -> None:
    nodes = [node("a", 1000)]
    pods = [bound("low", 1000, 0, "a"), pod("never", 1000, 10, preemption_policy="Never")]
    result = schedule_infos(pods, nodes, make_config())
    assert outcome_for(result.pods, "never").phase == "Pending"
    message = outcome_for(result.pods, "never").condition
    assert message is not None and "not eligible due to preemptionPolicy=Never." in str(message[2])
    same = schedule_infos(
        [bound("x", 1000, 5, "a"), pod("y", 1000, 5)], [node("a", 1000)], make_config()
    )
    assert outcome_for(same.pods, "y").phase == "Pending"


def test_cli_and_web_show_evictions(tmp_path: object) -> None:
    """The table names each eviction (from where, by whom) and counts them; the web page's
    "Not scheduled" list shows the victim with PreemptionByScheduler."""
    from pathlib import Path

    from click.testing import CliRunner

    from podfit.cli.schedule_cmd import schedule as schedule_cmd
    from podfit.web.render import pending_groups

    path = Path(str(tmp_path)) / "w.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n"
        "status: {allocatable: {cpu: '2', memory: 8Gi, pods: '110'}}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: low}\nspec:\n  nodeName: n1\n"
        "  containers: [{name: c, resources: {requests: {cpu: 1500m}}}]\n"
        "status: {phase: Running}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: high}\nspec:\n  priority: 100\n"
        "  containers: [{name: c, resources: {requests: {cpu: '1'}}}]\n"
    )
    out = CliRunner().invoke(schedule_cmd, ["-f", str(path)]).output
    assert "0 Pending, 1 preempted" in out
    assert "default/low: preempted from n1 by default/high" in out
    doc = json.loads(CliRunner().invoke(schedule_cmd, ["-f", str(path), "-o", "json"]).output)
    groups = pending_groups(doc)
    assert [(g.phase, g.reason, g.message) for g in groups] == [
        ("Failed", "PreemptionByScheduler", "preempted from n1 by default/high")
    ]
    kept = json.loads(
        CliRunner().invoke(schedule_cmd, ["-f", str(path), "-o", "json", "--no-preemption"]).output
    )
    assert kept["summary"]["preempted"] == 0
