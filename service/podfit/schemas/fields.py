"""marshmallow fields shared by every schema (``QuantityField``, ``StrictBoolean``) and
:func:`flatten_messages`, marshmallow's nested errors as podfit's field errors.

A quantity travels as a JSON string (``"100m"``, ``"1.5Gi"``) and is read with
:func:`podfit.quantity.parse_quantity`, so the API reports exactly the message the CLI
prints for the same bad input. JSON integers are accepted by their decimal text; JSON
floats are refused, because their literal text (``1e3``, ``1.050``) is already lost once
decoded (Kubernetes would parse that text). Surrounding whitespace is not trimmed: the
field follows plain ``ParseQuantity``, as the quantity API does (docs §4).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import ValidationError, fields

from podfit.errors import FieldError, QuantityError
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


def flatten_messages(messages: Any, prefix: str = "") -> Iterable[FieldError]:
    """Turn marshmallow's nested ``messages`` into ``FieldError`` s with indexed paths.

    >>> [str(e) for e in flatten_messages({"pods": {3: {"name": ["Missing data."]}}})]
    ['pods[3].name: Missing data.']
    >>> [str(e) for e in flatten_messages({"_schema": ["Invalid input type."]})]
    ['Invalid input type.']
    """
    if isinstance(messages, Mapping):
        for key in messages:
            yield from flatten_messages(messages[key], _child(prefix, key))
    elif isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            for message in messages:
                yield FieldError(prefix, message)
        else:
            for message in messages:
                yield from flatten_messages(message, prefix)
    else:
        yield FieldError(prefix, str(messages))


def _child(prefix: str, key: object) -> str:
    """``pods`` + 3 → ``pods[3]``; ``a`` + ``b`` → ``a.b``; ``_schema`` names the object."""
    if key == "_schema":
        return prefix
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else str(key)
