"""``podfit plan fit|nodes|drain``: capacity planning from manifests, offline.

* ``plan fit`` — how many more replicas of the templates fit the cluster;
* ``plan nodes`` — how many nodes of each shape the pending pods need;
* ``plan drain`` — what if named nodes, a zone or any one node go away.

Output: a table (default), or the versioned JSON/YAML document (FitReport, NodesPlan,
DrainReport), whose ``warnings`` name what the plan does not model and every object that
created no pods; the table prints them on stderr, as ``podfit schedule`` does. Long runs
show progress on stderr when it is a terminal.
Exit codes: 0, 1 bad input, 2 usage error, 3 with ``--fail-on-pending`` when the answer
leaves pods Pending (:func:`pending_after`).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from podfit.cli.output import (
    EXIT_PENDING,
    dump,
    echo_report_warnings,
    echo_warnings,
    handles_input_errors,
    output_option,
    skipped_lines,
    table,
)
from podfit.cli.params import files_option, load_files, validate_mode, validate_option
from podfit.cli.scheduler_options import SchedulerFlags, scheduler_options
from podfit.errors import ConfigError, parse_each
from podfit.manifests.workload import Warned, Workload, add_input_warnings
from podfit.planning.nodes_needed import ALGORITHMS, NodeShape, nodes_needed
from podfit.scheduler.config import DEFAULT_STRATEGY, SchedulerConfig, make_config
from podfit.scheduler.features import DEFAULT_VERSION
from podfit.scheduler.plugins.pod_topology_spread import ZONE
from podfit.units import human_quantity, human_resources

if TYPE_CHECKING:  # the planners' types for plan_cmd.how_many_fit / what_if (__getattr__)
    from podfit.planning.fit import how_many_fit as how_many_fit
    from podfit.planning.rightsize import RightSizing
    from podfit.planning.whatif import what_if as what_if

__all__ = ["plan"]

_PLANNERS = {"how_many_fit": "podfit.planning.fit", "what_if": "podfit.planning.whatif"}
"""The planners of ``plan fit`` and ``plan drain``, module attributes made on first use
(``plan nodes`` imports neither); the commands call them through this module, so a test
can replace them."""

_FIT_MODES = ("sequence", "interleave")
"""``podfit.planning.fit.MODES`` for ``--mode``, without importing the planner
(tests/test_cli_lazy.py keeps the two equal)."""


def __getattr__(name: str) -> Any:
    """``how_many_fit`` and ``what_if`` (:data:`_PLANNERS`), imported when first read."""
    module = _PLANNERS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def _a_number(value: float) -> float:
    """Refuse NaN, which every range check lets through."""
    if value != value:
        raise click.BadParameter("nan is not a number of seconds")
    return value


@contextmanager
def _progress(label: str, total: int | None) -> Iterator[Callable[[int], None] | None]:
    """A progress callback writing ``label: done/total`` to stderr while the block runs
    (None when stderr is not a terminal); the line is ended when the block ends."""
    if not sys.stderr.isatty():
        yield None
        return

    def report(done: int) -> None:
        suffix = f"/{total}" if total else ""
        click.echo(f"\r{label}: {done}{suffix}", err=True, nl=False)

    try:
        yield report
    finally:
        click.echo("", err=True)


def _gap_cost(shape: dict[str, Any]) -> list[Any]:
    """A planned shape's GAP, COST ("" without prices) and COMPLETE (yes/no) cells."""
    return [shape["gap"], shape.get("cost", ""), "yes" if shape["complete"] else "no"]


def _needed(scenario: dict[str, Any]) -> str:
    """A drain scenario's new nodes, ``3 × aws/m5.large``, or "" when none are planned."""
    needed = scenario["nodesNeeded"]
    return "" if needed is None else f"{needed['nodes']} × {needed['shape']}"


