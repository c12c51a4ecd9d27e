"""PodTopologySpread (``podfit.scheduler.plugins.pod_topology_spread``): Filter and Score facts.

Cases named ``upstream:`` are translated from kube-scheduler's own table tests
(``pkg/scheduler/framework/plugins/podtopologyspread/filtering_test.go`` TestSingleConstraint
and ``scoring_test.go`` TestPodTopologySpreadScore, v1.34 era): their inputs and expected
statuses or scores, not their code. ``D1``–``D5`` are the derived checks of the topology
notes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from podfit.scheduler.filters import UNRESOLVABLE, UNSCHEDULABLE
from podfit.scheduler.model import NodeInfo, PodInfo, Requirement, Taint, Term
from podfit.scheduler.plugins import pod_topology_spread as pts
from podfit.topology import (
    DO_NOT_SCHEDULE,
    HONOR,
    IGNORE,
    SCHEDULE_ANYWAY,
    LabelSelector,
    SpreadConstraint,
    label_selector,
    merge_label_keys,
)
from podfit.topology import Requirement as SelectorRequirement

FOO = LabelSelector((), (SelectorRequirement("foo", "Exists"),))
BAR = LabelSelector((), (SelectorRequirement("bar", "Exists"),))
OK = "Success"


def cluster(
    nodes: Sequence[tuple[str, Mapping[str, str]]],
    existing: Sequence[tuple[str, str, Mapping[str, str]]] = (),
    *,
    terminating: Sequence[str] = (),
    namespaces: Mapping[str, str] | None = None,
    taints: Mapping[str, Sequence[Taint]] | None = None,
) -> list[NodeInfo]:
    """Nodes (name, labels) holding ``existing`` pods (name, node, labels)."""
    infos = [
        NodeInfo(n, {"pods": 110}, labels=labels, taints=(taints or {}).get(n, ()))
        for n, labels in nodes
    ]
    by_name = {n.name: n for n in infos}
    for name, node, labels in existing:
        by_name[node].add_pod(
            PodInfo(
                name,
                labels=labels,
                namespace=(namespaces or {}).get(name, "default"),
                terminating=name in terminating,
            )
        )
    return infos


def hard(
    max_skew: int, key: str, selector: LabelSelector | None = FOO, **kw: object
) -> SpreadConstraint:
    return SpreadConstraint(max_skew, key, DO_NOT_SCHEDULE, selector, **kw)  # type: ignore[arg-type]


def soft(
    max_skew: int, key: str, selector: LabelSelector | None = FOO, **kw: object
) -> SpreadConstraint:
    return SpreadConstraint(max_skew, key, SCHEDULE_ANYWAY, selector, **kw)  # type: ignore[arg-type]


def codes(pod: PodInfo, nodes: list[NodeInfo]) -> dict[str, str]:
    state = pts.prefilter(pod, nodes)
    out = {}
    for node in nodes:
        st = pts.filter_node(state, pod, node)
        out[node.name] = OK if st is None else st.code
    return out


ZONES4 = [
    ("node-a", {"zone": "zone1", "node": "node-a"}),
    ("node-b", {"zone": "zone1", "node": "node-b"}),
    ("node-x", {"zone": "zone2", "node": "node-x"}),
    ("node-y", {"zone": "zone2", "node": "node-y"}),
]
SPREAD_2103 = [
    ("p-a1", "node-a", {"foo": ""}),
    ("p-a2", "node-a", {"foo": ""}),
    ("p-b1", "node-b", {"foo": ""}),
    ("p-y1", "node-y", {"foo": ""}),
    ("p-y2", "node-y", {"foo": ""}),
    ("p-y3", "node-y", {"foo": ""}),
]


def test_upstream_missing_zone_label_makes_spread_one_two() -> None:
    """upstream: "pods spread across zones as 1/2 due to absence of label 'zone' on
    node-b": node-b lacks the key (Unresolvable) and is no domain; zone1 1, zone2 2."""
    nodes = cluster(
        [
            ("node-a", {"zone": "zone1", "node": "node-a"}),
            ("node-b", {"zon": "zone1", "node": "node-b"}),
            ("node-x", {"zone": "zone2", "node": "node-x"}),
            ("node-y", {"zone": "zone2", "node": "node-y"}),
        ],
        [(f"p-{n}1", f"node-{n}", {"foo": ""}) for n in "abxy"],
    )
    pod = PodInfo("p", labels={"foo": ""}, spread=[hard(1, "zone")])
    assert codes(pod, nodes) == {
        "node-a": OK,
        "node-b": UNRESOLVABLE,
        "node-x": UNSCHEDULABLE,
        "node-y": UNSCHEDULABLE,
    }


