"""What ``plan nodes``' new-node packer says of the pending groups' pod (anti-)affinity and
spreading (:func:`podfit.planning.nodes_needed.packer_warnings`) and which groups it packs
one pod per node: the rules, pinned on groups that exercise every way a term can select
another group (labels, ``In``, ``Exists``, ``NotIn``, an empty selector, namespaces, a
DaemonSet's labels and terms).

- A group's required anti-affinity term on ``kubernetes.io/hostname`` that selects the
  group's own pods and no other pending group's or DaemonSet's pod means one pod per new
  node: the packer honours it (no warning).
- Any other required anti-affinity term, any preferred one, and any term of another
  group or DaemonSet that selects the group's pods: ``podAntiAffinity`` is not honoured.
- Pod affinity and topology spread constraints are not honoured.

The answer is computed once for all groups (an index of the groups' labels), not by
comparing every group with every other: the same warnings, in group order, and the same
packing as that comparison.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pytest

from podfit.manifests import load_objects
from podfit.nodes import Node
from podfit.planning.binpack import PodGroup
from podfit.planning.nodes_needed import (
    ONE_PER_NODE_PROTOCOL,
    NodeShape,
    _Constraints,
    nodes_needed,
)
from podfit.quantity import parse_quantity as q
from podfit.topology import (
    AffinityTerm,
    LabelSelector,
    Namespaces,
    PodAffinity,
    Requirement,
    WeightedAffinityTerm,
    affinity_term,
    label_selector,
    term_matches_pod,
)

HOST = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"


def term(selector: dict[str, Any], key: str = HOST, **extra: Any) -> dict[str, Any]:
    return {"labelSelector": selector, "topologyKey": key, **extra}


def workload(
    name: str,
    labels: dict[str, str],
    *,
    anti: list[dict[str, Any]] = (),  # type: ignore[assignment]
    preferred_anti: bool = False,
    affinity: bool = False,
    spread: bool = False,
    namespace: str = "default",
    kind: str = "Deployment",
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "containers": [{"name": "c", "resources": {"requests": {"cpu": "100m"}}}]
    }
    aff: dict[str, Any] = {}
    if anti or preferred_anti:
        aff["podAntiAffinity"] = {}
        if anti:
            aff["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = anti
        if preferred_anti:
            aff["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"] = [
                {"weight": 1, "podAffinityTerm": term({"matchLabels": labels})}
            ]
    if affinity:
        aff["podAffinity"] = {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                term({"matchLabels": {"app": "solo"}}, ZONE)
            ]
        }
    if aff:
        spec["affinity"] = aff
    if spread:
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": ZONE,
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": labels},
            }
        ]
    body: dict[str, Any] = {
        "selector": {"matchLabels": labels},
        "template": {"metadata": {"labels": labels}, "spec": spec},
    }
    if kind == "Deployment":
        body["replicas"] = 2
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace},
        "spec": body,
    }


GROUPS = [
    # one per node: its own hostname term, nothing else matches it
    workload("solo", {"app": "solo"}, anti=[term({"matchLabels": {"app": "solo"}})]),
    # two groups sharing tier=web, each keeping away from tier=web: matches the other
    workload(
        "web-a", {"app": "web-a", "tier": "web"}, anti=[term({"matchLabels": {"tier": "web"}})]
    ),
    workload(
        "web-b", {"app": "web-b", "tier": "web"}, anti=[term({"matchLabels": {"tier": "web"}})]
    ),
    # a zone term (not one per node) that selects "victim" by an In expression
    workload(
        "hunter",
        {"app": "hunter"},
        anti=[
            term(
                {
                    "matchExpressions": [
                        {"key": "app", "operator": "In", "values": ["victim", "nobody"]}
                    ]
                },
                ZONE,
            )
        ],
    ),
    workload("victim", {"app": "victim"}),
    workload("pref", {"app": "pref"}, preferred_anti=True, affinity=True),
    workload("zoned", {"app": "zoned"}, spread=True),
    # Exists on a key only "marked" carries: one per node
    workload(
        "marked",
        {"app": "marked", "mark": "x"},
        anti=[term({"matchExpressions": [{"key": "mark", "operator": "Exists"}]})],
    ),
    # NotIn selects every group without app=solo... in its namespace only ("other")
    workload(
        "notin",
        {"app": "notin"},
        anti=[
            term({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["solo"]}]})
        ],
        namespace="other",
    ),
    workload("neighbour", {"app": "neighbour"}, namespace="other"),
    # an empty selector in namespace "lonely" where it is the only group: one per node
    workload("empty", {"app": "empty"}, anti=[term({})], namespace="lonely"),
    # a term naming namespace "other": selects "neighbour" there, not "plain" here
    workload(
        "reach",
        {"app": "plain"},
        anti=[term({"matchLabels": {"app": "neighbour"}}, namespaces=["other"])],
    ),
    # selected by the DaemonSet's term
    workload("watched", {"app": "watched"}),
    # its own hostname term also selects the DaemonSet's pods: not one per node
    workload(
        "agentlike",
        {"app": "agentlike", "role": "agent"},
        anti=[term({"matchLabels": {"role": "agent"}})],
    ),
    workload(
        "agent",
        {"app": "agent", "role": "agent"},
        anti=[term({"matchLabels": {"app": "watched"}}, ZONE)],
        kind="DaemonSet",
    ),
]


def not_honoured(who: str, field: str, plugin: str) -> str:
    return (
        f"{who}: {field} is not honoured on the new nodes of plan nodes (kube-scheduler's "
        f"{plugin} may need more nodes or put the pods elsewhere)"
    )


def test_packer_warnings_and_one_pod_per_node_for_many_kinds_of_terms() -> None:
    loaded = load_objects(GROUPS)
    alloc = {"cpu": q("64"), "memory": q("64Gi"), "pods": q("110")}
    shape = NodeShape("big", Node("big", alloc, alloc))
    plan = nodes_needed(loaded.pods, [shape], daemonsets=loaded.daemonsets)
    anti, spread = "InterPodAffinity", "PodTopologySpread"
    assert [w for w in plan.warnings if "is not honoured" in w] == [
        not_honoured("default/Deployment/web-a", "podAntiAffinity", anti),
        not_honoured("default/Deployment/web-b", "podAntiAffinity", anti),
        not_honoured("default/Deployment/hunter", "podAntiAffinity", anti),
        not_honoured("default/Deployment/victim", "podAntiAffinity", anti),
        not_honoured("default/Deployment/pref", "podAntiAffinity", anti),
        not_honoured("default/Deployment/pref", "podAffinity", anti),
        not_honoured("default/Deployment/zoned", "topologySpreadConstraints", spread),
        not_honoured("other/Deployment/notin", "podAntiAffinity", anti),
        not_honoured("other/Deployment/neighbour", "podAntiAffinity", anti),
        not_honoured("default/Deployment/reach", "podAntiAffinity", anti),
        not_honoured("default/Deployment/watched", "podAntiAffinity", anti),
        not_honoured("default/Deployment/agentlike", "podAntiAffinity", anti),
    ]
    groups = plan.plans[0].problem.groups
    assert [g.name for g in groups if _one_per_node(g)] == [
        "Deployment/solo",
        "Deployment/marked",
        "Deployment/empty",
    ]
    assert plan.plans[0].nodes == 2  # the one-per-node groups' two replicas each


def _one_per_node(group: PodGroup) -> bool:
    return any(port.protocol.startswith(ONE_PER_NODE_PROTOCOL) for port in group.host_ports)


# --- the index gives the pairwise comparison's answers ------------------------------------


def pairwise_unhonoured(
    k: int, exemplars: Sequence[Any], daemonsets: Sequence[Any], namespaces: Namespaces
) -> tuple[bool, list[str]]:
    """The rule of the module doc, stated by comparing group ``k`` with every other group
    and DaemonSet pod (O(groups) per group)."""
    exemplar = exemplars[k]
    others = [*daemonsets, *(e for j, e in enumerate(exemplars) if j != k)]

    def matches(term: AffinityTerm, pod: Any) -> bool:
        return term_matches_pod(term, pod.namespace, pod.labels, namespaces)

    one_per_node, fields = False, []
    aff = exemplar.pod_affinity
    if aff is not None:
        for t in aff.required_anti:
            if (
                t.topology_key == HOST
                and matches(t, exemplar)
                and not any(matches(t, o) for o in others)
            ):
                one_per_node = True
            elif "podAntiAffinity" not in fields:
                fields.append("podAntiAffinity")
        if aff.preferred_anti and "podAntiAffinity" not in fields:
            fields.append("podAntiAffinity")
        if aff.required or aff.preferred:
            fields.append("podAffinity")
    if exemplar.spread:
        fields.append("topologySpreadConstraints")
    selected = any(
        o.pod_affinity is not None
        and any(matches(t, exemplar) for t in o.pod_affinity.required_anti)
        for o in others
    )
    if selected and "podAntiAffinity" not in fields:
        fields.append("podAntiAffinity")
    return one_per_node, fields


def random_selector(rng: random.Random, own: str) -> LabelSelector | None:
    """Mostly selective (an app, often the pod's ``own``; an app and a tier; ``In`` some
    apps; ``Exists``), rarely broad (none, empty, ``NotIn``, ``DoesNotExist``: they select
    nearly every group)."""
    app = own if rng.random() < 0.6 else f"a{rng.randrange(APPS)}"
    values = (app, *(f"a{rng.randrange(APPS)}" for _ in range(rng.randrange(3))))
    if rng.random() < 0.03:
        return rng.choice(
            [
                None,
                LabelSelector(),
                label_selector({}, [Requirement("app", "NotIn", values)]),
                label_selector({}, [Requirement("mark", "DoesNotExist")]),
            ]
        )
    return rng.choice(
        [
            label_selector({"app": app}),
            label_selector({"app": app}),
            label_selector({"app": app, "tier": f"t{rng.randrange(3)}"}),
            label_selector({}, [Requirement("app", "In", values)]),
            label_selector({}, [Requirement("mark", "Exists")]),
        ]
    )


APPS = 30
"""Distinct ``app`` labels of the random groups (some groups share one)."""


def random_pod(rng: random.Random) -> Any:
    """An exemplar (or DaemonSet pod) as the packer reads it: namespace, labels, pod
    (anti-)affinity and spread constraints."""
    namespace = rng.choice(["default", "default", "other"])
    labels = {"app": f"a{rng.randrange(APPS)}", "tier": f"t{rng.randrange(3)}"}
    if rng.random() < 0.1:
        labels["mark"] = "x"
    terms = []
    for _ in range(rng.choice([0, 1, 1, 1, 2])):
        spread_namespaces = rng.choice([(), (), (), ("other",), ("default", "other")])
        ns_selector = LabelSelector() if rng.random() < 0.05 else None
        terms.append(
            affinity_term(
                namespace,
                rng.choice([HOST, HOST, HOST, ZONE]),
                random_selector(rng, labels["app"]),
                spread_namespaces,
                ns_selector,
            )
        )
    preferred = rng.random() < 0.1
    affinity = PodAffinity(
        required=(terms[0],) if terms and rng.random() < 0.1 else (),
        required_anti=tuple(terms),
        preferred_anti=(WeightedAffinityTerm(1, terms[0]),) if terms and preferred else (),
    )
    return SimpleNamespace(
        namespace=namespace,
        labels=labels,
        pod_affinity=affinity if rng.random() < 0.9 else None,
        spread=("constraint",) if rng.random() < 0.1 else (),
    )


@pytest.mark.parametrize("seed", range(40))
def test_the_label_index_answers_as_the_pairwise_comparison(seed: int) -> None:
    rng = random.Random(seed)
    exemplars = [random_pod(rng) for _ in range(rng.randrange(1, 25))]
    daemonsets = [random_pod(rng) for _ in range(rng.choice([0, 0, 1, 2]))]
    namespaces = Namespaces()
    constraints = _Constraints(exemplars, daemonsets, namespaces)
    for k in range(len(exemplars)):
        assert constraints.unhonoured(k) == pairwise_unhonoured(
            k, exemplars, daemonsets, namespaces
        ), (seed, k)
