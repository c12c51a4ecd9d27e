"""A pod spec's fields: containers (resources, ports, env), tolerations, node affinity, and
the scheduling constraints podfit does not model."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from podfit.downward import (
    is_supported_field_path,
    is_supported_resource_path,
    validate_divisor,
)
from podfit.errors import QuantityError
from podfit.manifests.apivalidation import validate_container_resource_name
from podfit.manifests.fields import Doc, quantity_value
from podfit.nodes import TAINT_EFFECTS
from podfit.pods import (
    Container,
    ContainerPort,
    EnvVar,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    PreferredSchedulingTerm,
    ResourceFieldRef,
    Toleration,
    default_container,
    validate_resources,
)


def read_containers(value: Any, path: str, d: Doc, init: bool) -> list[Container]:
    out: list[Container] = []
    for i, raw in enumerate(d.seq(value, path)):
        cp = f"{path}[{i}]"
        c = d.mapping(raw, cp)
        name = d.string(c.get("name"), f"{cp}.name")
        if not name:
            d.error(f"{cp}.name", "Required value")
        res = d.mapping(c.get("resources"), f"{cp}.resources")
        requests = d.resources(res.get("requests"), f"{cp}.resources.requests")
        limits = d.resources(res.get("limits"), f"{cp}.resources.limits")
        check_resource_names(limits, f"{cp}.resources.limits", d)
        check_resource_names(requests, f"{cp}.resources.requests", d)
        for e in validate_resources(requests, limits, f"{cp}.resources"):
            d.error(e.path, e.message)
        restart = d.string(c.get("restartPolicy"), f"{cp}.restartPolicy") or None
        if restart is not None and (not init or restart != "Always"):
            where = "init containers" if init else "regular containers"
            d.error(
                f"{cp}.restartPolicy",
                f'Unsupported value: "{restart}" for {where}'
                + (': supported values: "Always"' if init else ""),
            )
        ports = _ports(c.get("ports"), f"{cp}.ports", d)
        env = _env(c.get("env"), f"{cp}.env", d)
        out.append(
            default_container(Container(name, requests, limits, restart, tuple(ports), tuple(env)))
        )
    return out


_NAME_MESSAGES: dict[str, tuple[str, ...]] = {}
"""``validate_container_resource_name`` per (string) name seen: a pure function of the
name; at most :data:`_NAME_CACHE_SIZE` names kept, later ones are checked each time."""
_NAME_CACHE_SIZE = 1024


def check_resource_names(resources: Mapping[str, Any], path: str, d: Doc) -> None:
    """The API server's checks of the resource names of a container's requests or limits
    (or a pod's overhead): ``validateContainerResourceName``. A name's messages are
    computed once per process (the same few names recur in every pod)."""
    for name in resources:
        messages = _NAME_MESSAGES.get(name)
        if messages is None:
            messages = tuple(validate_container_resource_name(name))
            if type(name) is str and len(_NAME_MESSAGES) < _NAME_CACHE_SIZE:
                _NAME_MESSAGES[name] = messages
        for message in messages:
            d.error(f"{path}.{name}", message)


def _ports(value: Any, path: str, d: Doc) -> list[ContainerPort]:
    out: list[ContainerPort] = []
    for i, raw in enumerate(d.seq(value, path)):
        pp = f"{path}[{i}]"
        p = d.mapping(raw, pp)
        cport = d.integer(p.get("containerPort"), f"{pp}.containerPort", 0, lo=1, hi=65535)
        if p.get("containerPort") is None:
            d.error(f"{pp}.containerPort", "Required value")
        hport = d.integer(p.get("hostPort"), f"{pp}.hostPort", 0, lo=0, hi=65535)
        protocol = d.string(p.get("protocol"), f"{pp}.protocol", "TCP")
        if protocol not in ("TCP", "UDP", "SCTP"):
            d.error(
                f"{pp}.protocol",
                f'Unsupported value: "{protocol}": supported values: "SCTP", "TCP", "UDP"',
            )
        out.append(ContainerPort(cport, hport, protocol, d.string(p.get("hostIP"), f"{pp}.hostIP")))
    return out


def _env(value: Any, path: str, d: Doc) -> list[EnvVar]:
    out: list[EnvVar] = []
    for i, raw in enumerate(d.seq(value, path)):
        ep = f"{path}[{i}]"
        e = d.mapping(raw, ep)
        name = d.string(e.get("name"), f"{ep}.name")
        if not name:
            d.error(f"{ep}.name", "Required value")
        if "value" in e and e.get("value") is not None:
            out.append(EnvVar(name, value=d.string(e.get("value"), f"{ep}.value")))
            continue
        vf = d.mapping(e.get("valueFrom"), f"{ep}.valueFrom")
        if not vf:
            out.append(EnvVar(name, value=""))
            continue
        if "fieldRef" in vf:
            fr = d.mapping(vf.get("fieldRef"), f"{ep}.valueFrom.fieldRef")
            fp = d.string(fr.get("fieldPath"), f"{ep}.valueFrom.fieldRef.fieldPath")
            if not is_supported_field_path(fp):
                d.error(f"{ep}.valueFrom.fieldRef.fieldPath", f'Unsupported value: "{fp}"')
            out.append(EnvVar(name, field_path=fp))
        elif "resourceFieldRef" in vf:
            rp = f"{ep}.valueFrom.resourceFieldRef"
            rf = d.mapping(vf.get("resourceFieldRef"), rp)
            resource = d.string(rf.get("resource"), f"{rp}.resource")
            divisor = None
            if rf.get("divisor") is not None:
                try:
                    divisor = quantity_value(rf.get("divisor"))
                except QuantityError as exc:
                    d.error(f"{rp}.divisor", str(exc))
            if not is_supported_resource_path(resource):
                d.error(f"{rp}.resource", f'Unsupported value: "{resource}"')
            else:
                for fe in validate_divisor(resource, divisor, rp):
                    d.error(fe.path, fe.message)
            out.append(
                EnvVar(
                    name,
                    resource_field_ref=ResourceFieldRef(
                        resource,
                        d.string(rf.get("containerName"), f"{rp}.containerName"),
                        divisor,
                    ),
                )
            )
        else:
            kinds = sorted(k for k in vf if isinstance(k, str))
            out.append(EnvVar(name, other_source=", ".join(kinds) or "valueFrom"))
    return out


def check_env(c: Container, path: str, names: Mapping[str, str], d: Doc) -> None:
    for i, env in enumerate(c.env):
        ref = env.resource_field_ref
        if ref is not None and ref.container_name and ref.container_name not in names:
            d.error(
                f"{path}[{i}].valueFrom.resourceFieldRef.containerName",
                f'Not found: "{ref.container_name}"',
            )


def read_tolerations(value: Any, path: str, d: Doc) -> tuple[Toleration, ...]:
    out: list[Toleration] = []
    for i, raw in enumerate(d.seq(value, path)):
        tp = f"{path}[{i}]"
        t = d.mapping(raw, tp)
        operator = d.string(t.get("operator"), f"{tp}.operator", "Equal")
        if operator not in ("Equal", "Exists"):
            d.error(f"{tp}.operator", f'Unsupported value: "{operator}"')
        effect = d.string(t.get("effect"), f"{tp}.effect")
        if effect and effect not in TAINT_EFFECTS:
            d.error(f"{tp}.effect", f'Unsupported value: "{effect}"')
        out.append(
            Toleration(
                d.string(t.get("key"), f"{tp}.key"),
                operator,
                d.string(t.get("value"), f"{tp}.value"),
                effect,
            )
        )
    return tuple(out)


def _terms(value: Any, path: str, d: Doc) -> NodeSelectorTerm:
    t = d.mapping(value, path)

    def reqs(key: str) -> tuple[NodeSelectorRequirement, ...]:
        out = []
        for i, raw in enumerate(d.seq(t.get(key), f"{path}.{key}")):
            rp = f"{path}.{key}[{i}]"
            r = d.mapping(raw, rp)
            values = tuple(
                d.string(v, f"{rp}.values[{j}]")
                for j, v in enumerate(d.seq(r.get("values"), f"{rp}.values"))
            )
            op = d.string(r.get("operator"), f"{rp}.operator")
            if op not in ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"):
                d.error(f"{rp}.operator", f'Unsupported value: "{op}"')
            out.append(NodeSelectorRequirement(d.string(r.get("key"), f"{rp}.key"), op, values))
        return tuple(out)

    return NodeSelectorTerm(reqs("matchExpressions"), reqs("matchFields"))


def read_affinity(
    value: Any, path: str, d: Doc
) -> tuple[tuple[NodeSelectorTerm, ...] | None, tuple[PreferredSchedulingTerm, ...]]:
    aff = d.mapping(value, path)
    na = d.mapping(aff.get("nodeAffinity"), f"{path}.nodeAffinity")
    np = f"{path}.nodeAffinity"
    required: tuple[NodeSelectorTerm, ...] | None = None
    req_raw = na.get("requiredDuringSchedulingIgnoredDuringExecution")
    if req_raw is not None:
        rp = f"{np}.requiredDuringSchedulingIgnoredDuringExecution"
        sel = d.mapping(req_raw, rp)
        required = tuple(
            _terms(t, f"{rp}.nodeSelectorTerms[{i}]", d)
            for i, t in enumerate(d.seq(sel.get("nodeSelectorTerms"), f"{rp}.nodeSelectorTerms"))
        )
    preferred = []
    pp = f"{np}.preferredDuringSchedulingIgnoredDuringExecution"
    for i, raw in enumerate(d.seq(na.get("preferredDuringSchedulingIgnoredDuringExecution"), pp)):
        item = d.mapping(raw, f"{pp}[{i}]")
        weight = d.integer(item.get("weight"), f"{pp}[{i}].weight", 1, lo=1, hi=100)
        preferred.append(
            PreferredSchedulingTerm(
                weight, _terms(item.get("preference"), f"{pp}[{i}].preference", d)
            )
        )
    return required, tuple(preferred)


def unmodelled_fields(spec: Mapping[str, Any], sp: str) -> tuple[str, ...]:
    """Paths of the scheduling constraints in ``spec`` that podfit does not model: non-empty
    ``affinity.podAffinity``, ``affinity.podAntiAffinity`` (required or preferred terms)
    and ``topologySpreadConstraints``. Empty ones constrain nothing upstream either."""
    out = []
    affinity = spec.get("affinity")
    if isinstance(affinity, Mapping):
        for key in ("podAffinity", "podAntiAffinity"):
            if affinity.get(key):
                out.append(f"{sp}.affinity.{key}")
    if spec.get("topologySpreadConstraints"):
        out.append(f"{sp}.topologySpreadConstraints")
    return tuple(out)


def read_preempted(value: Any, d: Doc) -> bool:
    """Whether ``status.conditions`` say the scheduler preempted the pod: its first
    ``DisruptionTarget`` condition has status ``True`` and reason ``PreemptionByScheduler``
    (kube-scheduler's ``podTerminatingByPreemption``, deletionTimestamp aside). A
    condition that is not an object is an error at its path.

    >>> read_preempted([{"type": "DisruptionTarget", "status": "True",
    ...                  "reason": "PreemptionByScheduler"}], Doc("x"))
    True
    >>> read_preempted([{"type": "Ready", "status": "False"}], Doc("x"))
    False
    """
    for i, item in enumerate(d.seq(value, "status.conditions")):
        condition = d.mapping(item, f"status.conditions[{i}]")
        if condition.get("type") == "DisruptionTarget":
            return bool(
                condition.get("status") == "True"
                and condition.get("reason") == "PreemptionByScheduler"
            )
    return False


def read_start_time(value: Any, d: Doc) -> int | None:
    """A pod's ``status.startTime`` (RFC 3339, as ``metav1.Time`` reads it: a date, ``T``, a
    time with optional fraction and a ``Z`` or ``±hh:mm`` offset) in whole microseconds
    since the Unix epoch (fractions below a microsecond dropped); None when absent; a
    malformed value is an error at ``status.startTime``.

    >>> read_start_time("1970-01-01T00:00:01Z", Doc("x")), read_start_time(None, Doc("x"))
    (1000000, None)
    """
    if value is None or value == "":
        return None
    text = value if isinstance(value, str) else None
    if text is not None and len(text) >= 20 and text[10] in "Tt" and text[-1] in "Zz+-0123456789":
        stamp = text[:-1] + "+00:00" if text[-1] in "Zz" else text
        try:
            moment = datetime.fromisoformat(stamp)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
            return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    d.error("status.startTime", f"must be an RFC 3339 time (2024-05-01T09:30:00Z), not {value!r}")
    return None
