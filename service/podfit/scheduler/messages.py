"""The ``FailedScheduling`` message, byte-identical to kube-scheduler's ``FitError.Error()``.

Shape (§4 of the scheduling notes)::

    0/<all nodes> nodes are available: <histogram>. <post-filter message>

* ``<all nodes>`` counts every node in the snapshot, not just the evaluated ones.
* A PreFilter rejection replaces the histogram by ``<PreFilter message>.``.
* The histogram counts each reason string once per node that reported it (nodes left out
  by a PreFilterResult add their count to the "absent" reasons), renders
  ``"<count> <reason>"`` and sorts those strings **lexicographically**, so
  ``10 Insufficient cpu`` sorts before ``2 Insufficient memory``.
* The PostFilter message (DefaultPreemption) is appended after a space, without a period
  of its own: ``preemption: not eligible due to preemptionPolicy=Never.`` or
  ``preemption: `` + a nested ``0/N nodes are available: ...`` built the same way from
  the preemption statuses (``Preemption is not helpful for scheduling``, ``No preemption
  victims found for incoming pod``, or a filter reason). When preemption would succeed
  there is no PostFilter message at all.
* From 1.34 (DRA GA, DynamicResources in the default profile, placed before
  DefaultPreemption) the PostFilter message of a pod without ResourceClaims starts with
  ``no new claims to deallocate, `` — see
  :func:`podfit.scheduler.profile.postfilter_message`.

>>> fit_error_message(3, {"Insufficient cpu": 2, "node(s) had untolerated taint(s)": 1})
'0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu.'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from podfit.scheduler.features import features

PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_PREEMPTION_VICTIMS = "No preemption victims found for incoming pod"
NOT_ELIGIBLE_NEVER = "not eligible due to preemptionPolicy=Never."
PREEMPTION_PREFIX = "preemption: "


def absent_reason(plugins: Iterable[str]) -> str:
    """The reason of a node a PreFilter result left out, naming the plugins that did
    (``node(s) didn't satisfy plugin(s) [NodeAffinity]``; Go's ``%v`` of a sorted list).

    >>> absent_reason(["NodeAffinity"])
    "node(s) didn't satisfy plugin(s) [NodeAffinity]"
    """
    return f"node(s) didn't satisfy plugin(s) [{' '.join(sorted(plugins))}]"


def sorted_histogram(reasons: Mapping[str, int]) -> list[str]:
    """``"<count> <reason>"`` entries sorted as Go's ``sort.Strings`` (byte order)."""
    return sorted(f"{count} {reason}" for reason, count in reasons.items() if count > 0)


def fit_error_message(
    num_all_nodes: int,
    reasons: Mapping[str, int],
    *,
    prefilter_message: str = "",
    postfilter_message: str = "",
) -> str:
    """``FitError.Error()`` for a snapshot of ``num_all_nodes`` nodes.

    ``reasons`` maps each reason string to the number of nodes that reported it; it is
    ignored when ``prefilter_message`` is set (a PreFilter rejection).
    """
    text = f"0/{num_all_nodes} nodes are available:"
    if prefilter_message:
        text += f" {prefilter_message}."
    else:
        entries = sorted_histogram(reasons)
        if entries:
            text += " " + ", ".join(entries) + "."
    if postfilter_message:
        text += " " + postfilter_message
    return text


def preemption_message(num_all_nodes: int, reasons: Mapping[str, int]) -> str:
    """DefaultPreemption's PostFilter message when no node has a preemption candidate."""
    return PREEMPTION_PREFIX + fit_error_message(num_all_nodes, reasons)


def not_eligible_message() -> str:
    """DefaultPreemption's message for a pod with ``preemptionPolicy: Never``."""
    return PREEMPTION_PREFIX + NOT_ELIGIBLE_NEVER


DRA_NO_CLAIMS = "no new claims to deallocate"
DRA_STATE_NOT_FOUND = "not found"
"""``CycleState.Read``'s ``ErrNotFound`` text: DynamicResources' PostFilter after a PreFilter
rejection that stopped the PreFilter loop before DynamicResources wrote its state."""


def dra_default(version: str) -> bool:
    """Whether DynamicResources is in ``version``'s default profile (the ``dra`` option's
    default): its :class:`~podfit.scheduler.features.Features` ``dynamic_resources``."""
    return features(version).dynamic_resources


def kubelet_insufficient_message(resource: str, requested: int, used: int, capacity: int) -> str:
    """The kubelet's admission message (``InsufficientResourceError.Error()``), unprefixed."""
    return (
        f"Node didn't have enough resource: {resource}, requested: {requested}, "
        f"used: {used}, capacity: {capacity}"
    )


def kubelet_predicate_message(plugin: str, reason: str) -> str:
    """The kubelet's admission message for a non-resource predicate (``PredicateFailureError``)."""
    return f"Predicate {plugin} failed: {reason}"


KUBELET_REJECTED_PREFIX = "Pod was rejected: "
"""``Kubelet.rejectPod`` prefixes ``status.message`` with this."""
