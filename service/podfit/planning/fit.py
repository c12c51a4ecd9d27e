"""How many more replicas fit? (cluster-capacity semantics, several templates.)

The cluster (nodes, running pods, DaemonSets, and the workload's own pods) is first
scheduled as ``podfit.schedule`` would. Then replicas of each template go through the
same scheduling cycle one at a time (``Engine.schedule``: every filter, every score,
the tie rule) until one does not fit; that replica's FailedScheduling message is the
template's stop reason. Preemption is not carried out (like cluster-capacity): a replica
that could only fit by evicting pods stops its template.

PodTopologySpread and InterPodAffinity decide as in ``podfit.schedule``: the workload's
Services, controllers and Namespaces go to the scheduler the same way (``Cluster``), so a
template with required hostname anti-affinity against its own pods fits once per free
node, and the default spreading of the cluster's and the templates' pods is modelled.

Modes: ``sequence`` fills the first template to its limit, then the second, …;
``interleave`` adds one replica of each still-fitting template in turn and retires a
template at its first failure, so templates share the room fairly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from podfit.deadline import NO_DEADLINE, Deadline
from podfit.errors import ConfigError
from podfit.manifests import objects
from podfit.nodes import Node
from podfit.planning.cluster import Cluster, replica
from podfit.planning.fragmentation import Fragmentation, fragmentation
from podfit.planning.report import envelope
from podfit.pods import Pod
from podfit.scheduler.config import SchedulerConfig
from podfit.scheduler.filters import UNSCHEDULABLE
from podfit.scheduler.model import PodInfo
from podfit.scheduler.placement import Engine

__all__ = ["MODES", "FitReport", "TemplateFit", "how_many_fit"]

MODES = ("sequence", "interleave")
DEFAULT_MAX_REPLICAS = 10_000
LIMIT_REACHED = "LimitReached"


@dataclass(slots=True)
class TemplateFit:
    """One template: replicas that fit, where they went, and why the next one did not."""

    name: str
    replicas: int = 0
    per_node: dict[str, int] = field(default_factory=dict)
    stop: str = ""
    stop_reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "template": self.name,
            "replicas": self.replicas,
            "perNode": dict(sorted(self.per_node.items())),
            "stop": self.stop,
            "stopReason": self.stop_reason,
        }


@dataclass(slots=True)
class FitReport:
    """The answer of ``how_many_fit`` (``to_dict`` is the versioned FitReport document)."""

    mode: str
    kubernetes_version: str
    strategy: str
    templates: list[TemplateFit]
    already_pending: int
    fragmentation: Fragmentation
    max_replicas: int
    warnings: list[str] = field(default_factory=list)
    """What the report does not account for, each once (the callers add the loader's)."""

    @property
    def total(self) -> int:
        return sum(t.replicas for t in self.templates)

    def to_dict(self) -> dict[str, Any]:
        return envelope(
            "FitReport",
            {
                "kubernetesVersion": self.kubernetes_version,
                "strategy": self.strategy,
                "mode": self.mode,
                "maxReplicas": self.max_replicas,
                "summary": {
                    "replicas": self.total,
                    "templates": len(self.templates),
                    "alreadyPending": self.already_pending,
                },
                "templates": [t.to_dict() for t in self.templates],
                "fragmentation": self.fragmentation.to_dict(),
                "warnings": list(self.warnings),
            },
        )


def _template_name(pod: Pod, index: int) -> str:
    return pod.owner or pod.name or f"template-{index}"


def how_many_fit(
    templates: Sequence[Pod],
    pods: Sequence[Pod],
    nodes: Sequence[Node],
    *,
    daemonsets: Sequence[Pod] = (),
    mode: str = "sequence",
    max_replicas: int = DEFAULT_MAX_REPLICAS,
    config: SchedulerConfig | None = None,
    progress: Callable[[int], None] | None = None,
    services: Iterable[objects.Service] = (),
    namespaces: Iterable[objects.Namespace] = (),
    controllers: Iterable[objects.Controller] = (),
    disruption_budgets: Iterable[objects.PodDisruptionBudget] = (),
    deadline: Deadline = NO_DEADLINE,
) -> FitReport:
    """Add replicas of ``templates`` to the cluster until each stops fitting (module doc).

    ``max_replicas`` bounds the total work (all templates together); reaching it stops
    with ``stop = "LimitReached"``. ``progress`` is called with the number of replicas
    placed so far (every 100); ``deadline`` is checked inside the run that places the
    existing pods first and before each replica (a scheduling cycle on a large cluster
    takes milliseconds). ``services`` …
    ``disruption_budgets`` are the workload's objects, as :func:`podfit.schedule` takes
    them. Cost: one scheduling cycle per replica.
    """
    if mode not in MODES:
        raise ConfigError(f'unknown mode "{mode}" (one of {", ".join(MODES)})', "mode")
    if not templates:
        raise ConfigError("at least one pod template is needed", "templates")
    if not 1 <= max_replicas <= 1_000_000:
        raise ConfigError(f"must be in [1, 1000000], got {max_replicas}", "maxReplicas")
    cluster = Cluster(
        pods,
        nodes,
        daemonsets,
        config,
        services=services,
        namespaces=namespaces,
        controllers=controllers,
        disruption_budgets=disruption_budgets,
        deadline=deadline,
    )
    baseline = cluster.run()
    deadline.check("adding replicas")
    engine = Engine(
        baseline.nodes, cluster.cfg, namespaces=cluster.namespaces, budgets=cluster.budgets
    )
    infos = cluster.pod_infos(templates, "templates")
    fits = [TemplateFit(_template_name(t, i)) for i, t in enumerate(templates)]
    seen: dict[str, int] = {}
    for i, f in enumerate(fits):  # keep names unique in the report
        if f.name in seen:
            f.name = f"{f.name}#{i}"
        seen[f.name] = i
    placed = 0

    def add_one(k: int) -> bool:
        nonlocal placed
        deadline.check("adding replicas")
        fit = fits[k]
        pod = replica(infos[k], f"{infos[k].name}-plan-{fit.replicas + 1}")
        decision = engine.schedule(pod)
        if decision.node is None:
            fit.stop = UNSCHEDULABLE
            fit.stop_reason = decision.message or ""
            return False
        node = engine.nodes[decision.node].name
        fit.per_node[node] = fit.per_node.get(node, 0) + 1
        fit.replicas += 1
        placed += 1
        if progress is not None and placed % 100 == 0:
            progress(placed)
        return True

    limit_text = f"the limit of {max_replicas} replicas was reached"
    if mode == "sequence":
        for k in range(len(fits)):
            while placed < max_replicas and add_one(k):
                pass
            if placed >= max_replicas and not fits[k].stop:
                fits[k].stop, fits[k].stop_reason = LIMIT_REACHED, limit_text
    else:
        active = list(range(len(fits)))
        while active and placed < max_replicas:
            active = [k for k in active if placed < max_replicas and add_one(k)]
        for f in fits:
            if not f.stop:
                f.stop, f.stop_reason = LIMIT_REACHED, limit_text
    for f in fits:
        if not f.stop:
            f.stop, f.stop_reason = LIMIT_REACHED, limit_text
    shapes: list[tuple[str, PodInfo]] = [
        (f.name, info) for f, info in zip(fits, infos, strict=True)
    ]
    return FitReport(
        mode=mode,
        kubernetes_version=cluster.cfg.version,
        strategy=cluster.cfg.strategy,
        templates=fits,
        already_pending=len(baseline.pending),
        fragmentation=fragmentation(engine.nodes, shapes, cluster.cfg.filter_config),
        max_replicas=max_replicas,
    )
