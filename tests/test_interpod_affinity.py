"""InterPodAffinity (``podfit.scheduler.plugins.inter_pod_affinity``): Filter and Score facts.

Cases named ``upstream:`` are translated from kube-scheduler's table tests
(``pkg/scheduler/framework/plugins/interpodaffinity/filtering_test.go``
TestRequiredAffinitySingleNode; node ``machine1`` labelled region r1, zone z11; pod labels
``service: securityscan`` / ``security: S1``): inputs and expected status codes and
reasons, not code. The v1.34 status carries one reason (the 1.20-era tests also listed
``node(s) didn't match pod affinity/anti-affinity``). ``D6``–``D8`` are the derived checks
of the topology notes; U56/U57 their worked examples.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from podfit.scheduler.filters import UNRESOLVABLE, UNSCHEDULABLE
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.plugins import inter_pod_affinity as ipa
from podfit.topology import (
    LabelSelector,
    Namespaces,
    PodAffinity,
    Requirement,
    WeightedAffinityTerm,
    affinity_term,
    label_selector,
)

SCAN = {"service": "securityscan"}
S1 = {"security": "S1"}
NS = Namespaces()


def expr(*reqs: tuple[str, str, tuple[str, ...]]) -> LabelSelector:
    return LabelSelector((), tuple(Requirement(k, op, v) for k, op, v in reqs))


IN_SCAN = expr(("service", "In", ("securityscan", "value2")))
IN_ANTIVIRUS = expr(("service", "In", ("antivirusscan", "value2")))


def term(selector: LabelSelector | None, key: str, namespaces: Sequence[str] = ()) -> object:
    return affinity_term("default", key, selector, namespaces)


def pod(
    name: str,
    labels: dict[str, str],
    affinity: Sequence[object] = (),
    anti: Sequence[object] = (),
    namespace: str = "default",
) -> PodInfo:
    terms = PodAffinity(tuple(affinity), tuple(anti))  # type: ignore[arg-type]
    return PodInfo(
        name,
        labels=labels,
        namespace=namespace,
        pod_affinity=terms if (affinity or anti) else None,
    )


def machine1(*existing: PodInfo) -> NodeInfo:
    node = NodeInfo("machine1", {"pods": 110}, labels={"region": "r1", "zone": "z11"})
    for p in existing:
        node.add_pod(p)
    return node


def status(incoming: PodInfo, nodes: Sequence[NodeInfo], which: int = 0) -> tuple[str, ...]:
    st = ipa.filter_node(ipa.prefilter(incoming, nodes, NS), nodes[which])
    return () if st is None else (st.code, *st.reasons)


AFF = (UNRESOLVABLE, "node(s) didn't match pod affinity rules")
ANTI = (UNSCHEDULABLE, "node(s) didn't match pod anti-affinity rules")
EXISTING = (UNSCHEDULABLE, "node(s) didn't satisfy existing pods anti-affinity rules")


CASES = [
    (
        "no required pod affinity scheduling rules, node with no existing pods",
        PodInfo("p"),
        [],
        (),
    ),
    (
        "satisfies required PodAffinity using In that matches the existing pod",
        pod("p", S1, [term(IN_SCAN, "region")]),
        [pod("e", SCAN)],
        (),
    ),
    (
        "satisfies required PodAffinity using NotIn that matches the existing pod",
        pod("p", S1, [term(expr(("service", "NotIn", ("securityscan3", "value3"))), "region")]),
        [pod("e", SCAN)],
        (),
    ),
    (
        "does not satisfy the PodAffinity because of a different namespace",
        pod("p", S1, [term(IN_SCAN, "", ["DiffNameSpace"])]),
        [pod("e", SCAN, namespace="ns")],
        AFF,
    ),
    (
        "doesn't satisfy the PodAffinity because of an unmatching labelSelector",
        pod("p", SCAN, [term(IN_ANTIVIRUS, "")]),
        [pod("e", SCAN)],
        AFF,
    ),
    (
        "satisfies the PodAffinity with different operators in multiple terms",
        pod(
            "p",
            S1,
            [
                term(expr(("service", "Exists", ()), ("wrongkey", "DoesNotExist", ())), "region"),
                term(
                    expr(
                        ("service", "In", ("securityscan",)), ("service", "NotIn", ("WrongValue",))
                    ),
                    "region",
                ),
            ],
        ),
        [pod("e", SCAN)],
        (),
    ),
    (
        "matchExpressions are ANDed: one item does not match",
        pod(
            "p",
            S1,
            [
                term(expr(("service", "Exists", ()), ("wrongkey", "DoesNotExist", ())), "region"),
                term(
                    expr(
                        ("service", "In", ("securityscan2",)), ("service", "NotIn", ("WrongValue",))
                    ),
                    "region",
                ),
            ],
        ),
        [pod("e", SCAN)],
        AFF,
    ),
    (
        "satisfies the PodAffinity and PodAntiAffinity with the existing pod",
        pod("p", S1, [term(IN_SCAN, "region")], [term(IN_ANTIVIRUS, "node")]),
        [pod("e", SCAN)],
        (),
    ),
    (
        "satisfies PodAffinity, PodAntiAffinity and the existing pod's anti-affinity",
        pod("p", S1, [term(IN_SCAN, "region")], [term(IN_ANTIVIRUS, "node")]),
        [pod("e", SCAN, anti=[term(IN_ANTIVIRUS, "node")])],
        (),
    ),
    (
        "satisfies the PodAffinity but not the PodAntiAffinity",
        pod("p", S1, [term(IN_SCAN, "region")], [term(IN_SCAN, "zone")]),
        [pod("e", SCAN)],
        ANTI,
    ),
    (
        "satisfies PodAffinity and PodAntiAffinity but not the existing pod's anti-affinity",
        pod("p", SCAN, [term(IN_SCAN, "region")], [term(IN_ANTIVIRUS, "node")]),
        [pod("e", SCAN, anti=[term(IN_SCAN, "zone")])],
        EXISTING,
    ),
    (
        "existing pod's anti-affinity is respected when the pod has none: violated",
        PodInfo("p", labels=SCAN),
        [pod("e", SCAN, anti=[term(IN_SCAN, "zone")])],
        EXISTING,
    ),
    (
        "existing pod's anti-affinity is respected when the pod has none: satisfied",
        PodInfo("p", labels=SCAN),
        [
            pod(
                "e",
                SCAN,
                anti=[term(expr(("service", "NotIn", ("securityscan", "value2"))), "zone")],
            )
        ],
        (),
    ),
    (
        "satisfies anti-affinity with the existing pod, but the pod's own anti-affinity "
        "matches it (symmetry from the incoming side)",
        pod(
            "p",
            SCAN,
            anti=[
                term(expr(("service", "Exists", ())), "region"),
                term(expr(("security", "Exists", ())), "region"),
            ],
        ),
        [pod("e", S1, anti=[term(expr(("security", "Exists", ())), "zone")])],
        ANTI,
    ),
]


@pytest.mark.parametrize(("name", "incoming", "existing", "want"), CASES, ids=[c[0] for c in CASES])
def test_upstream_required_affinity_single_node(
    name: str, incoming: PodInfo, existing: list[PodInfo], want: tuple[str, ...]
) -> None:
    assert status(incoming, [machine1(*existing)]) == want


def test_upstream_own_label_affinity_with_pod_on_unknown_node() -> None:
    """upstream: "pod matches its own Label in PodAffinity and that matches the existing pod
    Labels": the only matching pod is on a node outside the snapshot and the incoming pod
    does not match its own NotIn term → no first-pod exception."""
    incoming = pod(
        "p", SCAN, [term(expr(("service", "NotIn", ("securityscan", "value2"))), "region")]
    )
    assert status(incoming, [machine1()]) == AFF


def test_d6_first_pod_of_a_group() -> None:
    """D6 / U47: self-affinity with no matching pod anywhere → every node with the key
    passes; a pod that does not match its own term fails everywhere (Unresolvable)."""
    nodes = [
        NodeInfo("a", {"pods": 10}, labels={"zone": "1"}),
        NodeInfo("b", {"pods": 10}, labels={"zone": "2"}),
        NodeInfo("c", {"pods": 10}, labels={}),
    ]
    first = pod("p", {"app": "db"}, [term(label_selector({"app": "db"}), "zone")])
    assert [status(first, nodes, i) for i in range(3)] == [(), (), AFF]
    lonely = pod("p", {"app": "web"}, [term(label_selector({"app": "db"}), "zone")])
    assert [status(lonely, nodes, i) for i in range(3)] == [AFF, AFF, AFF]
    # once one replica is placed, the rest must follow it
    nodes[1].add_pod(pod("p0", {"app": "db"}))
    assert [status(first, nodes, i) for i in range(3)] == [AFF, (), AFF]


def test_u50_one_per_node() -> None:
    """U50: required anti-affinity on the hostname: a node holding a replica rejects."""
    host = "kubernetes.io/hostname"
    nodes = [NodeInfo(n, {"pods": 10}, labels={host: n}) for n in ("h1", "h2")]
    etcd = pod("e", {"app": "etcd"}, anti=[term(label_selector({"app": "etcd"}), host)])
    nodes[0].add_pod(etcd)
    assert status(etcd, nodes, 0) == ANTI
    assert status(etcd, nodes, 1) == ()


def test_namespace_selector_and_metadata_name_label() -> None:
    """U38: an empty namespaceSelector selects every namespace; a selector on
    kubernetes.io/metadata.name works without Namespace objects; labels of Namespace
    objects are read when given."""
    host = "kubernetes.io/hostname"
    node = NodeInfo("h", {"pods": 10}, labels={host: "h"})
    node.add_pod(PodInfo("other", labels={"app": "x"}, namespace="team-b"))
    all_ns = affinity_term("default", host, label_selector({"app": "x"}), (), LabelSelector())
    incoming = PodInfo("p", pod_affinity=PodAffinity(required_anti=(all_ns,)))
    assert status(incoming, [node]) == ANTI
    by_name = affinity_term(
        "default",
        host,
        label_selector({"app": "x"}),
        (),
        label_selector({"kubernetes.io/metadata.name": "team-b"}),
    )
    incoming = PodInfo("p", pod_affinity=PodAffinity(required_anti=(by_name,)))
    assert status(incoming, [node]) == ANTI
    by_label = affinity_term(
        "default", host, label_selector({"app": "x"}), (), label_selector({"tier": "prod"})
    )
    incoming = PodInfo("p", pod_affinity=PodAffinity(required_anti=(by_label,)))
    assert status(incoming, [node]) == ()
    labelled = Namespaces({"team-b": {"tier": "prod"}})
    st = ipa.filter_node(ipa.prefilter(incoming, [node], labelled), node)
    assert st is not None and st.reasons == ANTI[1:]
    own_only = affinity_term("default", host, label_selector({"app": "x"}))
    incoming = PodInfo("p", pod_affinity=PodAffinity(required_anti=(own_only,)))
    assert status(incoming, [node]) == ()


# --- Score -----------------------------------------------------------------------------


def test_d7_hard_weight_and_ties() -> None:
    """D7: hardPodAffinityWeight 0 → an existing pod's required affinity adds nothing;
    raw 5, 5 → 0, 0; raw −10, 0 → 0, 100."""
    host = "kubernetes.io/hostname"
    nodes = [NodeInfo(n, {"pods": 10}, labels={host: n}) for n in ("h1", "h2")]
    nodes[1].add_pod(pod("e", {"role": "x"}, [term(label_selector({"role": "worker"}), host)]))
    worker = PodInfo("w", labels={"role": "worker"})
    assert ipa.scores(worker, nodes, [0, 1], NS) == [0, 100]
    assert ipa.scores(worker, nodes, [0, 1], NS, hard_weight=0) is None
    assert ipa.normalize([5, 5]) == [0, 0]
    assert ipa.normalize([-10, 0]) == [0, 100]


def test_d8_float_order() -> None:
    """D8: int(100·(29/100)) = int(28.999999999999996) = 28, not 29."""
    assert ipa.normalize([29, 0, 100]) == [28, 0, 100]


def test_u56_preferred_affinity_and_anti_affinity() -> None:
    """U56 (scenario 12): cache in zone-a, noisy in zone-b; front prefers cache (80) and
    avoids noisy (30) → raw 80, −30, 0 → 100, 0, 27; back avoids noisy (30) and cache
    (10) → −10, −30, 0 → 66, 0, 100."""
    zone = "topology.kubernetes.io/zone"
    nodes = [NodeInfo(f"n{z}", {"pods": 10}, labels={zone: z}) for z in ("a", "b", "c")]
    nodes[0].add_pod(PodInfo("cache", labels={"app": "cache"}))
    nodes[1].add_pod(PodInfo("noisy", labels={"app": "noisy"}))

    def w(weight: int, app: str) -> WeightedAffinityTerm:
        return WeightedAffinityTerm(
            weight, affinity_term("default", zone, label_selector({"app": app}))
        )

    front = PodInfo(
        "front",
        pod_affinity=PodAffinity(preferred=(w(80, "cache"),), preferred_anti=(w(30, "noisy"),)),
    )
    assert ipa.scores(front, nodes, [0, 1, 2], NS) == [100, 0, 27]
    back = PodInfo(
        "back", pod_affinity=PodAffinity(preferred_anti=(w(30, "noisy"), w(10, "cache")))
    )
    assert ipa.scores(back, nodes, [0, 1, 2], NS) == [66, 0, 100]


def test_existing_pods_preferred_terms_score_the_incoming_pod() -> None:
    """U52 4./5.: an existing pod's preferred affinity (+w) and anti-affinity (−w) terms
    that the incoming pod matches count at the existing pod's node; its required
    anti-affinity plays no part in scoring."""
    host = "kubernetes.io/hostname"
    nodes = [NodeInfo(n, {"pods": 10}, labels={host: n}) for n in ("h1", "h2", "h3")]
    likes = WeightedAffinityTerm(7, affinity_term("default", host, label_selector({"app": "p"})))
    dislikes = WeightedAffinityTerm(3, affinity_term("default", host, label_selector({"app": "p"})))
    nodes[0].add_pod(PodInfo("a", pod_affinity=PodAffinity(preferred=(likes,))))
    nodes[1].add_pod(PodInfo("b", pod_affinity=PodAffinity(preferred_anti=(dislikes,))))
    incoming = PodInfo("p", labels={"app": "p"})
    # raw 7, −3, 0 → min −3, diff 10: 100, 0, 30
    assert ipa.scores(incoming, nodes, [0, 1, 2], NS) == [100, 0, 30]
    repel = affinity_term("default", host, label_selector({"app": "p"}))
    nodes[2].add_pod(PodInfo("c", pod_affinity=PodAffinity(required_anti=(repel,))))
    assert ipa.scores(incoming, nodes, [0, 1, 2], NS) == [100, 0, 30]
