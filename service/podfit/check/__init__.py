"""``podfit check``: does everything still fit — as-is, with HPAs at their maximum, with a
node or a zone lost, with the promised headroom left — as a CI gate.

* :mod:`.policy` — the ``CheckPolicy`` document (scenarios), read strictly;
* :mod:`.inputs` — HPA targets scaled to min/max replicas; PodDisruptionBudget budgets;
* :mod:`.engine` — one base schedule per replicas mode, variants as incremental drains;
* :mod:`.sweep` — variants as tasks, run inline, on local processes or on Dask;
* :mod:`.report` — the ``CheckReport`` document, JUnit XML, the baseline comparison.

:func:`check` is the entry point the CLI and the HTTP API share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from podfit.check.engine import ClusterInput
from podfit.check.inputs import scale
from podfit.check.policy import Policy, default_policy, parse_policy
from podfit.check.report import REPORT_KIND, assemble, compare
from podfit.check.sweep import Executor, Inline, plan_tasks
from podfit.errors import ConfigError
from podfit.scheduler.result import API_VERSION

__all__ = ["ClusterInput", "Policy", "check", "default_policy", "parse_policy", "validate_baseline"]

CHUNKS_PER_WORKER = 4
"""Tasks per worker: enough to balance uneven variants, few enough to keep overhead low."""


def _convert_all(cluster: ClusterInput) -> None:
    """Convert every pod and node of ``cluster`` once, so bad quantities are reported
    here, before any task runs. The check models what ``plan drain`` models (its
    Services, Namespaces and controllers reach the scheduler: :meth:`ClusterInput.plan`),
    so it adds no warning of its own. Cost: O(pods + nodes)."""
    plan = cluster.plan()
    plan.pod_infos()
    plan.node_infos()


def check(
    clusters: Sequence[ClusterInput],
    policy: Policy | None = None,
    *,
    executor: Executor | None = None,
    baseline: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Run ``policy`` (default: :func:`default_policy`) on every cluster; return the
    ``CheckReport`` document. ``executor`` runs the variants (default: in this process);
    the report does not depend on it. ``baseline`` (an earlier report) adds the
    ``baseline`` comparison. The report's ``warnings`` are the callers' (the loader's:
    what no scheduler run models, such as volumes)."""
    if not clusters:
        raise ConfigError("no cluster to check", "clusters")
    if policy is None:
        policy = default_policy(any(c.autoscalers for c in clusters))
    runner = executor or Inline()
    for cluster in clusters:
        _convert_all(cluster)
    tasks, notes = plan_tasks(clusters, policy, runner.workers * CHUNKS_PER_WORKER)
    results = runner.run(clusters, policy, tasks)
    entries: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for (c, variants), result in zip(tasks, results, strict=True):
        for (s, _, _), entry in zip(variants, result, strict=True):
            entries.setdefault((c, s), []).append(entry)
    for (c, s), base_notes in _base_notes(clusters, policy).items():
        notes[c, s] = [*base_notes, *notes.get((c, s), [])]
    report = assemble(
        [c.name for c in clusters],
        [s.name for s in policy.scenarios],
        entries,
        notes,
        [],
    )
    if baseline is not None:
        report["baseline"] = compare(report, baseline)
    return report


def _base_notes(
    clusters: Sequence[ClusterInput], policy: Policy
) -> dict[tuple[int, int], list[str]]:
    """The replicas notes of each (cluster, scenario): HPAs that cannot act."""
    out: dict[tuple[int, int], list[str]] = {}
    for c, cluster in enumerate(clusters):
        for s, scenario in enumerate(policy.scenarios):
            if scenario.replicas is None:
                continue
            if not cluster.autoscalers:
                out[c, s] = ["the input has no HorizontalPodAutoscaler: replicas as given"]
                continue
            out[c, s] = scale(cluster.pods, cluster.autoscalers, scenario.replicas, cluster.owners)[
                1
            ]
    return out


def validate_baseline(doc: Any, source: str = "--baseline") -> Mapping[str, Any]:
    """``doc`` if it is a CheckReport (apiVersion podfit/v1, kind CheckReport, a
    ``scenarios`` list of named scenarios with named variants, each ``pending`` a list of
    objects), else ``ConfigError``."""
    ok = (
        isinstance(doc, dict)
        and doc.get("apiVersion") == API_VERSION
        and doc.get("kind") == REPORT_KIND
        and isinstance(doc.get("scenarios"), list)
        and all(
            isinstance(s, dict)
            and isinstance(s.get("name"), str)
            and isinstance(s.get("variants"), list)
            and all(
                isinstance(v, dict)
                and isinstance(v.get("name"), str)
                and isinstance(v.get("pending", []), list)
                and all(isinstance(p, dict) for p in v.get("pending", []))
                for v in s["variants"]
            )
            for s in doc["scenarios"]
        )
    )
    if not ok:
        raise ConfigError(
            f"is not a {API_VERSION} CheckReport (the JSON that podfit check -o json writes)",
            source,
        )
    assert isinstance(doc, dict)
    return doc
