"""The ``CheckReport`` document, and what is made from it: the table, JUnit XML and the
comparison with an earlier report (``--baseline``).

.. code-block:: yaml

    apiVersion: podfit/v1
    kind: CheckReport
    passed: false
    summary: {scenarios: 3, failedScenarios: 1, variants: 502, failedVariants: 2}
    scenarios:
    - name: lose-any-node
      cluster: prod          # only with several clusters (--cluster NAME=PATH)
      passed: false
      notes: []
      variants:
      - name: node/node-a
        passed: false
        removedNodes: [node-a]
        evicted: 12
        pending: [{namespace, name, owner, message, shortfall}]
        violations: [{type, message, ...}]  # PodLost, PodDisruptionBudget, MaxRequested,
                                            # KubeletRejected
        notes: []
    warnings: []

Everything is in input order (clusters, scenarios, variants, pods), never in completion
order, so the bytes depend only on the input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from podfit.manifests import Workload
from podfit.scheduler.result import API_VERSION

__all__ = [
    "REPORT_KIND",
    "add_loader_warnings",
    "assemble",
    "compare",
    "failure_lines",
    "junit_xml",
    "scenario_label",
]

REPORT_KIND = "CheckReport"


def assemble(
    clusters: Sequence[str],
    scenario_names: Sequence[str],
    entries: Mapping[tuple[int, int], list[dict[str, Any]]],
    notes: Mapping[tuple[int, int], list[str]],
    warnings: Sequence[str],
) -> dict[str, Any]:
    """The report: one scenario entry per (cluster, scenario), its variants in order.
    ``clusters`` names the clusters; with a single unnamed cluster (``""``) the entries
    carry no ``cluster`` field. Cost: O(variants)."""
    scenarios = []
    for c, cluster in enumerate(clusters):
        for s, name in enumerate(scenario_names):
            variants = entries.get((c, s), [])
            scenario_notes = list(dict.fromkeys(notes.get((c, s), [])))
            entry: dict[str, Any] = {"name": name}
            if cluster:
                entry["cluster"] = cluster
            entry["passed"] = all(v["passed"] for v in variants)
            entry["notes"] = scenario_notes
            entry["variants"] = variants
            scenarios.append(entry)
    variants_total = sum(len(s["variants"]) for s in scenarios)
    failed_variants = sum(1 for s in scenarios for v in s["variants"] if not v["passed"])
    return {
        "apiVersion": API_VERSION,
        "kind": REPORT_KIND,
        "passed": all(s["passed"] for s in scenarios),
        "summary": {
            "scenarios": len(scenarios),
            "failedScenarios": sum(1 for s in scenarios if not s["passed"]),
            "variants": variants_total,
            "failedVariants": failed_variants,
        },
        "scenarios": scenarios,
        "warnings": list(dict.fromkeys(warnings)),
    }


def add_loader_warnings(report: dict[str, Any], workloads: Sequence[Workload]) -> None:
    """Complete ``report["warnings"]`` as every podfit answer orders them, each once: the
    loader's assumptions, the check's own, then one per object that created no pods."""
    loaded = [w for workload in workloads for w in workload.warnings]
    skipped = [w for workload in workloads for w in workload.skipped_warnings()]
    report["warnings"] = list(dict.fromkeys([*loaded, *report["warnings"], *skipped]))


def scenario_label(scenario: Mapping[str, Any]) -> str:
    cluster = scenario.get("cluster")
    return f"{cluster}/{scenario['name']}" if cluster else str(scenario["name"])


def failure_lines(variant: Mapping[str, Any]) -> list[str]:
    """A failing variant's reasons, one line each: ``ns/name: <FailedScheduling message>``
    per Pending pod, then each violation's message."""
    lines = [f"{p['namespace']}/{p['name']}: {p['message']}" for p in variant["pending"]]
    lines.extend(str(v["message"]) for v in variant["violations"])
    return lines


def _count(n: int, noun: str) -> str:
    """``1 pod``, ``2 pods``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def junit_xml(report: Mapping[str, Any]) -> str:
    """JUnit XML as Jenkins, GitLab and GitHub test reporters read it: ``<testsuites>``
    holding one ``<testsuite name="podfit check">`` with one ``<testcase>`` per scenario
    variant (``classname`` the scenario, ``name`` the variant); a failing variant has a
    ``<failure type="Pending|Violation">`` whose text lists its Pending pods' messages
    and its violations. No timestamps or durations, so the file is deterministic."""
    cases = []
    failures = 0
    for s in report["scenarios"]:
        label = scenario_label(s)
        for v in s["variants"]:
            attrs = f"classname={quoteattr(label)} name={quoteattr(label + ' ' + v['name'])}"
            if v["passed"]:
                cases.append(f"    <testcase {attrs}/>\n")
                continue
            failures += 1
            pending, violations = len(v["pending"]), len(v["violations"])
            message = f"{_count(pending, 'pod')} Pending, {_count(violations, 'violation')}"
            kind = "Pending" if pending else "Violation"
            text = escape("\n".join(failure_lines(v)))
            failure = f"<failure type={quoteattr(kind)} message={quoteattr(message)}>"
            cases.append(
                f"    <testcase {attrs}>\n      {failure}{text}</failure>\n    </testcase>\n"
            )
    tests = len(cases)
    counts = f'tests="{tests}" failures="{failures}" errors="0"'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="podfit check" {counts}>\n'
        f'  <testsuite name="podfit check" {counts} skipped="0">\n'
        + "".join(cases)
        + "  </testsuite>\n</testsuites>\n"
    )


def _index(report: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{scenario_label(s)} {v['name']}": v
        for s in report.get("scenarios", [])
        for v in s.get("variants", [])
    }


def compare(report: Mapping[str, Any], baseline: Mapping[str, Any]) -> dict[str, Any]:
    """What changed since ``baseline`` (an earlier CheckReport), variants matched by
    scenario (and cluster) and variant name: ``newFailures`` (failing now, passing or
    absent then), ``fixed`` (failing then, passing now; a variant gone counts as
    neither), ``newlyPending`` (pods Pending now that were not Pending in the same
    variant then). Each list in report order."""
    now, then = _index(report), _index(baseline)
    new_failures, fixed, newly = [], [], []
    for key, variant in now.items():
        old = then.get(key)
        if not variant["passed"] and (old is None or old.get("passed")):
            new_failures.append(key)
        if variant["passed"] and old is not None and not old.get("passed"):
            fixed.append(key)
        before = {f"{p.get('namespace')}/{p.get('name')}" for p in (old or {}).get("pending", [])}
        for p in variant["pending"]:
            who = f"{p['namespace']}/{p['name']}"
            if who not in before:
                newly.append({"variant": key, "pod": who})
    return {"newFailures": new_failures, "fixed": fixed, "newlyPending": newly}
