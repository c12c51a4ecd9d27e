"""The profile table is the truth the scheduler is derived from: every plugin reads only the
pod and node fields it declares (so the equivalence keys built from the declarations are
complete), static plugins read nothing a bind changes, and the derived chains, keys and
score sums follow the table."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

import pytest

from podfit.scheduler import profile
from podfit.scheduler.config import make_config
from podfit.scheduler.framework import FILTER, SCORE, Dynamism, Plugin
from podfit.scheduler.model import HostPort, NodeInfo, PodInfo, Toleration
from podfit.scheduler.scoring import Scorer, score_nodes

Roles = dict[str, str]
"""Parameter name → what it holds: ``pod``, ``node`` or ``scorer``."""


def _callee(call: ast.Call, fn: Callable[..., Any], roles: Roles) -> Callable[..., Any] | None:
    """The scheduler function a call resolves to (module global, or a Scorer method)."""
    target: Any = None
    if isinstance(call.func, ast.Name):
        target = fn.__globals__.get(call.func.id)
    elif (
        isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and roles.get(call.func.value.id) == "scorer"
    ):
        target = getattr(Scorer, call.func.attr, None)
    target = getattr(target, "__wrapped__", target)
    if inspect.isfunction(target) and target.__module__.startswith("podfit.scheduler"):
        return target
    return None


def reads(fn: Callable[..., Any], roles: Roles, seen: set[object] | None = None) -> set[str]:
    """``"pod.<attr>"`` / ``"node.<attr>"`` for every attribute ``fn`` reads of its pod and
    node parameters, following calls that pass them on (transitively)."""
    seen = set() if seen is None else seen
    key = (fn, tuple(sorted(roles.items())))
    if key in seen:
        return set()
    seen.add(key)
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    out: set[str] = set()
    for node in ast.walk(tree.body[0]):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            role = roles.get(node.value.id)
            if role in ("pod", "node"):
                out.add(f"{role}.{node.attr}")
        if not isinstance(node, ast.Call):
            continue
        callee = _callee(node, fn, roles)
        if callee is None:
            continue
        params = list(inspect.signature(callee).parameters)
        if params and params[0] == "self":
            params = params[1:]
        passed: Roles = {}
        for k, arg in enumerate(node.args):
            if isinstance(arg, ast.Name) and arg.id in roles and k < len(params):
                passed[params[k]] = roles[arg.id]
        for kw in node.keywords:
            if isinstance(kw.value, ast.Name) and kw.value.id in roles and kw.arg:
                passed[kw.arg] = roles[kw.value.id]
        if passed:
            out |= reads(callee, passed, seen)
    return out


def _functions(plugin: Plugin) -> list[tuple[Callable[..., Any], tuple[str, ...]]]:
    """Each function of the row with the roles of its positional parameters."""
    out: list[tuple[Callable[..., Any], tuple[str, ...]]] = []
    if plugin.filter is not None:
        out.append((plugin.filter, ("pod", "node")))
    if plugin.score is not None:
        out.append((plugin.score, ("scorer", "pod", "node")))
    if plugin.skip is not None:
        out.append((plugin.skip, ("scorer", "pod")))
    if plugin.applies is not None:
        out.append((plugin.applies, ("pod",)))
    if plugin.cluster is not None:  # cluster-dynamic plugins: PreFilter, Filter, Score hooks
        out.append((plugin.cluster.prefilter, ("pod", "nodes", "context")))
        out.append((plugin.cluster.filter, ("state", "pod", "node")))
        out.append((plugin.cluster.scores, ("pod", "nodes", "feasible", "context")))
    return out


def plugin_reads(plugin: Plugin) -> set[str]:
    found: set[str] = set()
    for fn, roles in _functions(plugin):
        names = list(inspect.signature(fn).parameters)
        found |= reads(fn, dict(zip(names, roles, strict=False)))
    return found


def declared(plugin: Plugin) -> set[str]:
    return {f"pod.{f}" for f in plugin.pod_reads} | {f"node.{f}" for f in plugin.node_reads}


FUNCTIONAL = [p for p in profile.DEFAULT_PROFILE if _functions(p)]


@pytest.mark.parametrize("plugin", FUNCTIONAL, ids=lambda p: p.name)
def test_a_plugin_reads_only_the_fields_it_declares(plugin: Plugin) -> None:
    """An undeclared read would be missing from the equivalence keys: stale answers."""
    assert plugin_reads(plugin) - declared(plugin) == set()


@pytest.mark.parametrize("plugin", FUNCTIONAL, ids=lambda p: p.name)
def test_a_plugin_declares_no_field_it_does_not_read(plugin: Plugin) -> None:
    """Declarations stay exact, so the keys hold nothing that splits classes needlessly."""
    assert declared(plugin) - plugin_reads(plugin) == set()


def test_the_read_walker_sees_a_read_passed_through_a_helper() -> None:
    """The walker follows a call that hands the node on (the test above can fail)."""

    def helper(n: NodeInfo) -> object:
        return n.labels

    def fake_filter(pod: PodInfo, node: NodeInfo, cfg: object) -> object:
        return pod.priority or helper(node)

    fake_filter.__globals__["helper"] = helper
    try:
        helper.__module__ = fake_filter.__module__ = "podfit.scheduler.fake"
        assert reads(fake_filter, {"pod": "pod", "node": "node"}) == {"pod.priority", "node.labels"}
    finally:
        del fake_filter.__globals__["helper"]


def _bind_changes() -> set[str]:
    """The NodeInfo fields ``add_pod`` changes (found by binding a pod and comparing)."""
    node = NodeInfo("n", {"cpu": 1000, "memory": 10, "pods": 5})
    before = {s: repr(getattr(node, s)) for s in NodeInfo.__slots__}
    pod = PodInfo("p", requests={"cpu": 100}, host_ports=[HostPort("TCP", "", 80)], priority=3)
    node.add_pod(pod)
    return {s for s in NodeInfo.__slots__ if repr(getattr(node, s)) != before[s]}


def test_binding_changes_the_fields_the_walker_expects() -> None:
    assert _bind_changes() == {
        "requested",
        "non_zero_cpu",
        "non_zero_memory",
        "pods",
        "ports",
        "min_priority",
    }


@pytest.mark.parametrize(
    "plugin", [p for p in profile.DEFAULT_PROFILE if p.dynamism is Dynamism.STATIC], ids=str
)
def test_a_static_plugin_reads_nothing_a_bind_changes(plugin: Plugin) -> None:
    """A static verdict is kept for the whole run: it must not depend on bound pods."""
    assert {f for f in plugin.node_reads} & _bind_changes() == set()


def test_filter_chains_follow_the_table_order() -> None:
    filters = [p.filter for p in profile.DEFAULT_PROFILE if FILTER in p.points and not p.cluster]
    assert list(profile.ALL_FILTERS) == filters
    # cluster-dynamic plugins filter through their hooks, after the node-local chain
    assert [p.name for p in profile.CLUSTER_FILTER_PLUGINS] == [
        "PodTopologySpread",
        "InterPodAffinity",
    ]
    assert profile.STATIC_FILTERS + profile.NODE_FILTERS == profile.ALL_FILTERS


def test_filters_out_of_dynamism_order_are_refused() -> None:
    """A static filter after a dynamic one would make the kept static verdict wrong."""
    rows = list(profile.DEFAULT_PROFILE)
    ports = next(p for p in rows if p.name == "NodePorts")
    rows.remove(ports)
    rows.insert(0, ports)
    with pytest.raises(ValueError, match="static filters must precede"):
        profile._check_filter_order(tuple(rows))


def test_the_keys_are_the_union_of_the_declared_reads() -> None:
    pod_reads = {
        f for p in profile.DEFAULT_PROFILE if "PostFilter" not in p.points for f in p.pod_reads
    }
    assert set(profile.POD_KEY_FIELDS) == pod_reads
    static = {
        f
        for p in profile.DEFAULT_PROFILE
        if p.dynamism is Dynamism.STATIC and "PostFilter" not in p.points
        for f in p.pod_reads
    }
    assert set(profile.STATIC_KEY_FIELDS) == static
    assert "priority" not in profile.POD_KEY_FIELDS


def test_pods_differing_in_a_declared_field_are_not_interchangeable() -> None:
    base = PodInfo("a", requests={"cpu": 100})
    other = PodInfo("b", requests={"cpu": 100}, tolerations=[Toleration("k", "Exists")])
    assert base.scheduling_key() == PodInfo("c", requests={"cpu": 100}, priority=7).scheduling_key()
    assert base.scheduling_key() != other.scheduling_key()


def test_explain_scores_list_every_score_plugin_in_table_order() -> None:
    nodes = [NodeInfo(n, {"cpu": 1000, "memory": 2**30, "pods": 10}) for n in ("a", "b")]
    scorer = Scorer(make_config())
    scores = score_nodes(PodInfo("p", requests={"cpu": 100}), nodes, [0, 1], scorer)
    names = [p.name for p in profile.DEFAULT_PROFILE if SCORE in p.points]
    assert list(scores[0]) == [*names, "total"]
    weights = {p.name: p.weight for p in profile.DEFAULT_PROFILE if SCORE in p.points}
    assert weights == {
        "TaintToleration": 3,
        "NodeAffinity": 2,
        "PodTopologySpread": 2,
        "InterPodAffinity": 2,
        "NodeResourcesFit": 1,
        "NodeResourcesBalancedAllocation": 1,
    }


def test_a_row_with_a_filter_must_declare_the_filter_point() -> None:
    with pytest.raises(ValueError, match="filter function exactly"):
        Plugin("X", (), Dynamism.STATIC, filter=profile.DEFAULT_PROFILE[0].filter)


def test_a_pod_a_cluster_dynamic_plugin_applies_to_is_placed_by_topology_cells(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The plain equivalence index cannot see binds on other nodes: a pod a cluster-dynamic
    plugin applies to is placed through its class's topology cells (which follow every
    bind), any other pod through the plain index."""
    from podfit.scheduler import engine as engine_module
    from podfit.scheduler.engine import Engine

    spread = Plugin(
        "FakeSpread",
        ("PreFilter",),
        Dynamism.CLUSTER,
        pod_reads=("owner",),
        applies=lambda pod: pod.owner == "ReplicaSet/web",
    )
    monkeypatch.setattr(profile, "CLUSTER_PLUGINS", (spread,))
    monkeypatch.setattr(engine_module, "CLUSTER_PLUGINS", (spread,))
    nodes = [NodeInfo(n, {"cpu": 1000, "memory": 2**30, "pods": 10}) for n in ("a", "b")]
    engine = Engine(nodes, make_config())
    spread_pod = PodInfo("w", owner="ReplicaSet/web", requests={"cpu": 100})
    other = PodInfo("o", owner="ReplicaSet/api", requests={"cpu": 100})
    assert engine.schedule(spread_pod).node == 0
    assert engine.schedule(other).node == 1
    assert list(engine.topo_classes) == [spread_pod.scheduling_key()]
    assert list(engine.classes) == [other.scheduling_key()]


def test_plugin_names_and_reasons_are_written_once() -> None:
    """A name or reason typed a second time (as the planners once retyped reasons) can drift
    from the plugin's own: each string literal lives in one module only."""
    from pathlib import Path

    package = Path(profile.__file__).parent.parent
    owned = {p.name for p in profile.DEFAULT_PROFILE} | {
        r for p in profile.DEFAULT_PROFILE for r in p.reasons
    }
    where: dict[str, list[str]] = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in owned:
                where.setdefault(node.value, []).append(str(path.relative_to(package)))
    assert {s: files for s, files in where.items() if len(files) != 1} == {}
