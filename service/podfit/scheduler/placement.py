"""Placement, as one import place: the scheduling cycle and everything it is made of.

* :mod:`.scoring` — ``Scorer`` (usage scores for one configuration) and ``score_nodes``;
* :mod:`.scan` — ``evaluate``, the plain full scan (the reference and ``--explain``);
* :mod:`.classes` — ``ClassIndex``, the equivalence index of the fast path;
* :mod:`.engine` — ``Engine``, cluster state, the cycle, the failure message, preemption;
* :mod:`.daemonsets` — the DaemonSet controller's pods and where they run;
* :mod:`.kubelet` — kubelet admission of pods that name their node.
"""

from __future__ import annotations

from podfit.scheduler.classes import ClassIndex
from podfit.scheduler.daemonsets import (
    daemonset_pod_for,
    daemonset_should_run,
    daemonset_tolerations,
)
from podfit.scheduler.engine import Decision, Engine
from podfit.scheduler.kubelet import Admission, kubelet_admit
from podfit.scheduler.scan import Evaluation, evaluate
from podfit.scheduler.scoring import Scorer, score_nodes

__all__ = [
    "Admission",
    "ClassIndex",
    "Decision",
    "Engine",
    "Evaluation",
    "Scorer",
    "daemonset_pod_for",
    "daemonset_should_run",
    "daemonset_tolerations",
    "evaluate",
    "kubelet_admit",
    "score_nodes",
]
