"""The JSON (and CLI) options of capacity planning: ``podfit plan fit|nodes|drain`` and
``POST /v1/plan/fit|nodes|drain``.

Bodies are the schedule envelope (``{"pods": [...], "nodes": [...], ...}``) plus:

* fit: ``templates`` (pod templates: Pods or workloads, one template per owner),
  ``mode`` (sequence | interleave), ``maxReplicas``;
* nodes: ``shapes`` (``{"preset": "aws/m5.large", "price": "0.096"}`` or
  ``{"name": "big", "allocatable": {"cpu": "8", "memory": "32Gi", "pods": "110"},
  "labels": {...}, "taints": [{"key", "value", "effect"}], "price": "0.2"}``),
  ``algorithm`` (podfit | ffd | exact), ``headroomPercent``, ``maxNodes``,
  ``timeLimitSeconds``, ``region`` (list prices for shapes without one; with zones, the
  new nodes' region label), ``mix`` (also the cheapest mix, ``summary.cheapest``),
  ``zones`` (zone names for the new nodes, round-robin; validated by the planner); the
  body's ``nodes`` are the existing nodes;
* drain: ``drain`` (node names), ``loseZone``, ``zoneLabel``, ``loseAnyOne``, ``shape``
  (one shape as above; default: a copy of the removed node), ``algorithm``, ``zones``
  (as for nodes: the zones of the nodes planned to absorb the Pending pods).

and the scheduler options of every edge (:mod:`podfit.schemas.config`: ``strategy``,
``kubernetesVersion``, ``resources``, ``scoringShape``, ``ignoredResources``,
``ignoredResourceGroups``, ``dra``), loaded into one ``SchedulerConfig`` (the ``config``
keyword of the planners). Validation errors are ``ConfigError`` naming the field.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from podfit.manifests.apivalidation import label_key_error
from podfit.nodes import NO_SCHEDULE
from podfit.planning.fit import DEFAULT_MAX_REPLICAS, MODES
from podfit.planning.nodes_needed import ALGORITHMS
from podfit.planning.whatif import DEFAULT_ZONE_LABEL
from podfit.schemas.config import SchedulerConfigSchema
from podfit.schemas.fields import QuantityField, StrictBoolean

EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


class _StrictInt(fields.Integer):
    """A JSON integer only (not a boolean, a float or a numeric string)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("must be an integer")
        return super()._deserialize(value, attr, data, **kwargs)


class _StrictNumber(fields.Float):
    """A JSON number only (not a boolean or a numeric string)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("must be a number")
        return super()._deserialize(value, attr, data, **kwargs)


def _label_key(value: str) -> None:
    message = label_key_error(value)
    if message is not None:
        raise ValidationError(message)


class TaintSchema(Schema):
    key = fields.String(required=True)
    value = fields.String(load_default="")
    effect = fields.String(load_default=NO_SCHEDULE, validate=validate.OneOf(EFFECTS))


class ShapeSchema(Schema):
    """A node shape: a preset or a custom allocatable; optional price per node."""

    name = fields.String()
    preset = fields.String()
    allocatable = fields.Dict(keys=fields.String(), values=QuantityField())
    labels = fields.Dict(keys=fields.String(), values=fields.String())
    taints = fields.List(fields.Nested(TaintSchema))
    price = fields.Raw()


class _PlanOptionsSchema(SchedulerConfigSchema):
    """A planning question's options: its own fields (attributes are the planner's keyword
    names, ``data_key`` the JSON names) plus the scheduler configuration."""

    def build(self, data: dict[str, Any]) -> dict[str, Any]:
        """The planner's keyword arguments, the scheduler configuration as ``config``."""
        kwargs = {k: v for k, v in data.items() if k not in self.CONFIG_FIELDS}
        kwargs["config"] = self.scheduler_config(data)
        return kwargs


class FitOptionsSchema(_PlanOptionsSchema):
    templates = fields.List(fields.Dict(), required=True)
    mode = fields.String(load_default="sequence", validate=validate.OneOf(MODES))
    max_replicas = _StrictInt(
        data_key="maxReplicas",
        load_default=DEFAULT_MAX_REPLICAS,
        validate=validate.Range(1, 1_000_000),
    )


class NodesOptionsSchema(_PlanOptionsSchema):
    shapes = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1, max=50))
    algorithm = fields.String(load_default="podfit", validate=validate.OneOf(ALGORITHMS))
    headroom_percent = _StrictInt(
        data_key="headroomPercent", load_default=100, validate=validate.Range(1, 100)
    )
    max_nodes = _StrictInt(data_key="maxNodes", load_default=0, validate=validate.Range(0, 100_000))
    time_limit = _StrictNumber(
        data_key="timeLimitSeconds", load_default=10.0, validate=validate.Range(0.1, 60)
    )
    mix = StrictBoolean(load_default=False)
    region = fields.String(load_default=None, allow_none=True)
    zones = fields.List(fields.Raw(), load_default=list, validate=validate.Length(max=1000))


class DrainOptionsSchema(_PlanOptionsSchema):
    drain = fields.List(fields.String(), load_default=list)
    lose_zone = fields.String(data_key="loseZone", load_default=None, allow_none=False)
    zone_label = fields.String(
        data_key="zoneLabel", load_default=DEFAULT_ZONE_LABEL, validate=_label_key
    )
    lose_any_one = StrictBoolean(data_key="loseAnyOne", load_default=False)
    shape = fields.Dict(load_default=None, allow_none=False)
    algorithm = fields.String(
        load_default="podfit", validate=validate.OneOf([a for a in ALGORITHMS if a != "exact"])
    )
    zones = fields.List(fields.Raw(), load_default=list, validate=validate.Length(max=1000))
