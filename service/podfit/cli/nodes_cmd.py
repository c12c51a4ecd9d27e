"""``podfit nodes``: nodes with their allocatable resources, from files or presets."""

from __future__ import annotations

from typing import Any

import click

from podfit.cli.output import dump, handles_input_errors, names, output_option, table
from podfit.cli.params import files_option, load_files, validate_option
from podfit.documents.requests import nodes_result
from podfit.errors import LimitExceeded
from podfit.nodes import Node, Preset, node_preset, preset_names
from podfit.units import human_quantity
from podfit.yamlsafe import DEFAULT_LIMITS


def _others(resources: dict[str, str]) -> str:
    rest = {k: v for k, v in resources.items() if k not in ("cpu", "memory", "pods")}
    return ", ".join(f"{k}={human_quantity(k, v)}" for k, v in rest.items()) or "-"


def _amount(resources: dict[str, str], resource: str) -> str:
    """One allocatable amount by :mod:`podfit.units`' rule, ``-`` when absent."""
    text = resources.get(resource)
    return "-" if text is None else human_quantity(resource, text)


def render_table(data: dict[str, Any]) -> str:
    """Human-readable form of :func:`nodes_result` output."""
    rows = [
        [
            n["name"],
            _amount(n["allocatable"], "cpu"),
            _amount(n["allocatable"], "memory"),
            _amount(n["allocatable"], "pods"),
            _others(n["allocatable"]),
            ", ".join(n["taints"]) or "-",
            "yes" if n["unschedulable"] else "",
        ]
        for n in data["nodes"]
    ]
    headers = ["NAME", "CPU", "MEMORY", "PODS", "OTHER", "TAINTS", "UNSCHEDULABLE"]
    out = [table(headers, rows)]
    for p in data["presets"]:
        out.append(f"\n{p['name']} ({p['provider']}, max pods {p['maxPods']}): allocatable =\n")
        calc = [
            [r["resource"], r["term"], human_quantity(r["resource"], r["amount"]), r["rule"]]
            for r in p["calculation"]
        ]
        out.append(table(["RESOURCE", "TERM", "AMOUNT", "RULE"], calc))
        out.append(f"source: {p['source']}\n")
    return "".join(out)


@click.command("nodes")
@files_option(
    "Nodes file or directory: Node objects, `kubectl get nodes -o json`, compact JSON/YAML.",
    required=False,
)
@click.option("--preset", "presets", multiple=True, help="A node shape, e.g. aws/m5.large.")
@click.option(
    "--count",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Nodes per --preset.",
)
@click.option("--list-presets", is_flag=True, help="List the known preset names and exit.")
@output_option("name")
@validate_option()
@handles_input_errors
def nodes(
    files: tuple[str, ...], presets: tuple[str, ...], count: int, list_presets: bool, output: str
) -> None:
    """Nodes and their allocatable resources (presets show the calculation term by term)."""
    if list_presets:
        click.echo("\n".join(preset_names()))
        return
    if not files and not presets:
        raise click.UsageError("give -f FILE and/or --preset NAME")
    all_nodes: list[Node] = list(load_files(files).nodes) if files else []
    chosen: list[Preset] = []
    for name in presets:
        preset = node_preset(name)
        if len(all_nodes) + count > DEFAULT_LIMITS.max_nodes:
            raise LimitExceeded(
                f"{count} nodes would exceed the limit of {DEFAULT_LIMITS.max_nodes} nodes",
                path="--count",
            )
        chosen.append(preset)
        base = preset.instance_type
        all_nodes.extend(preset.node(f"{base}-{i}" if count > 1 else base) for i in range(count))
    data = nodes_result(all_nodes, chosen)
    if output == "name":
        text = names("node", (n["name"] for n in data["nodes"]))
    else:
        text = dump(data, output) if output != "table" else render_table(data)
    click.echo(text, nl=False)
