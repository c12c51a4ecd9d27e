"""What a check reads besides pods and nodes — HorizontalPodAutoscalers and
PodDisruptionBudgets — and the two rules that use them.

* :func:`scale` — every HPA's target at ``maxReplicas`` (``hpaMax``) or ``minReplicas``
  (``hpaMin``): replicas of the target's pod template are added (named like the reader
  names them, ``<prefix>-<i>`` continuing the ordinals) or removed (unbound pods first,
  then the last ones in input order, so running pods of a live cluster go last).
* :class:`Budget` (defined in :mod:`podfit.planning.drain`, shared with ``plan drain``) —
  a PDB's ``desiredHealthy`` and the pods it selects, as the
  disruption controller computes them (``pkg/controller/disruption``): ``minAvailable``
  as an integer is the number itself; as a percentage, and ``maxUnavailable`` in both
  forms, scale against the sum of the selected pods' controllers' replicas (rounded up);
  ``desiredHealthy = expected - maxUnavailable`` (at least 0). Pods without a controller
  count in no controller's scale.

The manifest loader reads both kinds (``Workload.autoscalers``,
``Workload.disruption_budgets``: :mod:`podfit.manifests.objects`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from podfit.manifests import Workload
from podfit.manifests.objects import HorizontalPodAutoscaler, PodDisruptionBudget
from podfit.planning.drain import Budget, controller_key
from podfit.pods import Pod, replicas

__all__ = ["Budget", "controller_key", "from_workload", "scale"]

HPA_MAX = "hpaMax"
HPA_MIN = "hpaMin"


_ORDINAL = re.compile(r"^(.*)-(\d+)$")


def _new_names(
    pods: Sequence[Pod], target_name: str, count: int, namespace: str, taken: set[tuple[str, str]]
) -> list[str]:
    """``count`` new pod names for a workload whose pods are ``pods``: the reader's pattern
    ``<prefix>-<i>`` continued past the highest ordinal, names already taken skipped."""
    prefix, top = f"{target_name}-hpa", -1
    for pod in pods:
        m = _ORDINAL.match(pod.name)
        if m:
            prefix, top = m.group(1), max(top, int(m.group(2)))
    out: list[str] = []
    i = top + 1
    while len(out) < count:
        name = f"{prefix}-{i}"
        if (namespace, name) not in taken:
            out.append(name)
        i += 1
    return out


def _owned_by(pod: Pod, hpa: HorizontalPodAutoscaler, owners: Mapping[str, str]) -> bool:
    """``pod`` belongs to the HPA's target: owner ``Kind/name``, or for a Deployment, a
    pod of one of its ReplicaSets as ``kubectl get pods -o json`` shows them — the
    ReplicaSet's own owner when the input has the ReplicaSet (``owners``), else by its
    name, ``<deployment>-<pod-template-hash>``."""
    if pod.namespace != hpa.namespace or pod.owner is None:
        return False
    kind, name = hpa.target.kind, hpa.target.name
    if pod.owner == f"{kind}/{name}":
        return True
    controller = owners.get(f"{pod.namespace}/{pod.owner}")
    if controller is not None:
        return controller == f"{kind}/{name}"
    if kind == "Deployment" and pod.owner.startswith(f"ReplicaSet/{name}-"):
        return "-" not in pod.owner[len(f"ReplicaSet/{name}-") :]
    return False


def scale(
    pods: Sequence[Pod],
    hpas: Sequence[HorizontalPodAutoscaler],
    mode: str,
    owners: Mapping[str, str] | None = None,
) -> tuple[list[Pod], list[str]]:
    """``pods`` with every HPA target at its ``maxReplicas`` (``mode`` hpaMax) or
    ``minReplicas`` (hpaMin), and one note per HPA that changes nothing or cannot act.

    New replicas copy the target's last unbound pod (else its last pod, unbound), are
    appended after the target's last pod and named by :func:`_new_names`. Removed
    replicas: unbound ones first (the last first), then bound ones from the end (a
    ReplicaSet deletes unscheduled pods before scheduled ones). Input order is otherwise
    kept. Terminal pods are not replicas. ``owners`` maps ``namespace/ReplicaSet/name`` to
    the ReplicaSet's owner ``Kind/name`` (:func:`from_workload`). Cost: O(pods × HPAs).
    """
    out = list(pods)
    notes: list[str] = []
    taken = {(p.namespace, p.name) for p in out}
    for hpa in hpas:
        want = hpa.max_replicas if mode == HPA_MAX else hpa.min_replicas
        index = [
            i for i, p in enumerate(out) if _owned_by(p, hpa, owners or {}) and not p.is_terminal
        ]
        who = f"HorizontalPodAutoscaler {hpa.namespace}/{hpa.name}"
        if not index:
            target = f"{hpa.target.kind}/{hpa.target.name}"
            notes.append(f"{who}: its target {target} has no pods in the input: not scaled")
            continue
        have = len(index)
        if have == want:
            continue
        if want > have:
            mine = [out[i] for i in index]
            unbound = [p for p in mine if not p.node_name]
            template = unbound[-1] if unbound else mine[-1]
            if template.node_name or template.phase:
                template = replace(template, node_name=None, phase=None)
            names = _new_names(mine, hpa.target.name, want - have, hpa.namespace, taken)
            new = replicas(template, names)
            taken.update((hpa.namespace, n) for n in names)
            at = index[-1] + 1
            out[at:at] = new
        else:
            order = [i for i in reversed(index) if not out[i].node_name] + [
                i for i in reversed(index) if out[i].node_name
            ]
            drop = set(order[: have - want])
            out = [p for i, p in enumerate(out) if i not in drop]
    return out, notes


def from_workload(
    workload: Workload,
) -> tuple[list[HorizontalPodAutoscaler], list[PodDisruptionBudget], dict[str, str]]:
    """The HPAs and PDBs the manifest loader read, and the owners of its controllers
    (``namespace/ReplicaSet/name`` → ``Deployment/name``) for :func:`scale`."""
    owners = {
        f"{c.namespace}/{c.ref}": f"{c.owner.kind}/{c.owner.name}"
        for c in workload.controllers
        if c.owner is not None
    }
    return list(workload.autoscalers), list(workload.disruption_budgets), owners
