"""LimitRange admission: a LimitRange's ``type: Container`` items, their defaults and their
min / max bounds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from podfit.manifests.fields import Doc
from podfit.pods import Container
from podfit.quantity import Quantity


@dataclass(slots=True)
class LimitRangeItem:
    """A LimitRange's ``type: Container`` item after the API's defaulting (max → default,
    default → defaultRequest, min → defaultRequest), as the LimitRanger admission uses it."""

    name: str
    default: dict[str, Quantity]
    default_request: dict[str, Quantity]
    minimum: dict[str, Quantity]
    maximum: dict[str, Quantity]
    defaulted: int = 0

    def apply(self, c: Container) -> Container:
        """Fill missing requests and limits from the defaults (existing values are kept)."""
        requests = {**self.default_request, **c.requests}
        limits = {**self.default, **c.limits}
        if requests == dict(c.requests) and limits == dict(c.limits):
            return c
        return replace(c, requests=requests, limits=limits)

    def violations(self, c: Container) -> list[str]:
        """The LimitRanger's min/max messages for one container."""
        out = []
        for res, q in sorted(self.minimum.items()):
            req = c.requests.get(res)
            if req is None:
                out.append(f"minimum {res} usage per Container is {q}.  No request is specified")
            elif req < q:
                out.append(f"minimum {res} usage per Container is {q}, but request is {req}")
        for res, q in sorted(self.maximum.items()):
            lim = c.limits.get(res)
            if lim is None:
                out.append(f"maximum {res} usage per Container is {q}.  No limit is specified")
            elif lim > q:
                out.append(f"maximum {res} usage per Container is {q}, but limit is {lim}")
        return out


def read_limit_range(spec: Mapping[str, Any], d: Doc, name: str) -> LimitRangeItem | None:
    """The merged ``type: Container`` items of a LimitRange ``spec`` (None if there are none)."""
    found = None
    for i, raw in enumerate(d.seq(spec.get("limits"), "spec.limits")):
        lp = f"spec.limits[{i}]"
        item = d.mapping(raw, lp)
        if d.string(item.get("type"), f"{lp}.type") != "Container":
            continue
        default = d.resources(item.get("default"), f"{lp}.default")
        default_request = d.resources(item.get("defaultRequest"), f"{lp}.defaultRequest")
        minimum = d.resources(item.get("min"), f"{lp}.min")
        maximum = d.resources(item.get("max"), f"{lp}.max")
        default = {**maximum, **default}
        default_request = {**minimum, **default, **default_request}
        if found is None:
            found = LimitRangeItem(name, default, default_request, minimum, maximum)
        else:
            found.default.update(default)
            found.default_request.update(default_request)
            found.minimum.update(minimum)
            found.maximum.update(maximum)
    return found
