"""click parameters shared by the ``podfit`` subcommands: the ``QUANTITY`` type, the
manifest files option with its reader, and the scheduler options of ``podfit schedule``
and ``podfit plan`` (:func:`scheduler_options`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from podfit.cli.output import echo_warnings
from podfit.errors import ConfigError, ManifestError, QuantityError
from podfit.manifests import MANIFEST_SUFFIXES, Workload, load
from podfit.quantity import Quantity, parse_quantity
from podfit.scheduler.config import DEFAULT_STRATEGY
from podfit.scheduler.features import DEFAULT_VERSION, SUPPORTED_VERSIONS
from podfit.scheduler.scores import STRATEGIES

P = ParamSpec("P")
R = TypeVar("R")


class QuantityParamType(click.ParamType):  # type: ignore[type-arg]
    """A Kubernetes quantity argument or option (``--cpu 250m``), parsed exactly.

    A bad value is a usage error (exit code 2) whose message is the one
    ``parse_quantity`` raises, the same text the HTTP API returns.
    """

    name = "quantity"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> Quantity:
        if isinstance(value, Quantity):
            return value
        try:
            return parse_quantity(value if isinstance(value, str) else str(value))
        except QuantityError as exc:
            self.fail(str(exc), param, ctx)


QUANTITY = QuantityParamType()


def files_option(
    help_text: str, *flags: str, dest: str = "files"
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """The repeatable, required ``-f/--filename`` option (or ``flags``) naming manifest
    files, directories or ``-`` (stdin); read them with :func:`load_files`."""
    return click.option(
        *(flags or ("-f", "--filename")),
        dest,
        multiple=True,
        required=True,
        type=click.Path(allow_dash=True),
        help=help_text,
    )


def load_files(files: Sequence[str], *, warn: bool = True) -> Workload:
    """Read manifest files, directories (their ``*.yaml``/``*.yml``/``*.json``) and ``-``.

    Each name is a path, never manifest text, even when it starts with ``{`` or ``[``.
    A directory without any such file is an error, as ``kubectl apply -f DIR`` has it
    ("no objects passed"), not an empty input; so are inputs that hold no object at all
    (empty files, only comments: the API answers 422 "the body holds no document"). With
    ``warn``, the loader's warnings (things it assumed) go to stderr.
    """
    for name in files:
        path = Path(name)
        if (
            name != "-"
            and path.is_dir()
            and not any(p.suffix in MANIFEST_SUFFIXES and p.is_file() for p in path.iterdir())
        ):
            suffixes = ", ".join(f"*{s}" for s in MANIFEST_SUFFIXES)
            raise ManifestError(f"the directory holds no manifest file ({suffixes})", name)
    workload = load(*(name if name == "-" else Path(name) for name in files))
    if not workload.objects:
        where = ", ".join("<stdin>" if name == "-" else name for name in files)
        raise ManifestError(
            "the input holds no object (it is empty or only comments)", where or "-f"
        )
    if warn:
        echo_warnings(workload.warnings)
    return workload


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
        }
        if self.weights:
            data["resources"] = parse_weights(self.weights)
        if self.scoring_shape is not None:
            data["scoringShape"] = parse_scoring_shape(self.scoring_shape, "--scoring-shape")
        if self.shape is not None:
            data["shape"] = parse_scoring_shape(self.shape, "--shape")
        return data


def _scheduler_params(shape_alias: bool) -> list[Callable[[Any], Any]]:
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
            "--version",
            "version",
            type=click.Choice(list(SUPPORTED_VERSIONS)),
            default=DEFAULT_VERSION,
            show_default=True,
            help="Kubernetes version whose wording and behaviour to follow.",
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
    ]


def scheduler_options(
    *, shape_alias: bool = False
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """The scheduler options of every command that schedules (``--strategy``,
    ``--version``, ``--scoring-shape``, ``--weight``, ``--ignored-resource``,
    ``--ignored-resource-group``, ``--dra/--no-dra``; with ``shape_alias`` also the old
    ``--shape``), handed to the command as one ``scheduler`` keyword: a
    :class:`SchedulerFlags`, turned into the schema's input by its ``options()``."""

    def decorate(func: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(func)
        def wrapper(
            *args: Any,
            strategy: str,
            version: str,
            weights: tuple[str, ...],
            scoring_shape: str | None,
            ignored_resources: tuple[str, ...],
            ignored_groups: tuple[str, ...],
            dra: bool | None,
            shape_alias: str | None = None,
            **kwargs: Any,
        ) -> R:
            flags = SchedulerFlags(
                strategy,
                version,
                weights,
                scoring_shape,
                ignored_resources,
                ignored_groups,
                dra,
                shape_alias,
            )
            return func(*args, scheduler=flags, **kwargs)

        command: Callable[..., R] = wrapper
        for param in reversed(_scheduler_params(shape_alias)):
            command = param(command)
        return command

    return decorate