def test_upstream_no_node_has_the_key() -> None:
    """upstream: "pod cannot be scheduled as all nodes don't have label 'rack'"."""
    nodes = cluster(ZONES4[:1] + ZONES4[2:3])
    pod = PodInfo("p", labels={"foo": ""}, spread=[hard(1, "rack")])
    assert codes(pod, nodes) == {"node-a": UNRESOLVABLE, "node-x": UNRESOLVABLE}


@pytest.mark.parametrize(
    ("max_skew", "labels", "want"),
    [
        # upstream: "pods spread across nodes as 2/1/0/3, only node-x fits"
        (1, {"foo": ""}, [UNSCHEDULABLE, UNSCHEDULABLE, OK, UNSCHEDULABLE]),
        # upstream: "... maxSkew is 2, node-b and node-x fit"
        (2, {"foo": ""}, [UNSCHEDULABLE, OK, OK, UNSCHEDULABLE]),
        # upstream: "... but pod doesn't match itself" (selfMatch 0)
        (1, {"bar": ""}, [UNSCHEDULABLE, OK, OK, UNSCHEDULABLE]),
    ],
)
def test_upstream_hostname_like_key(max_skew: int, labels: dict[str, str], want: list[str]) -> None:
    """skew = count on the node's own domain + selfMatch − global minimum (0 on node-x)."""
    nodes = cluster(ZONES4, SPREAD_2103)
    pod = PodInfo("p", labels=labels, spread=[hard(max_skew, "node")])
    assert list(codes(pod, nodes).values()) == want


def test_upstream_node_affinity_honoured_in_counting() -> None:
    """upstream: "incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a
    fits": only node-a and node-y are domains (nodeAffinityPolicy Honor), so the minimum is
    2; node-b and node-x pass Filter with count 0 (NodeAffinity itself rejects them)."""
    nodes = cluster(ZONES4, SPREAD_2103)
    term = Term((Requirement("node", "In", ("node-a", "node-y")),))
    pod = PodInfo("p", labels={"foo": ""}, required_terms=[term], spread=[hard(1, "node")])
    assert list(codes(pod, nodes).values()) == [OK, OK, OK, UNSCHEDULABLE]


def test_upstream_terminating_pods_not_counted() -> None:
    """upstream: "terminating Pods should be excluded"."""
    nodes = cluster(
        [("node-a", {"node": "node-a"}), ("node-b", {"node": "node-b"})],
        [("p-a", "node-a", {"foo": ""}), ("p-b", "node-b", {"foo": ""})],
        terminating=["p-a"],
    )
    pod = PodInfo("p", labels={"foo": ""}, spread=[hard(1, "node")])
    assert codes(pod, nodes) == {"node-a": OK, "node-b": UNSCHEDULABLE}


