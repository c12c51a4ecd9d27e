"""The one rule for amounts shown to people (podfit.units), as a table: the web page and
the CLI tables both print through it, so this table is what a reader sees everywhere."""

from __future__ import annotations

import pytest

from podfit.errors import QuantityError
from podfit.units import human, human_quantity, human_resources

MI = 2**20
GI = 2**30

TABLE = [
    # cpu: millicores below one core, cores (up to three decimals, exact) from one core
    ("cpu", 0, "0"),
    ("cpu", 1, "1m"),
    ("cpu", 250, "250m"),
    ("cpu", 999, "999m"),
    ("cpu", 1000, "1"),
    ("cpu", 1001, "1.001"),
    ("cpu", 1500, "1.5"),
    ("cpu", 1960_000, "1960"),
    ("cpu", 189_100, "189.1"),
    ("cpu", -1500, "-1.5"),
    # bytes: the largest of Gi/Mi/Ki reached, two decimals rounded toward zero
    ("memory", 0, "0"),
    ("memory", 1, "<0.01Ki"),
    ("memory", 512, "0.5Ki"),
    ("memory", 1024, "1Ki"),
    ("memory", MI - 1, "1023.99Ki"),
    ("memory", MI, "1Mi"),
    ("memory", 636_870_912, "607.36Mi"),
    ("memory", GI - 1, "1023.99Mi"),  # never rounded up to a size it does not reach
    ("memory", GI, "1Gi"),
    ("memory", 4_288_944 * 1024, "4.09Gi"),
    ("memory", 14_283_282_841, "13.3Gi"),
    ("memory", 10**9, "953.67Mi"),
    ("memory", 1024 * GI, "1024Gi"),
    ("memory", -MI, "-1Mi"),
    ("ephemeral-storage", 10 * GI, "10Gi"),
    ("hugepages-2Mi", 512 * MI, "512Mi"),
    # counts: whole numbers
    ("pods", 110, "110"),
    ("nvidia.com/gpu", 8, "8"),
    ("example.com/dongle", 10**9, "1000000000"),
]


@pytest.mark.parametrize(("resource", "amount", "text"), TABLE)
def test_every_amount_reads_by_the_one_rule(resource: str, amount: int, text: str) -> None:
    assert human(resource, amount) == text


QUANTITIES = [
    ("cpu", "100m", "100m"),
    ("cpu", "1.5", "1.5"),
    ("cpu", "1960", "1960"),
    ("cpu", "0.0001", "1m"),  # the scheduler rounds cpu up to whole millicores
    ("memory", "4288944Ki", "4.09Gi"),
    ("memory", "7133250Ki", "6.8Gi"),
    ("memory", "1152Mi", "1.12Gi"),
    ("memory", "1G", "953.67Mi"),
    ("memory", "1.5", "<0.01Ki"),  # fractional bytes count as 2
    ("nvidia.com/gpu", "1", "1"),
    ("pods", "110", "110"),
]


@pytest.mark.parametrize(("resource", "quantity", "text"), QUANTITIES)
def test_quantity_strings_read_by_the_same_rule(resource: str, quantity: str, text: str) -> None:
    assert human_quantity(resource, quantity) == text


def test_no_shown_amount_is_a_raw_byte_count_or_none() -> None:
    """Byte amounts always carry a unit (or are zero); nothing prints Python's None."""
    for size in [1, 7, 999, 1023, 1025, 10**6, 10**9, 10**12, 2**40 + 3]:
        text = human("memory", size)
        assert text.endswith(("Ki", "Mi", "Gi")), text
        assert "None" not in text


def test_a_resource_list_is_sorted_and_names_each_resource() -> None:
    assert human_resources({"memory": "512Mi", "cpu": "1500m"}) == "cpu 1.5, memory 512Mi"
    assert human_resources({}) == "none"
    assert human_resources(None, none="no requests") == "no requests"


def test_a_malformed_quantity_is_the_quantity_error() -> None:
    with pytest.raises(QuantityError):
        human_quantity("cpu", "1.5.5")
