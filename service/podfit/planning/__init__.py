"""Capacity planning: how many more pods fit, how many nodes are needed, what if a node goes.

``binpack`` (packers on integer resource vectors), ``bounds`` (lower bounds),
``instances`` (standard benchmark generators) and ``exact`` (optional OR-tools mode)
need nothing but the standard library; ``fit``, ``nodes_needed``, ``whatif`` and
``fragmentation`` answer the questions through the real scheduler.
"""

from __future__ import annotations

from podfit.planning.binpack import (
    BinProblem,
    HostPort,
    NodeTemplate,
    PackedNode,
    Packing,
    PodGroup,
    estimate,
    pack,
)
from podfit.planning.bounds import LowerBounds, lower_bounds

__all__ = [
    "BinProblem",
    "HostPort",
    "LowerBounds",
    "NodeTemplate",
    "PackedNode",
    "Packing",
    "PodGroup",
    "estimate",
    "lower_bounds",
    "pack",
]
