"""The scheduler's nodes from a compact pool entry: its nodes share the entry's
allocatable mapping, converted once for all of them, and each scheduler node is what
converting its node alone gives."""

from __future__ import annotations

from dataclasses import replace

import pytest

from podfit.errors import PodfitError
from podfit.manifests import load_objects
from podfit.quantity import parse_quantity
from podfit.scheduler.adapt import node_info, node_infos

POOLS = {
    "nodes": [
        {"name": "a", "count": 3, "allocatable": {"cpu": "3500m", "memory": "7Gi", "pods": "58"}},
        {"name": "b", "allocatable": {"cpu": "2", "memory": "4Gi", "pods": "20"}},
        {"name": "c", "count": 2, "preset": "aws/m5.large", "labels": {"tier": "x"}},
    ]
}


def _fields(info: object) -> tuple[object, ...]:
    return tuple(getattr(info, s) for s in type(info).__slots__)  # type: ignore[attr-defined]


def test_pool_nodes_convert_as_each_node_alone() -> None:
    nodes = load_objects([POOLS]).nodes
    shared = node_infos(nodes)
    alone = [node_info(n, i, f"nodes[{i}]") for i, n in enumerate(nodes)]
    assert [_fields(n) for n in shared] == [_fields(n) for n in alone]
    assert [n.name for n in shared] == ["a-0", "a-1", "a-2", "b", "c-0", "c-1"]
    # each scheduler node owns its maps: binding on one changes no other
    assert len({id(n.allocatable) for n in shared}) == len(shared)


def test_a_pool_quantity_past_int64_names_the_pools_first_node() -> None:
    """The conversion error of a shared mapping is raised once, at its first node's path
    (the reader refuses such values, so the pool is made by hand)."""
    nodes = load_objects(
        [{"nodes": [{"name": "ok", "allocatable": {"cpu": "1", "pods": "10"}}]}]
    ).nodes
    bad = {"cpu": parse_quantity("1"), "memory": parse_quantity("9223372036854775807k")}
    pool = [replace(nodes[0], name=f"big-{i}", allocatable=bad) for i in range(2)]
    with pytest.raises(PodfitError) as caught:
        node_infos([nodes[0], *pool])
    assert caught.value.errors[0].path.startswith("nodes[1]")
