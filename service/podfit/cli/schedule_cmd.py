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
    echo_report_warnings,
    echo_warnings,
    handles_input_errors,
    names,
    output_option,
    skipped_lines,
    table,
)
from podfit.cli.params import files_option, load_files, validate_option
from podfit.cli.scheduler_options import SchedulerFlags, scheduler_options
from podfit.manifests.workload import add_input_warnings
from podfit.options import ScheduleOptions
from podfit.options.load import load_options
from podfit.resources import CPU, MEMORY, PODS
from podfit.scheduler import schedule as run_schedule
from podfit.scheduler.result import PENDING, ScheduleResult
from podfit.schemas.schedule import ScheduleOptionsSchema
from podfit.units import human_quantity


def _short_text(short: dict[str, Any]) -> str:
    """A Pending pod's shortfall in one line, amounts by :mod:`podfit.units`' rule."""
    blocked = short.get("constraints") or ()
    # a pod the topology plugins rejected: their reasons and fixes first, and only the
    # resources some node lacked
    parts = [f"{c['plugin']}: {c['nodes']} {c['reason']}, needs {c['fix']}" for c in blocked]
    for name, r in short["resources"].items():
        if name == "pods" or (blocked and f"Insufficient {name}" not in short["reasons"]):
            continue
        free = r.get("largestFree")
        where = f" on {r['largestFreeNode']}" if r.get("largestFreeNode") else ""
        parts.append(
            f"{name} request {human_quantity(name, r['request'])}, largest free "
            f"{'none' if free is None else human_quantity(name, free)}{where}"
        )
    fixes = []
    fix = short["fix"]
    if fix["shrinkRequest"]:
        shrink = fix["shrinkRequest"]["requests"].items()
        reqs = ", ".join(f"{k} to {human_quantity(k, v)}" for k, v in shrink)
        fixes.append(f"shrink {reqs} (fits {fix['shrinkRequest']['node']})")
    if fix["freeOnNode"]:
        free = ", ".join(
            f"{human_quantity(k, v)} {k}" for k, v in fix["freeOnNode"]["free"].items()
        )
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


def explain_table(label: str, node: str | None, explain: dict[str, Any], nodes: list[str]) -> str:
    """One pod's ``--explain`` as a table: every node of the input, the chosen one first,
    then the feasible nodes by total score (input order among equals), a node that passed
    the filters unscored (kube-scheduler skips scoring when one node is feasible), then the
    filtered nodes with every reason their filters gave; one column per score plugin."""
    scores: dict[str, dict[str, int]] = explain.get("scores", {})
    filters: dict[str, list[str]] = explain.get("filters", {})
    plugins = list(dict.fromkeys(k for s in scores.values() for k in s if k != "total"))
    position = {name: i for i, name in enumerate(nodes)}
    feasible = sorted(scores, key=lambda n: (n != node, -scores[n]["total"], position.get(n, 0)))
    rows = []
    for name in feasible:
        score = scores[name]
        result = "chosen" if name == node else "feasible"
        rows.append([name, result, score["total"], *(score.get(p, "") for p in plugins), ""])
    nominated = explain.get("nominatedNode")
    for name in nodes:  # passed the filters but not scored: the only feasible node
        if nominated is not None:  # evaluateNominatedNode: that node alone was filtered
            result, note = (
                ("chosen", "not scored: its nominated node, filtered alone")
                if name == nominated
                else ("-", "not evaluated: the nominated node passed")
            )
            rows.append([name, result, "-", *("-" for _ in plugins), note])
        elif name not in scores and name not in filters:
            result = "chosen" if name == node else "feasible"
            note = "not scored: the only feasible node" if not scores else "not scored"
            rows.append([name, result, "-", *("-" for _ in plugins), note])
    for name in sorted(filters, key=lambda n: position.get(n, 0)):
        reasons = "; ".join(filters[name]) or "-"
        rows.append([name, "filtered", "-", *("-" for _ in plugins), reasons])
    ties = explain.get("ties") or []
    head = f"{label} -> {node or '<none>'}"
    if len(ties) > 1:
        head += f" (tie between {', '.join(ties)}: first in input order)"
    body = table(["NODE", "RESULT", "TOTAL", *plugins, "REASONS"], rows)
    return head + "\n" + "".join(f"  {line}\n" for line in body.splitlines())


