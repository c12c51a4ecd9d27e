"""Objects that create no pods but decide what happens to pods, read into small frozen
values: PodDisruptionBudget, HorizontalPodAutoscaler, Service, Namespace, ResourceQuota,
and the selectors of the workload controllers.

API (every value is a frozen, hashable dataclass; mappings are sorted tuples of pairs, so
two objects with the same content are equal whatever the input order):

:class:`LabelSelector`
    ``metav1.LabelSelector``. ``matches(labels)`` as ``LabelSelectorAsSelector``: the
    empty selector matches every pod (``labels.Everything``); use ``None`` for "no
    selector", which matches nothing (``labels.Nothing``). ``from_map`` makes one from a
    ``map[string]string`` selector (Service, ReplicationController).
:class:`PodDisruptionBudget` (``Workload.disruption_budgets``)
    ``selector`` (None when absent: policy/v1 selects no pods), ``min_available`` /
    ``max_unavailable`` as written (``int`` or a percentage ``str`` such as ``"50%"``,
    None when absent), ``unhealthy_pod_eviction_policy`` (``""`` when absent), and the
    status the disruption controller wrote (``disruptions_allowed``, ``current_healthy``,
    ``desired_healthy``, ``expected_pods``; None when absent). ``selects(pod_labels,
    namespace)``.
:class:`HorizontalPodAutoscaler` (``Workload.autoscalers``)
    ``target`` (:class:`ObjectRef`: api_version, kind, name), ``min_replicas`` (default 1),
    ``max_replicas``, and ``current_replicas`` / ``desired_replicas`` from its status (None
    when absent). ``targets(kind, name, namespace)``.
:class:`Service` (``Workload.services``)
    ``selector``: a :class:`LabelSelector` from ``spec.selector``, or None when the Service
    has no selector (its endpoints are managed by hand; it selects no pods); ``type``
    (default ``ClusterIP``).
:class:`Namespace` (``Workload.namespaces``; ``Workload.namespace(name)``)
    ``labels`` always include ``kubernetes.io/metadata.name: <name>``, set by the API
    server; a namespace that is not in the input has that label only
    (:meth:`Namespace.implicit`).
:class:`ResourceQuota` (``Workload.resource_quotas``)
    ``hard`` and ``used`` (resource name → exact ``Quantity``; ``used`` from the status, empty
    when absent), ``scopes``, ``has_scope_selector``. Enforced on new pods by
    :mod:`podfit.manifests.quota`.
:class:`Controller` (``Workload.controllers``)
    One per ReplicaSet, ReplicationController, StatefulSet, Deployment, Job and DaemonSet
    of the input: ``kind``, ``name``, ``namespace``, ``selector`` (``spec.selector``; for a
    ReplicationController its map, defaulting to the template labels), ``replicas``
    (``spec.replicas``, None for kinds without it), ``owner`` (:class:`ObjectRef` of its
    controlling owner, e.g. a ReplicaSet's Deployment, or None). PodTopologySpread's
    default constraints build their selector from the Services selecting a pod and from
    the ReplicaSet / ReplicationController / StatefulSet that controls it.

Every object is also listed in ``Workload.skipped`` (it creates no pods) with a reason
saying what was read, so the loader's summary names it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from podfit.manifests.apivalidation import validate_quota_scopes
from podfit.manifests.fields import Doc, unsupported
from podfit.quantity import Quantity

SELECTOR_OPERATORS = ("DoesNotExist", "Exists", "In", "NotIn")
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""The label the API server puts on every Namespace (its own name)."""
EVICTION_POLICIES = ("AlwaysAllow", "IfHealthyBudget")


@dataclass(frozen=True, slots=True)
class Requirement:
    """One ``matchExpressions`` entry of a label selector."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """``labels.Requirement.Matches``: In needs the key with a listed value; NotIn
        holds when the key is absent or its value is not listed; Exists / DoesNotExist."""
        if self.operator == "In":
            return self.key in labels and labels[self.key] in self.values
        if self.operator == "NotIn":
            return self.key not in labels or labels[self.key] not in self.values
        if self.operator == "Exists":
            return self.key in labels
        return self.key not in labels  # DoesNotExist


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """``matchLabels`` (sorted pairs) and ``matchExpressions``; all of them must hold."""

    match_labels: tuple[tuple[str, str], ...] = ()
    match_expressions: tuple[Requirement, ...] = ()

    @classmethod
    def from_map(cls, selector: Mapping[str, str]) -> LabelSelector:
        """A selector from a ``map[string]string`` (Service, ReplicationController)."""
        return cls(tuple(sorted(selector.items())))

    @property
    def is_empty(self) -> bool:
        """No terms: matches every pod."""
        return not self.match_labels and not self.match_expressions

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a pod (or object) with ``labels`` is selected. Cost O(terms)."""
        for key, value in self.match_labels:
            if labels.get(key) != value:
                return False
        return all(r.matches(labels) for r in self.match_expressions)

    def describe(self) -> str:
        """``app=web,tier in (a,b)`` (kubectl's selector text); ``<all>`` when empty."""
        parts = [f"{k}={v}" for k, v in self.match_labels]
        for r in self.match_expressions:
            if r.operator in ("In", "NotIn"):
                parts.append(f"{r.key} {r.operator.lower()} ({','.join(r.values)})")
            else:
                parts.append(r.key if r.operator == "Exists" else f"!{r.key}")
        return ",".join(parts) or "<all>"


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """``apiVersion``/``kind``/``name`` of another object (a scale target, an owner)."""

    api_version: str
    kind: str
    name: str


