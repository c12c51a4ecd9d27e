"""The options every edge loads (:mod:`podfit.options.load`, :mod:`podfit.options.plan`)
and the values they become. :class:`ScheduleOptions` is what a schedule request sets;
planning options become the planners' keyword arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from podfit.scheduler.config import SchedulerConfig


@dataclass(frozen=True, slots=True)
class ScheduleOptions:
    """What a schedule request sets: the validated scheduler configuration, and whether
    to explain each pod's placement."""

    config: SchedulerConfig
    explain: bool = False
