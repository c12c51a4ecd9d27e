"""Label selectors, topology spread constraints and pod (anti-)affinity terms.

The value types PodTopologySpread and InterPodAffinity read (apimachinery's
``metav1.LabelSelector`` / ``labels.Selector`` semantics, paraphrased):

* a **nil** selector (``None`` here) matches nothing;
* an **empty** selector ``LabelSelector()`` matches every label set — except where a plugin
  says otherwise (PodTopologySpread counts no pod for it, :func:`selector_empty`);
* ``matchLabels`` entries are ``key = value``; ``matchExpressions`` operators are In, NotIn,
  Exists and DoesNotExist (NotIn and DoesNotExist match a label set lacking the key).

``matchLabelKeys`` / ``mismatchLabelKeys`` are merged into the selector as the API server
does at pod creation (``pkg/registry/core/pod/strategy.go``): for each key present in the
pod's own labels, ``key In [value]`` (match) or ``key NotIn [value]`` (mismatch) is
appended; keys the pod lacks are skipped and a nil selector stays nil (matches nothing).
kube-scheduler's own matchLabelKeys merge for spread constraints adds the same
requirement again, which changes nothing. See :func:`merge_label_keys`.

Everything is an immutable ``NamedTuple`` so that pods built from one template share them
and they can be part of a scheduling key. Matching costs O(#requirements). This module
imports nothing from podfit: the manifest reader builds these values, the scheduler's
PodTopologySpread and InterPodAffinity read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

METADATA_NAME_LABEL = "kubernetes.io/metadata.name"
"""The label the API server puts on every Namespace (its own name), since 1.22."""

DO_NOT_SCHEDULE = "DoNotSchedule"
SCHEDULE_ANYWAY = "ScheduleAnyway"
HONOR = "Honor"
IGNORE = "Ignore"


class Requirement(NamedTuple):
    """One ``matchExpressions`` entry: ``key``, ``operator`` (In, NotIn, Exists,
    DoesNotExist) and ``values``."""

    key: str
    operator: str
    values: tuple[str, ...] = ()


class LabelSelector(NamedTuple):
    """A ``metav1.LabelSelector``: ``matchLabels`` (sorted pairs) AND ``matchExpressions``."""

    match_labels: tuple[tuple[str, str], ...] = ()
    match_expressions: tuple[Requirement, ...] = ()


def label_selector(
    match_labels: Mapping[str, str] | None = None,
    match_expressions: Iterable[Requirement] = (),
) -> LabelSelector:
    """A selector from a ``matchLabels`` mapping and ``matchExpressions`` (order kept)."""
    return LabelSelector(tuple(sorted((match_labels or {}).items())), tuple(match_expressions))


def requirement_matches(req: Requirement, labels: Mapping[str, str]) -> bool:
    """One label selector requirement (In, NotIn, Exists, DoesNotExist) against ``labels``."""
    op = req.operator
    if op == "In":
        value = labels.get(req.key)
        return value is not None and value in req.values
    if op == "NotIn":
        value = labels.get(req.key)
        return value is None or value not in req.values
    if op == "Exists":
        return req.key in labels
    if op == "DoesNotExist":
        return req.key not in labels
    return False


def selector_matches(selector: LabelSelector | None, labels: Mapping[str, str]) -> bool:
    """``LabelSelectorAsSelector(selector).Matches(labels)``: None matches nothing, an empty
    selector everything.

    >>> selector_matches(label_selector({"app": "web"}), {"app": "web", "x": "1"})
    True
    >>> selector_matches(None, {"app": "web"}), selector_matches(LabelSelector(), {})
    (False, True)
    """
    if selector is None:
        return False
    for key, value in selector.match_labels:
        if labels.get(key) != value:
            return False
    return all(requirement_matches(req, labels) for req in selector.match_expressions)


def selector_empty(selector: LabelSelector | None) -> bool:
    """``labels.Selector.Empty()``: a non-nil selector without any requirement."""
    return selector is not None and not selector.match_labels and not selector.match_expressions


def merge_label_keys(
    selector: LabelSelector | None,
    keys: Iterable[str],
    labels: Mapping[str, str],
    operator: str = "In",
) -> LabelSelector | None:
    """The API server's matchLabelKeys (``In``) / mismatchLabelKeys (``NotIn``) merge: one
    ``key <operator> [value]`` requirement appended per key present in ``labels``; a nil
    selector is left nil (it matches nothing either way).

    >>> merge_label_keys(LabelSelector(), ["pod-template-hash", "absent"],
    ...                  {"pod-template-hash": "abc"}).match_expressions
    (Requirement(key='pod-template-hash', operator='In', values=('abc',)),)
    """
    if selector is None:
        return None
    extra = tuple(Requirement(k, operator, (labels[k],)) for k in keys if k in labels)
    if not extra:
        return selector
    return selector._replace(match_expressions=selector.match_expressions + extra)


def and_selectors(a: LabelSelector, b: LabelSelector) -> LabelSelector:
    """Both selectors' requirements ANDed (``labels.Selector.Add``)."""
    return LabelSelector(
        tuple(sorted({*a.match_labels, *b.match_labels})),
        a.match_expressions + b.match_expressions,
    )


