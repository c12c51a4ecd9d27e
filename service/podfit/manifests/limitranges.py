"""LimitRange admission (``plugin/pkg/admission/limitranger``): the ``type: Container``
items' defaults, and the min / max / maxLimitRequestRatio constraints of the ``Container``
and ``Pod`` items, with the LimitRanger's own message texts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from podfit.manifests.fields import Doc
from podfit.pods import Container, Pod, aggregate_container_limits, pod_requests
from podfit.quantity import Quantity
from podfit.resources import CPU, MEMORY

CONTAINER = "Container"
POD = "Pod"
MAX_MILLI_VALUE = (2**63 - 1) // 1000
"""``resource.MaxMilliValue``: above it the LimitRanger compares ``Value()``s."""


@dataclass(frozen=True, slots=True)
class Constraint:
    """One LimitRange item's bounds (``type`` Container or Pod)."""

    type: str
    minimum: Mapping[str, Quantity] = field(default_factory=dict)
    maximum: Mapping[str, Quantity] = field(default_factory=dict)
    ratio: Mapping[str, Quantity] = field(default_factory=dict)

    def violations(
        self, requests: Mapping[str, Quantity], limits: Mapping[str, Quantity]
    ) -> list[str]:
        """The LimitRanger's messages for one container (``Container``) or one pod's
        summed values (``Pod``), in sorted resource order per check."""
        out = []
        for res, q in sorted(self.minimum.items()):
            out += _bound("minimum", self.type, res, q, requests, limits)
        for res, q in sorted(self.maximum.items()):
            out += _bound("maximum", self.type, res, q, requests, limits)
        for res, q in sorted(self.ratio.items()):
            out += _ratio(self.type, res, q, requests, limits)
        return out


def _enforced_values(
    req: Quantity | None, lim: Quantity | None, enforced: Quantity
) -> tuple[int, int, int]:
    """``requestLimitEnforcedValues``: milli-values when none exceeds MaxMilliValue,
    else ``Value()``s (both round up, as Go's)."""
    r = req.value() if req is not None else 0
    li = lim.value() if lim is not None else 0
    e = enforced.value()
    if r <= MAX_MILLI_VALUE and li <= MAX_MILLI_VALUE and e <= MAX_MILLI_VALUE:
        r = req.milli_value() if req is not None else 0
        li = lim.milli_value() if lim is not None else 0
        e = enforced.milli_value()
    return r, li, e


def _bound(
    word: str,
    kind: str,
    res: str,
    enforced: Quantity,
    requests: Mapping[str, Quantity],
    limits: Mapping[str, Quantity],
) -> list[str]:
    """The LimitRanger's message for ``enforced``, a ``minimum`` (``word``; the request
    must be given and neither value below it, the request checked first) or a
    ``maximum`` (the limit must be given and neither value above it, the limit first)."""
    req, lim = requests.get(res), limits.get(res)
    r, li, e = _enforced_values(req, lim, enforced)
    checks = [("request", req, r), ("limit", lim, li)]
    if word == "maximum":
        checks.reverse()
    first, given, _ = checks[0]
    if given is None:
        return [f"{word} {res} usage per {kind} is {enforced}.  No {first} is specified"]
    for name, value, amount in checks:
        if value is not None and (amount < e if word == "minimum" else amount > e):
            return [f"{word} {res} usage per {kind} is {enforced}, but {name} is {value}"]
    return []


def _ratio(
    kind: str,
    res: str,
    enforced: Quantity,
    requests: Mapping[str, Quantity],
    limits: Mapping[str, Quantity],
) -> list[str]:
    """``limitRequestRatioConstraint``. The ratio is compared in float64 as upstream does
    (an admission check, not a fit decision) and shown with Go's ``%f``."""
    req, lim = requests.get(res), limits.get(res)
    r, li, _ = _enforced_values(req, lim, enforced)
    head = f"{res} max limit to request ratio per {kind} is {enforced}"
    if req is None or r == 0:
        return [f"{head}, but no request is specified or request is 0"]
    if lim is None or li == 0:
        return [f"{head}, but no limit is specified or limit is 0"]
    observed = float(li) / float(r)
    shown = observed
    allowed = float(enforced.value())
    if enforced.value() <= MAX_MILLI_VALUE:
        observed *= 1000
        allowed = float(enforced.milli_value())
    if observed > allowed:
        return [f"{head}, but provided ratio is {shown:f}"]
    return []


@dataclass(slots=True)
class LimitRangeItem:
    """One LimitRange: its ``type: Container`` defaults after the API's defaulting (max →
    default, default → defaultRequest, min → defaultRequest; later items win), and every
    item's constraints, as the LimitRanger admission uses them."""

    name: str
    default: dict[str, Quantity]
    default_request: dict[str, Quantity]
    constraints: list[Constraint] = field(default_factory=list)
    defaulted: int = 0

    def apply(self, c: Container) -> Container:
        """Fill missing requests and limits from the defaults (existing values are kept)."""
        requests = {**self.default_request, **c.requests}
        limits = {**self.default, **c.limits}
        if requests == dict(c.requests) and limits == dict(c.limits):
            return c
        return replace(c, requests=requests, limits=limits)

    def violations(self, c: Container) -> list[str]:
        """The LimitRanger's messages for one container (``Container`` items)."""
        out: list[str] = []
        for item in self.constraints:
            if item.type == CONTAINER:
                out += item.violations(c.requests, c.limits)
        return out

    def pod_violations(self, pod: Pod) -> list[str]:
        """The LimitRanger's messages for a pod's summed values (``Pod`` items): requests
        and limits aggregated over containers (the sidecar-aware walk, no overhead), with
        pod-level cpu and memory replacing the aggregate."""
        items = [item for item in self.constraints if item.type == POD]
        if not items:
            return []
        requests = dict(pod_requests(replace(pod, pod_requests={}), exclude_overhead=True))
        limits = dict(aggregate_container_limits(pod))
        for name in (CPU, MEMORY):
            if name in pod.pod_requests:
                requests[name] = pod.pod_requests[name]
            if name in pod.pod_limits:
                limits[name] = pod.pod_limits[name]
        out: list[str] = []
        for item in items:
            out += item.violations(requests, limits)
        return out


def read_limit_range(spec: Mapping[str, Any], d: Doc, name: str) -> LimitRangeItem | None:
    """A LimitRange ``spec``'s Container defaults and its Container and Pod constraints
    (None if it has no item of either type)."""
    found = None
    for i, raw in enumerate(d.seq(spec.get("limits"), "spec.limits")):
        lp = f"spec.limits[{i}]"
        item = d.mapping(raw, lp)
        kind = d.string(item.get("type"), f"{lp}.type")
        if kind not in (CONTAINER, POD):
            continue
        minimum = d.resources(item.get("min"), f"{lp}.min")
        maximum = d.resources(item.get("max"), f"{lp}.max")
        ratio = d.resources(item.get("maxLimitRequestRatio"), f"{lp}.maxLimitRequestRatio")
        if found is None:
            found = LimitRangeItem(name, {}, {})
        found.constraints.append(Constraint(kind, minimum, maximum, ratio))
        if kind != CONTAINER:
            continue
        default = d.resources(item.get("default"), f"{lp}.default")
        default_request = d.resources(item.get("defaultRequest"), f"{lp}.defaultRequest")
        default = {**maximum, **default}
        default_request = {**minimum, **default, **default_request}
        found.default.update(default)
        found.default_request.update(default_request)
    return found
