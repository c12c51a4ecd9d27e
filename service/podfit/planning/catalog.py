"""Node shapes and their prices: the bundled catalog, a user's price file, ``SHAPE@PRICE``.

Shapes are the node presets (``podfit.nodes``: AWS m/c/r 5th–7th generation large to
4xlarge, GCE e2/n2/c3 standard/highmem/highcpu 2–16 vCPU, Azure D/E v5 and F v2 2–16
vCPU, besides the older presets), with allocatable from the provider's reservation
formula and max pods from the provider's rule (EKS: ENIs × (IPv4 addresses per ENI − 1)
+ 2; GKE Standard 110; AKS kubenet 110).

Prices are per node and hour, exact decimals, one row per (shape, region) in
``data/prices.tsv`` (columns ``shape, region, price, currency, basis, date, source``):
on-demand list prices, each row naming its source and date. A price is chosen, for a
shape without ``@PRICE``, from ``--price-catalog FILE`` (same columns; negotiated,
reserved or spot prices) and then from the bundled table, in the region ``--region``
names. A shape given as ``NAME@PRICE`` keeps that price.

This module imports no edge framework: the command line parses ``-s`` with
:func:`shape_from_text`, the JSON API through ``podfit.options.plan``, both building
the shape with :func:`build_shape`.
"""

from __future__ import annotations

import functools
import pkgutil
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from podfit.errors import ConfigError, FieldError, PodfitError
from podfit.manifests.apivalidation import integer_value_error
from podfit.manifests.hints import quantity_hint
from podfit.nodes import Node, Taint, node_preset
from podfit.planning.nodes_needed import NodeShape
from podfit.quantity import Quantity, parse_quantity

__all__ = [
    "COLUMNS",
    "Price",
    "PriceCatalog",
    "build_shape",
    "bundled_catalog",
    "parse_price",
    "price_shapes",
    "read_catalog",
    "require_prices",
    "shape_from_text",
    "shape_spec",
]

COLUMNS = ("shape", "region", "price", "currency", "basis", "date", "source")
_PRICE = re.compile(r"[0-9]+(\.[0-9]+)?")


@dataclass(frozen=True, slots=True)
class Price:
    """One catalog row: ``price`` per node and hour (exact) of ``shape`` in ``region``."""

    shape: str
    region: str
    price: Fraction
    currency: str
    basis: str
    date: str
    source: str


@dataclass(frozen=True, slots=True)
class PriceCatalog:
    """Prices by (shape, region); ``name`` says where they were read."""

    name: str
    rows: Mapping[tuple[str, str], Price]

    def regions(self) -> list[str]:
        """The regions with at least one price, sorted."""
        return sorted({region for _, region in self.rows})

    def get(self, shape: str, region: str) -> Price | None:
        """The row of ``shape`` in ``region`` (the provider part of a preset name is
        matched case-insensitively, as ``node_preset`` matches it)."""
        row = self.rows.get((shape, region))
        if row is None and "/" in shape:
            provider, _, rest = shape.partition("/")
            row = self.rows.get((f"{provider.lower()}/{rest}", region))
        return row


def parse_price(value: Any, path: str) -> Fraction | None:
    """A price per node as exact decimal text (``"0.096"``); numbers are refused because a
    JSON float has already lost its text. ``None`` means no price."""
    if value is None:
        return None
    if not isinstance(value, str) or not _PRICE.fullmatch(value):
        raise ConfigError(f'a price must be decimal text such as "0.096", not {value!r}', path)
    return Fraction(Decimal(value))


