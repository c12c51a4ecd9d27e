"""Versioned JSON documents of the planners (like ``ScheduleResult``).

Every document starts with ``apiVersion: podfit/v1`` and a ``kind``: ``FitReport``
(how many more fit), ``NodesPlan`` (how many nodes are needed), ``DrainReport`` (what
if nodes go away) or ``ConsolidationPlan`` (which nodes can go, where their pods go).
Amounts are canonical Kubernetes quantity strings (``podfit.resources.format_amount``);
counts are ints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from podfit.resources import format_amount
from podfit.scheduler.result import API_VERSION

__all__ = ["API_VERSION", "KINDS", "amounts", "envelope"]

KINDS = ("FitReport", "NodesPlan", "DrainReport", "ConsolidationPlan")


def envelope(kind: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """``{"apiVersion": "podfit/v1", "kind": kind, **body}``."""
    assert kind in KINDS, kind
    return {"apiVersion": API_VERSION, "kind": kind, **body}


def amounts(resources: Sequence[str], values: Sequence[int]) -> dict[str, str]:
    """Per-resource ints as canonical quantity strings (``pods`` as a plain count)."""
    return {r: format_amount(r, v) for r, v in zip(resources, values, strict=True)}
