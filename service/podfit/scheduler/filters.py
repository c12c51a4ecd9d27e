"""The default profile's Filter plugins: one function each, returning reasons, not booleans.

Each function takes a :class:`~podfit.scheduler.model.PodInfo` and a
:class:`~podfit.scheduler.model.NodeInfo` and returns ``None`` when the node passes, else a
:class:`FilterStatus` holding the plugin name, the status code and the exact reason strings
kube-scheduler puts into ``FailedScheduling`` (§3.2 of the scheduling notes):

==================  ==============================================================  =============
plugin              reason                                                          code
==================  ==============================================================  =============
NodeUnschedulable   ``node(s) were unschedulable``                                  Unresolvable
NodeName            ``node(s) didn't match the requested node name``                Unresolvable
TaintToleration     ``node(s) had untolerated taint {k: v}`` (≤1.33) /              Unresolvable
                    ``node(s) had untolerated taint(s)`` (1.34, 1.35)
NodeAffinity        ``node(s) didn't match Pod's node affinity/selector``           Unresolvable
NodePorts           ``node(s) didn't have free ports for the requested pod ports``  Unschedulable
NodeResourcesFit    ``Too many pods``, ``Insufficient <resource>``                  see below
==================  ==============================================================  =============

NodeResourcesFit is UnschedulableAndUnresolvable when some request exceeds the node's whole
allocatable (it could not fit even on the empty node), otherwise Unschedulable — where the
version's :class:`~podfit.scheduler.features.Features` have ``resource_fit_unresolvable``
(1.34 on); 1.33 reports every shortfall as Unschedulable, so DefaultPreemption still tries
such nodes. ``docs/kubernetes-versions.md`` tells where each version difference comes from.
:func:`run_filters` runs them in upstream order and stops at the first failing plugin.
Every function is O(size of the pod's and node's lists); none allocates on success.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from functools import lru_cache
from typing import NamedTuple

from podfit.resources import CPU, EPHEMERAL_STORAGE, MEMORY, PODS, is_extended
from podfit.scheduler.features import DEFAULT_VERSION as DEFAULT_VERSION
from podfit.scheduler.features import SUPPORTED_VERSIONS as SUPPORTED_VERSIONS
from podfit.scheduler.features import Features, features
from podfit.scheduler.model import (
    NO_EXECUTE,
    NO_SCHEDULE,
    HostPort,
    NodeInfo,
    PodInfo,
    Requirement,
    Taint,
    Term,
    Toleration,
)

UNSCHEDULABLE = "Unschedulable"
UNRESOLVABLE = "UnschedulableAndUnresolvable"

NODE_UNSCHEDULABLE = "NodeUnschedulable"
NODE_NAME = "NodeName"
TAINT_TOLERATION = "TaintToleration"
NODE_AFFINITY = "NodeAffinity"
NODE_PORTS = "NodePorts"
NODE_RESOURCES_FIT = "NodeResourcesFit"

REASON_UNSCHEDULABLE = "node(s) were unschedulable"
REASON_NODE_NAME = "node(s) didn't match the requested node name"
REASON_TAINTS = "node(s) had untolerated taint(s)"
REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
REASON_PORTS = "node(s) didn't have free ports for the requested pod ports"
REASON_TOO_MANY_PODS = "Too many pods"
REASON_AFFINITY_CONFLICT = "pod affinity terms conflict"
REASON_ABSENT = "node(s) didn't satisfy plugin(s) [NodeAffinity]"

TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
METADATA_NAME = "metadata.name"


class FilterStatus(NamedTuple):
    """A failing filter: which plugin, its code and its reasons (exact upstream strings)."""

    plugin: str
    code: str
    reasons: tuple[str, ...]


def taint_reason(taint: Taint, version: str) -> str:
    """The TaintToleration reason for ``taint`` in Kubernetes ``version``: the taint's key
    and value (``node(s) had untolerated taint {dedicated: user1}``) where the version's
    :class:`~podfit.scheduler.features.Features` say so, else :data:`REASON_TAINTS`."""
    if features(version).taint_reason_names_taint:
        return f"node(s) had untolerated taint {{{taint.key}: {taint.value}}}"
    return REASON_TAINTS


def tolerates(toleration: Toleration, taint: Taint) -> bool:
    """``Toleration.ToleratesTaint``: empty effect/key match any; Exists ignores the value.

    >>> tolerates(Toleration("gpu", "Exists"), Taint("gpu", "a100", "NoSchedule"))
    True
    >>> tolerates(Toleration("gpu", "Equal", "t4", "NoSchedule"), Taint("gpu", "a100"))
    False
    """
    if toleration.effect and toleration.effect != taint.effect:
        return False
    if toleration.key and toleration.key != taint.key:
        return False
    if toleration.operator in ("", "Equal"):
        return toleration.value == taint.value
    return toleration.operator == "Exists"


def tolerated(tolerations: Iterable[Toleration], taint: Taint) -> bool:
    """True when any of ``tolerations`` tolerates ``taint``."""
    return any(tolerates(t, taint) for t in tolerations)


def first_untolerated(
    taints: Iterable[Taint], tolerations: Collection[Toleration], effects: Collection[str]
) -> Taint | None:
    """``FindMatchingUntoleratedTaint``: first taint with an effect in ``effects`` not tolerated."""
    for taint in taints:
        if taint.effect in effects and not tolerated(tolerations, taint):
            return taint
    return None


# --- the filters, in upstream order ---------------------------------------------------------


def node_unschedulable(pod: PodInfo, node: NodeInfo) -> FilterStatus | None:
    """A cordoned node rejects pods without a toleration for its ``unschedulable`` taint."""
    if not node.unschedulable:
        return None
    if tolerated(pod.tolerations, Taint(TAINT_UNSCHEDULABLE, "", NO_SCHEDULE)):
        return None
    return FilterStatus(NODE_UNSCHEDULABLE, UNRESOLVABLE, (REASON_UNSCHEDULABLE,))


def node_name(pod: PodInfo, node: NodeInfo) -> FilterStatus | None:
    """A pod with ``spec.nodeName`` fits only the node of that name."""
    if not pod.node_name or pod.node_name == node.name:
        return None
    return FilterStatus(NODE_NAME, UNRESOLVABLE, (REASON_NODE_NAME,))


def taint_toleration(
    pod: PodInfo, node: NodeInfo, version: str = DEFAULT_VERSION
) -> FilterStatus | None:
    """The first NoSchedule/NoExecute taint (node order) that no toleration tolerates rejects."""
    if not node.taints:
        return None
    taint = first_untolerated(node.taints, pod.tolerations, (NO_SCHEDULE, NO_EXECUTE))
    if taint is None:
        return None
    return FilterStatus(TAINT_TOLERATION, UNRESOLVABLE, (taint_reason(taint, version),))


_GO_INT = re.compile(r"[+-]?[0-9]+\Z")
_INT64_MAX = 2**63 - 1


def go_parse_int(text: str) -> int | None:
    """``strconv.ParseInt(text, 10, 64)``: None when Go would return an error."""
    if not _GO_INT.match(text):
        return None
    value = int(text)
    if value > _INT64_MAX or value < -_INT64_MAX - 1:
        return None
    return value


_QUALIFIED_NAME = re.compile(r"(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")
_DNS1123_SUBDOMAIN = re.compile(
    r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\Z"
)
_LABEL_VALUE = re.compile(r"(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\Z")


def is_label_key(key: str) -> bool:
    """``validation.IsQualifiedName``: ``[prefix/]name``, name ≤ 63 alphanumerics with
    ``-_.`` inside, prefix a lowercase DNS subdomain ≤ 253 characters."""
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or "/" in prefix):
        return False
    if slash and (len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix)):
        return False
    return 0 < len(name) <= 63 and _QUALIFIED_NAME.match(name) is not None


def is_label_value(value: str) -> bool:
    """``validation.IsValidLabelValue``: empty, or ≤ 63 alphanumerics with ``-_.`` inside."""
    return len(value) <= 63 and _LABEL_VALUE.match(value) is not None


@lru_cache(maxsize=4096)
def requirement_is_valid(req: Requirement) -> bool:
    """``labels.NewRequirement``'s checks: a valid key, a known operator with the right
    number of values (Gt/Lt: one integer), and **every value a valid label value**.

    The API server does not check node-affinity values, so ``NotIn ["a b"]`` or
    ``Gt ["-1"]`` are accepted — and then the scheduler's node selector fails to build
    the requirement and its whole term matches no node. Cached per requirement.
    """
    if not is_label_key(req.key):
        return False
    op, values = req.operator, req.values
    if op in ("In", "NotIn"):
        ok = bool(values)
    elif op in ("Exists", "DoesNotExist"):
        ok = not values
    elif op in ("Gt", "Lt"):
        ok = len(values) == 1 and go_parse_int(values[0]) is not None
    else:
        ok = False
    return ok and all(is_label_value(v) for v in values)


def requirement_matches(req: Requirement, labels: dict[str, str]) -> bool:
    """One ``matchExpressions`` entry against node labels (In, NotIn, Exists, DoesNotExist, Gt, Lt).

    An invalid requirement (:func:`requirement_is_valid`: bad key or value, unknown
    operator, In/NotIn without values, Exists or DoesNotExist with values, Gt/Lt without
    exactly one integer value) matches nothing, as the lazy-error node selector skips
    such terms.
    """
    if not requirement_is_valid(req):
        return False
    op = req.operator
    value = labels.get(req.key)
    if op == "In":
        return value is not None and value in req.values
    if op == "NotIn":
        return bool(req.values) and (value is None or value not in req.values)
    if op == "Exists":
        return value is not None and not req.values
    if op == "DoesNotExist":
        return value is None and not req.values
    if op in ("Gt", "Lt"):
        if len(req.values) != 1 or value is None:
            return False
        want = go_parse_int(req.values[0])
        have = go_parse_int(value)
        if want is None or have is None:
            return False
        return have > want if op == "Gt" else have < want
    return False


def field_matches(req: Requirement, name: str) -> bool:
    """One ``matchFields`` entry: In / NotIn with exactly one value, against the node's fields.

    ``nodeSelectorRequirementsAsFieldSelector`` accepts only In / NotIn with one value (else
    its term matches nothing) but does not check the key: the node's field set holds only
    ``metadata.name``, so any other key reads as ``""`` (``NotIn ["x"]`` on ``metadata.uid``
    matches every node). The API server refuses such keys; podfit follows the scheduler.
    NodeAffinity's PreFilter still reads every ``metadata.name`` ``In`` value.
    """
    if len(req.values) != 1:
        return False
    have = name if req.key == METADATA_NAME else ""
    if req.operator == "In":
        return have == req.values[0]
    if req.operator == "NotIn":
        return have != req.values[0]
    return False


def term_matches(term: Term, node: NodeInfo) -> bool:
    """A node selector term: all expressions and fields match; an empty term matches nothing."""
    if not term.match_expressions and not term.match_fields:
        return False
    labels = node.labels
    for req in term.match_expressions:
        if not requirement_matches(req, labels):
            return False
    return all(field_matches(req, node.name) for req in term.match_fields)


def required_affinity_matches(pod: PodInfo, node: NodeInfo) -> bool:
    """``GetRequiredNodeAffinity(pod).Match(node)``: nodeSelector AND (any required term)."""
    labels = node.labels
    for key, value in pod.node_selector:
        if labels.get(key) != value:
            return False
    terms = pod.required_terms
    if terms is None:
        return True
    return any(term_matches(term, node) for term in terms)


def node_affinity(pod: PodInfo, node: NodeInfo) -> FilterStatus | None:
    """``nodeSelector`` and required node affinity must match the node's labels and name."""
    if not pod.node_selector and pod.required_terms is None:
        return None
    if required_affinity_matches(pod, node):
        return None
    return FilterStatus(NODE_AFFINITY, UNRESOLVABLE, (REASON_AFFINITY,))


