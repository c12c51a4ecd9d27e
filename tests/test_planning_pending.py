"""Rules for what a plan places: without existing nodes the scheduler's run is skipped and
replicas are counted in runs, and the answer is the one the scheduler's run gives."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from podfit.errors import PodfitError
from podfit.planning.cluster import Cluster
from podfit.planning.nodes_needed import group_pending, group_runs
from podfit.planning.pending import pending, runs
from podfit.pods import Container, Pod, replicas
from podfit.quantity import parse_quantity as q


def _template(i: int, rng: random.Random) -> Pod:
    cpu = rng.choice(["100m", "250m", "1"])
    owner = rng.choice([None, f"Deployment/d{i}", "Deployment/shared"])
    phase, node = rng.choice(
        [
            (None, None),
            (None, None),
            ("Running", "gone"),
            ("Pending", "gone"),
            ("Succeeded", None),
            ("Failed", "gone"),
            (None, "named"),
        ]
    )
    daemonset = "agent" if rng.random() < 0.1 else None
    return Pod(
        f"p{i}",
        namespace=rng.choice(["default", "team"]),
        owner=owner,
        containers=(Container("c", {"cpu": q(cpu)}),),
        phase=phase,
        node_name=node,
        daemonset=daemonset,
    )


def _workload(seed: int) -> list[Pod]:
    rng = random.Random(seed)
    pods: list[Pod] = []
    for i in range(rng.randint(1, 12)):
        template = _template(i, rng)
        pods.extend(replicas(template, [f"{template.name}-{k}" for k in range(rng.randint(1, 5))]))
    return pods


@pytest.mark.parametrize("seed", range(40))
def test_without_nodes_the_groups_are_the_schedulers_pending_pods_grouped(seed: int) -> None:
    """Bound, named, terminal and DaemonSet pods, replicas interleaved: the runs give the
    same groups (names, counts, exemplars) as grouping the scheduler's Pending pods."""
    pods = _workload(seed)
    cluster = Cluster(pods, [])
    baseline = cluster.run()
    expected = group_pending([p.pod for p in baseline.pending if p.pod.daemonset is None])
    fast = pending(Cluster(pods, []))
    got = group_runs(fast.runs)
    assert [(g.name, g.count) for g, _ in got] == [(g.name, g.count) for g, _ in expected]
    assert [(i.namespace, i.name) for _, i in got] == [(i.namespace, i.name) for _, i in expected]
    assert fast.scheduled_on_existing == sum(1 for p in baseline.pods if p.scheduled) == 0


def test_runs_split_where_the_spec_changes_and_ignore_names() -> None:
    """Consecutive pods equal but for their name form one run; any other field splits."""
    a = Pod("a", containers=(Container("c", {"cpu": q("1")}),))
    b = Pod("b", containers=(Container("c", {"cpu": q("2")}),))
    pods = [*replicas(a, ["a0", "a1", "a2"]), b, *replicas(a, ["a3"])]
    assert list(runs(pods)) == [(0, 1), (1, 1), (2, 1), (3, 1), (4, 1)]  # bare pods
    owned = [replace(p, owner="Deployment/a") for p in pods]
    assert list(runs(owned)) == [(0, 3), (3, 1), (4, 1)]
    assert list(runs([])) == []


def test_a_conversion_error_names_the_first_bad_pod_as_the_full_conversion_does() -> None:
    """One conversion per run must still report the error at the first pod that has it."""
    good = Pod("ok", containers=(Container("c", {"cpu": q("1")}),))
    bad = Pod("bad", containers=(Container("c", {"cpu": q("1e30")}),))
    pods = [*replicas(good, ["ok-0", "ok-1"]), *replicas(bad, ["bad-0", "bad-1"])]
    with pytest.raises(PodfitError) as full:
        Cluster(pods, []).pod_infos()
    with pytest.raises(PodfitError) as fast:
        pending(Cluster(pods, []))
    assert str(fast.value) == str(full.value)
    assert "pods[2]" in str(fast.value)


def test_default_scheduler_flags_are_the_default_profile_without_the_schema() -> None:
    """plan commands skip the JSON schema (and marshmallow) for default flags: only
    because the schema gives exactly the default profile for them."""
    from podfit.cli.plan_cmd import _config
    from podfit.cli.scheduler_options import SchedulerFlags
    from podfit.options.load import load_config
    from podfit.scheduler.config import DEFAULT_STRATEGY, make_config
    from podfit.scheduler.features import DEFAULT_VERSION

    flags = SchedulerFlags(DEFAULT_STRATEGY, DEFAULT_VERSION, (), None, (), (), None)
    assert _config(flags) == load_config(flags.options()) == make_config()
    other = SchedulerFlags("MostAllocated", DEFAULT_VERSION, (), None, (), (), None)
    assert _config(other) == load_config(other.options()) != make_config()
