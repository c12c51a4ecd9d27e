"""``podfit schedule``: place pods on nodes as kube-scheduler would, say why the rest is Pending.

Exit codes: 0 (also when pods stay Pending), 1 bad input, 3 Pending pods with
``--fail-on-pending``.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from podfit.cli.output import (
    EXIT_PENDING,
    dump,
    echo_warnings,
    handles_input_errors,
    output_option,
    table,
)
from podfit.cli.params import files_option, load_files
from podfit.cli.scheduler_options import SchedulerFlags, scheduler_options
from podfit.scheduler import schedule as run_schedule
from podfit.scheduler.result import PENDING, ScheduleResult
from podfit.schemas.config import load_options
from podfit.schemas.schedule import ScheduleOptions, ScheduleOptionsSchema, add_input_warnings


def _short_text(short: dict[str, Any]) -> str:
    parts = []
    for name, r in short["resources"].items():
        if name == "pods":
            continue
        parts.append(
            f"{name} request {r['request']}, largest free {r['largestFree']} "
            f"on {r['largestFreeNode']}"
        )
    fixes = []
    fix = short["fix"]
    if fix["shrinkRequest"]:
        reqs = ", ".join(f"{k} to {v}" for k, v in fix["shrinkRequest"]["requests"].items())
        fixes.append(f"shrink {reqs} (fits {fix['shrinkRequest']['node']})")
    if fix["freeOnNode"]:
        free = ", ".join(f"{v} {k}" for k, v in fix["freeOnNode"]["free"].items())
        fixes.append(f"free {free} on {fix['freeOnNode']['node']}")
    if fix["addNode"]:
        fixes.append(f"add a node like {fix['addNode']['like']}")
    if short.get("unavailable"):
        fixes.append(f"no node offers enough {', '.join(short['unavailable'])}")
    if "preemption" in short:
        fixes.append(f"preempting on {short['preemption']['node']} would fit")
    text = "; ".join(parts)
    if fixes:
        text += "; fix: " + " | ".join(fixes)
    return text


def _explain_text(namespace: str, name: str, node: str | None, explain: dict[str, Any]) -> str:
    """One pod's explanation: the best totals (top 5) with plugin scores, ties, filter counts."""
    scores = explain.get("scores", {})
    ranked = sorted(scores.items(), key=lambda kv: -kv[1]["total"])[:5]
    text = f"{namespace}/{name} -> {node or '<none>'}"
    if explain.get("ties") and len(explain["ties"]) > 1:
        text += f" (tie between {', '.join(explain['ties'])}: first in input order)"
    text += "\n"
    for node_name, s in ranked:
        parts = ", ".join(f"{k} {v}" for k, v in s.items() if k != "total")
        text += f"  {node_name}: total {s['total']} ({parts})\n"
    filtered = explain.get("filters", {})
    if filtered:
        text += f"  filtered out: {len(filtered)} node(s)\n"
    return text


def render_table(result: ScheduleResult, wide: bool) -> str:
    """kubectl-style tables: pods, then nodes, then the Pending messages."""
    headers = ["NAMESPACE", "NAME", "NODE", "PHASE", "CPU", "MEMORY"]
    if wide:
        headers += ["QOS", "OWNER", "REASON"]
    rows = []
    for p in result.pods:
        row = [
            p.pod.namespace,
            p.pod.name,
            p.node or "<none>",
            p.phase,
            p.to_dict()["requests"].get("cpu", "0"),
            p.to_dict()["requests"].get("memory", "0"),
        ]
        if wide:
            reason = p.reason or (p.condition[1] if p.condition and p.condition[1] else "")
            row += [p.pod.qos_class, p.pod.owner or "", reason]
        rows.append(row)
    out = table(headers, rows)
    node_rows = []
    for n in result.to_dict()["nodes"]:
        util = n["utilization"]
        node_rows.append(
            [
                n["name"],
                f"{len(n['pods'])}/{n['allocatable'].get('pods', '0')}",
                f"{n['requested'].get('cpu', '0')}/{n['allocatable'].get('cpu', '0')}",
                f"{n['requested'].get('memory', '0')}/{n['allocatable'].get('memory', '0')}",
                f"{util.get('cpu', 0.0):.0%}",
                f"{util.get('memory', 0.0):.0%}",
            ]
        )
    out += "\n" + table(["NODE", "PODS", "CPU", "MEMORY", "CPU%", "MEMORY%"], node_rows)
    s = result.summary()
    out += (
        f"\n{s['scheduled']} of {s['pods']} pods scheduled on {s['nodes']} nodes, "
        f"{s['pending']} Pending (Kubernetes {result.kubernetes_version}, {result.strategy})\n"
    )
    explained = [p for p in result.pods if p.explain is not None]
    if explained:
        out += "\n"
        for p in explained:
            out += _explain_text(p.pod.namespace, p.pod.name, p.node, p.explain or {})
    pending = [p for p in result.pods if p.message or (p.phase == PENDING and not p.counted)]
    if pending:
        out += "\n"
        for p in pending:
            message = p.message or (p.condition[2] if p.condition else "") or ""
            out += f"{p.pod.namespace}/{p.pod.name}: {message}\n"
            if p.shortfall is not None:
                out += f"  {_short_text(p.shortfall)}\n"
    return out


@click.command("schedule")
@files_option("Manifests: workloads, nodes (kubectl get nodes -o yaml), running pods; '-' = stdin.")
@scheduler_options(shape_alias=True)
@click.option("--explain", is_flag=True, help="Per pod: every node's filter reasons and scores.")
@click.option("--fail-on-pending", is_flag=True, help="Exit 3 when any pod stays Pending.")
@output_option("wide")
@handles_input_errors
def schedule(
    files: tuple[str, ...],
    scheduler: SchedulerFlags,
    explain: bool,
    fail_on_pending: bool,
    output: str,
) -> None:
    """Place pods on nodes exactly as kube-scheduler's default profile would.

    Pending pods get kube-scheduler's FailedScheduling message and a shortfall: how much
    is missing where, and the smallest change that would let them in.
    """
    table = output not in ("json", "yaml")
    options: ScheduleOptions = load_options(
        ScheduleOptionsSchema(), {**scheduler.options(), "explain": explain}
    )
    workload = load_files(files, warn=not table)  # the table's warnings are printed below
    result = run_schedule(
        workload.pods,
        workload.nodes,
        daemonsets=workload.daemonsets,
        explain=options.explain,
        config=options.config,
    )
    add_input_warnings(result, workload)  # the loader's, the scheduler's, skipped objects
    if output in ("json", "yaml"):
        click.echo(dump(result.to_dict(), output), nl=False)
        echo_warnings(workload.skipped_warnings())  # load_files printed the loader's
    else:
        click.echo(render_table(result, wide=output == "wide"), nl=False)
        echo_warnings(result.warnings)
    if fail_on_pending and result.pending:
        sys.exit(EXIT_PENDING)