def test_upstream_node_affinity_not_in_zone_counts() -> None:
    """upstream: "incoming pod has nodeAffinity, pods spread as 0/~2~/0/1, hence node-a
    fits": node-b (2 pods) is excluded from counting; zone1 0, zone2 1."""
    nodes = cluster(
        ZONES4,
        [
            ("p-b1", "node-b", {"foo": ""}),
            ("p-b2", "node-b", {"foo": ""}),
            ("p-y1", "node-y", {"foo": ""}),
        ],
    )
    term = Term((Requirement("node", "NotIn", ("node-b",)),))
    pod = PodInfo("p", labels={"foo": ""}, required_terms=[term], spread=[hard(1, "zone")])
    assert list(codes(pod, nodes).values()) == [OK, OK, UNSCHEDULABLE, UNSCHEDULABLE]


@pytest.mark.parametrize(
    ("min_domains", "want"),
    [
        # upstream: "2/2/1, maxSkew is 2, and the number of domains < minDomains"
        (4, [UNSCHEDULABLE, UNSCHEDULABLE, OK]),
        # upstream: "... the number of domains > minDomains, then the all nodes fit"
        (2, [OK, OK, OK]),
    ],
)
def test_upstream_min_domains_nodes(min_domains: int, want: list[str]) -> None:
    """Fewer eligible domains than minDomains → global minimum 0."""
    nodes = cluster(
        [(f"node-{n}", {"node": f"node-{n}"}) for n in "abc"],
        [
            ("p-a1", "node-a", {"foo": ""}),
            ("p-a2", "node-a", {"foo": ""}),
            ("p-b1", "node-b", {"foo": ""}),
            ("p-b2", "node-b", {"foo": ""}),
            ("p-c1", "node-c", {"foo": ""}),
        ],
    )
    pod = PodInfo("p", labels={"foo": ""}, spread=[hard(2, "node", min_domains=min_domains)])
    assert list(codes(pod, nodes).values()) == want


@pytest.mark.parametrize(
    ("min_domains", "want"),
    [
        # upstream: "spread across zone as 2/1, maxSkew is 2 and domains < minDomains"
        (3, [UNSCHEDULABLE, UNSCHEDULABLE, OK, OK]),
        # upstream: "... domains > minDomains, then the all nodes fit"
        (1, [OK, OK, OK, OK]),
    ],
)
def test_upstream_min_domains_zones(min_domains: int, want: list[str]) -> None:
    nodes = cluster(
        ZONES4,
        [
            ("p-b1", "node-a", {"foo": ""}),
            ("p-b2", "node-b", {"foo": ""}),
            ("p-y1", "node-y", {"foo": ""}),
        ],
    )
    pod = PodInfo("p", labels={"foo": ""}, spread=[hard(2, "zone", min_domains=min_domains)])
    assert list(codes(pod, nodes).values()) == want


def test_upstream_node_affinity_policy_honor_with_node_selector() -> None:
    """upstream: "NodeAffinityPolicy honored with labelSelectors": node-y (no foo label) is
    not counted, so the spread is 1/1/0 and node-y's own domain (0 pods) passes."""
    nodes = cluster(
        [
            ("node-a", {"node": "node-a", "foo": ""}),
            ("node-b", {"node": "node-b", "foo": ""}),
            ("node-x", {"node": "node-x", "foo": ""}),
            ("node-y", {"node": "node-y"}),
        ],
        [
            ("p-b1", "node-a", {"foo": ""}),
            ("p-b2", "node-b", {"foo": ""}),
            ("p-y1", "node-y", {"foo": ""}),
        ],
    )
    pod = PodInfo("p", labels={"foo": ""}, node_selector={"foo": ""}, spread=[hard(1, "node")])
    assert list(codes(pod, nodes).values()) == [UNSCHEDULABLE, UNSCHEDULABLE, OK, OK]
    ignore = PodInfo(
        "p",
        labels={"foo": ""},
        node_selector={"foo": ""},
        spread=[hard(1, "node", node_affinity_policy=IGNORE)],
    )
    # every node counted: 1/1/0/1, min 0 → only node-x passes
    assert list(codes(ignore, nodes).values()) == [UNSCHEDULABLE, UNSCHEDULABLE, OK, UNSCHEDULABLE]


