"""Pictures of a scheduling result: pure functions from a ``ScheduleResult`` dict to SVG/rows.

The input is the stable issue-4 JSON (``ScheduleResult.to_dict()``, the same document the
HTTP API serves): ``nodes[]`` with ``allocatable``/``requested``/``free`` and ``pods[]``
with ``node``, ``phase``, ``owner``, ``requests`` (canonical quantity strings).

The picture is one row per node and one column per charted resource (cpu, memory and any
GPU-like extended resource that appears). Each cell is a *bar*:

* the **frame** is the node's allocatable amount, drawn to one scale per column (the largest
  allocatable, or the largest requested amount if a node is over-committed, spans the full
  width), so a big node has a longer frame than a small one;
* inside it the node's pods are **stacked**, coloured by owner (replicas of one Deployment
  share a colour); an owner's replicas with equal requests are one segment (thin dividers
  between the pods when they are wide enough), placed where the owner's first pod on the
  node comes in input order, which keeps a 500-node, 10,000-pod page small;
* what is left is **hatched** as free; requests beyond allocatable (possible only for pods
  that were already running) are drawn past the frame and the frame is marked ``over``;
* a last column gives the pods counted on each node over its allocatable pod count.

A ``NodesPlan`` shape (how many new nodes are needed) is drawn the same way through
:func:`plan_result`, with a fill-limit mark when the plan keeps headroom.

Hovering a segment shows the pod (or the replicas) with its requests and owner through an
SVG ``<title>``. All arithmetic is on integers (cpu in millicores, everything else in base
units, like the scheduler); positions are rounded half-up to hundredths of a pixel, and
percentages are rounded **down** to one decimal so a node with 1m free never reads 100%.
Output is deterministic: same result dict, same bytes. Cost: linear in pods + nodes.
"""

from __future__ import annotations

import functools
import json
import zlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from podfit.quantity import parse_quantity
from podfit.resources import CPU, MEMORY, PODS, is_extended, to_amount
from podfit.units import human, human_quantity, human_resources

# --- layout, in CSS pixels ------------------------------------------------------------------
LABEL_WIDTH = 150
BAR_WIDTH = 300
COLUMN_GAP = 24
HEADER_HEIGHT = 46
ROW_HEIGHT = 18
BAR_HEIGHT = 12
MAX_NAMES_IN_TOOLTIP = 8
MAX_LABEL_CHARS = 24
MAX_HEADER_CHARS = 40  # a resource name longer than this is cut (full name in its title)
PODS_COLUMN_WIDTH = 64
MIN_DIVIDED_PX = 3  # replicas narrower than this are not separated by divider lines

# Colour-blind-friendly palette (Okabe–Ito plus Tol's muted set). Owners get colours in
# legend order (:func:`owner_colors`); a key outside that map falls back to CRC-32 of the key,
# which is stable across runs (Python's ``hash`` is salted per process).
PALETTE = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#332288",
    "#88ccee",
    "#44aa99",
    "#117733",
    "#999933",
    "#aa4499",
    "#882255",
)
UNITEMISED_COLOR = "#bbbbbb"


# --- small helpers --------------------------------------------------------------------------


def is_gpu(name: str) -> bool:
    """An extended resource that names a GPU or a GPU slice.

    >>> [is_gpu(n) for n in ("nvidia.com/gpu", "amd.com/gpu", "nvidia.com/mig-1g.5gb")]
    [True, True, True]
    >>> [is_gpu(n) for n in ("example.com/dongle", "cpu", "hugepages-2Mi")]
    [False, False, False]
    """
    lowered = name.lower()
    return is_extended(name) and ("gpu" in lowered or "/mig-" in lowered)


@functools.lru_cache(maxsize=4096)
def amount(name: str, text: str) -> int:
    """The scheduler's integer for the quantity ``text`` of resource ``name``.

    cpu in millicores, everything else in base units (exact ceiling, like ``to_amount``).
    Cached: replicas repeat the same few request strings thousands of times.
    """
    return to_amount(name, parse_quantity(text))


