"""Typed field readers: :class:`Doc` reads one document's fields, collecting every error with
its field path and value; quantities are read as the API server's decoder reads them."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from podfit.errors import FieldError, QuantityError
from podfit.manifests.hints import quantity_hint
from podfit.quantity import Quantity, parse_quantity
from podfit.resources import to_amount
from podfit.yamlsafe import Number, go_json_float

INT32_MAX = 2**31 - 1

#: ``unicode.IsSpace`` — what the JSON decoder trims around a quantity string.
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Number | int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def show(value: Any) -> str:
    if isinstance(value, Number):
        return value.text
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def quantity_text(value: Any) -> str:
    """The text the API server's quantity decoder sees for a decoded JSON/YAML value.

    Numbers use their JSON text (YAML numbers as kubectl re-encodes them), strings are
    trimmed of Go ``unicode.IsSpace`` whitespace, ``null`` is ``0``.
    """
    if type(value) is str:  # the usual case first
        return value.strip(GO_SPACE)
    if value is None:
        return "0"
    if isinstance(value, Number):
        if isinstance(value.value, float) and not math.isfinite(value.value):
            raise QuantityError(f"json: unsupported value: {value.text}")
        return value.text
    if isinstance(value, bool):
        raise QuantityError(f"a quantity must be a string or a number, not {show(value)}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        try:
            return go_json_float(value)
        except ValueError as exc:
            raise QuantityError(str(exc)) from None
    if isinstance(value, str):
        return value.strip(GO_SPACE)
    raise QuantityError(f"a quantity must be a string or a number, not {type_name(value)}")


def quantity_value(value: Any) -> Quantity:
    """``parse_quantity(quantity_text(value))``."""
    if isinstance(value, Quantity):
        return value
    return parse_quantity(quantity_text(value))


class Doc:
    """Collects the FieldErrors of one document."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.errors: list[FieldError] = []

    def error(self, path: str, message: str) -> None:
        error = FieldError(path, f"{message} (in {self.label})")
        if error not in self.errors:  # two checks may find the same problem
            self.errors.append(error)

    def mapping(self, value: Any, path: str) -> Mapping[str, Any]:
        if type(value) is dict:  # what JSON and YAML give: no ABC check
            return value
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.error(path, f"must be an object, not {type_name(value)} {show(value)}")
            return {}
        return value

    def seq(self, value: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(path, f"must be an array, not {type_name(value)} {show(value)}")
            return []
        return value

    def string(self, value: Any, path: str, default: str = "") -> str:
        if value is None:
            return default
        if not isinstance(value, str):
            self.error(path, f"must be a string, not {type_name(value)} {show(value)}")
            return default
        return value

    def boolean(self, value: Any, path: str) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(path, f"must be a boolean, not {type_name(value)} {show(value)}")
            return False
        return value

    def integer(self, value: Any, path: str, default: int, lo: int = 0, hi: int = INT32_MAX) -> int:
        if value is None:
            return default
        n: int | None = None
        if isinstance(value, Number):
            text = value.text.lstrip("-")
            if text.isdigit():
                n = int(value.value)
        elif isinstance(value, int) and not isinstance(value, bool):
            n = value
        elif isinstance(value, float) and value.is_integer():
            n = int(value)
        if n is None:
            self.error(path, f"must be an integer, not {type_name(value)} {show(value)}")
            return default
        if n < lo:
            self.error(path, f"{n}: must be greater than or equal to {lo}")
            return default
        if n > hi:
            self.error(path, f"{n}: must be less than or equal to {hi}")
            return default
        return n

    def str_map(self, value: Any, path: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for k, v in self.mapping(value, path).items():
            out[k] = self.string(v, f"{path}.{k}")
        return out

    def resources(self, value: Any, path: str) -> dict[str, Quantity]:
        out: dict[str, Quantity] = {}
        for name, raw in self.mapping(value, path).items():
            try:
                q = quantity_value(raw)
                # the scheduler's integer must exist: refuse values past int64, never wrap
                to_amount(name, q)
            except QuantityError as exc:
                self.error(f"{path}.{name}", str(exc) + quantity_hint(raw))
                continue
            if q.sign() < 0:  # every resource list Kubernetes validates is non-negative
                self.error(f"{path}.{name}", f"{q}: must be greater than or equal to 0")
                continue
            out[name] = q
        return out


def unsupported(value: str, supported: Iterable[str]) -> str:
    """apimachinery's ``field.NotSupported`` text."""
    return f'Unsupported value: "{value}": supported values: ' + ", ".join(
        f'"{v}"' for v in supported
    )