def prefilter_node_names(pod: PodInfo) -> frozenset[str] | None:
    """NodeAffinity PreFilter: the node names a pod's ``metadata.name`` terms allow.

    None means every node is a candidate (some term has no ``metadata.name In`` field).
    An empty set means the terms conflict (PreFilter rejects the pod with
    ``pod affinity terms conflict``). Requirements in one term intersect; terms unite.
    """
    terms = pod.required_terms
    if not terms:
        return None
    names: set[str] = set()
    for term in terms:
        term_names: set[str] | None = None
        for req in term.match_fields:
            if req.key == METADATA_NAME and req.operator == "In":
                values = set(req.values)
                term_names = values if term_names is None else term_names & values
        if term_names is None:
            return None
        names |= term_names
    return frozenset(names)


def ports_conflict(wanted: HostPort, used: Iterable[HostPort]) -> bool:
    """``HostPortInfo.CheckConflict``: same protocol and port, and either IP is 0.0.0.0 or equal."""
    if wanted.port <= 0:
        return False
    protocol = wanted.protocol or "TCP"
    ip = wanted.ip or "0.0.0.0"
    for other in used:
        if other.port != wanted.port or (other.protocol or "TCP") != protocol:
            continue
        other_ip = other.ip or "0.0.0.0"
        if ip == "0.0.0.0" or other_ip == "0.0.0.0" or other_ip == ip:
            return True
    return False