def amounts(resources: Mapping[str, str] | None) -> dict[str, int]:
    """:func:`amount` for every entry of a ``{resource: quantity text}`` mapping."""
    return {name: amount(name, text) for name, text in (resources or {}).items()}


def percent(part: int, whole: int) -> str:
    """``part/whole`` as a percentage with one decimal, rounded down (``"87.5%"``).

    Integer arithmetic only; ``whole == 0`` gives ``"–"`` (nothing to fill).

    >>> percent(7, 8), percent(2, 3), percent(999, 1000), percent(5, 0)
    ('87.5%', '66.6%', '99.9%', '–')
    """
    if whole <= 0:
        return "–"
    tenths = part * 1000 // whole
    return f"{tenths // 10}.{tenths % 10}%"


def hundredths(value: int, full: int, width: int) -> int:
    """``value/full`` of ``width`` pixels in hundredths of a pixel, rounded half-up.

    >>> hundredths(1, 3, 300), hundredths(2, 3, 100), hundredths(5, 0, 100)
    (10000, 6667, 0)
    """
    if full <= 0 or value <= 0:
        return 0
    return (2 * value * width * 100 + full) // (2 * full)


def px(h: int) -> str:
    """Hundredths of a pixel as the shortest exact decimal (``6667`` → ``"66.67"``).

    >>> px(10000), px(6650), px(7), px(0)
    ('100', '66.5', '0.07', '0')
    """
    whole, frac = divmod(h, 100)
    return str(whole) if frac == 0 else f"{whole}.{frac:02d}".rstrip("0")


def owner_color(key: str) -> str:
    """A deterministic palette colour for a key not in a colour map (CRC-32 of the key)."""
    return PALETTE[zlib.crc32(key.encode("utf-8")) % len(PALETTE)]


def pod_key(pod: Mapping[str, Any]) -> str:
    """``namespace/name`` — how kubectl names a pod across namespaces.

    A pod with an empty namespace (a planned pod, see :func:`plan_result`) is its name.
    """
    namespace = pod.get("namespace")
    name = str(pod.get("name", ""))
    return f"{namespace}/{name}" if namespace else name


def color_key(pod: Mapping[str, Any]) -> str:
    """What a pod is coloured by: its owner (``Deployment/web``) or, if none, its own name."""
    owner = pod.get("owner")
    return str(owner) if owner else pod_key(pod)


def describe_requests(requests: Mapping[str, str] | None) -> str:
    """``cpu 100m, memory 500Mi`` (sorted by name, :mod:`podfit.units`) or ``no requests``."""
    return human_resources(requests, none="no requests")


def chart_resources(result: Mapping[str, Any]) -> list[str]:
    """The resources drawn as columns: cpu, memory, then GPU-like resources that appear.

    A GPU resource appears if any node has a non-zero amount allocatable or any pod on a
    node requests it (a Pending GPU pod alone makes no column: its message says why);
    GPU columns are sorted by name.
    """
    gpus: set[str] = set()
    for node in result.get("nodes", []):
        allocatable = node.get("allocatable") or {}
        gpus.update(n for n, q in allocatable.items() if is_gpu(n) and amount(n, q) > 0)
    for pods in pods_by_node(result).values():
        for pod in pods:
            gpus.update(n for n in (pod.get("requests") or {}) if is_gpu(n))
    return [CPU, MEMORY, *sorted(gpus)]


# --- bars -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """One stacked piece of a bar: one pod, or ``count`` consecutive identical replicas."""

    color_key: str
    owner: str | None
    names: tuple[str, ...]
    requests: Mapping[str, str]
    amount: int  # of the bar's resource, for all ``names`` together

    @property
    def count(self) -> int:
        return len(self.names)

    def tooltip(self, resource: str) -> str:
        """The hover text: who, how many, what each requests, and the total of ``resource``."""
        owner = f" (owner {self.owner})" if self.owner else " (no owner)"
        shown = ", ".join(self.names[:MAX_NAMES_IN_TOOLTIP])
        if self.count > MAX_NAMES_IN_TOOLTIP:
            shown += f", … {self.count - MAX_NAMES_IN_TOOLTIP} more"
        if self.count == 1:
            head = f"{self.names[0]}{owner}"
            each = f"requests: {describe_requests(self.requests)}"
        else:
            head = f"{self.count} pods{owner}: {shown}"
            each = f"each requests: {describe_requests(self.requests)}"
        return f"{head}\n{each}\n{resource} here: {human(resource, self.amount)}"


