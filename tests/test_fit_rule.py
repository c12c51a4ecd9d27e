"""One per-resource fit rule (``podfit.resources.fits``) decides fit everywhere: the
scheduler's NodeResourcesFit filter, its fast path, and the planners' packers agree on
every node, so a planner never places a pod where the scheduler would not."""

from __future__ import annotations

import random

import pytest

from podfit.planning.binpack import PodGroup, copies_that_fit
from podfit.pods import HostPort
from podfit.resources import copies_that_fit as copies_within
from podfit.resources import first_unfit, fits
from podfit.scheduler.filters import node_ports, node_resources_fit
from podfit.scheduler.model import NodeInfo, PodInfo

RESOURCES = ("cpu", "memory", "example.com/gpu", "pods")


def _case(rng: random.Random) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    alloc = {r: rng.choice([0, 1, 2, 4, 8]) for r in RESOURCES}
    used = {r: rng.choice([0, 1, 2, 3, 9]) for r in RESOURCES if r != "pods"}
    want = {r: rng.choice([0, 1, 2, 5]) for r in RESOURCES if r != "pods"}
    return alloc, used, want


@pytest.mark.parametrize("seed", range(5))
def test_the_fast_check_is_the_rule(seed: int) -> None:
    """``first_unfit`` (written out for the fast path) answers as ``fits`` per resource."""
    rng = random.Random(seed)
    for _ in range(300):
        alloc, used, want = _case(rng)
        wants = [(r, v) for r, v in want.items() if v > 0]
        expected = next(
            (r for r, v in wants if not fits(v, alloc.get(r, 0) - used.get(r, 0))), None
        )
        assert first_unfit(wants, alloc, used) == expected


def test_copies_follow_the_rule() -> None:
    """k copies fit exactly when k * request fits what is free."""
    for request in range(1, 6):
        for free in range(-3, 20):
            k = copies_within(request, free)
            assert k == 0 or fits(k * request, free)
            assert not fits((k + 1) * request, free)


@pytest.mark.parametrize("seed", range(5))
def test_the_planner_and_the_scheduler_agree_on_fit(seed: int) -> None:
    """``binpack.copies_that_fit`` > 0 exactly where NodeResourcesFit and NodePorts pass."""
    rng = random.Random(seed)
    for _ in range(300):
        alloc, used, want = _case(rng)
        pods = rng.choice([0, 1, 3])
        node = NodeInfo("n", alloc)
        for k in range(pods):
            node.add_pod(PodInfo(f"u{k}", requests=used if k == 0 else {}))
        wanted_port = rng.choice([(), (HostPort("TCP", "", 80),)])
        node_port = rng.choice([(), (HostPort("TCP", "10.0.0.1", 80),)])
        node.ports.extend(node_port)
        pod = PodInfo(
            "p", requests={r: v for r, v in want.items() if v > 0}, host_ports=wanted_port
        )
        scheduler = node_resources_fit(pod, node) is None and node_ports(pod, node) is None
        free = [
            alloc[r] - (len(node.pods) if r == "pods" else node.requested.get(r, 0))
            for r in RESOURCES
        ]
        group = PodGroup(
            "g", tuple(1 if r == "pods" else want[r] for r in RESOURCES), 1, wanted_port
        )
        assert (copies_that_fit(free, node_port, group, 1) > 0) is scheduler
