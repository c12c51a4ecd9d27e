"""One answer row per quantity, shared by ``podfit quantity -o json|yaml`` and
``POST /v1/quantities`` (documented as ``QuantityResult`` / ``QuantityItemError`` in
``openapi.yaml``), so both edges print the same JSON for the same input.

A good quantity::

    {"input": "1.5Gi", "canonical": "1536Mi", "format": "BinarySI",
     "value": 1610612736, "milliValue": 1610612736000,
     "converted": {"to": "Mi", "text": "1536Mi", "exact": true}}

``value`` and ``milliValue`` are Kubernetes' ``Value()`` and ``MilliValue()`` (rounded
away from zero), or ``null`` where the exact result is outside the int64 range: there
Kubernetes returns a saturated ±(2^63−1), which is not the quantity's value (``1Ei`` has
``milliValue`` null). ``converted`` (only with a ``to`` unit) is ``{"to", "text",
"exact"}``, or ``{"to", "error"}`` when the value cannot be written in that unit. A bad
quantity is ``{"input", "error"}``. Every ``error`` is a field error ``{"path",
"message"}`` whose path is ``quantities[i]``, the item's place in the batch.

Imports only the core (no marshmallow, no Flask): ``podfit quantity`` starts fast.
"""

from __future__ import annotations

from typing import Any

from podfit.errors import FieldError, QuantityError
from podfit.manifests.hints import quantity_hint
from podfit.quantity import Quantity, parse_quantity

__all__ = ["failed", "quantity_row"]


def quantity_row(text: str, to: str | None, index: int) -> dict[str, Any]:
    """The answer for the ``index``-th input ``text`` (see the module docstring).

    ``to`` must already be a known unit. Cost: one parse, O(digits).
    """
    path = f"quantities[{index}]"
    try:
        q = parse_quantity(text)
    except QuantityError as exc:
        error = _error(path, exc)
        error["message"] += quantity_hint(text)  # "1.5gb": did you mean 1.5G or 1.5Gi?
        return {"input": text, "error": error}
    row: dict[str, Any] = {
        "input": text,
        "canonical": str(q),
        "format": str(q.format),
        "value": _int64_or_none(q, 0),
        "milliValue": _int64_or_none(q, -3),
    }
    if to is not None:
        try:
            conversion = q.convert(to)
        except QuantityError as exc:
            row["converted"] = {"to": to, "error": _error(path, exc)}
        else:
            row["converted"] = {"to": to, "text": conversion.text, "exact": conversion.exact}
    return row


def failed(row: dict[str, Any]) -> bool:
    """A row that could not be answered: a bad quantity or an impossible conversion."""
    return "error" in row or "error" in row.get("converted", {})


def _error(path: str, exc: QuantityError) -> dict[str, str]:
    error = FieldError(path, str(exc))
    return {"path": error.path, "message": error.message}


def _int64_or_none(q: Quantity, scale: int) -> int | None:
    """``scaled_value(scale)`` when the exact value fits an int64, else None."""
    try:
        q.to_int(scale)
    except QuantityError:
        return None
    return q.scaled_value(scale)
