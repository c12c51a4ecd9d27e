"""Nodes, allocatable amounts and cloud presets with the allocatable calculator."""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from importlib import resources

import pytest

from podfit.errors import ManifestError
from podfit.nodes import (
    Node,
    Taint,
    allocatable_amounts,
    cpu_reserved_ladder,
    memory_reserved_ladder,
    node_preset,
    preset_names,
)
from podfit.quantity import parse_quantity

MI = 1024 * 1024
GI = 1024 * MI


def test_allocatable_amounts_are_scheduler_integers() -> None:
    node = Node(
        "n",
        allocatable={
            "cpu": parse_quantity("3920m"),
            "memory": parse_quantity("14Gi"),
            "pods": parse_quantity("58"),
        },
    )
    assert allocatable_amounts(node) == {"cpu": 3920, "memory": 14 * GI, "pods": 58}


def test_taint_prints_like_kubectl() -> None:
    assert str(Taint("dedicated", "gpu", "NoSchedule")) == "dedicated=gpu:NoSchedule"
    assert str(Taint("node.kubernetes.io/unschedulable")) == (
        "node.kubernetes.io/unschedulable:NoSchedule"
    )


@pytest.mark.parametrize(
    ("cores", "millicores"), [(1, 60), (2, 70), (4, 80), (8, 90), (16, 110), (64, 230)]
)
def test_cpu_reservation_ladder(cores: int, millicores: int) -> None:
    """6% of core 1 + 1% of core 2 + 0.5% of cores 3-4 + 0.25% above: 2 cores → 70m."""
    assert cpu_reserved_ladder(cores) == millicores


@pytest.mark.parametrize("cores", range(4, 129))
def test_cpu_reservation_above_four_cores_is_80m_plus_a_quarter_percent_of_each_more(
    cores: int,
) -> None:
    """The docstring's closed form: 60 + 10 + 5·2 + 2.5·(n−4) millicores, rounded up
    (8 cores → 90m, not 100m)."""
    assert cpu_reserved_ladder(cores) == 80 + (5 * (cores - 4) + 1) // 2


@pytest.mark.parametrize(
    ("capacity", "reserved"),
    [
        (512 * MI, 255 * MI),  # below 1Gi: flat 255Mi
        (4 * GI, GI),  # 25% of 4Gi
        (8 * GI, GI + Fraction(4 * GI, 5)),  # + 20% of the next 4Gi = 1.8Gi
        (16 * GI, Fraction(26 * GI, 10)),  # + 10% of the next 8Gi = 2.6Gi
        (32 * GI, Fraction(26 * GI, 10) + Fraction(6 * 16 * GI, 100)),  # + 6% of 16Gi
    ],
)
def test_memory_reservation_ladder(capacity: int, reserved: Fraction) -> None:
    got = memory_reserved_ladder(capacity)
    assert got - 1 < reserved <= got  # rounded up to a whole byte