class SpreadConstraint(NamedTuple):
    """One ``spec.topologySpreadConstraints`` entry, with the API defaults applied:
    ``min_domains`` 1 when absent; policies ``Honor`` (node affinity) and ``Ignore``
    (taints) when absent. ``match_label_keys`` are merged into ``selector`` with the pod's
    final labels by :func:`with_label_keys` (then left empty); the scheduler reads
    ``selector`` only.
    """

    max_skew: int
    topology_key: str
    when_unsatisfiable: str = DO_NOT_SCHEDULE
    selector: LabelSelector | None = None
    min_domains: int = 1
    node_affinity_policy: str = HONOR
    node_taints_policy: str = IGNORE
    match_label_keys: tuple[str, ...] = ()


class AffinityTerm(NamedTuple):
    """A ``PodAffinityTerm`` as kube-scheduler holds it (``framework.AffinityTerm``).

    ``namespaces`` already holds the owner's namespace when the term lists none and has no
    ``namespaceSelector`` (:func:`affinity_term`); ``namespace_selector`` None matches no
    namespace, an empty one every namespace. ``match_label_keys`` /
    ``mismatch_label_keys`` are merged into ``selector`` by :func:`with_label_keys`.
    """

    topology_key: str
    selector: LabelSelector | None
    namespaces: frozenset[str]
    namespace_selector: LabelSelector | None = None
    match_label_keys: tuple[str, ...] = ()
    mismatch_label_keys: tuple[str, ...] = ()


def affinity_term(
    owner_namespace: str,
    topology_key: str,
    selector: LabelSelector | None,
    namespaces: Iterable[str] = (),
    namespace_selector: LabelSelector | None = None,
    match_label_keys: Iterable[str] = (),
    mismatch_label_keys: Iterable[str] = (),
) -> AffinityTerm:
    """``getNamespacesFromPodAffinityTerm``: no namespaces and no namespaceSelector means the
    owner pod's own namespace."""
    names = frozenset(namespaces)
    if not names and namespace_selector is None:
        names = frozenset((owner_namespace,))
    return AffinityTerm(
        topology_key,
        selector,
        names,
        namespace_selector,
        tuple(match_label_keys),
        tuple(mismatch_label_keys),
    )


class WeightedAffinityTerm(NamedTuple):
    """A preferred term: ``weight`` (1..100) and its ``podAffinityTerm``."""

    weight: int
    term: AffinityTerm


class PodAffinity(NamedTuple):
    """A pod's ``podAffinity`` and ``podAntiAffinity``, required and preferred."""

    required: tuple[AffinityTerm, ...] = ()
    required_anti: tuple[AffinityTerm, ...] = ()
    preferred: tuple[WeightedAffinityTerm, ...] = ()
    preferred_anti: tuple[WeightedAffinityTerm, ...] = ()


def _term_with_keys(term: AffinityTerm, labels: Mapping[str, str]) -> AffinityTerm:
    if not term.match_label_keys and not term.mismatch_label_keys:
        return term
    selector = merge_label_keys(term.selector, term.match_label_keys, labels)
    selector = merge_label_keys(selector, term.mismatch_label_keys, labels, "NotIn")
    return term._replace(selector=selector, match_label_keys=(), mismatch_label_keys=())


