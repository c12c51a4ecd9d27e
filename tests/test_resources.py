"""Resource names, integer amounts and canonical formatting (podfit.resources)."""

from __future__ import annotations

import pytest

from podfit.errors import QuantityError
from podfit.quantity import parse_quantity
from podfit.resources import (
    add,
    format_amount,
    is_extended,
    is_hugepages,
    is_native,
    is_overcommit_allowed,
    is_scalar,
    maximum,
    to_amount,
    to_amounts,
    total,
)

NAME_CLASSES = [
    # name, native, extended, hugepages, scalar, overcommit allowed
    ("cpu", True, False, False, False, True),
    ("memory", True, False, False, False, True),
    ("ephemeral-storage", True, False, False, False, True),
    ("hugepages-2Mi", True, False, True, True, False),
    ("nvidia.com/gpu", False, True, False, True, False),
    ("example.com/foo", False, True, False, True, False),
    ("kubernetes.io/something", True, False, False, True, True),
    ("attachable-volumes-aws-ebs", True, False, False, True, True),
]


@pytest.mark.parametrize(
    ("name", "native", "extended", "hugepages", "scalar", "overcommit"), NAME_CLASSES
)
def test_resource_name_classes_match_kubernetes_helpers(
    name: str, native: bool, extended: bool, hugepages: bool, scalar: bool, overcommit: bool
) -> None:
    assert is_native(name) is native
    assert is_extended(name) is extended
    assert is_hugepages(name) is hugepages
    assert is_scalar(name) is scalar
    assert is_overcommit_allowed(name) is overcommit


AMOUNTS = [
    ("cpu", "100m", 100),
    ("cpu", "0.1", 100),
    ("cpu", "0.5m", 1),  # MilliValue rounds up
    ("cpu", "2", 2000),
    ("memory", "200Mi", 209715200),
    ("memory", "1G", 1000000000),
    ("memory", "1.5", 2),  # Value rounds up
    ("nvidia.com/gpu", "1", 1),
    ("pods", "110", 110),
]


@pytest.mark.parametrize(("name", "text", "amount"), AMOUNTS)
def test_amounts_are_millicores_for_cpu_and_base_units_otherwise(
    name: str, text: str, amount: int
) -> None:
    assert to_amount(name, parse_quantity(text)) == amount


@pytest.mark.parametrize(
    ("name", "text", "amount"),
    [
        ("cpu", "0." + "0" * 60 + "1", 1),  # a 1e-61 core is still one millicore
        ("cpu", "1.000" + "0" * 60 + "1", 1001),
        ("memory", "1." + "0" * 60 + "1", 2),
    ],
)
def test_amounts_of_long_decimals_round_up_exactly(name: str, text: str, amount: int) -> None:
    """Integer arithmetic only: a digit 60 places after the point still rounds up."""
    assert to_amount(name, parse_quantity(text)) == amount


@pytest.mark.parametrize(("name", "text"), [("memory", "10E"), ("cpu", "9223372036854775807")])
def test_amounts_beyond_int64_are_refused(name: str, text: str) -> None:
    with pytest.raises(QuantityError, match="int64"):
        to_amount(name, parse_quantity(text))


FORMATTED = [
    ("cpu", 1500, "1500m"),
    ("cpu", 2000, "2"),
    ("cpu", 0, "0"),
    ("memory", 1073741824, "1Gi"),
    ("memory", 1000000000, "1000000000"),
    ("ephemeral-storage", 10 * 1024**3, "10Gi"),
    ("hugepages-2Mi", 2097152, "2Mi"),
    ("nvidia.com/gpu", 2, "2"),
    ("pods", 110, "110"),
]


@pytest.mark.parametrize(("name", "amount", "text"), FORMATTED)
def test_format_amount_is_canonical_per_resource(name: str, amount: int, text: str) -> None:
    assert format_amount(name, amount) == text


def test_resource_lists_add_and_max_per_key_without_mutating() -> None:
    a = {"cpu": parse_quantity("1"), "memory": parse_quantity("1Gi")}
    b = {"cpu": parse_quantity("500m"), "x.io/y": parse_quantity("2")}
    a_copy = dict(a)
    assert add(a, b) == {
        "cpu": parse_quantity("1500m"),
        "memory": parse_quantity("1Gi"),
        "x.io/y": parse_quantity("2"),
    }
    assert maximum(a, b)["cpu"] == parse_quantity("1")
    assert a == a_copy
    assert total([a, b, b])["cpu"] == parse_quantity("2")
    assert to_amounts(a) == {"cpu": 1000, "memory": 1073741824}
