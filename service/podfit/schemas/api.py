"""Bodies of the HTTP API that are not shared with the CLI: quantities batch, version,
the schedule request envelope, and the readiness self-check.

The requests and schedule *results* come from :mod:`podfit.schemas.requests` and
:mod:`podfit.schemas.schedule` (shared with ``podfit requests`` / ``podfit schedule``), so
the API and the CLI print the same JSON for the same input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from marshmallow import Schema, fields, validate

from podfit.config import env_name
from podfit.errors import ConfigError, FieldError, LimitExceeded, QuantityError
from podfit.quantity import Quantity, parse_quantity

# ---------------------------------------------------------------------------------------------
# POST /v1/quantities


class QuantitiesRequestSchema(Schema):
    """``{"quantities": ["100m", "1.5Gi"], "to": "Mi"}``; unknown fields are refused."""

    quantities = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    to = fields.String()


def quantity_item(text: str, to: str | None, max_length: int) -> Quantity:
    """Parse one batch item, refusing strings longer than ``max_length`` unparsed."""
    if len(text) > max_length:
        raise QuantityError(
            f"a quantity of {len(text)} characters is longer than the limit of {max_length}"
            f" ({env_name('max_quantity_length')})"
        )
    return parse_quantity(text)


def quantities_result(
    items: Sequence[str], to: str | None, *, max_items: int, max_length: int
) -> dict[str, Any]:
    """One result per item, in order: canonical form, format, Go's ``Value()`` and
    ``MilliValue()`` and, with ``to``, the conversion — or an error naming the item.

    Raises ``LimitExceeded`` for more than ``max_items`` items and ``ConfigError`` for an
    unknown ``to`` unit (both before any item is parsed).
    """
    if len(items) > max_items:
        raise LimitExceeded(
            f"{len(items)} quantities exceed the limit of {max_items}"
            f" ({env_name('max_quantities')})",
            path="quantities",
        )
    if to is not None:
        try:
            Quantity.ZERO.convert(to)
        except QuantityError as exc:
            raise ConfigError(str(exc), path="to") from None
    results: list[dict[str, Any]] = []
    for index, text in enumerate(items):
        try:
            q = quantity_item(text, to, max_length)
            result: dict[str, Any] = {
                "input": text,
                "canonical": str(q),
                "format": str(q.format),
                "value": q.value(),
                "milliValue": q.milli_value(),
            }
            if to is not None:
                conversion = q.convert(to)
                result["converted"] = {"to": to, "text": conversion.text, "exact": conversion.exact}
        except QuantityError as exc:
            error = FieldError(f"quantities[{index}]", str(exc))
            result = {"input": text, "error": {"path": error.path, "message": error.message}}
        results.append(result)
    return {"results": results}


# ---------------------------------------------------------------------------------------------
# GET /version


def version_info(podfit_version: str, api_version: str, python_version: str) -> dict[str, Any]:
    """What this server is and which Kubernetes versions its scheduler emulates."""
    from podfit.scheduler.filters import DEFAULT_VERSION, SUPPORTED_VERSIONS

    return {
        "podfit": podfit_version,
        "apiVersion": api_version,
        "kubernetesVersions": list(SUPPORTED_VERSIONS),
        "defaultKubernetesVersion": DEFAULT_VERSION,
        "python": python_version,
    }


# ---------------------------------------------------------------------------------------------
# GET /readyz


def self_check() -> None:
    """Schedule one 100m/64Mi pod on one 1-cpu node through the core and its JSON result.

    Raises ``AssertionError`` (or whatever the core raised) when the answer is not the
    expected one; readiness reports it.
    """
    from podfit.nodes import Node
    from podfit.pods import Container, Pod
    from podfit.scheduler import schedule

    node = Node(
        "self-check",
        allocatable={
            "cpu": parse_quantity("1"),
            "memory": parse_quantity("1Gi"),
            "pods": parse_quantity("110"),
        },
    )
    pod = Pod(
        "probe",
        containers=(
            Container(
                "probe",
                requests={"cpu": parse_quantity("100m"), "memory": parse_quantity("64Mi")},
            ),
        ),
    )
    result = schedule([pod], [node]).to_dict()
    placed = [p.get("node") for p in result["pods"]]
    assert placed == ["self-check"], f"the probe pod was not placed on the only node: {placed}"