def test_taints_policy_decides_whether_a_tainted_zone_pins_the_minimum() -> None:
    """U14: with nodeTaintsPolicy Ignore (default) a tainted node's empty zone is a domain
    with 0 pods and keeps the minimum at 0; with Honor it is dropped."""
    nodes = cluster(
        [("a1", {"zone": "a"}), ("b1", {"zone": "b"}), ("c1", {"zone": "c"})],
        [("p1", "a1", {"foo": ""}), ("p2", "b1", {"foo": ""})],
        taints={"c1": [Taint("dedicated", "x")]},
    )
    pod = PodInfo("p", labels={"foo": ""}, spread=[hard(1, "zone")])
    assert codes(pod, nodes) == {"a1": UNSCHEDULABLE, "b1": UNSCHEDULABLE, "c1": OK}
    honor = PodInfo("p", labels={"foo": ""}, spread=[hard(1, "zone", node_taints_policy=HONOR)])
    assert codes(honor, nodes) == {"a1": OK, "b1": OK, "c1": OK}


def test_reasons_are_upstream_strings() -> None:
    nodes = cluster([("a", {"zone": "1"}), ("b", {})], [("p1", "a", {"foo": ""})])
    pod = PodInfo("p", labels={"foo": ""}, spread=[hard(1, "zone", min_domains=2)])
    state = pts.prefilter(pod, nodes)
    a = pts.filter_node(state, pod, nodes[0])
    b = pts.filter_node(state, pod, nodes[1])
    assert a is not None and a.reasons == ("node(s) didn't match pod topology spread constraints",)
    assert b is not None and b.reasons == (
        "node(s) didn't match pod topology spread constraints (missing required label)",
    )


def test_d1_zone_filter() -> None:
    """D1: zone1 holds 3 matching pods, zone2 2; maxSkew 1: zone2 fits (2+1−2), zone1 not."""
    nodes = cluster(
        ZONES4,
        [
            ("1", "node-a", {"foo": ""}),
            ("2", "node-a", {"foo": ""}),
            ("3", "node-b", {"foo": ""}),
            ("4", "node-x", {"foo": ""}),
            ("5", "node-y", {"foo": ""}),
        ],
    )
    pod = PodInfo("p", labels={"foo": ""}, spread=[hard(1, "zone")])
    assert list(codes(pod, nodes).values()) == [UNSCHEDULABLE, UNSCHEDULABLE, OK, OK]


def test_d2_min_domains() -> None:
    """D2: two domains, minDomains 3, maxSkew 2: the domain with 2 pods rejects (2+1−0);
    without minDomains, counts 2/1 accept (2+1−1)."""
    nodes = cluster(
        [("a", {"zone": "1"}), ("b", {"zone": "2"})],
        [("1", "a", {"foo": ""}), ("2", "a", {"foo": ""}), ("3", "b", {"foo": ""})],
    )
    with_min = PodInfo("p", labels={"foo": ""}, spread=[hard(2, "zone", min_domains=3)])
    assert codes(with_min, nodes)["a"] == UNSCHEDULABLE
    without = PodInfo("p", labels={"foo": ""}, spread=[hard(2, "zone")])
    assert codes(without, nodes)["a"] == OK


def test_d3_nil_selector_counts_nothing() -> None:
    """D3 / U7: a nil labelSelector counts 0 and never self-matches; an empty one counts
    no pod either but the pod self-matches (1 ≤ maxSkew)."""
    nodes = cluster(
        [("a", {"zone": "1"}), ("b", {"zone": "2"})],
        [("1", "a", {"foo": ""}), ("2", "a", {"foo": ""})],
    )
    for selector in (None, LabelSelector()):
        pod = PodInfo("p", labels={"foo": ""}, spread=[hard(1, "zone", selector)])
        assert codes(pod, nodes) == {"a": OK, "b": OK}


