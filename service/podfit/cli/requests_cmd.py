"""``podfit requests``: each pod's effective requests, limits, QoS class and why."""

from __future__ import annotations

from typing import Any

import click

from podfit.cli.output import dump, handles_input_errors, names, output_option, table
from podfit.cli.params import files_option, load_files, validate_option
from podfit.documents.requests import requests_result
from podfit.units import human_quantity


def _short(resources: dict[str, str]) -> str:
    """``cpu=510m, memory=143.37Mi``: each amount by :mod:`podfit.units`' rule."""
    return ", ".join(f"{k}={human_quantity(k, v)}" for k, v in resources.items()) or "-"


def _why(explain: dict[str, Any]) -> str:
    return "; ".join(f"{res}: {e['from']}" for res, e in explain.items()) or "-"


def render_table(data: dict[str, Any]) -> str:
    """Human-readable form of :func:`requests_result` output."""
    rows = []
    for p in data["pods"]:
        name = (
            p["name"] if p.get("counted", True) else f"{p['name']} ({p.get('phase')}, not counted)"
        )
        if p.get("terminating"):  # kubectl's status for a pod with a deletionTimestamp
            name += " (Terminating)"
        rows.append(
            [
                p["namespace"],
                name,
                p.get("owner") or "-",
                _short(p["requests"]),
                _short(p["limits"]),
                p["qosClass"],
                _why(p["explain"]),
            ]
        )
    total = data["total"]
    rows.append(
        [
            "",
            f"TOTAL ({total['pods']} pods)",
            "",
            _short(total["requests"]),
            _short(total["limits"]),
            "",
            "",
        ]
    )
    out = [table(["NAMESPACE", "NAME", "OWNER", "REQUESTS", "LIMITS", "QOS", "DECIDED BY"], rows)]
    if data["daemonsets"]:
        ds_rows = [
            [p["namespace"], p["name"], _short(p["requests"]), _short(p["limits"]), p["qosClass"]]
            for p in data["daemonsets"]
        ]
        out.append("\nDaemonSets (one pod per eligible node, not in the total):\n")
        out.append(table(["NAMESPACE", "DAEMONSET", "REQUESTS PER POD", "LIMITS", "QOS"], ds_rows))
    explained = [
        (p, e["text"]) for p in data["pods"] for e in p["explain"].values() if e.get("text")
    ]
    if explained:
        out.append("\nWhy:\n")
        out.extend(f"  {p['namespace']}/{p['name']}: {text}\n" for p, text in explained)
    env_lines = []
    for p in data["pods"]:
        for c in p["containers"]:
            for k, v in c.get("env", {}).items():
                env_lines.append(f"  {p['namespace']}/{p['name']} {c['name']}: {k}={v}\n")
            for k, v in c.get("unresolved", {}).items():
                env_lines.append(f"  {p['namespace']}/{p['name']} {c['name']}: {k} ({v})\n")
    if env_lines:
        out.append("\nDownward API env:\n")
        out.extend(env_lines)
    if data["skipped"]:
        out.append("\nSkipped (create no pods):\n")
        out.extend(
            f"  {s['kind']} {s['namespace'] + '/' if s['namespace'] else ''}{s['name']}"
            f" ({s['source']}): {s['reason']}\n"
            for s in data["skipped"]
        )
    for w in data["warnings"]:
        out.append(f"\nwarning: {w}\n")
    return "".join(out)


@click.command("requests")
@files_option("Manifest file or directory (YAML or JSON; '-' for stdin). Repeatable.")
@output_option("name")
@validate_option()
@handles_input_errors
def requests(files: tuple[str, ...], output: str) -> None:
    """Effective requests, limits and QoS of every pod the manifests create.

    Reads Pods, Deployments, StatefulSets, Jobs, CronJobs, DaemonSets, Lists and
    `kubectl get pods -o json` output; explains which term (containers, an init
    container, pod-level resources, overhead) decided each request.
    """
    workload = load_files(files, warn=False)  # the report lists the warnings
    data = requests_result(workload)
    if output == "name":
        text = names("pod", (p["name"] for p in data["pods"]))
    else:
        text = dump(data, output) if output != "table" else render_table(data)
    click.echo(text, nl=False)
