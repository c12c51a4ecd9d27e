"""A PodDisruptionBudget's allowed disruptions, as the disruption controller computes them
(``pkg/controller/disruption/disruption.go``: ``getExpectedPodCount``, ``getExpectedScale``,
``updatePdbStatus``) — one rule for preemption, ``plan drain`` / ``check`` and
``plan consolidate``.

* ``maxUnavailable`` (int or percentage): expected = the scale of the selected pods'
  controllers, desiredHealthy = expected − maxUnavailable (percentage of expected,
  rounded up), at least 0;
* else ``minAvailable`` as an integer: desiredHealthy = that number, expected = the
  number of selected pods;
* else ``minAvailable`` as a percentage: expected = the controllers' scale,
  desiredHealthy = that percentage of it, rounded up;
* neither set: expected = desiredHealthy = 0 — so **no** disruption is allowed (the API
  server accepts such a budget; the controller fails closed);
* disruptionsAllowed = healthy − desiredHealthy, and 0 when that is negative or when
  expected ≤ 0.

A controller's scale is its ``spec.replicas``; podfit counts the controller's pods in the
input (not terminating) — the same number when every replica exists as a pod. Pods
without a controller add no scale (upstream collects them as "unmanaged").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


def scaled(value: int | str, total: int) -> int:
    """``intstr.GetScaledValueFromIntOrPercent`` rounding up: an int as is, ``"<n>%"`` as
    ceil(n × total / 100), exactly (``value`` as the manifest reader validated it).

    >>> scaled(3, 10), scaled("25%", 10), scaled("0%", 7)
    (3, 3, 0)
    """
    if isinstance(value, int):
        return value
    percent = int(value.rstrip("%"))
    return -(-total * percent // 100)


def expected_and_desired(
    min_available: int | str | None,
    max_unavailable: int | str | None,
    selected: int,
    scale: int,
) -> tuple[int, int]:
    """``getExpectedPodCount``: (expectedCount, desiredHealthy) of a budget selecting
    ``selected`` pods whose controllers' scales sum to ``scale``.

    >>> expected_and_desired(None, 1, selected=3, scale=5)  # two replicas still Pending
    (5, 4)
    >>> expected_and_desired(2, None, selected=3, scale=5)
    (3, 2)
    >>> expected_and_desired(None, None, selected=3, scale=5)  # fails closed
    (0, 0)
    """
    if max_unavailable is not None:
        return scale, max(0, scale - scaled(max_unavailable, scale))
    if isinstance(min_available, int):
        return selected, min_available
    if min_available is not None:
        return scale, scaled(min_available, scale)
    return 0, 0


def disruptions_allowed(healthy: int, desired: int, expected: int) -> int:
    """``updatePdbStatus``: healthy − desiredHealthy, 0 when negative or when the budget
    expects no pod.

    >>> disruptions_allowed(3, 4, 5), disruptions_allowed(5, 4, 5), disruptions_allowed(3, 0, 0)
    (0, 1, 0)
    """
    if expected <= 0:
        return 0
    return max(0, healthy - desired)


def controller_key(namespace: str, owner: str | None) -> str | None:
    """The controller of a pod as ``namespace/Kind/name``; None for a bare pod (no owner)
    and for a static pod (owner ``Node/...``: the kubelet's mirror pod)."""
    if owner is None or owner.startswith("Node/"):
        return None
    return f"{namespace}/{owner}"


def controller_scales(pods: Iterable[tuple[str, str | None]]) -> Counter[str]:
    """Per controller (:func:`controller_key`), how many of ``pods`` — ``(namespace,
    owner)`` of the pods that count (not terminating, not terminal) — it has. O(pods)."""
    scales: Counter[str] = Counter()
    for namespace, owner in pods:
        key = controller_key(namespace, owner)
        if key is not None:
            scales[key] += 1
    return scales


__all__ = [
    "controller_key",
    "controller_scales",
    "disruptions_allowed",
    "expected_and_desired",
    "scaled",
]
