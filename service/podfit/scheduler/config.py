"""Scheduler options, validated like kube-scheduler validates ``NodeResourcesFitArgs``.

:func:`make_config` turns user input into a frozen :class:`SchedulerConfig` or raises
``ConfigError`` naming the field path (``scoringStrategy.resources[1].weight``) and value.

What changes with the Kubernetes version is one :class:`~podfit.scheduler.features.Features`
row per version (:attr:`SchedulerConfig.features`); ``docs/kubernetes-versions.md`` tells
the differences and where upstream made them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from podfit.errors import ConfigError, FieldError
from podfit.scheduler.features import DEFAULT_VERSION, SUPPORTED_VERSIONS, Features, features
from podfit.scheduler.filters import FilterConfig
from podfit.scheduler.messages import dra_default
from podfit.scheduler.scores import DEFAULT_RESOURCES, STRATEGIES, ResourceWeight

DEFAULT_STRATEGY = "LeastAllocated"
DEFAULT_SHAPE = ((0, 0), (100, 10))
"""Shape used when RequestedToCapacityRatio is chosen without one: bin packing (0→0, 100→10)."""


@dataclass(frozen=True, slots=True)
class SchedulerConfig:
    """A validated scheduler profile (the default profile with a chosen fit strategy)."""

    strategy: str = DEFAULT_STRATEGY
    resources: tuple[ResourceWeight, ...] = DEFAULT_RESOURCES
    shape: tuple[tuple[int, int], ...] = DEFAULT_SHAPE
    version: str = DEFAULT_VERSION
    ignored_resources: frozenset[str] = field(default_factory=frozenset)
    ignored_groups: frozenset[str] = field(default_factory=frozenset)
    balanced_resources: tuple[ResourceWeight, ...] = DEFAULT_RESOURCES
    dra: bool = True
    """DynamicResources in the profile (its PostFilter adds ``no new claims to deallocate``
    before DefaultPreemption's part of the FailedScheduling message)."""
    preemption: bool = True
    """DefaultPreemption evicts (as in a cluster): victims leave their node, the pod takes
    it. False: the pod stays Pending and its shortfall names the victims."""

    @property
    def features(self) -> Features:
        """What changes with :attr:`version` (one row of ``features.FEATURE_ROWS``)."""
        return features(self.version)

    @property
    def filter_config(self) -> FilterConfig:
        """The subset of options the filters read."""
        return FilterConfig(self.version, self.ignored_resources, self.ignored_groups)


def make_config(
    strategy: str = DEFAULT_STRATEGY,
    *,
    resources: Mapping[str, int] | Sequence[tuple[str, int]] | None = None,
    shape: Iterable[tuple[int, int]] | None = None,
    version: str = DEFAULT_VERSION,
    ignored_resources: Iterable[str] = (),
    ignored_resource_groups: Iterable[str] = (),
    dra: bool | None = None,
    preemption: bool = True,
) -> SchedulerConfig:
    """Validate options; raise ``ConfigError`` listing every bad field.

    ``resources`` are the NodeResourcesFit scoring resources with weights (default cpu 1,
    memory 1); a weight of 0 defaults to 1 and the result must be within 1..100.
    ``shape`` (RequestedToCapacityRatio) is a list of (utilization 0..100, score 0..10)
    with strictly increasing utilization. ``dra`` (DynamicResources in the profile)
    defaults to the version's default: off in 1.33, on from 1.34 (DRA GA). ``preemption``
    False keeps preemption a report (no eviction).
    """
    errors: list[FieldError] = []
    if strategy not in STRATEGIES:
        names = ", ".join(STRATEGIES)
        errors.append(
            FieldError("scoringStrategy.type", f'unknown strategy "{strategy}" (one of {names})')
        )
    if version not in SUPPORTED_VERSIONS:
        errors.append(
            FieldError(
                "kubernetesVersion",
                f'unsupported version "{version}" (one of {", ".join(SUPPORTED_VERSIONS)})',
            )
        )
    weights: list[ResourceWeight] = []
    items = list(resources.items()) if isinstance(resources, Mapping) else list(resources or ())
    for i, (name, weight) in enumerate(items):
        if not name:
            errors.append(
                FieldError(f"scoringStrategy.resources[{i}].name", "resource name is required")
            )
        w = 1 if weight == 0 else weight
        if not 1 <= w <= 100:
            errors.append(
                FieldError(
                    f"scoringStrategy.resources[{i}].weight",
                    f"resource weight of {name} should be in the range 1-100, got {weight}",
                )
            )
        weights.append(ResourceWeight(name, w))
    points = tuple((int(u), int(s)) for u, s in (shape if shape is not None else DEFAULT_SHAPE))
    prefix = "scoringStrategy.requestedToCapacityRatio.shape"
    if not points:
        errors.append(FieldError(prefix, "at least one point must be specified"))
    for i, (u, s) in enumerate(points):
        if not 0 <= u <= 100:
            errors.append(
                FieldError(f"{prefix}[{i}].utilization", f"{u} must be in the range 0-100")
            )
        if not 0 <= s <= 10:
            errors.append(FieldError(f"{prefix}[{i}].score", f"{s} must be in the range 0-10"))
        if i > 0 and u <= points[i - 1][0]:
            errors.append(
                FieldError(
                    f"{prefix}[{i}].utilization",
                    f"{u} must be greater than the previous utilization {points[i - 1][0]}",
                )
            )
    if errors:
        raise ConfigError(errors[0].message, errors[0].path, errors)
    return SchedulerConfig(
        strategy=strategy,
        resources=tuple(weights) if items else DEFAULT_RESOURCES,
        shape=points,
        version=version,
        ignored_resources=frozenset(ignored_resources),
        ignored_groups=frozenset(ignored_resource_groups),
        dra=dra_default(version) if dra is None else dra,
        preemption=preemption,
    )
