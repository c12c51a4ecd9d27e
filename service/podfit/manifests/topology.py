"""Reading ``topologySpreadConstraints``, ``affinity.podAffinity`` / ``podAntiAffinity`` and
workload selectors into :mod:`podfit.topology` values, validated as the API server does.

A term without namespaces and namespaceSelector gets the pod's namespace.
``matchLabelKeys`` / ``mismatchLabelKeys`` are kept as read: the API server merges them
into the selectors at pod creation with the pod's final labels, which for a Deployment's
pods are known only after reconciliation (``pod-template-hash``); the scheduler's adapter
does it then (:func:`podfit.topology.with_label_keys`). Each function is O(size of the
field) and reports bad input through ``Doc.error`` with the field path.
"""

from __future__ import annotations

from typing import Any

from podfit.manifests import objects
from podfit.manifests.fields import Doc, unsupported
from podfit.topology import (
    DO_NOT_SCHEDULE,
    HONOR,
    IGNORE,
    SCHEDULE_ANYWAY,
    AffinityTerm,
    LabelSelector,
    PodAffinity,
    Requirement,
    SpreadConstraint,
    WeightedAffinityTerm,
    affinity_term,
)

WHEN_UNSATISFIABLE = (DO_NOT_SCHEDULE, SCHEDULE_ANYWAY)
INCLUSION_POLICIES = (HONOR, IGNORE)


def topology_selector(selector: objects.LabelSelector) -> LabelSelector:
    """The reader's selector value as the scheduler's (:mod:`podfit.topology`). O(terms)."""
    return LabelSelector(
        selector.match_labels,
        tuple(Requirement(r.key, r.operator, r.values) for r in selector.match_expressions),
    )


def read_label_selector(value: Any, path: str, d: Doc) -> LabelSelector | None:
    """A ``metav1.LabelSelector`` (validated by :func:`objects.read_selector`); None when
    absent (matches nothing)."""
    selector = objects.read_selector(value, path, d)
    return None if selector is None else topology_selector(selector)


def _keys(value: Any, path: str, d: Doc) -> tuple[str, ...]:
    return tuple(d.string(k, f"{path}[{i}]") for i, k in enumerate(d.seq(value, path)))


def read_spread_constraints(value: Any, path: str, d: Doc) -> tuple[SpreadConstraint, ...]:
    """``spec.topologySpreadConstraints`` with API defaults (minDomains 1, nodeAffinityPolicy
    Honor, nodeTaintsPolicy Ignore); matchLabelKeys kept for the merge at conversion."""
    out = []
    seen: set[tuple[str, str]] = set()
    for i, raw in enumerate(d.seq(value, path)):
        cp = f"{path}[{i}]"
        c = d.mapping(raw, cp)
        if c.get("maxSkew") is None:
            d.error(f"{cp}.maxSkew", "Required value")
        max_skew = d.integer(c.get("maxSkew"), f"{cp}.maxSkew", 1, lo=1)
        key = d.string(c.get("topologyKey"), f"{cp}.topologyKey")
        if not key:
            d.error(f"{cp}.topologyKey", "Required value: can not be empty")
        when = d.string(c.get("whenUnsatisfiable"), f"{cp}.whenUnsatisfiable")
        if when not in WHEN_UNSATISFIABLE:
            d.error(f"{cp}.whenUnsatisfiable", unsupported(when, WHEN_UNSATISFIABLE))
        elif (key, when) in seen:
            d.error(f"{cp}", f'Duplicate value: "{{{key}, {when}}}"')
        seen.add((key, when))
        min_domains = d.integer(c.get("minDomains"), f"{cp}.minDomains", 1, lo=1)
        if c.get("minDomains") is not None and when == SCHEDULE_ANYWAY:
            d.error(
                f"{cp}.minDomains",
                f"Invalid value: {min_domains}: can only use minDomains if whenUnsatisfiable="
                f"{DO_NOT_SCHEDULE}, not {SCHEDULE_ANYWAY}",
            )
        policies = []
        for name in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            policy = d.string(
                c.get(name), f"{cp}.{name}", HONOR if name == "nodeAffinityPolicy" else IGNORE
            )
            if policy not in INCLUSION_POLICIES:
                d.error(f"{cp}.{name}", unsupported(policy, INCLUSION_POLICIES))
            policies.append(policy)
        selector = read_label_selector(c.get("labelSelector"), f"{cp}.labelSelector", d)
        keys = _keys(c.get("matchLabelKeys"), f"{cp}.matchLabelKeys", d)
        if keys and selector is None:
            d.error(
                f"{cp}.matchLabelKeys",
                "Forbidden: must not be specified when labelSelector is not set",
            )
        out.append(
            SpreadConstraint(
                max_skew, key, when, selector, min_domains, policies[0], policies[1], keys
            )
        )
    return tuple(out)


