"""Rules for the cheapest mix of shapes: a certified lower bound never above any mix, the
joint choice beating every single shape where it should, exact proof on small inputs,
and mixes the scheduler itself places completely."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from podfit.cli import main
from podfit.errors import ConfigError
from podfit.nodes import Node, Taint
from podfit.planning import mix as mix_module
from podfit.planning.mix import (
    _certified_bound,
    _Dual,
    _round_up_to_prices,
    _shapes,
    cheapest_mix,
)
from podfit.planning.nodes_needed import NodeShape, nodes_needed
from podfit.pods import Container, Pod, Toleration, replicas
from podfit.quantity import parse_quantity as q
from podfit.scheduler import schedule


def shape(name: str, cpu: str, price: str, pods: int = 110, **kw: object) -> NodeShape:
    alloc = {"cpu": q(cpu), "memory": q("64Gi"), "pods": q(str(pods))}
    node = Node(name, alloc, alloc, labels={"kubernetes.io/hostname": name}, **kw)  # type: ignore[arg-type]
    return NodeShape(name, node, Fraction(price))


def deployment(name: str, count: int, cpu: str, **kw: object) -> list[Pod]:
    template = Pod(
        f"{name}-0",
        owner=f"Deployment/{name}",
        containers=(Container("c", {"cpu": q(cpu), "memory": q("100Mi")}),),
        **kw,  # type: ignore[arg-type]
    )
    return replicas(template, [f"{name}-{i}" for i in range(count)])


SMALL = shape("small", "2", "0.10")
BIG = shape("big", "4", "0.15")


def test_a_joint_mix_beats_every_single_shape_and_exact_mode_proves_it() -> None:
    """5 × 1 cpu: 3 small (0.30), 2 big (0.30), 1 big + 1 small (0.25) — the optimum."""
    plan = nodes_needed(deployment("web", 5, "1"), [SMALL, BIG])
    found = cheapest_mix(plan, exact=True, time_limit=5)
    assert found.counts == {"big": 1, "small": 1}
    assert found.cost == Fraction("0.25")
    assert found.proven and found.lower_bound == found.cost
    doc = found.to_dict()
    assert doc["costPerHour"] == 0.25 and doc["gap"] == 0 and doc["proven"] is True


def test_the_lp_bound_is_certified_rounded_to_node_prices_and_below_the_optimum() -> None:
    """Without exact mode the bound is the LP relaxation, 5 cpu × 0.0375 = 0.1875, raised
    to the least sum of node prices not below it: 0.10 + 0.10 = 0.20."""
    plan = nodes_needed(deployment("web", 5, "1"), [SMALL, BIG])
    found = cheapest_mix(plan)
    assert found.bound_method == "lp-relaxation"
    assert found.relaxation == Fraction("0.1875")
    assert found.lower_bound == Fraction("0.20")
    assert found.lower_bound <= Fraction("0.25") <= found.cost


@pytest.mark.parametrize(
    ("bound", "prices", "rounded"),
    [
        ("0.1875", ["0.10", "0.15"], "0.20"),
        ("0.31", ["0.10", "0.15"], "0.35"),  # 0.30 < 0.31; 0.35 = 0.20 + 0.15
        ("0.5", ["0.3"], "0.6"),
        ("0", ["0.3"], "0"),
    ],
)
def test_a_bound_rounds_up_to_the_least_sum_of_node_prices(
    bound: str, prices: list[str], rounded: str
) -> None:
    assert _round_up_to_prices(Fraction(bound), [Fraction(p) for p in prices]) == Fraction(rounded)


@pytest.mark.parametrize("seed", range(6))
def test_any_dual_vector_gives_a_bound_at_most_the_exact_optimum(seed: int) -> None:
    """Certification scales any non-negative dual into a feasible one (weak duality)."""
    rng = random.Random(seed)
    pods = deployment("a", rng.randint(1, 6), rng.choice(["500m", "1", "1500m"]))
    pods += deployment("b", rng.randint(1, 6), rng.choice(["250m", "3"]))
    shapes = [SMALL, BIG, shape("tiny", "1", "0.04")]
    plan = nodes_needed(pods, shapes)
    optimum = cheapest_mix(plan, exact=True, time_limit=5)
    assert optimum.proven
    model = _shapes(plan)
    demand = {g.name: g.count for g, _ in plan.groups}
    for _ in range(20):
        dual = _Dual(
            {(s.name, d): Fraction(rng.randint(0, 100), 1000) for s in model for d in range(3)},
            {},
        )
        assert _certified_bound(model, demand, [], dual) <= optimum.cost


@pytest.mark.parametrize("seed", range(6))
def test_the_bound_of_the_heuristic_mode_never_exceeds_the_proven_optimum(seed: int) -> None:
    """Whatever bound wins (relaxation, column generation, rounded to node prices), it is
    at most the cost exact mode proves optimal, and the heuristic mix at least that."""
    rng = random.Random(100 + seed)
    pods = deployment("a", rng.randint(1, 7), rng.choice(["300m", "700m", "1", "1700m"]))
    pods += deployment("b", rng.randint(1, 7), rng.choice(["250m", "1200m", "3"]))
    pods += deployment("c", rng.randint(0, 4), rng.choice(["100m", "2500m"]))
    shapes = [SMALL, BIG, shape("tiny", "1", "0.04"), shape("huge", "8", "0.27")]
    plan = nodes_needed(pods, shapes)
    optimum = cheapest_mix(plan, exact=True, time_limit=5)
    assert optimum.proven
    heuristic = cheapest_mix(plan)
    assert heuristic.lower_bound <= optimum.cost <= heuristic.cost


def test_the_mix_respects_taints_daemonsets_max_pods_and_headroom() -> None:
    """Pods that tolerate nothing avoid the tainted (cheap) shape; DaemonSet overhead and
    headroom shrink each node; every mix is placed completely by the scheduler."""
    tainted = shape("spot", "8", "0.05", taints=(Taint("spot", "true"),))
    few_pods = shape("dense", "16", "0.30", pods=5)
    tolerant = deployment(
        "batch", 6, "1", tolerations=(Toleration("spot", "Equal", "true", "NoSchedule"),)
    )
    plain = deployment("web", 7, "500m")
    agent = Pod("agent", containers=(Container("c", {"cpu": q("500m")}),), daemonset="agent")
    plan = nodes_needed(
        [*tolerant, *plain],
        [SMALL, BIG, tainted, few_pods],
        daemonsets=[agent],
        headroom_percent=90,
    )
    found = cheapest_mix(plan, exact=True, time_limit=5)
    assert found.proven
    for node in found.nodes:
        if node.shape == "spot":
            assert dict(node.pods).keys() <= {"Deployment/batch"}
        if node.shape == "dense":
            assert sum(c for _, c in node.pods) <= 4  # 5 pods minus the DaemonSet pod
    by_name = {s.name: s for s in (SMALL, BIG, tainted, few_pods)}
    nodes = [
        replace(
            by_name[n.shape].node,
            name=f"{n.shape}-{i}",
            labels={"kubernetes.io/hostname": f"{n.shape}-{i}"},
        )
        for i, n in enumerate(found.nodes)
    ]
    result = schedule([*tolerant, *plain], nodes, daemonsets=[agent])
    assert result.summary()["pending"] == 0


def test_without_ortools_the_mix_still_has_a_closed_form_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No OR-tools: the best single-shape plan with its nodes re-homed (the big plan's
    half-empty second node moves to a small one), bound from one resource."""
    monkeypatch.setattr(mix_module, "_ortools", lambda module: None)
    plan = nodes_needed(deployment("web", 5, "1"), [SMALL, BIG])
    found = cheapest_mix(plan)
    assert found.bound_method == "cheapest-resource"
    assert found.relaxation == Fraction("0.1875")  # one resource: the same as the LP here
    assert found.cost == Fraction("0.25") and found.method == "re-homed"
    assert any("without OR-tools" in n for n in found.notes)


