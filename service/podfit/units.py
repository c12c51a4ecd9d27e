"""One rule for showing resource amounts to people: the web page and the CLI tables.

* **cpu**: millicores below one core (``250m``), else cores with up to three decimals
  (``1.5``, ``189.1``, ``2``) — exact, since the scheduler counts whole millicores;
* **memory, ephemeral-storage, hugepages-***: bytes in ``Gi``, ``Mi`` or ``Ki``, the
  largest unit the amount reaches (``Ki`` below 1Mi), with up to two decimals **rounded
  toward zero**, so free space is never shown larger than it is (``1073741823`` bytes is
  ``1023.99Mi``, not ``1024Mi``); a non-zero amount under 0.01Ki reads ``<0.01Ki``;
* **anything else** (pods, GPUs, other extended resources): the whole count.

Never raw byte counts, never ``None``; zero is ``0`` whatever the resource. Amounts are
the scheduler's integers (cpu in millicores, everything else in base units, as
:func:`podfit.resources.to_amount` gives them); all arithmetic is on integers. Exact
machine-readable values stay in the JSON/YAML outputs (canonical quantity strings); these
texts are for reading only.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from podfit.quantity import parse_quantity
from podfit.resources import CPU, EPHEMERAL_STORAGE, MEMORY, is_hugepages, to_amount

__all__ = ["human", "human_quantity", "human_resources"]

_BYTE_UNITS = (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10))


def _decimals(whole: int, unit: int, places: int) -> str:
    """``whole/unit`` with up to ``places`` decimals, rounded toward zero, trailing zeros
    dropped (``whole`` >= 0)."""
    scaled = whole * 10**places // unit
    integer, fraction = divmod(scaled, 10**places)
    text = f"{fraction:0{places}d}".rstrip("0")
    return f"{integer}.{text}" if text else str(integer)


def is_bytes(resource: str) -> bool:
    """Resources counted in bytes: memory, ephemeral-storage and hugepages-*."""
    return resource in (MEMORY, EPHEMERAL_STORAGE) or is_hugepages(resource)


@functools.lru_cache(maxsize=8192)
def human(resource: str, amount: int) -> str:
    """``amount`` of ``resource`` (cpu in millicores, else base units) for people.

    >>> human("cpu", 250), human("cpu", 1000), human("cpu", 1500), human("cpu", 189100)
    ('250m', '1', '1.5', '189.1')
    >>> human("memory", 2**30), human("memory", 636870912), human("memory", 7133250 * 1024)
    ('1Gi', '607.36Mi', '6.8Gi')
    >>> human("nvidia.com/gpu", 2), human("pods", 110), human("memory", 0)
    ('2', '110', '0')
    """
    if amount == 0:
        return "0"
    sign, value = ("-", -amount) if amount < 0 else ("", amount)
    if resource == CPU:
        if value < 1000:
            return f"{sign}{value}m"
        return sign + _decimals(value, 1000, 3)
    if not is_bytes(resource):
        return f"{sign}{value}"
    for unit, size in _BYTE_UNITS:
        if value >= size or unit == "Ki":
            text = _decimals(value, size, 2)
            if text == "0" and value > 0:
                return f"{sign}<0.01{unit}"
            return f"{sign}{text}{unit}"
    raise AssertionError("unreachable: Ki is the last unit")  # pragma: no cover


@functools.lru_cache(maxsize=8192)
def human_quantity(resource: str, text: str) -> str:
    """A quantity string (``"1500m"``, ``"4288944Ki"``) of ``resource`` for people.

    The quantity is first turned into the scheduler's integer (fractional bytes rounded
    up, as the scheduler counts them). Raises ``QuantityError`` for a malformed string.

    >>> human_quantity("memory", "4288944Ki"), human_quantity("cpu", "1960")
    ('4.09Gi', '1960')
    """
    return human(resource, to_amount(resource, parse_quantity(text)))


def human_resources(resources: Mapping[str, str] | None, none: str = "none") -> str:
    """``cpu 100m, memory 500Mi`` from ``{resource: quantity text}``, sorted by name;
    ``none`` when there is nothing."""
    if not resources:
        return none
    return ", ".join(f"{r} {human_quantity(r, resources[r])}" for r in sorted(resources))
