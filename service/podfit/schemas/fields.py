"""marshmallow fields shared by every schema (``QuantityField``, ``StrictBoolean``).

A quantity travels as a JSON string (``"100m"``, ``"1.5Gi"``) and is read with
:func:`podfit.quantity.parse_quantity`, so the API reports exactly the message the CLI
prints for the same bad input. JSON integers are accepted by their decimal text; JSON
floats are refused, because their literal text (``1e3``, ``1.050``) is already lost once
decoded (Kubernetes would parse that text). Surrounding whitespace is not trimmed: the
field follows plain ``ParseQuantity``, as the quantity API does (docs §4).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, fields

from podfit.errors import QuantityError
from podfit.manifests.hints import quantity_hint
from podfit.quantity import Quantity, parse_quantity


class QuantityField(fields.Field[Quantity]):
    """A Kubernetes quantity: deserializes to an exact ``Quantity``, serializes canonically."""

    default_error_messages = {  # noqa: RUF012 - marshmallow's own class attribute
        "type": 'a quantity must be a string such as "100m" or "1.5Gi", not {kind}',
    }

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Quantity:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.make_error("type", kind=_json_kind(value))
        text = value if isinstance(value, str) else str(value)
        try:
            return parse_quantity(text)
        except QuantityError as exc:
            raise ValidationError(str(exc) + quantity_hint(text)) from None

    def _serialize(self, value: Quantity | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(value)


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float):
        return f"the number {value!r} (write it as a string)"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class StrictBoolean(fields.Boolean):
    """A JSON boolean only (marshmallow's Boolean also takes "yes", 1, "on", …)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool):
            raise ValidationError("must be a boolean")
        return value
