"""Replicas of one template share its objects but are otherwise ordinary, separate pods.

The fast paths (``pods.replicas``, ``PodInfo.replica``, the converter's reuse of the
previous pod's conversion) must give exactly what building each pod from scratch gives.
"""

from __future__ import annotations

from dataclasses import replace

from podfit.pods import Container, Pod, Toleration, replicas
from podfit.quantity import parse_quantity as q
from podfit.scheduler.adapt import PodConverter
from podfit.scheduler.model import HostPort, PodInfo, Term
from podfit.scheduler.model import Toleration as InfoToleration

TEMPLATE = Pod(
    "web-0",
    namespace="shop",
    owner="Deployment/web",
    labels={"app": "web"},
    containers=(Container("app", requests={"cpu": q("250m"), "memory": q("1Gi")}),),
    priority=7,
    node_selector={"zone": "a"},
    tolerations=(Toleration("dedicated", "Equal", "web", "NoSchedule"),),
)


def _fields(info: PodInfo) -> dict[str, object]:
    return {slot: getattr(info, slot) for slot in PodInfo.__slots__ if slot != "_key"}


def test_replicas_equal_replace_with_each_name() -> None:
    names = ["web-0", "web-1", "web-2"]
    assert replicas(TEMPLATE, names) == [replace(TEMPLATE, name=n) for n in names]


def test_replicas_keep_the_template_itself_where_the_name_matches() -> None:
    pods = replicas(TEMPLATE, ["web-0", "web-1"])
    assert pods[0] is TEMPLATE
    assert pods[1] is not TEMPLATE and pods[1].containers is TEMPLATE.containers


def test_podinfo_replica_copies_every_field_but_the_name() -> None:
    info = PodInfo(
        "a",
        namespace="ns",
        owner="Deployment/a",
        requests={"cpu": 100, "example.com/gpu": 1},
        priority=3,
        node_selector={"k": "v"},
        required_terms=[Term()],
        tolerations=[InfoToleration("k")],
        host_ports=[HostPort("TCP", "", 80)],
        qos_class="Burstable",
        phase="Pending",
        index=4,
    )
    info.scheduling_key()
    clone = info.replica("b")
    assert clone.name == "b" and info.name == "a"
    assert {**_fields(clone), "name": "a"} == _fields(info)
    assert clone.scheduling_key() is info.scheduling_key()


def test_converter_reuses_a_replica_conversion_only_for_identical_specs() -> None:
    pods = [
        *replicas(TEMPLATE, ["web-0", "web-1"]),
        replace(TEMPLATE, name="web-2", priority=8),
        replace(TEMPLATE, name="web-3", namespace="other"),
        replace(
            TEMPLATE,
            name="web-4",
            containers=(Container("app", requests={"cpu": q("1"), "memory": q("1Gi")}),),
        ),
    ]
    shared = PodConverter()
    for i, pod in enumerate(pods):
        fresh = PodConverter()(pod, f"pods[{i}]")
        assert _fields(shared(pod, f"pods[{i}]")) == _fields(fresh)