def node_ports(pod: PodInfo, node: NodeInfo) -> FilterStatus | None:
    """Every wanted host port must be free on the node (the pod's own ports are not compared)."""
    if not pod.host_ports or not node.ports:
        return None
    for wanted in pod.host_ports:
        if ports_conflict(wanted, node.ports):
            return FilterStatus(NODE_PORTS, UNSCHEDULABLE, (REASON_PORTS,))
    return None


class InsufficientResource(NamedTuple):
    """One shortfall found by NodeResourcesFit (also what the kubelet reports on admission).

    ``capacity`` is the node's allocatable; ``unresolvable`` means ``requested > capacity``.
    """

    resource: str
    reason: str
    requested: int
    used: int
    capacity: int
    unresolvable: bool


_FIXED = (CPU, MEMORY, EPHEMERAL_STORAGE)


def insufficient_resources(
    pod: PodInfo,
    node: NodeInfo,
    ignored_resources: Collection[str] = (),
    ignored_groups: Collection[str] = (),
) -> list[InsufficientResource]:
    """``fitsRequest``: every resource the node lacks for ``pod``, in upstream order.

    Order: pods, cpu, memory, ephemeral-storage, then scalar resources by name (upstream
    walks a Go map here). ``used + request == allocatable`` fits. Extended resources listed
    in ``ignored_resources`` or whose domain is in ``ignored_groups`` are skipped.
    """
    out: list[InsufficientResource] = []
    count = len(node.pods)
    max_pods = node.allocatable.get(PODS, 0)
    if count + 1 > max_pods:
        out.append(InsufficientResource(PODS, REASON_TOO_MANY_PODS, 1, count, max_pods, False))
    requests = pod.requests
    if not requests:
        return out
    alloc = node.allocatable
    used = node.requested
    for name in _FIXED:
        want = requests.get(name, 0)
        if want > 0:
            cap = alloc.get(name, 0)
            have = used.get(name, 0)
            if want > cap - have:
                out.append(
                    InsufficientResource(name, f"Insufficient {name}", want, have, cap, want > cap)
                )
    if pod.scalar_requests:
        for name, want in pod.scalar_requests:
            if want == 0:
                continue
            if is_extended(name) and (
                name in ignored_resources
                or (ignored_groups and name.split("/", 1)[0] in ignored_groups)
            ):
                continue
            cap = alloc.get(name, 0)
            have = used.get(name, 0)
            if want > cap - have:
                out.append(
                    InsufficientResource(name, f"Insufficient {name}", want, have, cap, want > cap)
                )
    return out