def _shapes() -> list[dict[str, str]]:
    text = resources.files("podfit").joinpath("data/node-shapes.tsv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


PRESET_ALLOCATABLE = [
    # preset, provider row, cpu allocatable, memory = capacity - (reserved + eviction)
    ("aws/t3.medium", "t3.medium", "1930m", 4 * GI - 542 * MI),
    ("aws/c5.large", "c5.large", "1930m", 4 * GI - 674 * MI),
    ("aws/m5.2xlarge", "m5.2xlarge", "7910m", 32 * GI - 993 * MI),
    ("aws/m5.4xlarge", "m5.4xlarge", "15890m", 64 * GI - 2929 * MI),
    ("aks/Standard_D4s_v3", "Standard_D4s_v3", "3860m", 16 * GI - 2250 * MI - 100 * MI),
    ("aks/Standard_D2s_v3", "Standard_D2s_v3", "1900m", 8 * GI - 2048 * MI - 100 * MI),
    ("aks/Standard_D8s_v3", "Standard_D8s_v3", "7820m", 32 * GI - 2250 * MI - 100 * MI),
]


@pytest.mark.parametrize(("name", "row", "cpu", "memory"), PRESET_ALLOCATABLE)
def test_formula_presets_match_the_provider_rows(
    name: str, row: str, cpu: str, memory: int
) -> None:
    """node-shapes.tsv states allocatable as 'capacity - N Mi'; the calculator agrees."""
    preset = node_preset(name)
    assert preset.allocatable_cpu == parse_quantity(cpu).to_int(-3)
    assert preset.allocatable_memory == memory
    assert any(r["type"] == row and r["allocatable_cpu"] == cpu for r in _shapes())


def test_gke_e2_standard_4_is_13_302Gi() -> None:
    """16Gi − (25%·4Gi + 20%·4Gi + 10%·8Gi = 2.6Gi) − 100Mi = 13.302Gi (node-shapes.tsv)."""
    preset = node_preset("gke/e2-standard-4")
    assert round(preset.allocatable_memory / GI, 3) == 13.302
    assert preset.allocatable_cpu == 3920


def _measured_range(text: str) -> tuple[float, float]:
    text = text.split(" ")[0]
    if text.endswith("Ki"):
        v = int(text[:-2]) / (1024 * 1024)
        return v, v
    lo, _, hi = text.partition("..")
    return float(lo.rstrip("Gi")), float((hi or lo).rstrip("Gi"))


@pytest.mark.parametrize(
    "name",
    [
        "aws/m5.large",
        "aws/m5.xlarge",
        "aws/r5.xlarge",
        "aws/g4dn.xlarge",
        "gke/n2-highmem-4",
        "gke/n2-highmem-16",
        "gke/n2-highmem-64",
    ],
)
def test_measured_presets_reproduce_kubectl_reported_allocatable(name: str) -> None:
    """Formula applied to the measured capacity lands within 0.09Gi of the measured value."""
    preset = node_preset(name)
    kind = preset.instance_type
    row = next(r for r in _shapes() if r["type"] == kind and r["basis"].startswith("measured"))
    lo, hi = _measured_range(row["allocatable_memory"])
    got = preset.allocatable_memory / GI
    assert lo - 0.09 <= got <= hi + 0.09
    assert preset.allocatable_cpu == parse_quantity(row["allocatable_cpu"]).to_int(-3)
    assert preset.max_pods == int(row["max_pods"])


def test_preset_node_has_capacity_allocatable_pods_and_extended_resources() -> None:
    node = node_preset("aws/g4dn.xlarge").node("gpu-0")
    amounts = allocatable_amounts(node)
    assert amounts["nvidia.com/gpu"] == 1
    assert amounts["pods"] == 29
    assert node.labels["node.kubernetes.io/instance-type"] == "g4dn.xlarge"
    assert node.capacity["cpu"] == parse_quantity("4")


def test_preset_explanation_lists_every_term() -> None:
    rows = node_preset("aws/m5.large").explain()
    cpu = [(r["term"], r["amount"]) for r in rows if r["resource"] == "cpu"]
    assert cpu == [
        ("capacity", "2"),
        ("− kube-reserved", "70m"),
        ("− system-reserved", "0"),
        ("= allocatable", "1930m"),
    ]
    memory = [(r["term"], r["amount"]) for r in rows if r["resource"] == "memory"]
    assert memory == [
        ("capacity", "7640Mi"),
        ("− kube-reserved", "574Mi"),
        ("− system-reserved", "0"),
        ("− eviction threshold", "100Mi"),
        ("= allocatable", "6966Mi"),
    ]


def test_unknown_preset_suggests_close_names() -> None:
    with pytest.raises(ManifestError, match=r"aws/m5\.large"):
        node_preset("m5.large")
    assert node_preset("AWS/m5.large").name == "aws/m5.large"
    assert "gke/e2-standard-4" in preset_names()