def read_catalog(text: str, name: str) -> PriceCatalog:
    """A price table from tab-separated ``text`` (``#`` lines are comments; the first
    other line is the header, which must hold ``shape``, ``region`` and ``price``; the
    other columns are optional). Errors name ``name``, the line and the column."""
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.startswith("#")
    ]
    if not lines:
        raise ConfigError("the price catalog holds no header line", name)
    header_line, header = lines[0]
    columns = header.split("\t")
    missing = [c for c in ("shape", "region", "price") if c not in columns]
    if missing:
        raise ConfigError(
            f"line {header_line}: the header needs the columns {', '.join(missing)} "
            f"(tab-separated: {', '.join(COLUMNS)})",
            name,
        )
    rows: dict[tuple[str, str], Price] = {}
    errors: list[FieldError] = []
    for number, line in lines[1:]:
        cells = dict(zip(columns, line.split("\t"), strict=False))
        where = f"{name}:{number}"
        shape, region = cells.get("shape", "").strip(), cells.get("region", "").strip()
        if not shape or not region:
            errors.append(FieldError(where, "a row needs a shape and a region"))
            continue
        try:
            price = parse_price(cells.get("price", "").strip(), f"{where}.price")
        except PodfitError as exc:
            errors.extend(exc.errors)
            continue
        if (shape, region) in rows:
            errors.append(FieldError(where, f"{shape} in {region} is priced twice"))
            continue
        assert price is not None
        rows[shape, region] = Price(
            shape,
            region,
            price,
            cells.get("currency", "").strip(),
            cells.get("basis", "").strip(),
            cells.get("date", "").strip(),
            cells.get("source", "").strip() or name,
        )
    if errors:
        raise ConfigError(errors[0].message, errors[0].path, errors)
    return PriceCatalog(name, rows)


@functools.cache
def bundled_catalog() -> PriceCatalog:
    """The on-demand list prices shipped with podfit (``data/prices.tsv``)."""
    # the package's loader reads its data file (importlib.resources would import zipfile)
    raw = pkgutil.get_data("podfit", "data/prices.tsv")
    assert raw is not None, "podfit/data/prices.tsv is part of the package"
    return read_catalog(raw.decode("utf-8"), "prices.tsv")


def build_shape(
    *,
    path: str,
    name: str | None = None,
    preset: str | None = None,
    allocatable: Mapping[str, Quantity] | None = None,
    labels: Mapping[str, str] | None = None,
    taints: Sequence[Taint] = (),
    price: Fraction | None = None,
) -> NodeShape:
    """A ``NodeShape`` from a preset or a custom allocatable (validated values); errors
    are named under ``path`` as the API server would validate such a Node."""
    if preset is not None:
        if allocatable is not None:
            raise ConfigError("give either preset or allocatable, not both", path)
        try:
            found = node_preset(preset)
        except PodfitError as exc:
            raise exc.at(path) from None
        shape_name = name or found.name
        node = found.node(name=shape_name.replace("/", "-"), labels=labels)
        if taints:
            node = replace(node, taints=tuple(taints))
        return NodeShape(shape_name, node, price)
    if allocatable is None:
        raise ConfigError("a shape needs a preset or an allocatable map", path)
    if not name:
        raise ConfigError("a custom shape needs a name", f"{path}.name")
    alloc = dict(allocatable)
    invalid: list[FieldError] = []  # as the API server validates a Node's allocatable
    for res, q in alloc.items():
        where = f"{path}.allocatable.{res}"
        if q.sign() < 0:
            invalid.append(FieldError(where, f"{q}: must be greater than or equal to 0"))
        elif (message := integer_value_error(res, q)) is not None:
            invalid.append(FieldError(where, message))
    if invalid:
        raise ConfigError(invalid[0].message, invalid[0].path, invalid)
    if "pods" not in alloc:
        raise ConfigError(
            "a custom shape needs allocatable pods (the kubelet's maxPods; its default is 110)",
            f"{path}.allocatable.pods",
        )
    node = Node(name, alloc, alloc, dict(labels or {"kubernetes.io/hostname": name}), tuple(taints))
    return NodeShape(name, node, price)


