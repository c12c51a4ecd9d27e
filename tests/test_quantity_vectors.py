"""Every row of tests/data/quantity-vectors.tsv (upstream test inputs plus pinned cases).

Columns: ``input``; ``canonical`` (podfit's required ``str()``, or ``ERROR:<exact Kubernetes
message>``); ``value`` (the exact value in decimal, ``e`` notation for huge exponents);
``format``; ``value_ceil`` and ``milli_value_ceil`` (⌈value⌉ and ⌈value·1000⌉ as int64,
empty when not asserted: negative values or values outside int64). ``kubernetes_1_20``
(what kubectl 1.20 printed) and ``source`` are documentation only.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from podfit.errors import QuantityError
from podfit.quantity import Format, Quantity, parse_quantity

VECTORS = Path(__file__).parent / "data" / "quantity-vectors.tsv"


def _rows() -> list[dict[str, str]]:
    with VECTORS.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


ROWS = _rows()
_VALUE = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?(?:e(-?[0-9]+))?")


def exact_value(text: str) -> Quantity:
    """The ``value`` column as a Quantity built from integers (independent of the parser)."""
    m = _VALUE.fullmatch(text)
    assert m, f"unreadable value cell {text!r}"
    sign, whole, frac, exp = m.groups()
    frac = frac or ""
    mantissa = int(whole + frac) * (-1 if sign else 1)
    exponent = int(exp or 0) - len(frac)
    while exponent > 2147483647:  # keep the scale inside from_scaled's int32 range
        mantissa *= 10
        exponent -= 1
    return Quantity.from_scaled(mantissa, exponent)


def test_vector_file_is_complete() -> None:
    """The table was copied whole: hundreds of rows, every one with an input cell."""
    assert len(ROWS) > 500
    assert {"input", "canonical", "value", "format", "value_ceil", "milli_value_ceil"} <= set(
        ROWS[0]
    )


@pytest.mark.parametrize("row", ROWS, ids=[repr(r["input"])[:40] for r in ROWS])
def test_vector(row: dict[str, str]) -> None:
    """Each input prints its pinned canonical form (or fails with Kubernetes' exact text),
    and has the listed exact value, format and int64 ceilings."""
    text, canonical = row["input"], row["canonical"]
    if canonical.startswith("ERROR:"):
        with pytest.raises(QuantityError) as info:
            parse_quantity(text)
        assert info.value.kubernetes_message == canonical.removeprefix("ERROR:")
        assert info.value.input == text
        return
    q = parse_quantity(text)
    assert str(q) == canonical
    assert q == exact_value(row["value"])
    assert q.format == Format(row["format"])
    if row["value_ceil"]:
        assert q.to_int() == int(row["value_ceil"])
        assert q.value() == int(row["value_ceil"])  # Go's Value() is the ceiling here too
    if row["milli_value_ceil"]:
        assert q.to_int(-3) == int(row["milli_value_ceil"])
        assert q.milli_value() == int(row["milli_value_ceil"])
    assert parse_quantity(canonical) == q  # the canonical form reads back to the same value
