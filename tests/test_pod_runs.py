"""The reader keeps a workload's replicas as runs of its template (``Workload.runs``):
whatever reads them — the pods one by one, all of them, or only their runs — sees what
one Pod per replica would give."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podfit.manifests import load_text
from podfit.manifests.replicas import NameRange, NameRanges, PodRuns, Replicas
from podfit.manifests.snapshot import TakenNames
from podfit.planning.pending import runs
from podfit.pods import Container, Pod, replicas
from podfit.quantity import parse_quantity as q
from podfit.scheduler import schedule
from podfit.scheduler.adapt import PodConverter
from podfit.scheduler.model import PodInfo

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - {{name: c, image: i, resources: {{requests: {{cpu: {cpu}}}}}}}
"""

BARE = """apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {ns}}}
spec:
  containers:
  - {{name: c, image: i, resources: {{requests: {{cpu: {cpu}}}}}}}
"""


def _segments(seed: int) -> list[Pod | Replicas]:
    """Bare pods, owned pods and Replicas (some empty, some without owner) mixed."""
    rng = random.Random(seed)
    out: list[Pod | Replicas] = []
    for i in range(rng.randint(0, 8)):
        cpu = rng.choice(["1", "2"])
        owner = rng.choice([None, "Deployment/a", "Deployment/b"])
        template = Pod(f"t{i}", owner=owner, containers=(Container("c", {"cpu": q(cpu)}),))
        if rng.random() < 0.3:
            out.append(template)
        else:
            names = [f"t{i}-{k}" for k in range(rng.randint(0, 4))]
            if names and rng.random() < 0.3:
                names[0] = template.name  # the template is one of its replicas
            out.append(Replicas(template, names, [template]))
    return out


def _flat(segments: list[Pod | Replicas]) -> list[Pod]:
    pods: list[Pod] = []
    for s in segments:
        pods.extend(replicas(s.template, s.names) if isinstance(s, Replicas) else [s])
    return pods


@pytest.mark.parametrize("seed", range(60))
def test_runs_indexing_and_names_equal_those_of_one_pod_per_replica(seed: int) -> None:
    """PodRuns.runs() are the runs of the materialised pods; indexing gives each pod
    without making the others; the names are the pods' names."""
    segments = _segments(seed)
    expected = _flat(segments)
    lazy = PodRuns(segments)
    assert list(runs(lazy)) == list(runs(expected))
    assert len(lazy) == len(expected)
    assert list(lazy.names()) == [p.name for p in expected]
    for i in range(-len(expected), len(expected)):
        assert lazy[i] == expected[i]
    assert all(s._pods is None for s in segments if isinstance(s, Replicas))
    with pytest.raises(IndexError):
        lazy[len(expected)]
    assert list(lazy) == expected == lazy.materialise()


def test_making_the_replicas_registers_them_for_priority_resolution() -> None:
    """The reader resolves PriorityClasses by the identity of the pods in a template's
    list: made replicas join it (the template itself once)."""
    template = Pod("web-0", owner="Deployment/web")
    registered = [template]
    made = Replicas(template, ["web-0", "web-1", "web-2"], registered)
    pods = made.pods()
    assert pods[0] is template
    assert registered == pods and [id(p) for p in registered] == [id(p) for p in pods]
    assert made.pods() is pods  # once


def test_a_workloads_pods_are_made_from_its_runs_when_first_read() -> None:
    """Workload.pods after the reader is the list of one Pod per replica; reading it drops
    the runs (the list may then change), as does setting it."""
    text = "---\n".join(
        [
            DEPLOYMENT.format(name="a", ns="default", replicas=3, cpu="100m"),
            BARE.format(name="solo", ns="default", cpu="1"),
            DEPLOYMENT.format(name="b", ns="team", replicas=2, cpu="200m"),
        ]
    )
    wl = load_text(text)
    assert wl.runs is not None and wl.pod_source() is wl.runs
    counted = list(runs(wl.pod_source()))
    pods = wl.pods
    assert wl.runs is None and wl.pod_source() is pods
    assert [p.name.rsplit("-", 1)[-1] for p in pods] == ["0", "1", "2", "solo", "0", "1"]
    assert counted == list(runs(pods)) == [(0, 3), (3, 1), (4, 2)]
    fresh = load_text(text)
    fresh.pods = [replace(p, priority=5) for p in pods]
    assert fresh.runs is None and fresh.pod_source() == fresh.pods


def test_a_priority_class_reaches_every_replica() -> None:
    """A globalDefault PriorityClass changes what the template left out: every replica,
    made from the runs, carries it."""
    text = (
        "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\n"
        "metadata: {name: high}\nvalue: 1000\nglobalDefault: true\n---\n"
        + DEPLOYMENT.format(name="a", ns="default", replicas=4, cpu="100m")
    )
    wl = load_text(text)
    assert [p.priority for p in wl.pods] == [1000] * 4


def _pattern_names(prefix: str, suffix: str, size: int) -> list[str]:
    return [f"{prefix}{i}{suffix}" for i in range(size)]


@given(
    st.sampled_from(["web-", "web-1", "we", "", "a-b-"]),
    st.sampled_from(["", "-x", "x", "0"]),
    st.integers(0, 30),
    st.lists(
        st.text(alphabet="web-10x2ab", max_size=7) | st.sampled_from(["web-01", "web-٣", "web-"])
    ),
)
def test_a_name_range_holds_exactly_the_formatted_names(
    prefix: str, suffix: str, size: int, others: list[str]
) -> None:
    """NameRange is the list of formatted names: same items, and membership by parsing
    agrees with the list's (leading zeros, non-ASCII digits, empty index refused)."""
    names = NameRange(prefix, suffix, size)
    expected = _pattern_names(prefix, suffix, size)
    assert list(names) == expected and len(names) == size
    assert [names[i] for i in range(-size, size)] == expected + expected
    for name in [*others, *expected]:
        assert (name in names) == (name in expected)


