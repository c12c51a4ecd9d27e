"""Seeded generators of standard bin-packing benchmark instances.

* ``falkenauer_uniform`` — Falkenauer (1996) class U: capacity 150, item sizes
  uniform integers in [20, 100]; the published sets have 120, 250, 500 and 1000 items.
* ``falkenauer_triplets`` — Falkenauer (1996) class T: capacity 1000, every bin of the
  optimum holds exactly three items summing to 1000, so the optimum is n/3 and equals
  L1 — the hard part is finding it. Per bin: the first item is uniform in [380, 490],
  leaving s = 1000 − first; the second is uniform in [250, s/2]; the third is s − second.
  Items are then shuffled. The published sets have 60, 120, 249 and 501 items.
* ``cpu_memory_workload`` — 2-D pods (cpu millicores, memory bytes) drawn from typical
  request shapes, for the 2-D quality benchmark.

The generators follow the published rules with Python's ``random.Random(seed)``; they
do not reproduce the exact published files (those came from another random source).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from podfit.planning.binpack import BinProblem, NodeTemplate, PodGroup

__all__ = [
    "Instance",
    "cpu_memory_workload",
    "falkenauer_triplets",
    "falkenauer_uniform",
    "one_dimensional_problem",
]

MI = 1024 * 1024
GI = 1024 * MI


@dataclass(frozen=True, slots=True)
class Instance:
    """A 1-D instance: ``sizes`` of items and the bin ``capacity`` (and the optimum if known)."""

    name: str
    capacity: int
    sizes: tuple[int, ...]
    optimum: int | None = None


def falkenauer_uniform(n: int, seed: int) -> Instance:
    """Class U: ``n`` sizes uniform in [20, 100], capacity 150."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    rng = random.Random(seed)
    return Instance(f"u{n}_{seed}", 150, tuple(rng.randint(20, 100) for _ in range(n)))


def falkenauer_triplets(n: int, seed: int) -> Instance:
    """Class T: ``n`` (a multiple of 3) sizes in triplets that fill capacity 1000 exactly."""
    if n < 3 or n % 3:
        raise ValueError(f"n must be a positive multiple of 3, got {n}")
    rng = random.Random(seed)
    sizes: list[int] = []
    for _ in range(n // 3):
        first = rng.randint(380, 490)
        space = 1000 - first
        second = rng.randint(250, space // 2)
        sizes.extend((first, second, space - second))
    rng.shuffle(sizes)
    return Instance(f"t{n}_{seed}", 1000, tuple(sizes), optimum=n // 3)


def one_dimensional_problem(instance: Instance, resource: str = "cpu") -> BinProblem:
    """The instance as a ``BinProblem``: one resource, equal sizes merged into groups."""
    counts = Counter(instance.sizes)
    groups = tuple(
        PodGroup(f"s{size}", (size,), count) for size, count in sorted(counts.items(), reverse=True)
    )
    return BinProblem((resource,), NodeTemplate(instance.name, (instance.capacity,)), groups)


# typical (cpu millicores, memory MiB) request shapes seen in real workloads
_SHAPES = (
    (100, 128),
    (250, 256),
    (250, 512),
    (500, 512),
    (500, 1024),
    (1000, 1024),
    (1000, 2048),
    (1000, 4096),
    (2000, 2048),
    (2000, 4096),
    (2000, 8192),
    (4000, 8192),
    (200, 3072),
    (3000, 1024),
)


def cpu_memory_workload(
    n: int,
    seed: int,
    *,
    node_cpu: int = 8000,
    node_memory: int = 32 * GI,
    max_pods: int = 110,
    jitter: bool = True,
) -> BinProblem:
    """``n`` pods with (cpu, memory) requests for nodes of ``node_cpu``/``node_memory``.

    Shapes come from ``_SHAPES``; with ``jitter`` each request is scaled by a random
    factor in [0.5, 1.5] (cpu rounded to 10m, memory to 16Mi) so shapes are not all equal.
    Resources: cpu, memory, pods.
    """
    rng = random.Random(seed)
    counts: Counter[tuple[int, int]] = Counter()
    for _ in range(n):
        cpu, mem = rng.choice(_SHAPES)
        if jitter:
            cpu = max(10, round(cpu * rng.uniform(0.5, 1.5) / 10) * 10)
            mem = max(16, round(mem * rng.uniform(0.5, 1.5) / 16) * 16)
        counts[(cpu, mem * MI)] += 1
    groups = tuple(
        PodGroup(f"p{cpu}m-{mem // MI}Mi", (cpu, mem, 1), count)
        for (cpu, mem), count in sorted(counts.items(), reverse=True)
    )
    template = NodeTemplate(f"{node_cpu}m-{node_memory // GI}Gi", (node_cpu, node_memory, max_pods))
    return BinProblem(("cpu", "memory", "pods"), template, groups)
