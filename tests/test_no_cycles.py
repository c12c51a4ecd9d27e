"""Reading manifests and scheduling leave no reference cycles behind.

Rule protected: once a caller drops a Workload and a ScheduleResult, reference counting
frees the reader, the scheduling engine, its class indexes, nodes and pods. A cycle among
them (a class index refers to its engine, a workload's name maker to its reader) would
leave every answer's objects to Python's cyclic garbage collector, which the HTTP service
then runs every few requests over thousands of objects. Checked by counting what a
collection finds after the work, with the collector off meanwhile.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from podfit.manifests import load_objects
from podfit.scheduler import schedule


def _deployment(name: str, replicas: int, cpu: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "ns"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [
                        {"name": "c", "image": "i", "resources": {"requests": {"cpu": cpu}}}
                    ]
                },
            },
        },
    }


OBJECTS: list[dict[str, Any]] = [
    {"nodes": [{"name": "pool", "count": 3, "allocatable": {"cpu": "2", "pods": "10"}}]},
    _deployment("web", 4, "300m"),
    _deployment("api", 3, "700m"),
    {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "solo", "namespace": "ns"},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
    },
]


@contextmanager
def _collector_off() -> Iterator[None]:
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _garbage_cycles(work: Callable[[], object]) -> int:
    """Objects a collection frees after ``work()`` ran (its result dropped) with the
    collector off."""
    work()  # first use: imports and caches
    with _collector_off():
        work()
        return gc.collect()


def test_reading_manifests_leaves_no_cycles() -> None:
    assert _garbage_cycles(lambda: load_objects(OBJECTS).pods) == 0


def test_scheduling_leaves_no_cycles() -> None:
    def work() -> object:
        workload = load_objects(OBJECTS)
        result = schedule(workload.pods, workload.nodes, **workload.cluster_objects())
        assert result.pending == []
        return result.to_dict()

    assert _garbage_cycles(work) == 0