def _used_of(resource: str, node: dict[str, Any]) -> str:
    """``requested/allocatable`` of one resource on a result's node, by the unit rule."""
    used = human_quantity(resource, node["requested"].get(resource, "0"))
    return f"{used}/{human_quantity(resource, node['allocatable'].get(resource, '0'))}"


def render_table(result: ScheduleResult, wide: bool) -> str:
    """kubectl-style tables: pods, then nodes, then the Pending messages."""
    headers = ["NAMESPACE", "NAME", "NODE", "PHASE", "CPU", "MEMORY"]
    if wide:
        headers += ["QOS", "OWNER", "REASON"]
    rows = []
    for p in result.pods:
        requests = p.to_dict()["requests"]
        row = [
            p.pod.namespace,
            p.pod.name,
            p.node or "<none>",
            "Terminating" if p.pod.terminating else p.phase,  # kubectl's printPod
            human_quantity(CPU, requests.get(CPU, "0")),
            human_quantity(MEMORY, requests.get(MEMORY, "0")),
        ]
        if wide:
            reason = p.reason or (p.condition[1] if p.condition and p.condition[1] else "")
            if p.disruption is not None:
                reason = p.disruption[0]
            row += [p.pod.qos_class, p.pod.owner or "", reason]
        rows.append(row)
    out = table(headers, rows)
    node_rows = []
    for n in result.to_dict()["nodes"]:
        util = n["utilization"]
        node_rows.append(
            [
                n["name"],
                f"{len(n['pods'])}/{n['allocatable'].get(PODS, '0')}",
                _used_of(CPU, n),
                _used_of(MEMORY, n),
                f"{util.get(CPU, 0.0):.0%}",
                f"{util.get(MEMORY, 0.0):.0%}",
            ]
        )
    out += "\n" + table(["NODE", "PODS", "CPU", "MEMORY", "CPU%", "MEMORY%"], node_rows)
    s = result.summary()
    out += (
        f"\n{s['scheduled']} of {s['pods']} pods scheduled on {s['nodes']} nodes, "
        f"{s['pending']} Pending"
        + (f", {s['preempted']} preempted" if s["preempted"] else "")
        + f" (Kubernetes {result.kubernetes_version}, {result.strategy})\n"
    )
    evicted = [p for p in result.pods if p.preempted_by is not None]
    if evicted:
        out += "\n"
        for p in evicted:
            now = f", replacement on {p.node}" if p.node else ""
            out += (
                f"{p.pod.namespace}/{p.pod.name}: preempted from {p.preempted_from} "
                f"by {p.preempted_by}{now}\n"
            )
    explained = [p for p in result.pods if p.explain is not None]
    names = [n.name for n in result.nodes] if explained else []
    for p in explained:
        label = f"{p.pod.namespace}/{p.pod.name}"
        out += "\n" + explain_table(label, p.node, p.explain or {}, names)
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
@scheduler_options(shape_alias=True, preemption=True)
@click.option("--explain", is_flag=True, help="Per pod: every node's filter reasons and scores.")
@click.option(
    "--fail-on-pending",
    is_flag=True,
    help="Exit 3 when any pod stays Pending (or a ResourceQuota refused it).",
)
@output_option("wide", "name")
@validate_option()
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
    table = output in ("table", "wide")
    options: ScheduleOptions = load_options(
        ScheduleOptionsSchema(), {**scheduler.options(), "explain": explain}
    )
    workload = load_files(files, warn=not table)  # the table's warnings are printed below
    result = run_schedule(
        workload.pods,
        workload.nodes,
        **workload.cluster_objects(),
        explain=options.explain,
        config=options.config,
    )
    result.note_input(workload.snapshot())
    add_input_warnings(result, workload)  # the loader's, the scheduler's, skipped objects
    if not table:
        text = names("pod", (p.pod.name for p in result.pods)) if output == "name" else None
        click.echo(text or dump(result.to_dict(), output), nl=False)
        echo_warnings(skipped_lines(workload.skipped))  # load_files printed the loader's
    else:
        click.echo(render_table(result, wide=output == "wide"), nl=False)
        echo_report_warnings(result.warnings, workload)
    if fail_on_pending and (result.pending or workload.refused):
        sys.exit(EXIT_PENDING)  # a pod a quota refused never runs either
