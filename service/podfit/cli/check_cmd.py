"""``podfit check``: a CI gate — does everything still fit as-is, with HPAs at their
maximum, with any node or a zone lost, with the promised headroom left?

``podfit check -f CLUSTER... [--policy FILE] [-o table|json|yaml] [--junit FILE]
[--baseline PREVIOUS.json] [--jobs N] [--dask-scheduler tcp://HOST:8786]``, or
``--cluster NAME=PATH`` (repeated) instead of ``-f`` to check several clusters at once.

The scheduler options (``--strategy``, ``--version``, ...) are those of ``podfit schedule``.
Output: a table (default) or the ``CheckReport`` document; ``--junit`` also writes JUnit
XML (one testcase per scenario variant). Variants run on local processes (``--jobs``,
default every core) or on a Dask cluster; the report is the same either way.
Exit codes: 0 every scenario passes, 3 some fail, 1 bad input, 2 usage error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from podfit.check import ClusterInput, check, parse_policy, validate_baseline
from podfit.check.report import add_loader_warnings, failure_lines, junit_xml, scenario_label
from podfit.check.sweep import DASK_ADDRESS, Dask, Processes
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
from podfit.cli.params import files_option, load_files, validate_option
from podfit.cli.scheduler_options import SchedulerFlags, scheduler_options
from podfit.errors import ConfigError, FieldError, ManifestError
from podfit.manifests import Workload
from podfit.options.load import load_config
from podfit.yamlsafe import DEFAULT_LIMITS, load_all

__all__ = ["check_cmd"]

MAX_SHOWN = 10
"""Failing variants per scenario, and reasons per variant, that the table spells out."""


def render_table(report: Mapping[str, Any]) -> str:
    """Scenario lines (``SCENARIO VARIANTS FAILED RESULT``), then per failing scenario its
    first :data:`MAX_SHOWN` failing variants with their reasons, the verdict, and the
    comparison with the baseline when there is one."""
    rows = [
        [
            scenario_label(s),
            len(s["variants"]),
            sum(1 for v in s["variants"] if not v["passed"]),
            "pass" if s["passed"] else "FAIL",
        ]
        for s in report["scenarios"]
    ]
    out = table(["SCENARIO", "VARIANTS", "FAILED", "RESULT"], rows)
    for s in report["scenarios"]:
        failing = [v for v in s["variants"] if not v["passed"]]
        if not failing:
            continue
        out += f"\n{scenario_label(s)}:\n"
        for v in failing[:MAX_SHOWN]:
            out += f"  {v['name']}:\n"
            lines = failure_lines(v)
            out += "".join(f"    {line}\n" for line in lines[:MAX_SHOWN])
            if len(lines) > MAX_SHOWN:
                out += f"    ... and {len(lines) - MAX_SHOWN} more\n"
        if len(failing) > MAX_SHOWN:
            out += f"  ... and {len(failing) - MAX_SHOWN} more failing variants\n"
    summary = report["summary"]
    out += (
        f"\n{'PASSED' if report['passed'] else 'FAILED'}: {summary['scenarios']} scenarios "
        f"({summary['failedScenarios']} failed), {summary['variants']} variants "
        f"({summary['failedVariants']} failed)\n"
    )
    baseline = report.get("baseline")
    if baseline is not None:
        out += (
            f"since the baseline: {len(baseline['newFailures'])} new failures, "
            f"{len(baseline['fixed'])} fixed, {len(baseline['newlyPending'])} pods newly Pending\n"
        )
        out += "".join(f"  new failure: {n}\n" for n in baseline["newFailures"])
        out += "".join(f"  fixed: {n}\n" for n in baseline["fixed"])
        out += "".join(
            f"  newly Pending: {p['variant']}: {p['pod']}\n" for p in baseline["newlyPending"]
        )
    return out


def _read(path: str, option: str) -> bytes:
    """The bytes of ``path`` (at most the loader's size limit); errors name the option."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(DEFAULT_LIMITS.max_bytes + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}", option) from None
    if len(data) > DEFAULT_LIMITS.max_bytes:
        raise ConfigError(f"{path} is larger than {DEFAULT_LIMITS.max_bytes} bytes", option)
    return data


def read_policy(path: str) -> Any:
    """The policy file's one document (YAML or JSON), decoded."""
    docs = [d for d in load_all(_read(path, "--policy"), DEFAULT_LIMITS, path) if d is not None]
    if len(docs) != 1:
        raise ConfigError(f"{path} must hold one CheckPolicy document, not {len(docs)}", "--policy")
    return docs[0]


def _in_file(exc: ConfigError, path: str) -> ConfigError:
    """``exc`` with each error's field path after the policy file's name
    (``podfit-policy.yaml: scenarios[0].remove: …``), as manifest errors name theirs."""
    errors = [FieldError(f"{path}: {e.path}", e.message) for e in exc.errors]
    return ConfigError(errors[0].message, errors[0].path, errors)


def read_baseline(path: str) -> Mapping[str, Any]:
    """An earlier ``podfit check -o json`` report."""
    try:
        doc = json.loads(_read(path, "--baseline"))
    except ValueError as exc:
        raise ConfigError(f"{path} is not JSON: {exc}", "--baseline") from None
    return validate_baseline(doc, "--baseline")


def _named(items: tuple[str, ...]) -> list[tuple[str, str]]:
    """``NAME=PATH`` pairs; a missing ``=``, an empty side or a repeated name is a usage
    error."""
    out: list[tuple[str, str]] = []
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise click.UsageError(f'--cluster "{item}" is not NAME=PATH')
        if any(name == n for n, _ in out):
            raise click.UsageError(f'--cluster names "{name}" twice')
        out.append((name, path))
    return out


def _dask_address(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """``[PROTOCOL://]HOST:PORT``, else a usage error (before anything is loaded)."""
    if value is not None and not DASK_ADDRESS.match(value):
        raise click.BadParameter(f'"{value}" is not a Dask scheduler address (tcp://HOST:8786)')
    return value


@click.command("check")
@files_option(
    "Manifests of the cluster: workloads, nodes, running pods, HPAs, PDBs; '-' = stdin.",
    required=False,
)
@click.option(
    "--cluster",
    "named",
    multiple=True,
    metavar="NAME=PATH",
    help="A cluster to check (file or directory), repeatable; instead of -f.",
)
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(dir_okay=False),
    help="CheckPolicy file (default: as-is, hpa-max when there are HPAs, lose-any-node).",
)
@scheduler_options()
@output_option()
@validate_option()
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False), help="Write JUnit XML.")
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False),
    help="An earlier -o json report: list new failures, fixed ones, newly Pending pods.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 1024),
    default=None,
    help="Local worker processes [default: every core].",
)
@click.option(
    "--dask-scheduler",
    "dask_scheduler",
    metavar="ADDRESS",
    callback=_dask_address,
    help="Run the variants on this Dask scheduler (tcp://HOST:8786); needs podfit[dask].",
)
@handles_input_errors
def check_cmd(
    files: tuple[str, ...],
    named: tuple[str, ...],
    policy_file: str | None,
    scheduler: SchedulerFlags,
    output: str,
    junit_file: str | None,
    baseline_file: str | None,
    jobs: int | None,
    dask_scheduler: str | None,
) -> None:
    """Check that everything still fits: as-is, HPAs at max, a node or zone lost, headroom."""
    if bool(files) == bool(named):
        raise click.UsageError("give the cluster's manifests with -f, or clusters with --cluster")
    if dask_scheduler is not None and jobs is not None:
        raise click.UsageError("--jobs and --dask-scheduler exclude each other")
    structured = output in ("json", "yaml")
    config = load_config(scheduler.options())
    policy = None
    if policy_file is not None:
        try:
            policy = parse_policy(read_policy(policy_file), policy_file)
        except ConfigError as exc:
            raise _in_file(exc, policy_file) from None
    baseline = None if baseline_file is None else read_baseline(baseline_file)
    workloads: list[Workload] = []
    clusters: list[ClusterInput] = []
    if files:
        workloads.append(load_files(files, warn=structured))
        clusters.append(ClusterInput.of("", workloads[0], config))
    for name, path in _named(named):
        if not Path(path).exists():
            raise ManifestError("no such file or directory", f"--cluster {name}={path}")
        workload = load_files([path], warn=structured)
        workloads.append(workload)
        clusters.append(ClusterInput.of(name, workload, config))
    try:
        if dask_scheduler is None:
            report = check(clusters, policy, executor=Processes(jobs), baseline=baseline)
        else:
            dask = Dask(dask_scheduler)
            try:
                report = check(clusters, policy, executor=dask, baseline=baseline)
            finally:
                dask.close()
    except ConfigError as exc:
        if policy_file is not None and exc.path.startswith("scenarios["):  # cannot apply
            raise _in_file(exc, policy_file) from None
        raise
    add_loader_warnings(report, workloads)
    if structured:
        click.echo(dump(report, output), nl=False)
        echo_warnings(skipped_lines([s for workload in workloads for s in workload.skipped]))
    else:
        click.echo(render_table(report), nl=False)
        echo_report_warnings(report["warnings"], *workloads)
    if junit_file is not None:
        try:
            Path(junit_file).write_text(junit_xml(report), encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write {junit_file}: {exc.strerror}", "--junit") from None
    if not report["passed"]:
        sys.exit(EXIT_PENDING)