@given(
    st.sampled_from(["web-", "web-1", "we", "a-", ""]),
    st.sampled_from(["", "-x", "x"]),
    st.integers(0, 25),
    st.sampled_from(["web-", "web-1", "we", "a-", ""]),
    st.sampled_from(["", "-x", "x"]),
    st.integers(0, 25),
)
def test_two_name_ranges_share_a_name_exactly_when_their_lists_do(
    p1: str, s1: str, n1: int, p2: str, s2: str, n2: int
) -> None:
    """shares_with (the reader's check that a workload's new names are free) is the
    intersection of the two lists, whether or not may_share can rule it out at once."""
    a, b = NameRange(p1, s1, n1), NameRange(p2, s2, n2)
    common = set(_pattern_names(p1, s1, n1)) & set(_pattern_names(p2, s2, n2))
    assert a.shares_with(b) == b.shares_with(a) == bool(common)
    if common:
        assert a.may_share(b)


@given(
    st.lists(st.tuples(st.sampled_from(["web-", "web-1", "x-"]), st.integers(0, 15)), max_size=4),
    st.lists(st.sampled_from(["web-1", "web-10", "x-0", "x-", "solo"]), max_size=4),
)
def test_taken_names_and_distinct_names_agree_with_plain_sets(
    ranges: list[tuple[str, int]], singles: list[str]
) -> None:
    """TakenNames with ranges answers as a set of every name would; PodRuns.distinct_names
    is whether the materialised names are all different."""
    taken = TakenNames()
    every: set[str] = set()
    for prefix, size in ranges:
        taken.add("default", NameRange(prefix, "", size))
        every.update(_pattern_names(prefix, "", size))
    taken.add("default", singles)
    every.update(singles)
    probe = ["web-1", "web-10", "web-11", "x-3", "solo", "web-"]
    assert [("default", n) in taken for n in probe] == [n in every for n in probe]
    assert ("other", "web-1") not in taken
    for prefix, size in [("web-", 12), ("x-", 2), ("y-", 3)]:
        new = NameRange(prefix, "", size)
        assert taken.none_of("default", new) == every.isdisjoint(list(new))
    assert taken.none_of("default", probe) == every.isdisjoint(probe)

    template = Pod("t", owner="Deployment/t")
    segments: list[Pod | Replicas] = [
        Replicas(template, NameRange(prefix, "", size), [template]) for prefix, size in ranges
    ]
    segments += [Pod(name) for name in singles]
    runs_ = PodRuns(segments)
    names = list(runs_.names())
    assert runs_.distinct_names() == (len(set(names)) == len(names))


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "w", "web-", "web-1", "web-1-", "web-12", "x-"]),
            st.sampled_from(["", "-a"]),
            st.integers(0, 14),
        ),
        max_size=6,
    ),
    st.tuples(
        st.sampled_from(["", "w", "web-", "web-1", "web-10", "x-", "y"]),
        st.sampled_from(["", "-a"]),
        st.integers(0, 14),
    ),
)
def test_name_ranges_found_by_prefix_answer_as_every_range_would(
    held: list[tuple[str, str, int]], probe: tuple[str, str, int]
) -> None:
    """NameRanges visits only the ranges whose prefix starts a name (or another range's
    prefix): the same answers as asking every range held."""
    ranges = [NameRange(*h) for h in held]
    index = NameRanges()
    for r in ranges:
        index.add(r)
    new = NameRange(*probe)
    assert index.shares_with(new) == any(r.shares_with(new) for r in ranges)
    for name in [*new, "web-1", "web-10-a", "w0", "0", "x-3", ""]:
        assert (name in index) == any(name in r for r in ranges)


def _info_fields(info: PodInfo) -> tuple[object, ...]:
    return (*(getattr(info, s) for s in PodInfo.__slots__ if s != "_key"), info.scheduling_key())


@pytest.mark.parametrize("seed", range(60))
def test_runs_convert_to_what_their_pods_one_by_one_convert_to(seed: int) -> None:
    """The scheduler's converter reads runs without making their replicas (one conversion
    per template): the same PodInfos, in order, distinct objects, as converting the
    materialised pods."""
    segments = _segments(seed)
    from_runs = PodConverter().all(PodRuns(segments), "pods")
    one_by_one = PodConverter().all(_flat(segments), "pods")
    assert [_info_fields(i) for i in from_runs] == [_info_fields(i) for i in one_by_one]
    assert len({id(i) for i in from_runs}) == len(from_runs)


@pytest.mark.parametrize(
    "path",
    [
        "fixtures/workloads/online-boutique.yaml",
        "fixtures/workloads/helm-prometheus.yaml",
        "tests/data/qa/shop-get-all.json",
        "tests/data/scheduler/work.yaml",
    ],
)
def test_scheduling_runs_answers_as_scheduling_the_pods(path: str) -> None:
    """``schedule(workload.pod_source())`` (what the HTTP service passes: runs, replicas
    never made as Pods) answers the same document as ``schedule(workload.pods)``."""
    root = Path(__file__).resolve().parent.parent
    nodes = load_text((root / "tests/data/scheduler/nodes.yaml").read_text()).nodes
    workload = load_text((root / path).read_text())
    source = workload.pod_source()
    assert isinstance(source, PodRuns)  # else this test would compare a list with itself
    by_runs = schedule(source, nodes, **workload.cluster_objects()).to_dict()
    by_pods = schedule(workload.pods, nodes, **workload.cluster_objects()).to_dict()
    assert by_runs == by_pods