def test_match_label_keys_merge() -> None:
    """U8: matchLabelKeys narrows counting to pods with the same value of the key; a nil
    selector stays nil (the API server's merge skips it)."""
    sel = merge_label_keys(
        label_selector({"app": "web"}),
        ["pod-template-hash"],
        {
            "app": "web",
            "pod-template-hash": "new",
        },
    )
    nodes = cluster(
        [("a", {"zone": "1"}), ("b", {"zone": "2"})],
        [("old1", "a", {"app": "web", "pod-template-hash": "old"})] * 1
        + [("old2", "a", {"app": "web", "pod-template-hash": "old"})],
    )
    pod = PodInfo(
        "p", labels={"app": "web", "pod-template-hash": "new"}, spread=[hard(1, "zone", sel)]
    )
    assert codes(pod, nodes) == {"a": OK, "b": OK}
    assert merge_label_keys(None, ["app"], {"app": "web"}) is None


def test_counting_is_namespaced() -> None:
    """U18: only pods of the incoming pod's namespace count."""
    nodes = cluster(
        [("a", {"zone": "1"}), ("b", {"zone": "2"})],
        [("x1", "a", {"foo": ""}), ("x2", "a", {"foo": ""})],
        namespaces={"x1": "other", "x2": "other"},
    )
    pod = PodInfo("p", labels={"foo": ""}, spread=[hard(1, "zone")])
    assert codes(pod, nodes) == {"a": OK, "b": OK}


# --- Score -----------------------------------------------------------------------------


def score(
    pod: PodInfo, nodes: list[NodeInfo], feasible: Sequence[int] | None = None
) -> list[int] | None:
    idx = list(range(len(nodes))) if feasible is None else list(feasible)
    return pts.scores(pod, nodes, idx)


def test_d4_hostname_scores() -> None:
    """D4: hostname maxSkew 1, 4 feasible nodes with 2, 1, 0, 3 matching pods: weight
    ln(6); raw 4, 2, 0, 5 → 20, 60, 100, 0."""
    host = "kubernetes.io/hostname"
    counts = [2, 1, 0, 3]
    nodes = cluster(
        [(f"n{i}", {host: f"n{i}"}) for i in range(4)],
        [(f"p{i}-{k}", f"n{i}", {"foo": ""}) for i, c in enumerate(counts) for k in range(c)],
    )
    pod = PodInfo("p", labels={"foo": ""}, spread=[soft(1, host)])
    assert score(pod, nodes) == [20, 60, 100, 0]


def test_d5_all_zero_and_ignored() -> None:
    """D5: all raw 0 → 100 each (not 0); a node lacking the key is ignored → 0."""
    nodes = cluster([("a", {"zone": "1"}), ("b", {"zone": "2"}), ("c", {})])
    pod = PodInfo("p", labels={"foo": ""}, spread=[soft(1, "zone")])
    assert score(pod, nodes) == [100, 100, 0]


def test_upstream_score_same_counts_everywhere() -> None:
    """upstream TestPodTopologySpreadScore "one constraint on node, all nodes have the same
    number of matching pods": equal raw scores → max + min − raw = min → 100 each."""
    nodes = cluster(
        [(f"node-{n}", {"node": f"node-{n}"}) for n in "ab"],
        [("p-a1", "node-a", {"foo": ""}), ("p-b1", "node-b", {"foo": ""})],
    )
    pod = PodInfo("p", labels={"foo": ""}, spread=[soft(1, "node")])
    assert score(pod, nodes) == [100, 100]


def test_upstream_score_zone_and_node() -> None:
    """Derived, in the shape of upstream's "two Constraints on zone and node, 2 out of 4
    nodes are candidates":
    zone1 {a: 1, b: 2}, zone2 {x: 0, y: 3}; feasible a and x. Zone size 2 (ln 4), node
    size 2 (ln 4): raw a = round(1·ln4 + 3·ln4) = round(5.545) = 6, x = round(0 + 3·ln4)
    = 4 → max 6, min 4: a 100·(6+4−6)/6 = 66, x 100·(6+4−4)/6 = 100."""
    nodes = cluster(
        ZONES4,
        [("a1", "node-a", {"foo": ""})]
        + [(f"b{k}", "node-b", {"foo": ""}) for k in range(2)]
        + [(f"y{k}", "node-y", {"foo": ""}) for k in range(3)],
    )
    pod = PodInfo("p", labels={"foo": ""}, spread=[soft(1, "zone"), soft(1, "node")])
    assert score(pod, nodes, [0, 2]) == [66, 100]


