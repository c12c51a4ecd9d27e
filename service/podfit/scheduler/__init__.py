"""podfit's scheduler: kube-scheduler's default profile, exact, deterministic and fast.

* :mod:`.model` — the integer-level ``PodInfo`` / ``NodeInfo``;
* :mod:`.features` — what changes with the Kubernetes version, one row per version;
* :mod:`.framework` — status codes, extension points and the ``Plugin`` record;
* :mod:`.plugins` — one module per plugin: its name, reasons, filter and raw score;
* :mod:`.profile` — the default profile as one table; filter chains, keys, score sums;
* :mod:`.filters` — the plugins' filter functions and strings, as one import place;
* :mod:`.scores` — one small pure function per score plugin / strategy (Go arithmetic);
* :mod:`.messages` — the ``FailedScheduling`` text, preemption part included;
* :mod:`.scoring`, :mod:`.scan`, :mod:`.classes`, :mod:`.engine` — the scheduling cycle:
  score sums, the full scan, the equivalence index, the engine (:mod:`.placement` gathers
  them); :mod:`.daemonsets`, :mod:`.kubelet` — DaemonSet pods and kubelet admission;
* :mod:`.shortfall` — how far a Pending pod is from fitting and the smallest fix;
* :mod:`.run` — one run: running pods, kubelet admission, DaemonSets, the queue;
* :mod:`.result` — ``ScheduleResult`` and its JSON form;
* :mod:`.adapt` — building the integer model from ``podfit.pods.Pod`` / ``podfit.nodes.Node``.
"""

from __future__ import annotations

from podfit.scheduler.adapt import schedule
from podfit.scheduler.config import SchedulerConfig, make_config
from podfit.scheduler.result import PodOutcome, ScheduleResult

__all__ = ["PodOutcome", "ScheduleResult", "SchedulerConfig", "make_config", "schedule"]