def _after_rightsizing(doc: dict[str, Any], sizing: RightSizing) -> str:
    """``after right-sizing (…): N nodes, X per hour`` for a NodesPlan document: the
    cheapest mix when asked for, else the best single-shape plan."""
    what = f"{sizing.containers} containers of {sizing.pods} pods resized"
    summary = doc["summary"]
    if "cheapest" in summary:
        nodes = sum(summary["cheapest"]["nodes"].values())
        cost = summary["cheapest"]["exact"]["costPerHour"]
        return f"after right-sizing ({what}): {nodes} nodes, {cost} per hour\n"
    best = summary["best"]
    if best is None:
        return f"after right-sizing ({what}): no shape places every pod\n"
    plan = next(p for p in doc["shapes"] if p["shape"] == best["shape"])
    cost = f", {plan['cost']} per hour" if "cost" in plan else ""
    return f"after right-sizing ({what}): {best['nodes']} nodes of {best['shape']}{cost}\n"


def _cheapest_text(cheapest: dict[str, Any]) -> str:
    """The table's lines for ``summary.cheapest``: the mix, its cost, bound and gap."""
    nodes = ", ".join(f"{c} × {n}" for n, c in cheapest["nodes"].items()) or "no new node"
    proof = "proven optimal" if cheapest["proven"] else f"gap {cheapest['gap']}"
    out = (
        f"\ncheapest: {nodes}: {cheapest['exact']['costPerHour']} per hour "
        f"(lower bound {cheapest['lowerBound']}, {proof}; {cheapest['method']})\n"
    )
    for group, count in cheapest["unplaceable"].items():
        out += f"cheapest: {count} pods of {group} fit no shape\n"
    return out


def _structured(output: str) -> bool:
    """JSON or YAML: the loader's warnings go to stderr as the files are read (the table
    prints them with the report's other warnings, once)."""
    return output in ("json", "yaml")


_fail_on_pending = click.option(
    "--fail-on-pending",
    is_flag=True,
    help="Exit 3 when the answer leaves pods Pending (see the command's help).",
)


def pending_after(doc: dict[str, Any]) -> int:
    """How many pods the plan leaves Pending, by the document's kind: a FitReport's pods
    of the cluster already Pending; a NodesPlan's pending pods when no shape (nor the
    cheapest mix) places them all; a DrainReport's already Pending plus the worst
    scenario's. ``--fail-on-pending`` exits 3 when this is not 0."""
    summary = doc["summary"]
    if doc["kind"] == "FitReport":
        return int(summary["alreadyPending"])
    if doc["kind"] == "NodesPlan":
        placed = summary.get("best") is not None or summary.get("cheapestMix") is not None
        return 0 if placed else int(summary["pendingPods"])
    worst = summary.get("worst") or {}
    return int(summary["alreadyPending"]) + int(worst.get("pending", 0))


def _emit(
    report: Warned,
    output: str,
    render: Callable[[dict[str, Any]], str],
    *workloads: Workload,
    sizing: RightSizing | None = None,
    fail_on_pending: bool = False,
) -> None:
    """Print ``report`` (its ``warnings`` completed from the inputs) as ``podfit schedule``
    prints its result: JSON/YAML on stdout with the skipped objects on stderr, or the
    table on stdout with every warning on stderr (skipped objects grouped by kind); then,
    with ``fail_on_pending``, exit 3 if the report leaves pods Pending
    (:func:`pending_after`). With right-sizing, the document says what it changed
    (``rightSizing``) and warns of recommendations that matched no pod."""
    add_input_warnings(report, *workloads)
    if sizing is not None:
        report.warnings.extend(sizing.warnings())
    doc: dict[str, Any] = report.to_dict()
    if sizing is not None:
        doc["rightSizing"] = sizing.to_dict()
    if _structured(output):
        click.echo(dump(doc, output), nl=False)
        echo_warnings(skipped_lines([s for workload in workloads for s in workload.skipped]))
    else:
        click.echo(render(doc), nl=False)
        echo_report_warnings(doc["warnings"], *workloads)
    if fail_on_pending and (pending_after(doc) or any(w.refused for w in workloads)):
        sys.exit(EXIT_PENDING)  # a pod a quota refused never runs either