def _term(value: Any, path: str, d: Doc, namespace: str) -> AffinityTerm:
    t = d.mapping(value, path)
    key = d.string(t.get("topologyKey"), f"{path}.topologyKey")
    if not key:
        d.error(f"{path}.topologyKey", "Required value: can not be empty")
    selector = read_label_selector(t.get("labelSelector"), f"{path}.labelSelector", d)
    match = _keys(t.get("matchLabelKeys"), f"{path}.matchLabelKeys", d)
    mismatch = _keys(t.get("mismatchLabelKeys"), f"{path}.mismatchLabelKeys", d)
    names = _keys(t.get("namespaces"), f"{path}.namespaces", d)
    ns_selector = read_label_selector(t.get("namespaceSelector"), f"{path}.namespaceSelector", d)
    return affinity_term(namespace, key, selector, names, ns_selector, match, mismatch)


def read_pod_affinity(value: Any, path: str, d: Doc, namespace: str) -> PodAffinity | None:
    """``spec.affinity.podAffinity`` and ``podAntiAffinity`` (``path`` is ``…spec.affinity``);
    None when neither has a term."""
    if value is None or (
        type(value) is dict
        and value.get("podAffinity") is None
        and value.get("podAntiAffinity") is None
    ):  # nothing to read or check (most pods): what the walk below would find
        return None
    aff = d.mapping(value, path)
    parts: list[tuple[AffinityTerm, ...]] = []
    weighted: list[tuple[WeightedAffinityTerm, ...]] = []
    for kind in ("podAffinity", "podAntiAffinity"):
        kp = f"{path}.{kind}"
        block = d.mapping(aff.get(kind), kp)
        rp = f"{kp}.requiredDuringSchedulingIgnoredDuringExecution"
        parts.append(
            tuple(
                _term(raw, f"{rp}[{i}]", d, namespace)
                for i, raw in enumerate(
                    d.seq(block.get("requiredDuringSchedulingIgnoredDuringExecution"), rp)
                )
            )
        )
        pp = f"{kp}.preferredDuringSchedulingIgnoredDuringExecution"
        prefs = []
        for i, raw in enumerate(
            d.seq(block.get("preferredDuringSchedulingIgnoredDuringExecution"), pp)
        ):
            item = d.mapping(raw, f"{pp}[{i}]")
            if item.get("weight") is None:
                d.error(f"{pp}[{i}].weight", "Required value")
            weight = d.integer(item.get("weight"), f"{pp}[{i}].weight", 1, lo=1, hi=100)
            term = _term(item.get("podAffinityTerm"), f"{pp}[{i}].podAffinityTerm", d, namespace)
            prefs.append(WeightedAffinityTerm(weight, term))
        weighted.append(tuple(prefs))
    result = PodAffinity(parts[0], parts[1], weighted[0], weighted[1])
    return result if any(result) else None


__all__ = [
    "read_label_selector",
    "read_pod_affinity",
    "read_spread_constraints",
    "topology_selector",
]