@dataclass(frozen=True, slots=True)
class NodeBar:
    """One node's bar for one resource: allocatable frame, pod segments, free rest."""

    node: str
    resource: str
    allocatable: int
    segments: tuple[Segment, ...]
    limit: int | None = None  # a planned fill limit below allocatable (headroom), if any

    @property
    def requested(self) -> int:
        return sum(s.amount for s in self.segments)

    @property
    def free(self) -> int:
        return max(self.allocatable - self.requested, 0)

    @property
    def over(self) -> bool:
        """Requests exceed allocatable (only pods that were already running can do this)."""
        return self.requested > self.allocatable

    def tooltip(self) -> str:
        r = self.resource
        return (
            f"{self.node} {r}: requested {human(r, self.requested)} of "
            f"{human(r, self.allocatable)} allocatable "
            f"({percent(self.requested, self.allocatable)}), "
            f"free {human(r, self.free)}"
        )


#: Phases of a pod that holds its node's resources (the scheduler's cache counts these).
OCCUPYING_PHASES = ("Running", "Pending", "Unknown")


def occupies_node(pod: Mapping[str, Any], node_names: Collection[str]) -> bool:
    """The pod is counted on a node of the result: bound to it and not terminal.

    That is a pod placed in this run (``Running``) or one already bound in a live cluster
    (``Running``, ``Pending`` or ``Unknown`` with its ``node``). A pod naming a node that
    is not in the input, and Succeeded/Failed pods, occupy nothing.
    """
    node = pod.get("node")
    return bool(node) and node in node_names and pod.get("phase") in OCCUPYING_PHASES


def node_names(result: Mapping[str, Any]) -> set[str]:
    return {str(n.get("name", "")) for n in result.get("nodes", [])}


