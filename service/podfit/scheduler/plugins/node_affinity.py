"""NodeAffinity: ``nodeSelector`` and required node affinity filter nodes, its PreFilter
narrows the candidates to ``metadata.name`` terms, preferred terms score (``nodeaffinity``)."""

from __future__ import annotations

import re
from functools import lru_cache

from podfit.scheduler.framework import (
    DEFAULT_FILTER_CONFIG,
    UNRESOLVABLE,
    FilterConfig,
    FilterStatus,
)
from podfit.scheduler.model import NodeInfo, PodInfo, Requirement, Term

NODE_AFFINITY = "NodeAffinity"
REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
REASON_AFFINITY_CONFLICT = "pod affinity terms conflict"
METADATA_NAME = "metadata.name"


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


def node_affinity(
    pod: PodInfo, node: NodeInfo, cfg: FilterConfig = DEFAULT_FILTER_CONFIG
) -> FilterStatus | None:
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


def node_affinity_raw(pod: PodInfo, node: NodeInfo) -> int:
    """NodeAffinity raw score: the sum of the weights of the preferred terms the node matches."""
    return sum(p.weight for p in pod.preferred_terms if term_matches(p.preference, node))