def test_system_defaults_apply_only_with_a_selector_and_without_own_constraints() -> None:
    """U10/U19/U20/U23: defaults (hostname 3, zone 5) score pods with a default selector
    and no constraints; a node without the zone label still gets its hostname term; a pod
    with only hard constraints gets no score at all."""
    host = "kubernetes.io/hostname"
    zone = "topology.kubernetes.io/zone"
    nodes = cluster(
        [("big", {host: "big"}), ("s1", {host: "s1"}), ("s2", {host: "s2"})],
        [("web-0", "big", {"app": "web"})],
    )
    pod = PodInfo("web-1", labels={"app": "web"}, default_spread=label_selector({"app": "web"}))
    # U32: hostname size 3 → ln 5; zone constraint: every node lacks the key → "" domain
    # but nodes without the key add nothing. big round(1.609+2) = 4, smalls 2 → 50, 100, 100
    assert score(pod, nodes) == [50, 100, 100]
    assert pts.constraints_for(pod, DO_NOT_SCHEDULE) == ()
    assert pts.prefilter(pod, nodes) is None
    no_selector = PodInfo("x", labels={"app": "web"})
    assert score(no_selector, nodes) is None
    only_hard = PodInfo(
        "y",
        labels={"app": "web"},
        spread=[hard(1, zone)],
        default_spread=label_selector({"app": "web"}),
    )
    assert score(only_hard, nodes) is None


def test_u33_zone_and_hostname_defaults() -> None:
    """U33: hostname size 3 (ln 5), zone size 2 (ln 4); the zone-b node with one replica on
    itself (the only one in its zone): round(1.6094 + 2 + 1.3863 + 4) = round(8.996) = 9;
    its zone-b neighbour round(0 + 2 + 1.3863 + 4) = 7; zone a: 2 + 4 = 6."""
    host = "kubernetes.io/hostname"
    zone = "topology.kubernetes.io/zone"
    nodes = cluster(
        [
            ("a1", {host: "a1", zone: "a"}),
            ("b1", {host: "b1", zone: "b"}),
            ("b2", {host: "b2", zone: "b"}),
        ],
        [("w0", "b1", {"app": "w"})],
    )
    pod = PodInfo("w1", labels={"app": "w"}, default_spread=label_selector({"app": "w"}))
    state = pts.prescore(pod, nodes, [0, 1, 2])
    assert state is not None
    assert [pts.score_node(state, pod, n, i) for i, n in enumerate(nodes)] == [6, 9, 7]
    # normalised: max 9, min 6 → 100·(15−raw)//9
    assert pts.normalize([6, 9, 7], [False] * 3) == [100, 66, 88]


def test_u15_message_places_the_spread_reason_after_the_resource_reason() -> None:
    """U15 (scenario 05): zones a (a1) and b (b1, full). svc-0 lands on a1; svc-1 fails a1
    on the skew (1 + 1 − 0 > 1) and b1 on cpu (NodeResourcesFit comes first), and nothing
    of lower priority can be preempted."""
    from podfit.scheduler.config import make_config
    from podfit.scheduler.run import schedule_infos

    zone = "topology.kubernetes.io/zone"
    nodes = [
        NodeInfo("a1", {"cpu": 2000, "memory": 2**33, "pods": 110}, labels={zone: "a"}),
        NodeInfo("b1", {"cpu": 2000, "memory": 2**33, "pods": 110}, labels={zone: "b"}),
    ]
    filler = PodInfo("filler", requests={"cpu": 2000}, node_name="b1", phase="Running")
    svc = [
        PodInfo(
            f"svc-{k}",
            requests={"cpu": 500},
            labels={"app": "svc"},
            spread=[hard(1, zone, label_selector({"app": "svc"}))],
        )
        for k in range(2)
    ]
    result = schedule_infos([filler, *svc], nodes, make_config(dra=False))
    assert [o.node for o in result.pods] == ["b1", "a1", None]
    condition = result.pods[2].condition
    assert condition is not None
    assert condition[2] == (
        "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match pod topology "
        "spread constraints. preemption: 0/2 nodes are available: 2 No preemption victims "
        "found for incoming pod."
    )


