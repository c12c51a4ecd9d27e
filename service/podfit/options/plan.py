"""Loading the options of capacity planning (``podfit plan fit|nodes|drain`` and ``POST
/v1/plan/fit|nodes|drain``) through the schemas of :mod:`podfit.schemas.plan`, whose
docstring shows the bodies: each loader returns the planner's keyword arguments, the
scheduler configuration as ``config``; node shapes become ``NodeShape`` s. Errors are
``ConfigError`` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import Schema

from podfit.errors import ConfigError, parse_each
from podfit.nodes import Taint
from podfit.options.load import load_options
from podfit.planning.catalog import build_shape, parse_price, price_shapes, require_prices
from podfit.planning.nodes_needed import NodeShape
from podfit.planning.zones import check_zones
from podfit.pods import Pod
from podfit.schemas.plan import (
    DrainOptionsSchema,
    FitOptionsSchema,
    NodesOptionsSchema,
    ShapeSchema,
)

__all__ = [
    "drain_options",
    "fit_options",
    "nodes_options",
    "parse_shape",
    "parse_shapes",
    "templates_of",
]


def _load(schema: Schema, data: Mapping[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = load_options(schema, data)
    return loaded


def parse_shape(data: Mapping[str, Any], path: str) -> NodeShape:
    """A ``NodeShape`` from its JSON form (see module doc); errors are named under ``path``."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"a shape must be an object, not {type(data).__name__}", path)
    try:
        raw = _load(ShapeSchema(), data)
    except ConfigError as exc:
        raise exc.at(path) from None
    return build_shape(
        path=path,
        name=raw.get("name"),
        preset=raw.get("preset"),
        allocatable=raw.get("allocatable"),
        labels=raw.get("labels"),
        taints=[Taint(t["key"], t["value"], t["effect"]) for t in raw.get("taints", [])],
        price=parse_price(raw.get("price"), f"{path}.price"),
    )


def parse_shapes(items: Sequence[Mapping[str, Any]], prefix: str = "shapes") -> list[NodeShape]:
    """Every shape of ``items`` (:func:`parse_shape`); one ``ConfigError`` naming every
    bad one (``shapes[2].price``)."""
    return parse_each(parse_shape, items, prefix)


def templates_of(pods: Sequence[Pod]) -> list[Pod]:
    """One template per owner (a Deployment's first replica), bare pods as they are."""
    seen: set[str] = set()
    out = []
    for pod in pods:
        if pod.owner is not None:
            if pod.owner in seen:
                continue
            seen.add(pod.owner)
        out.append(pod)
    return out


# One instance each, shared by every request (a schema keeps no state between loads;
# building one costs about as much as a load).
_FIT = FitOptionsSchema()
_NODES = NodesOptionsSchema()
_DRAIN = DrainOptionsSchema()


def fit_options(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validated options of a fit request (``templates`` stay raw objects)."""
    return _load(_FIT, data)


def nodes_options(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validated options of a nodes request: ``shapes`` priced in ``region`` (the bundled
    list prices) where they have no price (``region`` stays: the zoned new nodes' region
    label), ``zones`` checked (:func:`~podfit.planning.zones.check_zones`); ``mix`` (the
    cheapest mix is asked for) stays in the options for the caller, and needs a price on
    every shape (and no zones)."""
    kwargs = _load(_NODES, data)
    shapes = price_shapes(parse_shapes(kwargs["shapes"]), region=kwargs["region"])
    kwargs["zones"] = check_zones(kwargs["zones"])
    if kwargs["mix"]:
        if kwargs["zones"]:
            raise ConfigError("the cheapest mix does not model zones; omit zones or mix", "mix")
        require_prices(shapes, "shapes")
    kwargs["shapes"] = shapes
    return kwargs


def drain_options(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validated options of a drain (what-if) request."""
    kwargs = _load(_DRAIN, data)
    if kwargs["shape"] is not None:
        kwargs["shape"] = parse_shape(kwargs["shape"], "shape")
    return kwargs