@dataclass(frozen=True, slots=True)
class PodDisruptionBudget:
    """``policy/v1`` PodDisruptionBudget. See the module docstring."""

    name: str
    namespace: str
    selector: LabelSelector | None
    min_available: int | str | None = None
    max_unavailable: int | str | None = None
    unhealthy_pod_eviction_policy: str = ""
    disruptions_allowed: int | None = None
    current_healthy: int | None = None
    desired_healthy: int | None = None
    expected_pods: int | None = None
    disrupted_pods: frozenset[str] = frozenset()  # status.disruptedPods' pod names

    def selects(self, labels: Mapping[str, str], namespace: str) -> bool:
        """Whether a pod of ``namespace`` with ``labels`` is covered by this budget."""
        return (
            namespace == self.namespace
            and self.selector is not None
            and self.selector.matches(labels)
        )


@dataclass(frozen=True, slots=True)
class HorizontalPodAutoscaler:
    """``autoscaling/v2`` (or v1) HorizontalPodAutoscaler. See the module docstring."""

    name: str
    namespace: str
    target: ObjectRef
    min_replicas: int = 1
    max_replicas: int = 1
    current_replicas: int | None = None
    desired_replicas: int | None = None

    def targets(self, kind: str, name: str, namespace: str) -> bool:
        """Whether this autoscaler scales the workload ``kind``/``name`` of ``namespace``."""
        return namespace == self.namespace and kind == self.target.kind and name == self.target.name


@dataclass(frozen=True, slots=True)
class Service:
    """A Service's pod selector (None: no selector, selects no pods) and type."""

    name: str
    namespace: str
    selector: LabelSelector | None
    type: str = "ClusterIP"


@dataclass(frozen=True, slots=True)
class Namespace:
    """A Namespace and its labels (always with ``kubernetes.io/metadata.name``)."""

    name: str
    labels: tuple[tuple[str, str], ...] = ()

    @classmethod
    def implicit(cls, name: str) -> Namespace:
        """A namespace the input does not define: its only label is its name."""
        return cls(name, ((NAMESPACE_NAME_LABEL, name),))

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)


@dataclass(frozen=True, slots=True)
class ResourceQuota:
    """A ResourceQuota's ``spec.hard`` / ``status.used`` limits and its scopes."""

    name: str
    namespace: str
    hard: tuple[tuple[str, Quantity], ...] = ()
    used: tuple[tuple[str, Quantity], ...] = ()
    scopes: tuple[str, ...] = ()
    has_scope_selector: bool = False

    @property
    def hard_map(self) -> dict[str, Quantity]:
        return dict(self.hard)

    @property
    def used_map(self) -> dict[str, Quantity]:
        return dict(self.used)


@dataclass(frozen=True, slots=True)
class Controller:
    """A workload controller's identity and selector. See the module docstring."""

    kind: str
    name: str
    namespace: str
    selector: LabelSelector | None
    replicas: int | None = None
    owner: ObjectRef | None = None

    @property
    def ref(self) -> str:
        """``Kind/name``, as ``Pod.owner`` spells it."""
        return f"{self.kind}/{self.name}"


# -- readers ------------------------------------------------------------------------------------