_recommendations = click.option(
    "--recommendations",
    "recommendation_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Right-sizing: krr JSON output or VerticalPodAutoscaler objects "
    "(status.recommendation); their recommended requests replace the pods' (repeatable).",
)


def _rightsize(
    files: Sequence[str], *workloads: Workload
) -> tuple[list[Workload], RightSizing | None]:
    """The workloads with the recommended requests of ``files`` (none: as they are), and
    what changed (a recommendation is unmatched when it matched no pod of any)."""
    if not files:
        return list(workloads), None
    from podfit.planning.rightsize import RightSizing, read_recommendations, rightsize
    from podfit.yamlsafe import DEFAULT_LIMITS, load_all

    recommendations = []
    for i, name in enumerate(files):
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            raise ConfigError(
                f"cannot read {name}: {exc.strerror}", f"--recommendations[{i}]"
            ) from None
        recommendations.extend(read_recommendations(load_all(data, DEFAULT_LIMITS, name), name))
    total = RightSizing(len(recommendations))
    out = []
    unmatched: list[set[str]] = []
    for workload in workloads:
        resized, report = rightsize(workload, recommendations)
        out.append(resized)
        total.containers += report.containers
        total.pods += report.pods
        unmatched.append(set(report.unmatched))
    left = set.intersection(*unmatched) if unmatched else set()
    total.unmatched = [
        u for u in dict.fromkeys(u for s in unmatched for u in sorted(s)) if u in left
    ]
    return out, total


def _config(scheduler: SchedulerFlags) -> SchedulerConfig:
    """The scheduler configuration of the flags, through the schema every edge uses; for
    default flags the default profile straight from ``make_config`` (what the schema gives
    for them) without loading marshmallow: a plan at the command line starts in the time
    its own work takes."""
    if scheduler == SchedulerFlags(DEFAULT_STRATEGY, DEFAULT_VERSION, (), None, (), (), None):
        return make_config()
    from podfit.options.load import load_config

    return load_config(scheduler.options())


_region = click.option(
    "--region",
    help="Price shapes given without @PRICE at their list price in this region "
    "(us-east-1, us-central1, eastus, westeurope; or a --price-catalog region).",
)
_price_catalog = click.option(
    "--price-catalog",
    type=click.Path(dir_okay=False),
    help="Tab-separated prices (shape, region, price[, currency, basis, date, source]) "
    "used before the bundled list prices: negotiated, reserved or spot.",
)


