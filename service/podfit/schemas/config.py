"""The one scheduler configuration every edge builds: :class:`SchedulerConfigSchema`.

``podfit schedule`` and ``podfit plan`` options, the ``/v1/schedule`` envelope and query
parameters, the ``/v1/plan/*`` bodies and the web page all load their scheduler options
through this schema, whose ``load`` returns the core's validated
:class:`~podfit.scheduler.config.SchedulerConfig` (made by
:func:`~podfit.scheduler.config.make_config`, Kubernetes' own rules). The options have
one spelling everywhere::

    {"strategy": "LeastAllocated" | "MostAllocated" | "RequestedToCapacityRatio",
     "kubernetesVersion": "1.33" | "1.34" | "1.35",
     "resources": [{"name": "cpu", "weight": 1}, ...],             # NodeResourcesFit weights
     "scoringShape": [{"utilization": 0, "score": 0}, ...],          # RequestedToCapacityRatio
     "ignoredResources": [...], "ignoredResourceGroups": [...],
     "dra": true | false | null,
     "preemption": true | false}                                      # null: the version's

Every field is optional. A request schema extends this one with its own fields and turns
the loaded data into its own value (:meth:`SchedulerConfigSchema.build`). A field may be a
deprecated alias of another (``shape`` for ``scoringShape`` on ``/v1/schedule`` and
``podfit schedule --shape``): it is read like its target, and errors name the spelling the
input used. Errors are one ``ConfigError`` listing every bad field by its path in the
input (``resources[1].weight``): ``make_config`` names kube-scheduler's paths
(``scoringStrategy.resources[1].weight``), and each field declares the core path it
feeds, so the schema names the field instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from marshmallow import Schema, fields, post_load

from podfit.errors import ConfigError, FieldError
from podfit.scheduler.config import DEFAULT_STRATEGY, SchedulerConfig, make_config
from podfit.scheduler.features import DEFAULT_VERSION
from podfit.schemas.fields import StrictBoolean

#: Field metadata: the path under which ``make_config`` reports this field's errors.
CORE_PATH = "core_path"
#: Field metadata: the field this one is a deprecated alias of.
ALIAS_OF = "alias_of"


class ResourceWeightSchema(Schema):
    """One NodeResourcesFit scoring resource."""

    name = fields.String(required=True)
    weight = fields.Integer(load_default=1, strict=True)


class ShapePointSchema(Schema):
    """One RequestedToCapacityRatio shape point."""

    utilization = fields.Integer(required=True, strict=True)
    score = fields.Integer(required=True, strict=True)


class ScoringShapeField(fields.List):  # type: ignore[type-arg]
    """A RequestedToCapacityRatio shape: a list of points; ``None`` (absent or null) is
    the default shape. Keyword arguments are the field's metadata."""

    def __init__(self, **metadata: str) -> None:
        super().__init__(fields.Nested(ShapePointSchema), load_default=None, metadata=metadata)


class SchedulerConfigSchema(Schema):
    """The scheduler options of every edge; ``load`` returns a ``SchedulerConfig``
    (subclasses: what their :meth:`build` returns)."""

    strategy = fields.String(
        load_default=DEFAULT_STRATEGY, metadata={CORE_PATH: "scoringStrategy.type"}
    )
    kubernetesVersion = fields.String(load_default=DEFAULT_VERSION)
    resources = fields.List(
        fields.Nested(ResourceWeightSchema),
        load_default=None,
        metadata={CORE_PATH: "scoringStrategy.resources"},
    )
    scoringShape = ScoringShapeField(
        **{CORE_PATH: "scoringStrategy.requestedToCapacityRatio.shape"}
    )
    ignoredResources = fields.List(fields.String(), load_default=list)
    ignoredResourceGroups = fields.List(fields.String(), load_default=list)
    dra = StrictBoolean(load_default=None, allow_none=True)
    preemption = StrictBoolean(load_default=True)

    #: The names of this base schema's fields: what ``make_config`` takes.
    CONFIG_FIELDS: ClassVar[tuple[str, ...]] = (
        "strategy",
        "kubernetesVersion",
        "resources",
        "scoringShape",
        "ignoredResources",
        "ignoredResourceGroups",
        "dra",
        "preemption",
    )

    @post_load
    def _loaded(self, data: dict[str, Any], **_kwargs: Any) -> Any:
        return self.build(data)

    def build(self, data: dict[str, Any]) -> Any:
        """The value ``load`` returns; here the scheduler configuration."""
        return self.scheduler_config(data)

    def scheduler_config(self, data: Mapping[str, Any]) -> SchedulerConfig:
        """``make_config`` of the loaded options; ``ConfigError`` naming the input's fields."""
        given = self._given_names(data)
        values: dict[str, Any] = {name: data.get(used) for name, used in given.items()}
        resources = values["resources"]
        shape = values["scoringShape"]
        try:
            return make_config(
                values["strategy"],
                resources=None
                if resources is None
                else [(r["name"], r["weight"]) for r in resources],
                shape=None if shape is None else [(p["utilization"], p["score"]) for p in shape],
                version=values["kubernetesVersion"],
                ignored_resources=values["ignoredResources"],
                ignored_resource_groups=values["ignoredResourceGroups"],
                dra=values["dra"],
                preemption=values["preemption"],
            )
        except ConfigError as exc:
            raise self._named(exc, given) from None

    def _given_names(self, data: Mapping[str, Any]) -> dict[str, str]:
        """Each config field -> the name the input gave it under (itself, or an alias)."""
        given = {name: name for name in self.CONFIG_FIELDS}
        for name, field in self.fields.items():
            target = field.metadata.get(ALIAS_OF)
            if target is None or data.get(name) is None:
                continue
            if data.get(target) is not None:
                raise ConfigError(f"give {target} or its deprecated alias {name}, not both", name)
            given[target] = name
        return given

    def _named(self, exc: ConfigError, given: Mapping[str, str]) -> ConfigError:
        """``exc`` with ``make_config``'s kube-scheduler paths renamed to the input's fields."""
        renames = [
            (str(self.fields[name].metadata[CORE_PATH]), used)
            for name, used in given.items()
            if CORE_PATH in self.fields[name].metadata
        ]
        errors = []
        for error in exc.errors:
            path = error.path
            for theirs, ours in renames:
                if path.startswith(theirs):
                    path = ours + path[len(theirs) :]
                    break
            errors.append(FieldError(path, error.message))
        return ConfigError(errors[0].message, errors[0].path, errors)
