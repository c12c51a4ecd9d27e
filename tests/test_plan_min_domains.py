"""The ``minDomains`` lower bound of ``plan nodes --zones`` (``lowerBound.minDomains``).

PodTopologySpread: while fewer than ``minDomains`` eligible zones exist, the global
minimum counts as 0, so a ``DoNotSchedule`` zone constraint with ``maxSkew`` s lets at most
s matching pods into each zone. A group of more than s × (m − 1) pods that its own
constraint selects therefore needs m zones, and each new node brings at most one zone
beside the existing nodes' zones: at least m − (existing zones) new nodes. The bound is
checked against the scheduler itself: one node fewer, in as many distinct zones as can
be, leaves pods Pending.
"""

from __future__ import annotations

from typing import Any

import pytest

from podfit import schedule
from podfit.manifests import load_objects
from podfit.nodes import Node
from podfit.planning.cluster import Cluster
from podfit.planning.nodes_needed import NodeShape, nodes_needed
from podfit.planning.zones import ZONE_LABEL, min_domains_bound

HOSTNAME = "kubernetes.io/hostname"


def deployment(
    replicas: int,
    *,
    max_skew: int = 1,
    min_domains: int = 3,
    key: str = ZONE_LABEL,
    when: str = "DoNotSchedule",
    selects: str = "db",
) -> dict[str, Any]:
    """``db``: 500m pods labelled ``app: db``, one spread constraint selecting
    ``app: <selects>``."""
    constraint = {
        "maxSkew": max_skew,
        "minDomains": min_domains,
        "topologyKey": key,
        "whenUnsatisfiable": when,
        "labelSelector": {"matchLabels": {"app": selects}},
    }
    if when != "DoNotSchedule":
        del constraint["minDomains"]  # the API allows minDomains with DoNotSchedule only
    spec = {
        "containers": [{"name": "c", "resources": {"requests": {"cpu": "500m"}}}],
        "topologySpreadConstraints": [constraint],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "db"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "db"}},
            "template": {"metadata": {"labels": {"app": "db"}}, "spec": spec},
        },
    }


def node_doc(name: str, cpu: str = "8", zone: str | None = None) -> dict[str, Any]:
    labels = {HOSTNAME: name, **({ZONE_LABEL: zone} if zone else {})}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "status": {"allocatable": {"cpu": cpu, "memory": "16Gi", "pods": "110"}},
    }


def bound(doc: dict[str, Any], existing_zones: tuple[str, ...] = ()) -> int:
    pods = load_objects([doc]).pods
    nodes = load_objects([node_doc(f"e{z}", zone=z) for z in existing_zones]).nodes
    cluster = Cluster(pods, nodes)
    return min_domains_bound([(cluster.pod_infos()[0], len(pods))], cluster.node_infos(nodes))


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (deployment(6), 3),  # 6 > 1 × 2: three zones
        (deployment(3), 3),  # 3 > 1 × 2
        (deployment(2), 0),  # one per zone in two zones is enough
        (deployment(4, max_skew=2), 0),  # two per zone in two zones
        (deployment(5, max_skew=2), 3),  # 5 > 2 × 2
        (deployment(6, min_domains=1), 0),  # minDomains 1: no bound
        (deployment(6, selects="other"), 0),  # the group's own pods are not counted
        (deployment(6, key=HOSTNAME), 0),  # not a zone constraint
        (deployment(6, when="ScheduleAnyway"), 0),  # not a hard one
    ],
    ids=["6-pods", "3-pods", "2-pods", "skew2-4", "skew2-5", "md1", "other", "host", "soft"],
)
def test_the_bound_per_constraint(doc: dict[str, Any], expected: int) -> None:
    assert bound(doc) == expected


def test_existing_zones_lower_the_bound() -> None:
    """Existing nodes in zones a and b: one new zone is enough for minDomains 3; three
    existing zones: none needed."""
    assert bound(deployment(6), ("a", "b")) == 1
    assert bound(deployment(6), ("a", "b", "c")) == 0


def test_the_plan_reports_the_bound_and_meets_it() -> None:
    """6 replicas, minDomains 3, zones a, b, c: the bound is 3 (the resource bounds say 1),
    the plan has 3 nodes, so the gap is 0; and the scheduler leaves pods Pending on 2 nodes
    in zones a and b (one node fewer than the bound)."""
    pods = load_objects([deployment(6)]).pods
    big = NodeShape("big", load_objects([node_doc("big")]).nodes[0])
    shape = nodes_needed(pods, [big], zones=("a", "b", "c")).to_dict()["shapes"][0]
    assert shape["lowerBound"]["l2"] == 1
    assert shape["lowerBound"]["minDomains"] == 3
    assert shape["lowerBound"]["best"] == 3
    assert (shape["nodes"], shape["gap"], shape["complete"]) == (3, 0, True)
    fewer: list[Node] = load_objects([node_doc("x", zone="a"), node_doc("y", zone="b")]).nodes
    assert any(o.phase == "Pending" for o in schedule(pods, fewer).pods)


def test_without_zones_the_document_has_no_min_domains_bound() -> None:
    """The packer's plan (no zones) is unchanged: no ``minDomains`` entry."""
    pods = load_objects([deployment(6)]).pods
    big = NodeShape("big", load_objects([node_doc("big")]).nodes[0])
    shape = nodes_needed(pods, [big]).to_dict()["shapes"][0]
    assert "minDomains" not in shape["lowerBound"]
    assert shape["lowerBound"]["best"] == 1