def _shapes(
    specs: Sequence[str], region: str | None, catalog_file: str | None
) -> tuple[list[NodeShape], str | None]:
    """The ``-s`` shapes, priced from ``--price-catalog`` / the bundled list prices when
    ``--region`` is given (or the catalog holds one region); ``SHAPE@PRICE`` wins. Also
    that region (None without one): new nodes planned in zones are labelled with it."""
    from podfit.planning.catalog import (
        price_shapes,
        pricing_region,
        read_catalog,
        shape_from_text,
    )

    shapes = parse_each(shape_from_text, specs, "--shape")
    catalog = None
    if catalog_file is not None:
        try:
            text = Path(catalog_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read the price catalog: {exc}", "--price-catalog") from None
        catalog = read_catalog(text, catalog_file)
    priced = price_shapes(shapes, region=region, catalog=catalog, path="--shape")
    return priced, pricing_region(region, catalog)


@click.group("plan")
def plan() -> None:
    """Capacity planning: replicas that fit, nodes needed, what if nodes go away."""


_files = files_option(
    "Manifests: workloads, nodes, running pods (kubectl get -o yaml); '-' = stdin."
)


@plan.command("fit")
@_files
@files_option(
    "Pod templates to add replicas of (Pods or workloads; one template per owner).",
    "-t",
    "--template",
    dest="template_files",
)
@click.option("--mode", type=click.Choice(_FIT_MODES), default="sequence", show_default=True)
@click.option(
    "--max-replicas", type=click.IntRange(1, 1_000_000), default=10_000, show_default=True
)
@_recommendations
@scheduler_options()
@_fail_on_pending
@output_option()
@validate_option()
@handles_input_errors
def fit_cmd(
    files: tuple[str, ...],
    template_files: tuple[str, ...],
    mode: str,
    max_replicas: int,
    recommendation_files: tuple[str, ...],
    scheduler: SchedulerFlags,
    fail_on_pending: bool,
    output: str,
) -> None:
    """How many more replicas of each template fit (cluster-capacity semantics).

    With --fail-on-pending, exit 3 when pods of the cluster itself stay Pending.
    """
    from podfit.cli import plan_cmd  # its how_many_fit (module doc)
    from podfit.options.plan import templates_of  # marshmallow: only this command

    config = _config(scheduler)
    cluster = load_files(files, warn=_structured(output))
    template_workload = load_files(template_files, warn=_structured(output))
    (cluster, template_workload), sizing = _rightsize(
        recommendation_files, cluster, template_workload
    )
    templates = templates_of(template_workload.pods)
    if not templates:
        raise ConfigError("the template files hold no pod template", "--template")
    with _progress("replicas placed", max_replicas) as progress:
        report = plan_cmd.how_many_fit(
            templates,
            cluster.pods,
            cluster.nodes,
            **cluster.cluster_objects(),
            mode=mode,
            max_replicas=max_replicas,
            config=config,
            progress=progress,
        )

    def render(doc: dict[str, Any]) -> str:
        rows = [
            [t["template"], t["replicas"], len(t["perNode"]), t["stop"]] for t in doc["templates"]
        ]
        out = table(["TEMPLATE", "REPLICAS", "NODES", "STOP"], rows)
        node_rows = [
            [node, t["template"], count]
            for t in doc["templates"]
            for node, count in t["perNode"].items()
        ]
        if node_rows:
            out += "\n" + table(["NODE", "TEMPLATE", "REPLICAS"], node_rows)
        out += "\n"
        for t in doc["templates"]:
            out += f"{t['template']}: {t['stopReason']}\n"
        stranded = doc["fragmentation"]["totalStranded"]
        if stranded:
            text = human_resources(stranded)
            out += f"\nstranded (free but unusable by these templates): {text}\n"
        return out

    _emit(
        report,
        output,
        render,
        cluster,
        template_workload,
        sizing=sizing,
        fail_on_pending=fail_on_pending,
    )


def _zone_list(text: str) -> tuple[str, ...]:
    """``--zones a,b,c`` as the zones, validated (``ConfigError`` naming ``--zones[i]``)."""
    from podfit.planning.zones import check_zones

    return check_zones([z.strip() for z in text.split(",")], "--zones")


@plan.command("nodes")
@_files
@click.option(
    "-s",
    "--shape",
    "shapes",
    multiple=True,
    required=True,
    help="Node shape: PRESET[@PRICE] (e.g. aws/m5.large@0.096) or "
    "NAME:cpu=8,memory=32Gi,pods=110[@PRICE].",
)
@click.option("--algorithm", type=click.Choice(ALGORITHMS), default="podfit", show_default=True)
@click.option(
    "--headroom",
    type=click.IntRange(1, 100),
    default=100,
    show_default=True,
    help="Fill new nodes to at most this percent of each allocatable resource.",
)
@click.option("--max-nodes", type=click.IntRange(0, 100_000), default=0, help="Cap per shape.")
@click.option(
    "--time-limit",
    type=click.FloatRange(0.1, 3600),
    callback=lambda _ctx, _param, value: _a_number(value),
    default=10.0,
    show_default=True,
    help="Seconds the exact algorithm may search.",
)
@click.option(
    "--existing/--no-existing",
    default=True,
    show_default=True,
    help="Schedule on the nodes in the manifests first; plan only what stays Pending.",
)
@click.option(
    "--mix",
    is_flag=True,
    help="Also find the cheapest mix of the shapes (needs a price for each) and a proven "
    "lower bound on the cost of any mix; with --algorithm exact, prove it on small inputs.",
)
@click.option(
    "--zones",
    metavar="A,B,C",
    help="Zones for the new nodes (topology.kubernetes.io/zone, round-robin); the plan is "
    "then the scheduler's run on them, zone spreading and affinity included.",
)
@_region
@_price_catalog
@_recommendations
@scheduler_options()
@_fail_on_pending
@output_option()
@validate_option()
@handles_input_errors
def nodes_cmd(
    files: tuple[str, ...],
    shapes: tuple[str, ...],
    algorithm: str,
    headroom: int,
    max_nodes: int,
    time_limit: float,
    existing: bool,
    mix: bool,
    zones: str | None,
    region: str | None,
    price_catalog: str | None,
    recommendation_files: tuple[str, ...],
    scheduler: SchedulerFlags,
    fail_on_pending: bool,
    output: str,
) -> None:
    """How many nodes of each shape the pending pods need (DaemonSets on every node).

    With --fail-on-pending, exit 3 when no shape (nor the cheapest mix) places every
    pending pod.
    """
    config = _config(scheduler)
    workload = load_files(files, warn=_structured(output))
    (workload,), sizing = _rightsize(recommendation_files, workload)
    node_shapes, shapes_region = _shapes(shapes, region, price_catalog)
    zone_names = () if zones is None else _zone_list(zones)
    if mix and zone_names:
        raise ConfigError("--mix does not model zones; plan without --zones for a mix", "--zones")
    if mix:
        from podfit.planning.catalog import require_prices

        require_prices(node_shapes, "--shape")
    with _progress("shapes planned", len(node_shapes)) as progress:
        result = nodes_needed(
            workload.pod_source(),
            node_shapes,
            existing_nodes=workload.nodes if existing else (),
            **workload.cluster_objects(),
            algorithm=algorithm,
            headroom_percent=headroom,
            max_nodes=max_nodes,
            time_limit=time_limit,
            config=config,
            progress=progress,
            zones=zone_names,
            region=shapes_region,
        )
    if mix:
        from podfit.planning.mix import cheapest_mix

        result.cheapest = cheapest_mix(result, exact=algorithm == "exact", time_limit=time_limit)

    def render(doc: dict[str, Any]) -> str:
        rows = [
            [s["shape"], s["nodes"], s["lowerBound"]["best"], *_gap_cost(s)] for s in doc["shapes"]
        ]
        out = table(["SHAPE", "NODES", "LOWER-BOUND", "GAP", "COST", "COMPLETE"], rows)
        summary = doc["summary"]
        out += (
            f"\n{summary['pendingPods']} pending pods in {summary['groups']} groups "
            f"({summary['scheduledOnExistingNodes']} placed on existing nodes); "
            f"algorithm {doc['algorithm']}, headroom {doc['headroomPercent']} %\n"
        )
        best = summary["best"]
        if best is not None:
            out += f"best: {best['nodes']} × {best['shape']}\n"
            chosen = next(s for s in doc["shapes"] if s["shape"] == best["shape"])
            node_rows = [
                [
                    n["node"] + (f" (zone {n['zone']})" if "zone" in n else ""),
                    ", ".join(f"{g} ×{c}" for g, c in n["pods"].items()),
                    human_quantity("cpu", n["requested"].get("cpu", "0")),
                    human_quantity("memory", n["requested"].get("memory", "0")),
                ]
                for n in chosen["placement"]
            ]
            out += "\n" + table(["NODE", "PODS", "CPU", "MEMORY"], node_rows)
        if "cheapest" in summary:
            out += _cheapest_text(summary["cheapest"])
        if sizing is not None:
            out += _after_rightsizing(doc, sizing)
        if "cheapestMix" in summary:
            mix = ", ".join(f"{c} × {n}" for n, c in summary["cheapestMix"]["nodes"].items())
            out += f"\ncheapest mix: {mix} (cost {summary['cheapestMix']['cost']})\n"
        for s in doc["shapes"]:
            for group, reason in s["unplaceable"].items():
                out += f"{s['shape']}: {group} cannot be placed: {reason}\n"
            if "zones" in doc:  # the scheduler's Pending pods on the zoned new nodes
                out += "".join(f"{s['shape']}: {note}\n" for note in s.get("notes", ()))
        return out

    _emit(result, output, render, workload, sizing=sizing, fail_on_pending=fail_on_pending)


@plan.command("drain")
@_files
@click.option("--node", "drain", multiple=True, help="Drain this node (repeatable).")
@click.option("--zone", "lose_zone", help="Lose every node of this zone.")
@click.option("--zone-label", default=ZONE, show_default=True)  # what_if's default
@click.option("--any-node", "lose_any_one", is_flag=True, help="Lose each node in turn.")
@click.option(
    "-s", "--shape", "shape", help="Shape for replacement nodes (default: the lost node)."
)
@click.option(
    "--zones",
    metavar="A,B,C",
    help="Zones for the replacement nodes (topology.kubernetes.io/zone, round-robin); their "
    "plan is then the scheduler's run on them, zone spreading and affinity included.",
)
@_recommendations
@scheduler_options()
@_fail_on_pending
@output_option()
@validate_option()
@handles_input_errors
def drain_cmd(
    files: tuple[str, ...],
    drain: tuple[str, ...],
    lose_zone: str | None,
    zone_label: str,
    lose_any_one: bool,
    shape: str | None,
    zones: str | None,
    recommendation_files: tuple[str, ...],
    scheduler: SchedulerFlags,
    fail_on_pending: bool,
    output: str,
) -> None:
    """What if nodes go away: which pods become Pending, and the nodes to absorb them.

    With --fail-on-pending, exit 3 when pods are Pending already or in the worst scenario.
    """
    from podfit.cli import plan_cmd  # its what_if (module doc)
    from podfit.planning.catalog import shape_from_text

    config = _config(scheduler)
    workload = load_files(files, warn=_structured(output))
    (workload,), sizing = _rightsize(recommendation_files, workload)
    node_shape = None if shape is None else shape_from_text(shape, "--shape")
    zone_names = () if zones is None else _zone_list(zones)
    with _progress("scenarios", None) as progress:
        report = plan_cmd.what_if(
            workload.pods,
            workload.nodes,
            **workload.cluster_objects(),
            drain=drain,
            lose_zone=lose_zone,
            zone_label=zone_label,
            lose_any_one=lose_any_one,
            shape=node_shape,
            config=config,
            progress=progress,
            zones=zone_names,
        )

    def render(doc: dict[str, Any]) -> str:
        rows = [
            [s["name"], s["evicted"], s["rescheduled"], len(s["pending"]), _needed(s)]
            for s in doc["scenarios"]
        ]
        out = table(["SCENARIO", "EVICTED", "RESCHEDULED", "PENDING", "NODES-NEEDED"], rows)
        worst = doc["summary"]["worst"]
        if worst is not None and worst["pending"]:
            out += f"\nworst: {worst['name']}\n"
            scenario = next(s for s in doc["scenarios"] if s["name"] == worst["name"])
            for p in scenario["pending"]:
                out += f"{p['namespace']}/{p['name']}: {p['message']}\n"
        for s in doc["scenarios"]:  # kubectl drain's findings (keys absent when none)
            for lost in s.get("lost", ()):
                out += f"{s['name']}: lost {lost['pod']}: {lost['message']}\n"
            for budget in s.get("disruptionBudgets", ()):
                out += f"{s['name']}: {budget['message']}\n"
        return out

    _emit(report, output, render, workload, sizing=sizing, fail_on_pending=fail_on_pending)


def _read_cluster(files: Sequence[str]) -> tuple[Workload, list[Any]]:
    """The workload of ``files`` (as ``load_files`` reads them) and their decoded
    documents, for what the workload does not keep (annotations, volumes, owners)."""
    from podfit.errors import ManifestError
    from podfit.manifests import MANIFEST_SUFFIXES
    from podfit.manifests.reader import Reader
    from podfit.yamlsafe import DEFAULT_LIMITS, load_all

    inputs: list[tuple[str, bytes]] = []
    for name in files:
        path = Path(name)
        if name == "-":
            inputs.append(("<stdin>", sys.stdin.buffer.read(DEFAULT_LIMITS.max_bytes + 1)))
        elif path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.suffix in MANIFEST_SUFFIXES and p.is_file()
            )
            if not found:
                suffixes = ", ".join(f"*{s}" for s in MANIFEST_SUFFIXES)
                raise ManifestError(f"the directory holds no manifest file ({suffixes})", name)
            inputs.extend((str(p), p.read_bytes()) for p in found)
        else:
            try:
                inputs.append((name, path.read_bytes()))
            except OSError as exc:
                raise ManifestError(f"cannot read: {exc.strerror}", name) from None
    reader = Reader(DEFAULT_LIMITS, validate_mode())
    documents: list[Any] = []
    for label, data in inputs:
        docs = load_all(data, DEFAULT_LIMITS, label)
        reader.read_documents(docs, label)
        documents.extend(docs)
    workload = reader.finish()
    if not workload.objects:
        raise ManifestError("the input holds no object (it is empty or only comments)", "-f")
    return workload, documents


