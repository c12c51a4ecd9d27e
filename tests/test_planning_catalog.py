"""Rules for the shape and price catalog: provider max-pods rules, allocatable by the
reservation formula, prices per region with their source, and how prices are chosen."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from podfit.cli import main
from podfit.errors import ConfigError, PodfitError
from podfit.nodes import node_preset, preset_names
from podfit.planning.catalog import (
    bundled_catalog,
    price_shapes,
    read_catalog,
    shape_from_text,
)

MI = 1024 * 1024
GI = 1024 * MI

# EC2 ENIs and IPv4 addresses per ENI of the 5th-7th generation m/c/r sizes
# (amazon-eks-ami eni-max-pods.txt is computed from the same EC2 API numbers)
ENIS = {"large": (3, 10), "xlarge": (4, 15), "2xlarge": (4, 15), "4xlarge": (8, 30)}


@pytest.mark.parametrize("family", ["m5", "m6i", "m7i", "c5", "c6i", "c7i", "r5", "r6i", "r7i"])
@pytest.mark.parametrize("size", sorted(ENIS))
def test_eks_max_pods_is_enis_times_ips_per_eni_minus_one_plus_two(family: str, size: str) -> None:
    """EKS max pods = ENIs × (IPv4 per ENI − 1) + 2, for every AWS shape of the catalog."""
    enis, ips = ENIS[size]
    assert node_preset(f"aws/{family}.{size}").max_pods == enis * (ips - 1) + 2


def test_allocatable_of_a_new_eks_shape_follows_the_eks_formula() -> None:
    """m6i.xlarge: 4 cores − 80m; 16Gi − (11Mi × 58 + 255Mi) − 100Mi eviction."""
    preset = node_preset("aws/m6i.xlarge")
    assert preset.allocatable_cpu == 3920
    assert preset.allocatable_memory == 16 * GI - (11 * 58 + 255) * MI - 100 * MI


def test_gke_and_aks_shapes_cover_the_families_and_sizes() -> None:
    """GCE e2/n2 2–16 vCPU and c3 4–8 in three kinds; Azure D/E v5 and F v2, 2–16 vCPU."""
    names = set(preset_names())
    for family, sizes in (("e2", (2, 4, 8, 16)), ("n2", (2, 4, 8, 16)), ("c3", (4, 8))):
        for kind in ("standard", "highmem", "highcpu"):
            assert {f"gke/{family}-{kind}-{n}" for n in sizes} <= names
    for series in ("D{}s_v5", "E{}s_v5", "F{}s_v2"):
        assert {f"aks/Standard_{series.format(n)}" for n in (2, 4, 8, 16)} <= names
    assert node_preset("gke/c3-highcpu-8").capacity_memory == 16 * GI
    assert node_preset("aks/Standard_E4s_v5").max_pods == 110


def test_every_bundled_price_names_a_preset_a_source_and_a_date() -> None:
    """Each row: a known preset, an exact positive price, a currency, a source, a date."""
    catalog = bundled_catalog()
    names = set(preset_names())
    assert catalog.regions() == ["eastus", "us-central1", "us-east-1", "westeurope"]
    for (shape, _region), row in catalog.rows.items():
        assert shape in names
        assert row.price > 0 and row.currency == "USD"
        assert row.source and row.date[:4].isdigit()
    assert catalog.get("aws/m5.large", "us-east-1").price == Fraction("0.096")  # type: ignore[union-attr]


def test_region_prices_shapes_without_a_price_and_keeps_given_prices() -> None:
    """--region picks the column; SHAPE@PRICE (negotiated) wins over the list price."""
    shapes = [
        shape_from_text("aws/m6i.large", "s[0]"),
        shape_from_text("aws/c6i.large@0.05", "s[1]"),
    ]
    priced = price_shapes(shapes, region="us-east-1")
    assert [s.price for s in priced] == [Fraction("0.096"), Fraction("0.05")]
    assert price_shapes(shapes, region=None) == shapes  # no region: prices as given


def test_a_user_catalog_comes_before_the_bundled_prices() -> None:
    """A reserved/spot price file overrides the list price of the shapes it names."""
    user = read_catalog("shape\tregion\tprice\naws/m6i.large\tus-east-1\t0.061\n", "mine.tsv")
    shapes = [shape_from_text("aws/m6i.large", "s[0]"), shape_from_text("aws/m6i.xlarge", "s[1]")]
    priced = price_shapes(shapes, region=None, catalog=user)  # one region: that one
    assert [s.price for s in priced] == [Fraction("0.061"), Fraction("0.192")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("shape\tprice\n", "the header needs the columns region"),
        ("shape\tregion\tprice\naws/m5.large\tus-east-1\tcheap\n", "a price must be decimal text"),
        ("shape\tregion\tprice\nx\tr\t1\nx\tr\t2\n", "x in r is priced twice"),
        ("shape\tregion\tprice\n\tr\t1\n", "a row needs a shape and a region"),
    ],
)
def test_a_bad_price_file_names_the_file_and_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        read_catalog(text, "mine.tsv")
    assert message in str(err.value) and "mine.tsv" in str(err.value)


def test_a_shape_without_a_price_in_the_region_is_named() -> None:
    """An AWS shape has no list price in a GCE region: the error names the shape option
    and the fix."""
    shapes = [
        shape_from_text("gke/e2-standard-4", "s[0]"),
        shape_from_text("aws/m6i.large", "s[1]"),
    ]
    with pytest.raises(PodfitError) as err:
        price_shapes(shapes, region="us-central1", path="--shape")
    assert err.value.errors[0].path == "--shape[1]"
    assert "SHAPE@PRICE" in err.value.errors[0].message
    with pytest.raises(ConfigError, match='no prices for region "mars-1"'):
        price_shapes(shapes, region="mars-1")


def test_cli_region_and_price_catalog(tmp_path: Path) -> None:
    """plan nodes --region prices each shape; --price-catalog overrides; costs are exact."""
    pods = tmp_path / "pods.yaml"
    pods.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 4\n"
        "  template:\n    spec:\n      containers:\n      - name: c\n        image: x\n"
        "        resources: {requests: {cpu: '1', memory: 1Gi}}\n",
        encoding="utf-8",
    )
    prices = tmp_path / "prices.tsv"
    prices.write_text("shape\tregion\tprice\naws/c6i.xlarge\tus-east-1\t0.1\n", encoding="utf-8")
    args = ["plan", "nodes", "-f", str(pods), "-s", "aws/m6i.xlarge", "-s", "aws/c6i.xlarge"]
    result = CliRunner().invoke(main, [*args, "--region", "us-east-1", "-o", "json"])
    assert result.exit_code == 0, result.output
    costs = {s["shape"]: s["cost"] for s in json.loads(result.output)["shapes"]}
    assert costs == {"aws/m6i.xlarge": "0.384", "aws/c6i.xlarge": "0.34"}  # 2 nodes each
    for region in ([], ["--region", "us-east-1"]):  # the file's only region is the default
        result = CliRunner().invoke(
            main, [*args, "--price-catalog", str(prices), *region, "-o", "json"]
        )
        assert result.exit_code == 0, result.output
        costs = {s["shape"]: s["cost"] for s in json.loads(result.output)["shapes"]}
        assert costs == {"aws/m6i.xlarge": "0.384", "aws/c6i.xlarge": "0.2"}
    result = CliRunner().invoke(main, [*args, "-s", "gke/c3-standard-4", "--region", "us-east-1"])
    assert result.exit_code == 1
    assert (
        'error: --shape[2]: no price for gke/c3-standard-4 in region "us-east-1"' in result.output
    )