def test_without_ortools_groups_that_need_different_shapes_are_combined(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No single shape takes both groups (one tolerates only the tainted shape's taint,
    the other avoids it): the greedy cover combines the two shapes."""
    monkeypatch.setattr(mix_module, "_ortools", lambda module: None)
    tainted = shape("gpu", "8", "0.50", taints=(Taint("gpu", "true"),))
    trainer = deployment(
        "train",
        2,
        "4",
        tolerations=(Toleration("gpu", "Equal", "true", "NoSchedule"),),
        node_selector={"kubernetes.io/hostname": "gpu"},
    )
    plan = nodes_needed([*trainer, *deployment("web", 3, "1")], [SMALL, tainted])
    found = cheapest_mix(plan)
    assert found.counts == {"gpu": 1, "small": 2}
    assert found.method == "greedy-cover"


def test_groups_no_shape_takes_are_listed_and_a_shape_without_price_is_refused() -> None:
    big_pod = deployment("huge", 1, "64")
    plan = nodes_needed([*deployment("web", 2, "1"), *big_pod], [SMALL, BIG])
    found = cheapest_mix(plan)
    assert found.unplaceable == {"Deployment/huge": 1}
    unpriced = nodes_needed(deployment("web", 2, "1"), [SMALL, replace(BIG, price=None)])
    with pytest.raises(ConfigError, match="needs a price for every shape; big has none"):
        cheapest_mix(unpriced)


def test_a_free_shape_is_refused_by_name_not_divided_by() -> None:
    """The mix's lower bound divides by each shape's price: a price of 0 (accepted by
    the price parser) is a ConfigError naming the shape, never a ZeroDivisionError."""
    free = nodes_needed(deployment("web", 2, "1"), [replace(SMALL, price=Fraction(0)), BIG])
    with pytest.raises(ConfigError, match="needs a price above 0 for every shape; small costs 0"):
        cheapest_mix(free)


def test_cli_mix_summary_and_its_refusal_without_prices(tmp_path: Path) -> None:
    """plan nodes --mix: summary.cheapest with nodes, costPerHour, lowerBound and gap."""
    manifest = tmp_path / "web.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 5\n"
        "  template:\n    spec:\n      containers:\n      - name: c\n        image: x\n"
        "        resources: {requests: {cpu: '1'}}\n",
        encoding="utf-8",
    )
    args = ["plan", "nodes", "-f", str(manifest), "-s", "small:cpu=2,pods=110@0.10"]
    result = CliRunner().invoke(
        main, [*args, "-s", "big:cpu=4,pods=110@0.15", "--mix", "-o", "json"]
    )
    assert result.exit_code == 0, result.output
    cheapest = json.loads(result.output)["summary"]["cheapest"]
    assert cheapest["nodes"] == {"big": 1, "small": 1}
    assert (cheapest["costPerHour"], cheapest["lowerBound"], cheapest["gap"]) == (0.25, 0.2, 0.05)
    table = CliRunner().invoke(main, [*args, "-s", "big:cpu=4,pods=110@0.15", "--mix"])
    assert "cheapest: 1 × big, 1 × small: 0.25 per hour (lower bound 0.2, gap 0.05" in table.output
    refused = CliRunner().invoke(main, [*args, "-s", "big:cpu=4,pods=110", "--mix"])
    assert refused.exit_code == 1
    assert "error: --shape[1]: the cheapest mix needs a price for every shape" in refused.output


WEB_DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "replicas": 5,
        "template": {
            "spec": {
                "containers": [{"name": "c", "image": "x", "resources": {"requests": {"cpu": "1"}}}]
            }
        },
    },
}


def test_api_mix_answers_summary_cheapest_and_names_an_unpriced_shape(
    client: FlaskClient,
) -> None:
    """POST /v1/plan/nodes with mix: the same cheapest mix as the library; 422 without
    a price; region prices the presets from the bundled list."""
    shapes = [
        {"name": "small", "allocatable": {"cpu": "2", "pods": "110"}, "price": "0.10"},
        {"name": "big", "allocatable": {"cpu": "4", "pods": "110"}, "price": "0.15"},
    ]
    body = {"pods": [WEB_DEPLOYMENT], "shapes": shapes, "mix": True}
    response = client.post("/v1/plan/nodes", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    cheapest = response.get_json()["summary"]["cheapest"]
    assert cheapest["nodes"] == {"big": 1, "small": 1} and cheapest["lowerBound"] == 0.2
    unpriced = {**body, "shapes": [shapes[0], {"preset": "aws/m6i.large"}]}
    response = client.post("/v1/plan/nodes", json=unpriced)
    assert response.status_code == 422
    assert "shapes[1]" in response.get_data(as_text=True)
    response = client.post("/v1/plan/nodes", json={**unpriced, "region": "us-east-1"})
    assert response.status_code == 200
    assert response.get_json()["summary"]["cheapest"]["exact"]["costPerHour"] == "0.296"


def test_web_page_shows_the_cheapest_mix_with_its_bound(client: FlaskClient) -> None:
    """The nodes question with the mix box ticked prints the joint mix and its bound."""
    form = {
        "strategy": "LeastAllocated",
        "version": "1.34",
        "question": "nodes",
        "workloads": json.dumps(WEB_DEPLOYMENT),
        "shapes": "small:cpu=2,pods=110@0.10 big:cpu=4,pods=110@0.15",
        "mix": "on",
    }
    response = client.post("/", data=form, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert (
        '<dd class="summary-cheapest">1 × big + 1 × small: 0.25 per hour; lower bound 0.2, '
        "gap 0.05</dd>"
    ) in html