def read_selector(value: Any, path: str, d: Doc) -> LabelSelector | None:
    """A ``metav1.LabelSelector`` at ``path``; None when absent (``null``)."""
    if value is None:
        return None
    sel = d.mapping(value, path)
    labels = d.str_map(sel.get("matchLabels"), f"{path}.matchLabels")
    reqs: list[Requirement] = []
    for i, raw in enumerate(d.seq(sel.get("matchExpressions"), f"{path}.matchExpressions")):
        rp = f"{path}.matchExpressions[{i}]"
        r = d.mapping(raw, rp)
        key = d.string(r.get("key"), f"{rp}.key")
        op = d.string(r.get("operator"), f"{rp}.operator")
        values = tuple(
            d.string(v, f"{rp}.values[{j}]")
            for j, v in enumerate(d.seq(r.get("values"), f"{rp}.values"))
        )
        if op not in SELECTOR_OPERATORS:
            d.error(f"{rp}.operator", unsupported(op, SELECTOR_OPERATORS))
        elif op in ("In", "NotIn") and not values:
            d.error(
                f"{rp}.values",
                "Required value: must be specified when `operator` is 'In' or 'NotIn'",
            )
        elif op in ("Exists", "DoesNotExist") and values:
            d.error(
                f"{rp}.values",
                "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            )
        reqs.append(Requirement(key, op, values))
    return LabelSelector(tuple(sorted(labels.items())), tuple(reqs))


def _int_or_percent(value: Any, path: str, d: Doc) -> int | str | None:
    """An IntOrString that is a non-negative integer or a percentage ``"<n>%"`` of ASCII
    digits (upstream's ``[0-9]+%``) not above 100% (``IsNotMoreThan100Percent``)."""
    if value is None:
        return None
    if isinstance(value, str):
        digits = value[:-1]
        if value.endswith("%") and digits.isascii() and digits.isdigit():
            if len(digits.lstrip("0")) <= 3 and int(digits) <= 100:
                return value
            d.error(path, f'Invalid value: "{value}": must not be greater than 100%')
            return None
        d.error(
            path,
            f'Invalid value: "{value}": a valid percent string must be a numeric '
            "string followed by an ending '%' (e.g. '1%',  or '93%', regex used for "
            "validation is '[0-9]+%')",
        )
        return None
    return d.integer(value, path, 0)


def _status_int(status: Mapping[str, Any], key: str, d: Doc) -> int | None:
    if status.get(key) is None:
        return None
    return d.integer(status.get(key), f"status.{key}", 0)


def read_pdb(doc: Mapping[str, Any], d: Doc, name: str, namespace: str) -> PodDisruptionBudget:
    spec = d.mapping(doc.get("spec"), "spec")
    status = d.mapping(doc.get("status"), "status")
    min_available = _int_or_percent(spec.get("minAvailable"), "spec.minAvailable", d)
    max_unavailable = _int_or_percent(spec.get("maxUnavailable"), "spec.maxUnavailable", d)
    if min_available is not None and max_unavailable is not None:
        d.error("spec", "Invalid value: minAvailable and maxUnavailable cannot be both set")
    policy = d.string(spec.get("unhealthyPodEvictionPolicy"), "spec.unhealthyPodEvictionPolicy")
    if policy and policy not in EVICTION_POLICIES:
        d.error("spec.unhealthyPodEvictionPolicy", unsupported(policy, EVICTION_POLICIES))
    return PodDisruptionBudget(
        name,
        namespace,
        read_selector(spec.get("selector"), "spec.selector", d),
        min_available,
        max_unavailable,
        policy,
        _status_int(status, "disruptionsAllowed", d),
        _status_int(status, "currentHealthy", d),
        _status_int(status, "desiredHealthy", d),
        _status_int(status, "expectedPods", d),
        frozenset(str(k) for k in d.mapping(status.get("disruptedPods"), "status.disruptedPods")),
    )


def read_hpa(doc: Mapping[str, Any], d: Doc, name: str, namespace: str) -> HorizontalPodAutoscaler:
    spec = d.mapping(doc.get("spec"), "spec")
    status = d.mapping(doc.get("status"), "status")
    ref = d.mapping(spec.get("scaleTargetRef"), "spec.scaleTargetRef")
    target = ObjectRef(
        d.string(ref.get("apiVersion"), "spec.scaleTargetRef.apiVersion"),
        d.string(ref.get("kind"), "spec.scaleTargetRef.kind"),
        d.string(ref.get("name"), "spec.scaleTargetRef.name"),
    )
    if not target.kind:
        d.error("spec.scaleTargetRef.kind", "Required value")
    if not target.name:
        d.error("spec.scaleTargetRef.name", "Required value")
    min_replicas = d.integer(spec.get("minReplicas"), "spec.minReplicas", 1, lo=1)
    max_replicas = d.integer(spec.get("maxReplicas"), "spec.maxReplicas", 1, lo=1)
    if spec.get("maxReplicas") is None:
        d.error("spec.maxReplicas", "Required value")
    elif max_replicas < min_replicas:
        d.error(
            "spec.maxReplicas",
            f"Invalid value: {max_replicas}: must be greater than or equal to `minReplicas`",
        )
    return HorizontalPodAutoscaler(
        name,
        namespace,
        target,
        min_replicas,
        max_replicas,
        _status_int(status, "currentReplicas", d),
        _status_int(status, "desiredReplicas", d),
    )


def read_service(doc: Mapping[str, Any], d: Doc, name: str, namespace: str) -> Service:
    spec = d.mapping(doc.get("spec"), "spec")
    selector = d.str_map(spec.get("selector"), "spec.selector")
    return Service(
        name,
        namespace,
        LabelSelector.from_map(selector) if selector else None,
        d.string(spec.get("type"), "spec.type", "ClusterIP"),
    )


def read_namespace(doc: Mapping[str, Any], d: Doc, name: str) -> Namespace:
    meta = d.mapping(doc.get("metadata"), "metadata")
    labels = d.str_map(meta.get("labels"), "metadata.labels")
    labels[NAMESPACE_NAME_LABEL] = name
    return Namespace(name, tuple(sorted(labels.items())))


def read_resource_quota(doc: Mapping[str, Any], d: Doc, name: str, namespace: str) -> ResourceQuota:
    spec = d.mapping(doc.get("spec"), "spec")
    status = d.mapping(doc.get("status"), "status")
    hard = d.resources(spec.get("hard"), "spec.hard")
    used = d.resources(status.get("used"), "status.used")
    scopes = tuple(
        d.string(s, f"spec.scopes[{i}]")
        for i, s in enumerate(d.seq(spec.get("scopes"), "spec.scopes"))
    )
    for message in validate_quota_scopes(scopes, hard):
        d.error("spec.scopes", message)
    return ResourceQuota(
        name,
        namespace,
        tuple(sorted(hard.items())),
        tuple(sorted(used.items())),
        scopes,
        bool(spec.get("scopeSelector")),
    )


def controller_of(meta: Mapping[str, Any]) -> ObjectRef | None:
    """The ``ownerReferences`` entry with ``controller: true`` (``metav1.GetControllerOf``),
    else None."""
    refs = meta.get("ownerReferences")
    if isinstance(refs, list):
        for ref in refs:
            if isinstance(ref, Mapping) and ref.get("controller") is True:
                return ObjectRef(
                    str(ref.get("apiVersion", "")),
                    str(ref.get("kind", "")),
                    str(ref.get("name", "")),
                )
    return None


def read_controller(
    kind: str, doc: Mapping[str, Any], d: Doc, name: str, namespace: str
) -> Controller:
    """The :class:`Controller` of a workload object (its selector; replicas as written,
    default 1 where the kind has replicas)."""
    meta = d.mapping(doc.get("metadata"), "metadata")
    spec = d.mapping(doc.get("spec"), "spec")
    selector: LabelSelector | None
    if kind == "ReplicationController":
        raw = d.str_map(spec.get("selector"), "spec.selector")
        if not raw:  # defaulted from the template's labels
            template = d.mapping(spec.get("template"), "spec.template")
            tmeta = d.mapping(template.get("metadata"), "spec.template.metadata")
            raw = d.str_map(tmeta.get("labels"), "spec.template.metadata.labels")
        selector = LabelSelector.from_map(raw) if raw else None
    else:
        selector = read_selector(spec.get("selector"), "spec.selector", d)
    replicas = None
    if kind in ("Deployment", "ReplicaSet", "ReplicationController", "StatefulSet"):
        replicas = d.integer(spec.get("replicas"), "spec.replicas", 1)
    return Controller(kind, name, namespace, selector, replicas, controller_of(meta))


def describe(obj: object) -> str:
    """What the loader read from ``obj``, for its line in the summary."""
    if isinstance(obj, PodDisruptionBudget):
        budget = (
            f"minAvailable {obj.min_available}"
            if obj.min_available is not None
            else f"maxUnavailable {obj.max_unavailable}"
            if obj.max_unavailable is not None
            else "no budget"
        )
        pods = obj.selector.describe() if obj.selector is not None else "no pods (no selector)"
        return f"read: {budget} for pods {pods} (preemption, drains)"
    if isinstance(obj, HorizontalPodAutoscaler):
        t = obj.target
        return f"read: scales {t.kind}/{t.name} between {obj.min_replicas} and {obj.max_replicas}"
    if isinstance(obj, Service):
        pods = obj.selector.describe() if obj.selector is not None else "no pods (no selector)"
        return f"read: selects pods {pods} (default topology spreading)"
    if isinstance(obj, Namespace):
        labels = ",".join(f"{k}={v}" for k, v in obj.labels)
        return f"read: labels {labels}"
    if isinstance(obj, ResourceQuota):
        hard = ", ".join(f"{k}={v}" for k, v in obj.hard) or "nothing"
        return f"read: limits {hard} in namespace {obj.namespace}"
    raise TypeError(type(obj).__name__)