def pods_by_node(result: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    """Pods that occupy a node (:func:`occupies_node`), per node, in input order."""
    names = node_names(result)
    out: dict[str, list[Mapping[str, Any]]] = {}
    for pod in result.get("pods", []):
        if occupies_node(pod, names):
            out.setdefault(str(pod["node"]), []).append(pod)
    return out


def stack_segments(pods: Iterable[Mapping[str, Any]], resource: str) -> tuple[Segment, ...]:
    """Stack ``pods`` for ``resource``: replicas (same owner, same requests) become one segment.

    Segments appear in the order of their first pod on the node, so each owner's pods sit
    together in one block whatever order the scheduler placed them in. Pods without an
    owner are never merged. Pods that request none of ``resource`` take no room and are
    left out of this bar. Cost: linear in ``pods``.
    """
    order: list[tuple[str, ...]] = []
    groups: dict[tuple[str, ...], tuple[Mapping[str, Any], Mapping[str, str], list[str], int]] = {}
    for pod in pods:
        requests: Mapping[str, str] = pod.get("requests") or {}
        text = requests.get(resource)
        if text is None:
            continue
        each = amount(resource, text)
        if each == 0:
            continue
        owner = pod.get("owner") or None
        if owner is None:
            key: tuple[str, ...] = ("", pod_key(pod))
        else:
            key = ("owner", str(owner), *(f"{k}={requests[k]}" for k in sorted(requests)))
        group = groups.get(key)
        if group is None:
            order.append(key)
            groups[key] = (pod, requests, [pod_key(pod)], each)
        else:
            group[2].append(pod_key(pod))
            groups[key] = (group[0], group[1], group[2], group[3] + each)
    segments = []
    for key in order:
        first, requests, names, total = groups[key]
        owner = first.get("owner") or None
        segments.append(Segment(color_key(first), owner, tuple(names), dict(requests), total))
    return tuple(segments)


def node_bars(
    result: Mapping[str, Any],
    resource: str,
    placed: Mapping[str, list[Mapping[str, Any]]] | None = None,
) -> list[NodeBar]:
    """One bar per node (in the result's node order) for ``resource``.

    If the result says a node has more ``requested`` than its listed pods add up to (it
    should not), the difference is drawn as a grey "not itemised" segment rather than
    silently shown as free. ``placed`` is :func:`pods_by_node` when already computed.
    """
    if placed is None:
        placed = pods_by_node(result)
    bars: list[NodeBar] = []
    for node in result.get("nodes", []):
        name = str(node.get("name", ""))
        alloc_text = (node.get("allocatable") or {}).get(resource)
        alloc = amount(resource, alloc_text) if alloc_text is not None else 0
        segments = stack_segments(placed.get(name, ()), resource)
        req_text = (node.get("requested") or {}).get(resource)
        if req_text is not None:
            missing = amount(resource, req_text) - sum(s.amount for s in segments)
            if missing > 0:
                segments = (*segments, Segment("", None, ("not itemised",), {}, missing))
        limit_text = (node.get("plannedCapacity") or {}).get(resource)
        limit = amount(resource, limit_text) if limit_text is not None else None
        bars.append(NodeBar(name, resource, alloc, segments, limit if limit != alloc else None))
    return bars


def pod_slots(node: Mapping[str, Any]) -> str:
    """``"12/110"``: pods counted on the node over its allocatable pod count (``"12"``
    when the node lists no ``pods`` allocatable), from the result's node entry."""
    used = (node.get("requested") or {}).get(PODS, "0")
    alloc = (node.get("allocatable") or {}).get(PODS)
    return f"{used}/{alloc}" if alloc is not None else str(used)


def _label(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, so labels never overlap."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def _rect(cls: str, x: int, width: int, y: int, extra: str, title: str) -> str:
    """One ``<rect>``; ``x`` and ``width`` in hundredths of a pixel."""
    return (
        f'<rect class="{cls}" x="{px(x)}" y="{y}" width="{px(width)}" '
        f'height="{BAR_HEIGHT}"{extra}><title>{escape(title)}</title></rect>'
    )


def _dividers(seg: Segment, start: int, base: int, y: int, full: int) -> str:
    """One ``<path>`` of thin lines between the replicas merged into ``seg``.

    Drawn only when each replica is at least :data:`MIN_DIVIDED_PX` wide; denser runs stay
    one solid piece (their tooltip still counts the pods). ``start`` is the segment's offset.
    """
    if seg.count < 2:
        return ""
    each = seg.amount // seg.count  # replicas have identical requests: exact
    if hundredths(each, full, BAR_WIDTH) < MIN_DIVIDED_PX * 100:
        return ""
    moves = "".join(
        f"M{px(base + hundredths(start + i * each, full, BAR_WIDTH))} {y}v{BAR_HEIGHT}"
        for i in range(1, seg.count)
    )
    return f'<path class="divider" d="{moves}"/>'


def bar_svg(
    bar: NodeBar, x0: int, y: int, full: int, colors: Mapping[str, str] | None = None
) -> str:
    """The SVG of one bar at (``x0``, ``y``) px: pod segments, hatched free part, frame.

    ``full`` is the column's scale (the amount that spans :data:`BAR_WIDTH`); ``colors``
    maps a segment's colour key to its colour (:func:`owner_colors`). Each piece's
    edges are rounded from exact integer offsets, so neighbouring pieces abut exactly.
    """
    over = " over" if bar.over else ""
    parts = [
        f'<g class="bar{over}" data-node="{escape(bar.node)}" '
        f'data-resource="{escape(bar.resource)}">'
    ]
    base = x0 * 100
    offset = 0
    for seg in bar.segments:
        start = hundredths(offset, full, BAR_WIDTH)
        offset += seg.amount
        end = hundredths(offset, full, BAR_WIDTH)
        if not seg.color_key:
            color = UNITEMISED_COLOR
        else:
            color = (colors or {}).get(seg.color_key) or owner_color(seg.color_key)
        extra = f' fill="{color}" data-pods="{seg.count}"'
        parts.append(_rect("pod", base + start, end - start, y, extra, seg.tooltip(bar.resource)))
        parts.append(_dividers(seg, offset - seg.amount, base, y, full))
    frame = hundredths(bar.allocatable, full, BAR_WIDTH)
    if bar.free > 0:
        start = hundredths(offset, full, BAR_WIDTH)
        parts.append(_rect("free", base + start, frame - start, y, "", bar.tooltip()))
    parts.append(_rect("frame", base, frame, y, "", bar.tooltip()))
    if bar.limit is not None:
        x = px(base + hundredths(bar.limit, full, BAR_WIDTH))
        limit_text = escape(human(bar.resource, bar.limit))
        parts.append(
            f'<line class="limit" x1="{x}" y1="{y - 2}" x2="{x}" y2="{y + BAR_HEIGHT + 2}">'
            f"<title>fill limit: {escape(bar.resource)} {limit_text}</title></line>"
        )
    parts.append("</g>")
    return "".join(parts)


_DEFS = (
    "<defs>"
    '<pattern id="podfit-free" patternUnits="userSpaceOnUse" width="6" height="6" '
    'patternTransform="rotate(45)">'
    '<rect width="6" height="6" class="free-bg"/>'
    '<line x1="0" y1="0" x2="0" y2="6" class="hatch"/></pattern>'
    "</defs>"
)


def column_scale(bars: Sequence[NodeBar]) -> int:
    """The amount drawn as the full bar width: the largest allocatable or requested amount."""
    return max((max(b.allocatable, b.requested) for b in bars), default=0)


Columns = dict[str, list[NodeBar]]


def chart_columns(result: Mapping[str, Any]) -> Columns:
    """:func:`node_bars` for every :func:`chart_resources` entry, in column order."""
    placed = pods_by_node(result)
    return {r: node_bars(result, r, placed) for r in chart_resources(result)}


def render_svg(result: Mapping[str, Any], columns: Columns | None = None) -> str:
    """The whole picture: one row per node, one column per :func:`chart_resources` entry.

    ``columns`` may be passed in when already computed (:func:`chart_columns`).
    Cost: O(nodes × columns + pods); about 2 + (segments) elements per bar.
    """
    by_resource = chart_columns(result) if columns is None else columns
    resources = list(by_resource)
    columns_list = list(by_resource.values())
    colors = owner_colors(result)
    node_entries = list(result.get("nodes", []))
    nodes = [str(n.get("name", "")) for n in node_entries]
    pods_x = LABEL_WIDTH + len(resources) * (BAR_WIDTH + COLUMN_GAP)
    width = pods_x + PODS_COLUMN_WIDTH
    height = HEADER_HEIGHT + max(len(nodes), 1) * ROW_HEIGHT + 4
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cluster" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{len(nodes)} nodes by {escape(", ".join(resources))}">',
        _DEFS,
    ]
    for k, (resource, bars) in enumerate(zip(resources, columns_list, strict=True)):
        x0 = LABEL_WIDTH + k * (BAR_WIDTH + COLUMN_GAP)
        full = column_scale(bars)
        total_req = sum(b.requested for b in bars)
        total_alloc = sum(b.allocatable for b in bars)
        name = escape(_label(resource, MAX_HEADER_CHARS))
        out.append(
            f'<text class="col" x="{x0}" y="14">{name}<title>{escape(resource)}</title></text>'
            f'<text class="total" x="{x0}" y="28">'
            f"{escape(human(resource, total_req))} of "
            f"{escape(human(resource, total_alloc))} requested "
            f"({percent(total_req, total_alloc)})</text>"
            f'<text class="axis" x="{x0}" y="41">0</text>'
            f'<text class="axis end" x="{x0 + BAR_WIDTH}" y="41">'
            f"{escape(human(resource, full))}</text>"
        )
        for i, bar in enumerate(bars):
            y = HEADER_HEIGHT + i * ROW_HEIGHT
            out.append(bar_svg(bar, x0, y, full, colors))
    out.append(
        f'<text class="col" x="{pods_x}" y="14">pods</text>'
        f'<text class="total" x="{pods_x}" y="28">used/max</text>'
    )
    for i, (name, entry) in enumerate(zip(nodes, node_entries, strict=True)):
        y = HEADER_HEIGHT + i * ROW_HEIGHT + BAR_HEIGHT - 2
        out.append(
            f'<text class="node" x="4" y="{y}">{escape(_label(name))}'
            f"<title>{escape(name)}</title></text>"
            f'<text class="pods" x="{pods_x}" y="{y}">{escape(pod_slots(entry))}</text>'
        )
    out.append("</svg>")
    return "".join(out)


# --- the rest of the page: summary, legend, Pending list --------------------------------------


@dataclass(frozen=True, slots=True)
class Utilization:
    """Cluster-wide requested vs allocatable for one resource (:mod:`podfit.units` texts)."""

    resource: str
    requested: str
    allocatable: str
    percent: str


def utilization(result: Mapping[str, Any], columns: Columns | None = None) -> list[Utilization]:
    """Sum of requests placed on nodes over the sum of allocatable, per charted resource."""
    rows = []
    by_resource = chart_columns(result) if columns is None else columns
    for resource, bars in by_resource.items():
        req = sum(b.requested for b in bars)
        alloc = sum(b.allocatable for b in bars)
        rows.append(
            Utilization(
                resource,
                human(resource, req),
                human(resource, alloc),
                percent(req, alloc),
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One owner's colour and how many of its pods run."""

    label: str
    color: str
    running: int


def running_owners(result: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Colour keys (owner, or a standalone pod's name) with their running pod counts.

    Most pods first, then by name: the order of the legend and of colour assignment.
    """
    counts: dict[str, int] = {}
    for pods in pods_by_node(result).values():
        for pod in pods:
            key = color_key(pod)
            counts[key] = counts.get(key, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def owner_colors(result: Mapping[str, Any]) -> dict[str, str]:
    """Palette colours by :func:`running_owners` order: the biggest owners never share one.

    The palette repeats only past its length (13 owners); tooltips always name the owner.
    """
    return {key: PALETTE[i % len(PALETTE)] for i, (key, _) in enumerate(running_owners(result))}


def legend(result: Mapping[str, Any], limit: int = 16) -> tuple[list[LegendEntry], int]:
    """Owners (or standalone pods) with running pods, most pods first, then by name.

    Returns at most ``limit`` entries and how many more owners were left out of the legend
    (their pods are still drawn and carry their own tooltips).
    """
    ordered = running_owners(result)
    colors = owner_colors(result)
    entries = [LegendEntry(k, colors[k], n) for k, n in ordered[:limit]]
    return entries, max(len(ordered) - limit, 0)


@dataclass(frozen=True, slots=True)
class PendingGroup:
    """Pods that did not get a node, grouped when phase, owner, requests, message agree."""

    phase: str
    owner: str | None
    names: tuple[str, ...]
    requests: Mapping[str, str]
    reason: str
    message: str
    shortfall: Any

    @property
    def count(self) -> int:
        return len(self.names)

    @property
    def finished(self) -> bool:
        """Succeeded, or Failed before the input was read (no kubelet rejection message):
        pods that occupy no node and wait for none, listed apart from the Pending ones."""
        return self.phase == "Succeeded" or (
            self.phase == "Failed" and not self.reason and not self.message
        )

    @property
    def shortfall_view(self) -> ShortfallView | None:
        return explain_shortfall(self.shortfall)


def _pod_reason(pod: Mapping[str, Any]) -> tuple[str, str]:
    """The pod's reason and message: top level (Failed), a preemption victim's eviction, or
    its PodScheduled condition."""
    reason = str(pod.get("reason") or "")
    message = str(pod.get("message") or "")
    if pod.get("preemptedBy") and pod.get("node") is None and pod.get("phase") == "Failed":
        reason = reason or "PreemptionByScheduler"
        message = message or (
            f"preempted from {pod.get('preemptedFrom')} by {pod.get('preemptedBy')}"
        )
    for cond in pod.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("status") == "False":
            reason = reason or str(cond.get("reason") or "")
            message = message or str(cond.get("message") or "")
    return reason, message


def pending_groups(result: Mapping[str, Any]) -> list[PendingGroup]:
    """Every pod that occupies no node of the result, grouped, in order of first appearance.

    Pending pods carry kube-scheduler's FailedScheduling message and a ``shortfall``;
    Failed pods (a named node that could not admit them) carry the kubelet's message; pods
    naming a node missing from the input say so. Pods are grouped only when everything
    shown for them is identical, so no detail is lost.
    """
    on_nodes = node_names(result)
    groups: dict[tuple[str, str, str, str, str, str], tuple[Mapping[str, Any], list[str]]] = {}
    for pod in result.get("pods", []):
        if occupies_node(pod, on_nodes):
            continue
        phase = str(pod.get("phase") or "")
        requests: Mapping[str, str] = pod.get("requests") or {}
        reason, message = _pod_reason(pod)
        shortfall = pod.get("shortfall")
        key = (
            phase,
            str(pod.get("owner") or ""),
            json.dumps(requests, sort_keys=True),
            reason,
            message,
            json.dumps(shortfall, sort_keys=True, default=str),
        )
        if key in groups:
            groups[key][1].append(pod_key(pod))
        else:
            groups[key] = (pod, [pod_key(pod)])
    out = []
    for (phase, _, _, reason, message, _), (first, names) in groups.items():
        out.append(
            PendingGroup(
                phase,
                first.get("owner") or None,
                tuple(names),
                dict(first.get("requests") or {}),
                reason,
                message,
                first.get("shortfall"),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class ShortfallRow:
    """One requested resource of a Pending pod against the most free on any node."""

    resource: str
    request: str
    largest_free: str
    node: str
    short: bool  # the request is more than any node has free


@dataclass(frozen=True, slots=True)
class ShortfallView:
    """A Pending pod's ``shortfall`` in words: resources, failure counts, smallest fixes."""

    rows: tuple[ShortfallRow, ...]
    reasons: tuple[str, ...]
    fixes: tuple[str, ...]
    constraints: tuple[str, ...] = ()
    """PodTopologySpread / InterPodAffinity blocks, each with what would fix it."""


def explain_shortfall(shortfall: Any) -> ShortfallView | None:
    """Turn the scheduler's ``shortfall`` dict into table rows and sentences.

    Knows the keys ``resources`` (``request``/``largestFree``/``largestFreeNode``),
    ``reasons`` (reason → node count), ``fix`` (``shrinkRequest``, ``freeOnNode``,
    ``addNode``), ``preemption`` and ``constraints`` (a pod the topology plugins
    rejected: their sentences come first, and only resources some node lacked —
    an ``Insufficient <resource>`` reason — are listed); returns ``None`` for anything
    else, and the page then shows the raw structure instead.
    """
    if not isinstance(shortfall, Mapping) or not isinstance(shortfall.get("resources"), Mapping):
        return None
    rows = []
    for name, entry in shortfall["resources"].items():
        if not isinstance(entry, Mapping):
            return None
        request = str(entry.get("request") or "0")
        free = entry.get("largestFree")
        short = free is None or amount(name, request) > amount(name, str(free))
        rows.append(
            ShortfallRow(
                name,
                human_quantity(name, request),
                "none" if free is None else human_quantity(name, str(free)),
                str(entry.get("largestFreeNode") or "–"),
                short,
            )
        )
    reasons = tuple(
        f"{count} × {reason}" for reason, count in (shortfall.get("reasons") or {}).items()
    )
    fixes: list[str] = []
    fix = shortfall.get("fix") or {}
    if shrink := fix.get("shrinkRequest"):
        fixes.append(
            f"shrink the requests to {human_resources(shrink.get('requests') or {})}: "
            f"then it fits {shrink.get('node')}"
        )
    if free_on := fix.get("freeOnNode"):
        fixes.append(f"free {human_resources(free_on.get('free') or {})} on {free_on.get('node')}")
    if add := fix.get("addNode"):
        fixes.append(f"add one more node like {add.get('like')}")
    if preemption := shortfall.get("preemption"):
        victims = ", ".join(preemption.get("victims") or ()) or "no pods"
        fixes.append(f"preemption would evict {victims} on {preemption.get('node')}")
    blocked = tuple(
        f"{c.get('plugin')}: {c.get('nodes')} {c.get('reason')} — needs {c.get('fix')}"
        for c in shortfall.get("constraints") or ()
        if isinstance(c, Mapping)
    )
    if blocked:  # not a resource problem: only the resources some node lacked
        failed = shortfall.get("reasons") or {}
        rows = [r for r in rows if f"Insufficient {r.resource}" in failed]
    return ShortfallView(tuple(rows), reasons, tuple(fixes), blocked)


# --- planning results (NodesPlan) ------------------------------------------------------------

DAEMONSET_OWNER = "DaemonSets"


def plan_result(shape: Mapping[str, Any], groups: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One shape of a ``NodesPlan`` as a ScheduleResult-shaped dict, to draw with the rest.

    Each planned node (``placement[]``) becomes a node with the shape's allocatable (and
    its ``plannedCapacity``, drawn as a fill-limit mark when headroom lowers it); on it,
    the DaemonSet pods every new node runs (one ``DaemonSets`` piece with the shape's
    ``daemonSetOverhead``) and each group's planned pods (owner = the group name, named
    ``<group> #<k>``, requests from ``groups[]``; a node planned in a zone is named
    ``<node> (zone <zone>)``). Pods the plan could not place are Pending with the plan's
    reason (with zones, the scheduler's message from ``notes``). Cost: one dict per planned pod.
    """
    requests = {str(g["name"]): dict(g.get("requests") or {}) for g in groups}
    overhead = {
        r: q
        for r, q in (shape.get("daemonSetOverhead") or {}).items()
        if r != PODS and amount(r, q) > 0
    }
    allocatable = dict(shape.get("allocatable") or {})
    planned_capacity = dict(shape.get("plannedCapacity") or allocatable)
    nodes: list[dict[str, Any]] = []
    pods: list[dict[str, Any]] = []
    numbers: dict[str, int] = {}

    def planned(group: str, node: str | None, **extra: Any) -> dict[str, Any]:
        numbers[group] = numbers.get(group, 0) + 1
        phase = "Running" if node else "Pending"
        return {
            "namespace": "",
            "name": f"{group} #{numbers[group]}",
            "owner": group,
            "node": node,
            "phase": phase,
            "requests": requests.get(group, {}),
            **extra,
        }

    for placed in shape.get("placement") or []:
        name = str(placed["node"])
        if "zone" in placed:  # planned with zones: each node says its zone
            name = f"{name} (zone {placed['zone']})"
        nodes.append(
            {
                "name": name,
                "allocatable": allocatable,
                "plannedCapacity": planned_capacity,
                "requested": placed.get("requested", {}),
            }
        )
        if overhead:
            pods.append(
                {
                    "namespace": "",
                    "name": ", ".join(shape.get("daemonSetPods") or ()) or "DaemonSet pods",
                    "owner": DAEMONSET_OWNER,
                    "node": name,
                    "phase": "Running",
                    "requests": overhead,
                }
            )
        for group, count in (placed.get("pods") or {}).items():
            pods.extend(planned(str(group), name) for _ in range(int(count)))
    # with zones the plan is the scheduler's run: a note per group gives its message
    notes = {str(n).split(": ", 1)[0]: str(n) for n in shape.get("notes") or ()}
    left_out = {
        **{
            g: (notes.get(g, "not placed by the packer"), int(c))
            for g, c in (shape.get("unplaced") or {}).items()
        },
        **{
            g: (str(reason), next((int(x["count"]) for x in groups if x["name"] == g), 1))
            for g, reason in (shape.get("unplaceable") or {}).items()
            if g != "*"
        },
    }
    for group, (reason, count) in left_out.items():
        pods.extend(
            planned(group, None, reason="Unplaceable", message=reason) for _ in range(count)
        )
    return {"summary": {}, "pods": pods, "nodes": nodes}
