"""Rules for the pictures of a ScheduleResult (podfit.web.render), on hand-written issue-4 dicts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podfit.web import render


def _pod(
    name: str,
    node: str | None,
    requests: dict[str, str],
    owner: str | None = None,
    *,
    phase: str | None = None,
    message: str = "",
    shortfall: Any = None,
) -> dict[str, Any]:
    phase = phase or ("Running" if node else "Pending")
    pod: dict[str, Any] = {
        "namespace": "default",
        "name": name,
        "owner": owner,
        "node": node,
        "phase": phase,
        "requests": requests,
        "qosClass": "Burstable",
        "conditions": [{"type": "PodScheduled", "status": "True"}],
    }
    if phase == "Pending":
        pod["conditions"] = [
            {
                "type": "PodScheduled",
                "status": "False",
                "reason": "Unschedulable",
                "message": message,
            }
        ]
        if shortfall is not None:
            pod["shortfall"] = shortfall
    elif phase == "Failed":
        pod["reason"] = "OutOfcpu"
        pod["message"] = message
    return pod


def _node(name: str, allocatable: dict[str, str], requested: dict[str, str]) -> dict[str, Any]:
    return {
        "name": name,
        "allocatable": allocatable,
        "requested": requested,
        "free": {},
        "pods": [],
        "utilization": {},
    }


PENDING_MESSAGE = (
    "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
    "3 No preemption victims found for incoming pod."
)


def small_result() -> dict[str, Any]:
    """Three nodes (one with GPUs), five running pods, two Pending, one Failed."""
    web = {"cpu": "500m", "memory": "512Mi"}
    return {
        "apiVersion": "podfit/v1",
        "kind": "ScheduleResult",
        "kubernetesVersion": "1.34",
        "strategy": "LeastAllocated",
        "summary": {"pods": 8, "scheduled": 5, "pending": 2, "preempted": 0, "nodes": 3},
        "pods": [
            _pod("web-1", "node-a", web, "Deployment/web"),
            _pod("web-2", "node-a", web, "Deployment/web"),
            _pod("web-3", "node-a", web, "Deployment/web"),
            _pod("db-0", "node-b", {"cpu": "1", "memory": "2Gi"}, "StatefulSet/db"),
            _pod("train-0", "gpu-1", {"cpu": "2", "nvidia.com/gpu": "1"}, "Job/train"),
            _pod("big-1", None, {"cpu": "16"}, "Deployment/big", message=PENDING_MESSAGE,
                 shortfall={"cpu": {"request": "16", "largestFree": "6"}}),
            _pod("big-2", None, {"cpu": "16"}, "Deployment/big", message=PENDING_MESSAGE,
                 shortfall={"cpu": {"request": "16", "largestFree": "6"}}),
            _pod("static", None, {"cpu": "9"}, phase="Failed",
                 message="Pod was rejected: Node didn't have enough resource: cpu"),
        ],
        "nodes": [
            _node("node-a", {"cpu": "4", "memory": "8Gi", "pods": "110"},
                  {"cpu": "1500m", "memory": "1536Mi"}),
            _node("node-b", {"cpu": "2", "memory": "4Gi", "pods": "110"},
                  {"cpu": "1", "memory": "2Gi"}),
            _node("gpu-1", {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "2", "pods": "110"},
                  {"cpu": "2", "nvidia.com/gpu": "1"}),
        ],
    }  # fmt: skip


def _bars(svg: str) -> list[str]:
    return re.findall(r'<g class="bar[^"]*" data-node="([^"]*)" data-resource="([^"]*)"', svg)


# --- arithmetic ------------------------------------------------------------------------------

PERCENT_CASES = [
    ((0, 4), "0.0%"),
    ((1, 2), "50.0%"),
    ((2, 3), "66.6%"),  # rounded down, not 66.7
    ((3999, 4000), "99.9%"),  # never a false 100%
    ((4000, 4000), "100.0%"),
    ((5000, 4000), "125.0%"),  # over-committed by already-running pods
    ((1, 0), "–"),
]


@pytest.mark.parametrize(("args", "text"), PERCENT_CASES)
def test_percent_rounds_down_to_one_decimal(args: tuple[int, int], text: str) -> None:
    assert render.percent(*args) == text


HUNDREDTHS_CASES = [
    ((0, 10, 320), 0),
    ((10, 10, 320), 32000),
    ((1, 3, 100), 3333),
    ((2, 3, 100), 6667),  # half-up of 6666.67
    ((1, 8, 1), 13),  # 12.5 hundredths rounds half up
    ((5, 0, 320), 0),  # nothing allocatable anywhere: zero width
]


@pytest.mark.parametrize(("args", "h"), HUNDREDTHS_CASES)
def test_hundredths_rounds_half_up(args: tuple[int, int, int], h: int) -> None:
    assert render.hundredths(*args) == h


# --- columns and bars ------------------------------------------------------------------------


def test_columns_are_cpu_memory_then_gpus_that_appear() -> None:
    assert render.chart_resources(small_result()) == ["cpu", "memory", "nvidia.com/gpu"]


def test_no_gpu_column_without_gpus() -> None:
    result = small_result()
    result["nodes"] = result["nodes"][:2]
    result["pods"] = [p for p in result["pods"] if "nvidia.com/gpu" not in p["requests"]]
    assert render.chart_resources(result) == ["cpu", "memory"]


def test_one_bar_per_node_and_resource_in_node_order() -> None:
    bars = _bars(render.render_svg(small_result()))
    nodes = ["node-a", "node-b", "gpu-1"]
    assert bars == [(n, r) for r in ("cpu", "memory", "nvidia.com/gpu") for n in nodes]


def test_replicas_of_one_owner_with_equal_requests_are_one_segment() -> None:
    (bar_a, _, _) = render.node_bars(small_result(), "cpu")
    assert [s.names for s in bar_a.segments] == [
        ("default/web-1", "default/web-2", "default/web-3")
    ]
    assert bar_a.requested == 1500 and bar_a.free == 2500


def test_an_owners_pods_form_one_block_even_when_placed_interleaved() -> None:
    pods = [
        _pod("web-1", "n", {"cpu": "1"}, "Deployment/web"),
        _pod("db-0", "n", {"cpu": "2"}, "StatefulSet/db"),
        _pod("web-2", "n", {"cpu": "1"}, "Deployment/web"),
    ]
    segments = render.stack_segments(pods, "cpu")
    assert [(s.owner, s.names, s.amount) for s in segments] == [
        ("Deployment/web", ("default/web-1", "default/web-2"), 2000),
        ("StatefulSet/db", ("default/db-0",), 2000),
    ]


def test_merged_replicas_are_divided_by_thin_lines_when_wide_enough() -> None:
    (bar_a, _, _) = render.node_bars(small_result(), "cpu")
    # 500m of an 8-cpu scale is 18.75 px per replica (of 300)
    assert '<path class="divider" d="M18.75 0v12M37.5 0v12"/>' in render.bar_svg(bar_a, 0, 0, 8000)
    pods = [_pod(f"p{i}", "n", {"cpu": "1m"}, "Deployment/tiny") for i in range(100)]
    (tiny,) = render.stack_segments(pods, "cpu")
    bar = render.NodeBar("n", "cpu", 8000, (tiny,))
    assert "divider" not in render.bar_svg(bar, 0, 0, 8000)  # 0.04 px each: one solid piece


def test_replicas_with_different_requests_or_no_owner_stay_separate() -> None:
    pods = [
        _pod("a", "n", {"cpu": "1"}, "Deployment/x"),
        _pod("b", "n", {"cpu": "2"}, "Deployment/x"),
        _pod("c", "n", {"cpu": "1"}),
        _pod("d", "n", {"cpu": "1"}),
    ]
    assert [s.count for s in render.stack_segments(pods, "cpu")] == [1, 1, 1, 1]


def test_pods_not_requesting_a_resource_take_no_room_in_its_bar() -> None:
    bars = render.node_bars(small_result(), "nvidia.com/gpu")
    assert [(b.node, b.allocatable, b.requested) for b in bars] == [
        ("node-a", 0, 0),
        ("node-b", 0, 0),
        ("gpu-1", 2, 1),
    ]


def test_segments_and_free_part_fill_exactly_the_frame() -> None:
    """Piece edges are rounded from exact offsets, so pieces abut and end on the frame."""
    result = small_result()
    result["pods"].append(_pod("odd", "node-b", {"cpu": "333m"}, "Deployment/odd"))
    bar = render.node_bars(result, "cpu")[1]
    svg = render.bar_svg(bar, 0, 0, 8000)
    widths = [float(w) for w in re.findall(r'class="(?:pod|free)"[^>]*width="([^"]+)"', svg)]
    frame = float(re.search(r'class="frame"[^>]*width="([^"]+)"', svg).group(1))  # type: ignore[union-attr]
    assert len(widths) == 3
    assert sum(widths) == pytest.approx(frame, abs=1e-9)


def test_overcommitted_node_is_marked_and_sets_the_scale() -> None:
    result = small_result()
    result["pods"].append(_pod("old", "node-b", {"cpu": "9"}, "Deployment/old"))
    bar = render.node_bars(result, "cpu")[1]
    assert bar.over and bar.free == 0
    assert render.column_scale(render.node_bars(result, "cpu")) == 10000
    assert '<g class="bar over" data-node="node-b" data-resource="cpu">' in render.render_svg(
        result
    )


def test_requested_beyond_the_listed_pods_is_drawn_as_not_itemised() -> None:
    result = small_result()
    result["nodes"][1]["requested"]["cpu"] = "1500m"
    bar = render.node_bars(result, "cpu")[1]
    assert bar.segments[-1].names == ("not itemised",)
    assert bar.requested == 1500


def test_the_pods_column_shows_pods_counted_over_allocatable_pods() -> None:
    result = small_result()
    result["nodes"][0]["requested"]["pods"] = "3"
    del result["nodes"][2]["allocatable"]["pods"]
    svg = render.render_svg(result)
    assert re.findall(r'<text class="pods"[^>]*>([^<]*)</text>', svg) == ["3/110", "0/110", "0"]


def test_tooltip_names_the_pods_owner_and_requests() -> None:
    svg = render.render_svg(small_result())
    assert (
        "<title>3 pods (owner Deployment/web): default/web-1, default/web-2, default/web-3\n"
        "each requests: cpu 500m, memory 512Mi\ncpu here: 1.5</title>"
    ) in svg
    assert "<title>default/db-0 (owner StatefulSet/db)\nrequests: cpu 1, memory 2Gi\n" in svg


def test_frame_tooltip_gives_requested_allocatable_and_free() -> None:
    (bar_a, _, _) = render.node_bars(small_result(), "memory")
    assert bar_a.tooltip() == (
        "node-a memory: requested 1.5Gi of 8Gi allocatable (18.7%), free 6.5Gi"
    )


def test_names_are_escaped_in_the_svg() -> None:
    result = small_result()
    result["nodes"][0]["name"] = 'a<b>"&'
    for pod in result["pods"][:3]:
        pod["node"] = 'a<b>"&'
    svg = render.render_svg(result)
    assert "a<b>" not in svg
    assert 'data-node="a&lt;b&gt;&quot;&amp;"' in svg


def test_the_same_result_gives_the_same_bytes() -> None:
    assert render.render_svg(small_result()) == render.render_svg(small_result())


def test_an_owner_keeps_its_colour_across_nodes() -> None:
    result = small_result()
    result["pods"].append(_pod("web-4", "node-b", {"cpu": "500m"}, "Deployment/web"))
    svg = render.render_svg(result)
    colours = re.findall(r'fill="(#[0-9a-f]{6})"[^>]*><title>[^<]*Deployment/web', svg)
    assert len(colours) >= 2 and len(set(colours)) == 1
    assert colours[0] in render.PALETTE


def test_owners_get_distinct_colours_until_the_palette_runs_out() -> None:
    colours = render.owner_colors(small_result())
    assert list(colours) == ["Deployment/web", "Job/train", "StatefulSet/db"]  # most pods first
    assert len(set(colours.values())) == 3
    many = {
        "pods": [_pod(f"p{i}", "n", {"cpu": "1"}, f"Deployment/d{i:02}") for i in range(20)],
        "nodes": [_node("n", {"cpu": "64"}, {})],
    }
    assert len(set(render.owner_colors(many).values())) == len(render.PALETTE)


def test_500_nodes_of_replicas_draw_one_segment_per_bar() -> None:
    """Replicas merge, so the picture grows with nodes, not with pods."""
    nodes = [_node(f"n{i:03}", {"cpu": "4", "memory": "16Gi"}, {}) for i in range(500)]
    pods = [
        _pod(f"web-{i}-{j}", f"n{i:03}", {"cpu": "100m", "memory": "500Mi"}, "Deployment/web")
        for i in range(500)
        for j in range(20)
    ]
    result = {"summary": {}, "pods": pods, "nodes": nodes}
    svg = render.render_svg(result)
    assert len(_bars(svg)) == 1000
    assert svg.count('<rect class="pod"') == 1000
    assert svg.count('data-pods="20"') == 1000


# --- summary, legend, Pending ----------------------------------------------------------------


def test_utilization_sums_requests_on_nodes_over_allocatable() -> None:
    rows = {u.resource: u for u in render.utilization(small_result())}
    assert (rows["cpu"].requested, rows["cpu"].allocatable, rows["cpu"].percent) == (
        "4.5",
        "14",
        "32.1%",
    )
    assert (rows["nvidia.com/gpu"].requested, rows["nvidia.com/gpu"].percent) == ("1", "50.0%")


def test_legend_lists_owners_by_running_pods() -> None:
    entries, more = render.legend(small_result())
    assert [(e.label, e.running) for e in entries] == [
        ("Deployment/web", 3),
        ("Job/train", 1),
        ("StatefulSet/db", 1),
    ]
    assert more == 0
    entries, more = render.legend(small_result(), limit=1)
    assert len(entries) == 1 and more == 2


def test_pending_pods_with_the_same_story_are_grouped_and_none_is_lost() -> None:
    groups = render.pending_groups(small_result())
    assert [(g.phase, g.names) for g in groups] == [
        ("Pending", ("default/big-1", "default/big-2")),
        ("Failed", ("default/static",)),
    ]
    pending = groups[0]
    assert pending.reason == "Unschedulable" and pending.message == PENDING_MESSAGE
    assert pending.shortfall == {"cpu": {"request": "16", "largestFree": "6"}}
    assert groups[1].reason == "OutOfcpu"


def test_pending_pods_with_different_messages_are_not_grouped() -> None:
    result = small_result()
    result["pods"][6]["conditions"][0]["message"] = "0/3 nodes are available: other."
    groups = render.pending_groups(result)
    assert [g.count for g in groups] == [1, 1, 1]


SCHEDULER_SHORTFALL = {
    "resources": {
        "pods": {"request": "1", "largestFree": "108", "largestFreeNode": "general-1"},
        "cpu": {"request": "12", "largestFree": "3410m", "largestFreeNode": "gpu-1"},
    },
    "reasons": {"Insufficient cpu": 3},
    "fix": {
        "shrinkRequest": {"node": "gpu-1", "requests": {"cpu": "3410m"}},
        "freeOnNode": {"node": "gpu-1", "free": {"cpu": "8590m"}},
        "addNode": None,
    },
}


def test_a_shortfall_reads_as_rows_reasons_and_fixes() -> None:
    view = render.explain_shortfall(SCHEDULER_SHORTFALL)
    assert view is not None
    assert [(r.resource, r.request, r.largest_free, r.node, r.short) for r in view.rows] == [
        ("pods", "1", "108", "general-1", False),
        ("cpu", "12", "3.41", "gpu-1", True),  # 12 > 3.41 cores: this is what is short
    ]
    assert view.reasons == ("3 × Insufficient cpu",)
    assert view.fixes == (  # addNode is null: it cannot help, so it is not offered
        "shrink the requests to cpu 3.41: then it fits gpu-1",
        "free cpu 8.59 on gpu-1",
    )


def test_a_shortfall_offers_a_new_node_and_names_preemption_victims() -> None:
    shortfall = {
        **SCHEDULER_SHORTFALL,
        "fix": {"shrinkRequest": None, "freeOnNode": None, "addNode": {"like": "big-1"}},
        "preemption": {"node": "n2", "victims": ["default/low-1"]},
    }
    view = render.explain_shortfall(shortfall)
    assert view is not None
    assert view.fixes == (
        "add one more node like big-1",
        "preemption would evict default/low-1 on n2",
    )


@pytest.mark.parametrize(
    "shortfall", [None, "text", {"cpu": {"request": "1"}}, {"resources": {"cpu": 3}}]
)
def test_an_unknown_shortfall_shape_is_not_explained(shortfall: Any) -> None:
    """The page then shows the raw structure instead of guessing."""
    assert render.explain_shortfall(shortfall) is None


def test_pods_already_bound_in_a_live_cluster_are_drawn_on_their_node() -> None:
    """Running, Pending or Unknown with a node of the input: counted there, not listed."""
    result = small_result()
    result["pods"] += [
        _pod("bound-pending", "node-b", {"cpu": "100m"}, "Deployment/live", phase="Pending"),
        _pod("bound-unknown", "node-b", {"cpu": "100m"}, "Deployment/live", phase="Unknown"),
    ]
    for pod in result["pods"][-2:]:
        pod["conditions"] = [{"type": "PodScheduled", "status": "True"}]
    bar_b = render.node_bars(result, "cpu")[1]
    assert bar_b.requested == 1200
    listed = [n for g in render.pending_groups(result) for n in g.names]
    assert "default/bound-pending" not in listed and "default/bound-unknown" not in listed


def test_pods_on_missing_nodes_and_finished_pods_are_listed_not_drawn() -> None:
    result = small_result()
    missing = _pod("lost", "node-z", {"cpu": "1"}, phase="Pending")
    missing["reason"] = "NodeNotFound"
    missing["message"] = 'node "node-z" is not in the input: no kubelet admits this pod'
    done = _pod("job-done", "node-a", {"cpu": "1"}, "Job/once", phase="Succeeded")
    result["pods"] += [missing, done]
    assert render.node_bars(result, "cpu")[0].requested == 1500  # job-done counts nowhere
    groups = {g.names[0]: g for g in render.pending_groups(result)}
    assert groups["default/lost"].reason == "NodeNotFound"
    assert groups["default/job-done"].phase == "Succeeded"


# --- invariants on random results ------------------------------------------------------------

_CPU = ["100m", "250m", "500m", "1", "2", "3500m"]
_MEM = ["128Mi", "500Mi", "1Gi", "4Gi"]


@st.composite
def random_results(draw: st.DrawFn) -> dict[str, Any]:
    """Issue-4-shaped results: a few nodes, pods placed, bound, pending, failed or done."""
    n_nodes = draw(st.integers(0, 5))
    nodes = [
        _node(
            f"n{i}",
            {"cpu": draw(st.sampled_from(["2", "4", "7910m"])), "memory": "16Gi"},
            {},
        )
        for i in range(n_nodes)
    ]
    pods = []
    for j in range(draw(st.integers(0, 25))):
        requests = {"cpu": draw(st.sampled_from(_CPU))}
        if draw(st.booleans()):
            requests["memory"] = draw(st.sampled_from(_MEM))
        owner = draw(st.sampled_from([None, "Deployment/a", "Deployment/b", "Job/c"]))
        phase = draw(st.sampled_from(["Running", "Pending", "Unknown", "Failed", "Succeeded"]))
        node = draw(st.sampled_from([None, "elsewhere", *(f"n{i}" for i in range(n_nodes))]))
        pods.append(_pod(f"p{j}", node, requests, owner, phase=phase, message="m"))
    return {"summary": {}, "pods": pods, "nodes": nodes}


@settings(max_examples=150, deadline=None)
@given(random_results())
def test_every_pod_is_drawn_or_listed_exactly_once(result: dict[str, Any]) -> None:
    on_nodes = render.pods_by_node(result)
    drawn = [render.pod_key(p) for pods in on_nodes.values() for p in pods]
    listed = [name for g in render.pending_groups(result) for name in g.names]
    everyone = [render.pod_key(p) for p in result["pods"]]
    assert sorted(drawn + listed) == sorted(everyone)


@settings(max_examples=150, deadline=None)
@given(random_results())
def test_each_bar_holds_exactly_the_requests_of_the_pods_on_its_node(
    result: dict[str, Any],
) -> None:
    on_nodes = render.pods_by_node(result)
    columns = render.chart_columns(result)
    for resource, bars in columns.items():
        assert [b.node for b in bars] == [n["name"] for n in result["nodes"]]
        for bar in bars:
            want = sum(
                render.amount(resource, p["requests"][resource])
                for p in on_nodes.get(bar.node, [])
                if resource in p["requests"]
            )
            assert bar.requested == want
            assert sum(s.count for s in bar.segments) == sum(
                1 for p in on_nodes.get(bar.node, []) if resource in p["requests"]
            )
    svg = render.render_svg(result, columns)
    assert len(_bars(svg)) == len(result["nodes"]) * len(columns)


# --- planning results --------------------------------------------------------------------------

PLAN_GROUPS = [
    {"name": "Deployment/web", "count": 3, "requests": {"cpu": "500m", "memory": "512Mi"}},
    {"name": "default/huge", "count": 1, "requests": {"cpu": "12"}},
]
PLAN_SHAPE = {
    "shape": "small",
    "nodes": 2,
    "allocatable": {"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": "0", "pods": "110"},
    "daemonSetOverhead": {"cpu": "100m", "memory": "200Mi", "nvidia.com/gpu": "0", "pods": "1"},
    "daemonSetPods": ["logs-small"],
    "unplaced": {},
    "unplaceable": {"default/huge": "does not fit an empty node: Insufficient cpu"},
    "placement": [
        {"node": "small-1", "pods": {"Deployment/web": 2},
         "requested": {"cpu": "1100m", "memory": "1224Mi", "pods": "3"}},
        {"node": "small-2", "pods": {"Deployment/web": 1},
         "requested": {"cpu": "600m", "memory": "712Mi", "pods": "2"}},
    ],
}  # fmt: skip


def test_a_planned_shape_draws_its_new_nodes_with_daemonset_and_group_pods() -> None:
    drawn = render.plan_result(PLAN_SHAPE, PLAN_GROUPS)
    assert render.chart_resources(drawn) == ["cpu", "memory"]  # a zero GPU is no column
    bars = render.node_bars(drawn, "cpu")
    assert [(b.node, b.allocatable, b.requested) for b in bars] == [
        ("small-1", 2000, 1100),
        ("small-2", 2000, 600),
    ]
    assert [(s.owner, s.count) for s in bars[0].segments] == [
        ("DaemonSets", 1),
        ("Deployment/web", 2),
    ]
    assert bars[0].segments[1].names == ("Deployment/web #1", "Deployment/web #2")


def test_a_planned_shape_lists_the_groups_it_cannot_place() -> None:
    drawn = render.plan_result(PLAN_SHAPE, PLAN_GROUPS)
    (group,) = render.pending_groups(drawn)
    assert (group.owner, group.count, group.message) == (
        "default/huge",
        1,
        "does not fit an empty node: Insufficient cpu",
    )


def test_headroom_draws_a_fill_limit_on_each_planned_bar() -> None:
    shape = {**PLAN_SHAPE, "plannedCapacity": {"cpu": "1600m", "memory": "8Gi", "pods": "110"}}
    drawn = render.plan_result(shape, PLAN_GROUPS)
    cpu, memory = render.node_bars(drawn, "cpu")[0], render.node_bars(drawn, "memory")[0]
    assert (cpu.limit, memory.limit) == (1600, None)  # memory is not limited: no mark
    svg = render.bar_svg(cpu, 0, 0, 2000)
    assert '<line class="limit" x1="240" y1="-2" x2="240" y2="14">' in svg  # 1600/2000 of 300
    assert "<title>fill limit: cpu 1.6</title>" in svg


def test_a_pending_gpu_pod_alone_makes_no_gpu_column() -> None:
    result = small_result()
    result["nodes"] = result["nodes"][:2]
    result["pods"][4]["node"] = None
    result["pods"][4]["phase"] = "Pending"
    assert render.chart_resources(result) == ["cpu", "memory"]