def with_label_keys(
    spread: tuple[SpreadConstraint, ...],
    affinity: PodAffinity | None,
    labels: Mapping[str, str],
) -> tuple[tuple[SpreadConstraint, ...], PodAffinity | None]:
    """The API server's matchLabelKeys / mismatchLabelKeys merge at pod creation, with the
    pod's final ``labels`` (a Deployment's ``pod-template-hash`` included): the keys go
    into the selectors (:func:`merge_label_keys`) and are emptied. Returns the very
    objects when no key is set. O(constraints + terms)."""
    if any(c.match_label_keys for c in spread):
        spread = tuple(
            c._replace(
                selector=merge_label_keys(c.selector, c.match_label_keys, labels),
                match_label_keys=(),
            )
            if c.match_label_keys
            else c
            for c in spread
        )
    if affinity is not None:
        terms = (*affinity.required, *affinity.required_anti)
        weighted = (*affinity.preferred, *affinity.preferred_anti)
        if any(t.match_label_keys or t.mismatch_label_keys for t in terms) or any(
            w.term.match_label_keys or w.term.mismatch_label_keys for w in weighted
        ):
            affinity = PodAffinity(
                tuple(_term_with_keys(t, labels) for t in affinity.required),
                tuple(_term_with_keys(t, labels) for t in affinity.required_anti),
                tuple(w._replace(term=_term_with_keys(w.term, labels)) for w in affinity.preferred),
                tuple(
                    w._replace(term=_term_with_keys(w.term, labels))
                    for w in affinity.preferred_anti
                ),
            )
    return spread, affinity


class Namespaces:
    """Namespace labels: from Namespace objects of the input, else only
    ``kubernetes.io/metadata.name: <name>`` (the API server's label on every namespace)."""

    __slots__ = ("_labels",)

    def __init__(self, labels: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self._labels: dict[str, dict[str, str]] = {}
        for name, own in (labels or {}).items():
            self._labels[name] = {**own, METADATA_NAME_LABEL: name}

    def labels(self, name: str) -> Mapping[str, str]:
        """The labels of namespace ``name``."""
        found = self._labels.get(name)
        if found is None:
            found = self._labels[name] = {METADATA_NAME_LABEL: name}
        return found


def term_matches_pod(
    term: AffinityTerm, namespace: str, labels: Mapping[str, str], namespaces: Namespaces
) -> bool:
    """``AffinityTerm.Matches``: the pod's namespace is listed or selected by the term's
    namespaceSelector, and the term's selector matches the pod's labels."""
    if namespace not in term.namespaces and not selector_matches(
        term.namespace_selector, namespaces.labels(namespace)
    ):
        return False
    return selector_matches(term.selector, labels)


class ServiceSelector(NamedTuple):
    """A Service as default spreading reads it: its namespace and ``spec.selector`` (None
    when the Service has none: it selects no pod; ``{}`` selects every pod of its
    namespace but contributes no requirement)."""

    namespace: str
    selector: Mapping[str, str] | None


def default_selector(
    namespace: str,
    labels: Mapping[str, str],
    owner_selector: LabelSelector | None,
    services: Iterable[ServiceSelector],
) -> LabelSelector | None:
    """``helper.DefaultSelector``: the selectors of the Services of ``namespace`` that select
    the pod, merged, ANDed with its controller's selector (ReplicaSet, StatefulSet,
    ReplicationController; None when the pod has no such controller in the input); None
    when nothing is left (the pod then gets no default spreading). O(#services).

    >>> default_selector("default", {"app": "web", "x": "1"}, None,
    ...                  [ServiceSelector("default", {"app": "web"})]).match_labels
    (('app', 'web'),)
    """
    merged: dict[str, str] = {}
    for svc in services:
        if svc.namespace != namespace or svc.selector is None:
            continue
        if all(labels.get(k) == v for k, v in svc.selector.items()):
            merged.update(svc.selector)
    selector = label_selector(merged)
    if owner_selector is not None:
        selector = and_selectors(selector, owner_selector)
    return None if selector_empty(selector) else selector


__all__ = [
    "DO_NOT_SCHEDULE",
    "HONOR",
    "IGNORE",
    "METADATA_NAME_LABEL",
    "SCHEDULE_ANYWAY",
    "AffinityTerm",
    "LabelSelector",
    "Namespaces",
    "PodAffinity",
    "Requirement",
    "ServiceSelector",
    "SpreadConstraint",
    "WeightedAffinityTerm",
    "affinity_term",
    "and_selectors",
    "default_selector",
    "label_selector",
    "merge_label_keys",
    "selector_empty",
    "selector_matches",
    "term_matches_pod",
    "with_label_keys",
]