def shape_spec(text: str, path: str) -> dict[str, Any]:
    """``aws/m5.large@0.096`` or ``big:cpu=8,memory=32Gi,pods=110@0.2`` → the JSON shape."""
    spec, _, price = text.partition("@")
    out: dict[str, Any] = {}
    if price:
        out["price"] = price
    if ":" in spec and "=" in spec:
        name, _, items = spec.partition(":")
        alloc: dict[str, str] = {}
        for i, item in enumerate(items.split(",")):
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise ConfigError(f'"{item}" is not RESOURCE=QUANTITY', f"{path}[{i}]")
            if key in alloc:
                raise ConfigError(f'"{key}" is given twice', f"{path}[{i}]")
            alloc[key] = value
        out.update(name=name, allocatable=alloc)
    else:
        out["preset"] = spec
    return out


def shape_from_text(text: str, path: str) -> NodeShape:
    """A ``-s`` value (``PRESET[@PRICE]`` or ``NAME:RESOURCE=QUANTITY,...[@PRICE]``) as a
    ``NodeShape``; the same shape and errors as the JSON form, without marshmallow."""
    spec = shape_spec(text, path)
    price = parse_price(spec.get("price"), f"{path}.price")
    if "preset" in spec:
        return build_shape(path=path, preset=spec["preset"], price=price)
    alloc: dict[str, Quantity] = {}
    errors: list[FieldError] = []
    for resource, value in spec["allocatable"].items():
        try:
            alloc[resource] = parse_quantity(value)
        except PodfitError as exc:
            message = exc.errors[0].message + quantity_hint(value)  # 32gb: 32G or 32Gi?
            errors.append(FieldError(f"{path}.allocatable.{resource}", message))
    if errors:
        raise ConfigError(errors[0].message, errors[0].path, errors)
    return build_shape(path=path, name=spec["name"], allocatable=alloc, price=price)


def pricing_region(region: str | None, catalog: PriceCatalog | None) -> str | None:
    """The region prices are read in: ``region``, else the only region of ``catalog``
    (None without either). A catalog of several regions needs ``region``: ``ConfigError``."""
    if region is None and catalog is not None:
        regions = catalog.regions()
        if len(regions) > 1:
            raise ConfigError(
                f"the price catalog holds several regions ({', '.join(regions)}): name one",
                "region",
            )
        region = regions[0] if regions else None
    return region


def price_shapes(
    shapes: Sequence[NodeShape],
    *,
    region: str | None,
    catalog: PriceCatalog | None = None,
    path: str = "shapes",
) -> list[NodeShape]:
    """``shapes`` with a price for each one that has none: ``catalog``'s row in
    ``region``, else the bundled one. Without ``region`` the shapes are returned as they
    are, unless ``catalog`` has one region only (then that one). A shape with no price
    in the region is an error naming it (``path[i]``)."""
    region = pricing_region(region, catalog)
    if region is None:
        return list(shapes)
    bundled = bundled_catalog()
    known = {*bundled.regions(), *(catalog.regions() if catalog else ())}
    if region not in known:
        raise ConfigError(
            f'no prices for region "{region}" (known: {", ".join(sorted(known))})', "region"
        )
    out: list[NodeShape] = []
    errors: list[FieldError] = []
    for i, shape in enumerate(shapes):
        if shape.price is not None:
            out.append(shape)
            continue
        row = (catalog.get(shape.name, region) if catalog else None) or bundled.get(
            shape.name, region
        )
        if row is None:
            errors.append(
                FieldError(
                    f"{path}[{i}]",
                    f'no price for {shape.name} in region "{region}": '
                    "give it as SHAPE@PRICE or in a price catalog",
                )
            )
            continue
        out.append(replace(shape, price=row.price))
    if errors:
        raise ConfigError(errors[0].message, errors[0].path, errors)
    return out


def require_prices(shapes: Sequence[NodeShape], path: str) -> None:
    """Refuse shapes without a price (the cheapest mix needs one on each), naming the
    first such shape ``path[i]``."""
    for i, shape in enumerate(shapes):
        if shape.price is None:
            raise ConfigError(
                f"the cheapest mix needs a price for every shape; {shape.name} has none: give "
                "SHAPE@PRICE, a region or a price catalog",
                f"{path}[{i}]",
            )