def test_match_label_keys_use_the_final_pod_template_hash() -> None:
    """U8/U22 end to end: a Deployment's spread constraint with matchLabelKeys
    [pod-template-hash] counts only its own revision: the pods of an older revision bound
    on zone a (another hash) do not push the new replicas away from it; without the key
    they would (the selector app=web matches both)."""
    from podfit.manifests import load_text
    from podfit.scheduler import schedule

    def run(keys: str) -> list[str | None]:
        text = (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
            "  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n"
            "    metadata: {labels: {app: web}}\n    spec:\n"
            "      topologySpreadConstraints:\n"
            "      - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule,\n"
            f"         labelSelector: {{matchLabels: {{app: web}}}}{keys}}}\n"
            "      containers: [{name: c, image: x, resources: {requests: {cpu: 100m}}}]\n"
        )
        for z in ("a", "b"):
            text += (
                "---\napiVersion: v1\nkind: Node\n"
                f"metadata: {{name: n{z}, labels: {{zone: {z}}}}}\n"
                "status: {allocatable: {cpu: '8', memory: 8Gi, pods: '110'}}\n"
            )
        for k in range(3):
            text += (
                f"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: old-{k}, labels: "
                "{app: web, pod-template-hash: oldhash}}\nspec:\n  nodeName: na\n"
                "  containers: [{name: c, image: x}]\nstatus: {phase: Running}\n"
            )
        w = load_text(text)
        result = schedule(w.pods, w.nodes)
        return [o.node for o in result.pods if o.pod.owner == "Deployment/web"]

    assert sorted(run(", matchLabelKeys: [pod-template-hash]")) == ["na", "nb"]
    assert run("") == ["nb", "nb"]


def test_services_in_the_input_give_bare_pods_default_spreading(tmp_path: object) -> None:
    """U21/U22: bare pods get default spreading only from the Services selecting them: with
    a Service, the second pod avoids the node holding the first (hostname maxSkew 3 scores
    it lower) although LeastAllocated prefers the bigger node; without it both go there."""
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from podfit.cli.schedule_cmd import schedule as schedule_cmd

    nodes = "".join(
        f"---\napiVersion: v1\nkind: Node\nmetadata: {{name: {n}, labels: "
        f"{{kubernetes.io/hostname: {n}}}}}\nstatus: {{allocatable: {{cpu: '{c}', "
        "memory: 8Gi, pods: '110'}}\n"
        for n, c in (("small", "2"), ("big", "8"))
    )
    pods = "".join(
        f"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{k}, labels: {{app: db}}}}\n"
        "spec: {containers: [{name: c, image: x, resources: {requests: {cpu: 100m}}}]}\n"
        for k in range(2)
    )
    service = (
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {selector: {app: db}}\n"
    )

    def run(text: str) -> list[str]:
        path = Path(str(tmp_path)) / "in.yaml"
        path.write_text(text)
        doc = json.loads(CliRunner().invoke(schedule_cmd, ["-f", str(path), "-o", "json"]).stdout)
        return [p["node"] for p in doc["pods"]]

    assert run(nodes + pods + service) == ["big", "small"]
    assert run(nodes + pods) == ["big", "big"]
