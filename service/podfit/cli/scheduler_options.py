"""The scheduler options of ``podfit schedule`` and ``podfit plan fit|nodes|drain``: one
click decorator, :func:`scheduler_options`, whose values become the input of the one
scheduler configuration schema (:mod:`podfit.schemas.config`), spelled as the HTTP API
spells them. Kept apart from :mod:`podfit.cli.params` so that the commands that do not
schedule import none of the scheduler."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import click

from podfit.cli.params import R
from podfit.errors import ConfigError
from podfit.scheduler.config import DEFAULT_STRATEGY
from podfit.scheduler.features import DEFAULT_VERSION, SUPPORTED_VERSIONS
from podfit.scheduler.scores import STRATEGIES


def parse_scoring_shape(text: str, flag: str) -> list[dict[str, int]]:
    """``0:0,100:10`` → the JSON shape ``[{"utilization": 0, "score": 0}, ...]``; a part
    that is not two integers is a ``ConfigError`` at ``flag[i]``."""
    points = []
    for i, part in enumerate(text.split(",")):
        try:
            u, s = part.split(":")
            points.append({"utilization": int(u), "score": int(s)})
        except ValueError:
            raise ConfigError(
                f'"{part}" is not UTILIZATION:SCORE (e.g. 0:0,100:10)', f"{flag}[{i}]"
            ) from None
    return points


def parse_weights(items: Sequence[str]) -> list[dict[str, Any]]:
    """``cpu=1 memory=2`` → ``[{"name": "cpu", "weight": 1}, ...]``; an item without an
    integer weight is a ``ConfigError`` at ``--weight[i]``."""
    out = []
    for i, item in enumerate(items):
        name, _, weight = item.partition("=")
        try:
            out.append({"name": name, "weight": int(weight)})
        except ValueError:
            raise ConfigError(f'"{item}" is not NAME=WEIGHT', f"--weight[{i}]") from None
    return out


@dataclass(frozen=True, slots=True)
class SchedulerFlags:
    """The scheduler options as given on the command line (see :func:`scheduler_options`)."""

    strategy: str
    version: str
    weights: tuple[str, ...]
    scoring_shape: str | None
    ignored_resources: tuple[str, ...]
    ignored_groups: tuple[str, ...]
    dra: bool | None
    shape: str | None = None
    """``podfit schedule --shape``: the deprecated alias of ``--scoring-shape``."""
    preemption: bool = True
    """``--preemption/--no-preemption``: DefaultPreemption evicts (default) or reports."""

    def options(self) -> dict[str, Any]:
        """The options as the input of :mod:`podfit.schemas.config` (each by its one JSON
        name, so errors name the same fields as the HTTP API's); ``ConfigError`` for a
        malformed ``--weight`` or shape."""
        data: dict[str, Any] = {
            "strategy": self.strategy,
            "kubernetesVersion": self.version,
            "ignoredResources": list(self.ignored_resources),
            "ignoredResourceGroups": list(self.ignored_groups),
            "dra": self.dra,
            "preemption": self.preemption,
        }
        if self.weights:
            data["resources"] = parse_weights(self.weights)
        if self.scoring_shape is not None:
            data["scoringShape"] = parse_scoring_shape(self.scoring_shape, "--scoring-shape")
        if self.shape is not None:
            data["shape"] = parse_scoring_shape(self.shape, "--shape")
        return data


_PREEMPTION = click.option(
    "--preemption/--no-preemption",
    default=True,
    help="DefaultPreemption evicts lower-priority pods as in a cluster (default); with"
    " --no-preemption the pod stays Pending and its shortfall names the victims.",
)
"""Only ``podfit schedule`` has it: plans and checks answer "does it fit without evicting
anything?" and never evict."""


def _scheduler_params(shape_alias: bool, preemption: bool) -> list[Callable[[Any], Any]]:
    shape = [
        click.option(
            "--shape",
            "shape_alias",
            help="Deprecated alias of --scoring-shape.",
        )
    ]
    return [
        click.option(
            "--strategy",
            type=click.Choice(list(STRATEGIES)),
            default=DEFAULT_STRATEGY,
            show_default=True,
            help="NodeResourcesFit scoring strategy.",
        ),
        click.option(
            "--kubernetes-version",
            "version",
            type=click.Choice(list(SUPPORTED_VERSIONS)),
            default=None,
            help="Kubernetes version whose wording and behaviour to follow"
            f"  [default: {DEFAULT_VERSION}]",
        ),
        click.option(
            "--version",
            "version_alias",
            type=click.Choice(list(SUPPORTED_VERSIONS)),
            default=None,
            hidden=True,
            help="Deprecated spelling of --kubernetes-version.",
        ),
        click.option(
            "--scoring-shape",
            "scoring_shape",
            help="RequestedToCapacityRatio shape, e.g. 0:0,100:10.",
        ),
        *(shape if shape_alias else []),
        click.option(
            "--weight", "weights", multiple=True, help="Scoring resource weight NAME=WEIGHT."
        ),
        click.option(
            "--ignored-resource",
            "ignored_resources",
            multiple=True,
            help="Extended resource NodeResourcesFit does not check (ignoredResources).",
        ),
        click.option(
            "--ignored-resource-group",
            "ignored_groups",
            multiple=True,
            help="Extended resource domain NodeResourcesFit does not check"
            " (ignoredResourceGroups).",
        ),
        click.option(
            "--dra/--no-dra",
            default=None,
            help="DynamicResources in the profile (adds 'no new claims to deallocate, ' to"
            " messages; default: on from 1.34, off in 1.33).",
        ),
        *([_PREEMPTION] if preemption else []),
    ]


def kubernetes_version(given: str | None, deprecated: str | None) -> str:
    """The ``--kubernetes-version`` value, or the old ``--version`` spelling's with a
    deprecation note on stderr (``podfit --version`` alone is podfit's own version);
    both with different values is a usage error. Default: :data:`DEFAULT_VERSION`."""
    if deprecated is not None:
        click.echo(
            "warning: --version is deprecated for the Kubernetes version; use --kubernetes-version",
            err=True,
        )
        if given is not None and given != deprecated:
            raise click.UsageError(
                f"--kubernetes-version {given} and --version {deprecated} disagree; "
                "give --kubernetes-version only"
            )
    return given or deprecated or DEFAULT_VERSION


def scheduler_options(
    *, shape_alias: bool = False, preemption: bool = False
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """The scheduler options of every command that schedules (``--strategy``,
    ``--kubernetes-version`` (the hidden, deprecated ``--version`` still read),
    ``--scoring-shape``, ``--weight``, ``--ignored-resource``,
    ``--ignored-resource-group``, ``--dra/--no-dra``; with ``shape_alias`` also the old
    ``--shape``; with ``preemption`` — ``podfit schedule`` only — ``--preemption/
    --no-preemption``: plans and checks never evict, so they do not offer it and keep
    the configuration's default, as their HTTP endpoints do), handed to the command as
    one ``scheduler`` keyword: a :class:`SchedulerFlags`, turned into the schema's input
    by its ``options()``."""

    def decorate(func: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(func)
        def wrapper(
            *args: Any,
            strategy: str,
            version: str | None,
            version_alias: str | None,
            weights: tuple[str, ...],
            scoring_shape: str | None,
            ignored_resources: tuple[str, ...],
            ignored_groups: tuple[str, ...],
            dra: bool | None,
            preemption: bool = True,
            shape_alias: str | None = None,
            **kwargs: Any,
        ) -> R:
            flags = SchedulerFlags(
                strategy,
                kubernetes_version(version, version_alias),
                weights,
                scoring_shape,
                ignored_resources,
                ignored_groups,
                dra,
                shape_alias,
                preemption,
            )
            return func(*args, scheduler=flags, **kwargs)

        command: Callable[..., R] = wrapper
        for param in reversed(_scheduler_params(shape_alias, preemption)):
            command = param(command)
        return command

    return decorate
