"""podfit's scheduler: kube-scheduler's default profile, exact, deterministic and fast.

* :mod:`.model` — the integer-level ``PodInfo`` / ``NodeInfo``;
* :mod:`.filters` — one function per Filter plugin, returning exact reason strings;
* :mod:`.scores` — one small pure function per score plugin / strategy (Go arithmetic);
* :mod:`.messages` — the ``FailedScheduling`` text, preemption part included;
* :mod:`.placement` — the scheduling cycle, equivalence classes and score indexes;
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