def node_resources_fit(
    pod: PodInfo,
    node: NodeInfo,
    ignored_resources: Collection[str] = (),
    ignored_groups: Collection[str] = (),
    version: str = DEFAULT_VERSION,
) -> FilterStatus | None:
    """Pod count and every requested resource must fit what is left of allocatable.

    The code is UnschedulableAndUnresolvable when some request exceeds the whole
    allocatable and ``version``'s features have ``resource_fit_unresolvable``, else
    Unschedulable.
    """
    short = insufficient_resources(pod, node, ignored_resources, ignored_groups)
    if not short:
        return None
    code = UNSCHEDULABLE
    if features(version).resource_fit_unresolvable and any(s.unresolvable for s in short):
        code = UNRESOLVABLE
    return FilterStatus(NODE_RESOURCES_FIT, code, tuple(s.reason for s in short))


class FilterConfig(NamedTuple):
    """What the filters need beyond pod and node: version and NodeResourcesFit ignores."""

    version: str = DEFAULT_VERSION
    ignored_resources: frozenset[str] = frozenset()
    ignored_groups: frozenset[str] = frozenset()

    @property
    def features(self) -> Features:
        """What changes with :attr:`version` (:func:`podfit.scheduler.features.features`)."""
        return features(self.version)


def static_filters(pod: PodInfo, node: NodeInfo, cfg: FilterConfig) -> FilterStatus | None:
    """The filters that only look at the node object, not at what is placed on it."""
    return (
        node_unschedulable(pod, node)
        or node_name(pod, node)
        or taint_toleration(pod, node, cfg.version)
        or node_affinity(pod, node)
    )


def dynamic_filters(pod: PodInfo, node: NodeInfo, cfg: FilterConfig) -> FilterStatus | None:
    """The filters that depend on the pods already on the node (ports, resources)."""
    return node_ports(pod, node) or node_resources_fit(
        pod, node, cfg.ignored_resources, cfg.ignored_groups, cfg.version
    )


DEFAULT_FILTER_CONFIG = FilterConfig()


def run_filters(
    pod: PodInfo, node: NodeInfo, cfg: FilterConfig = DEFAULT_FILTER_CONFIG
) -> FilterStatus | None:
    """All filters in upstream order; the first failing plugin's status, or None if it fits."""
    return static_filters(pod, node, cfg) or dynamic_filters(pod, node, cfg)