@plan.command("consolidate")
@_files
@click.option(
    "-s",
    "--shape",
    "shapes",
    multiple=True,
    help="SHAPE@PRICE: prices the cluster's nodes of that instance type and may replace "
    "a node when cheaper (repeatable; e.g. aws/m6i.large@0.096).",
)
@click.option(
    "--zones",
    metavar="A,B,C",
    help="Zones a replacement node may go to (topology.kubernetes.io/zone), tried in order.",
)
@_region
@_price_catalog
@_recommendations
@scheduler_options()
@output_option()
@validate_option()
@handles_input_errors
def consolidate_cmd(
    files: tuple[str, ...],
    shapes: tuple[str, ...],
    zones: str | None,
    region: str | None,
    price_catalog: str | None,
    recommendation_files: tuple[str, ...],
    scheduler: SchedulerFlags,
    output: str,
) -> None:
    """Which nodes can go (or be replaced by a cheaper one), where every pod goes."""
    from podfit.planning.consolidate import consolidate, pod_facts

    config = _config(scheduler)

    workload, documents = _read_cluster(files)
    (workload,), sizing = _rightsize(recommendation_files, workload)
    if _structured(output):
        echo_warnings(workload.warnings)
    node_shapes, _ = _shapes(shapes, region, price_catalog)
    zone_names = () if zones is None else _zone_list(zones)
    report = consolidate(
        workload,
        node_shapes,
        pod_facts(documents),
        region=region,
        config=config,
        zones=zone_names,
    )

    def render(doc: dict[str, Any]) -> str:
        cost = doc["costPerHour"]
        out = f"cost per hour: {cost['before']} -> {cost['after']}\n"
        for n in doc["removeNodes"]:
            out += f"{n['action']} {n['name']} ({n['pricePerHour']} per hour)\n"
        for a in doc["addNodes"]:
            out += f"add {a['count']} × {a['shape']}\n"
        for name, zone in doc.get("addedNodeZones", {}).items():
            out += f"  {name} in zone {zone}\n"
        if doc["moves"]:
            out += "\n" + table(
                ["POD", "FROM", "TO"], [[m["pod"], m["from"], m["to"]] for m in doc["moves"]]
            )
        for k in doc["kept"]:
            out += f"\nkeep {k['node']}:\n" + "".join(f"  {r}\n" for r in k["reasons"])
        return out

    _emit(report, output, render, workload, sizing=sizing)
