"""The JSON of ``podfit schedule`` (and ``POST /v1/schedule``): options in, ScheduleResult out.

Options (what a request may set; every field optional)::

    {"strategy": "LeastAllocated" | "MostAllocated" | "RequestedToCapacityRatio",
     "kubernetesVersion": "1.33" | "1.34" | "1.35",
     "explain": false,
     "resources": [{"name": "cpu", "weight": 1}, ...],          # NodeResourcesFit weights
     "shape": [{"utilization": 0, "score": 0}, ...],              # RequestedToCapacityRatio
     "ignoredResources": [...], "ignoredResourceGroups": [...],
     "dra": true | false}                                          # default: version's

:func:`load_options` validates them (marshmallow for types, :func:`make_config` for
Kubernetes' own rules) and raises ``ConfigError`` naming the field. The result document is
``ScheduleResult.to_dict()``; :class:`ScheduleResultSchema` describes (and can validate) it.
``add_input_warnings`` (defined in ``podfit.manifests.workload``, free of marshmallow)
is re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields

from podfit.errors import ConfigError
from podfit.manifests.workload import Warned as Warned
from podfit.manifests.workload import add_input_warnings as add_input_warnings
from podfit.scheduler.config import DEFAULT_STRATEGY, make_config
from podfit.scheduler.filters import DEFAULT_VERSION
from podfit.schemas.fields import StrictBoolean, flatten_messages

_Amounts = fields.Dict(keys=fields.String(), values=fields.String())


class ResourceWeightSchema(Schema):
    """One NodeResourcesFit scoring resource."""

    name = fields.String(required=True)
    weight = fields.Integer(load_default=1, strict=True)


class ShapePointSchema(Schema):
    """One RequestedToCapacityRatio shape point."""

    utilization = fields.Integer(required=True, strict=True)
    score = fields.Integer(required=True, strict=True)


class ScheduleOptionsSchema(Schema):
    """Scheduler options of a schedule request."""

    strategy = fields.String(load_default=DEFAULT_STRATEGY)
    kubernetesVersion = fields.String(load_default=DEFAULT_VERSION)
    explain = StrictBoolean(load_default=False)
    resources = fields.List(fields.Nested(ResourceWeightSchema), load_default=None)
    shape = fields.List(fields.Nested(ShapePointSchema), load_default=None)
    ignoredResources = fields.List(fields.String(), load_default=list)
    ignoredResourceGroups = fields.List(fields.String(), load_default=list)
    dra = StrictBoolean(load_default=None, allow_none=True)


def load_options(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validated keyword arguments for :func:`podfit.schedule` (``explain`` included)."""
    try:
        raw = ScheduleOptionsSchema().load(dict(data or {}))
    except ValidationError as exc:
        errors = list(flatten_messages(exc.messages))
        raise ConfigError(errors[0].message, errors[0].path, errors) from None
    resources = raw["resources"]
    shape = raw["shape"]
    kwargs: dict[str, Any] = {
        "strategy": raw["strategy"],
        "version": raw["kubernetesVersion"],
        "resources": None if resources is None else [(r["name"], r["weight"]) for r in resources],
        "shape": None if shape is None else [(p["utilization"], p["score"]) for p in shape],
        "ignored_resources": raw["ignoredResources"],
        "ignored_resource_groups": raw["ignoredResourceGroups"],
        "dra": raw["dra"],
    }
    make_config(**kwargs)  # Kubernetes' validation rules, ConfigError with field paths
    kwargs["explain"] = raw["explain"]
    return kwargs


class ConditionSchema(Schema):
    """``status.conditions[]`` (PodScheduled)."""

    type = fields.String(required=True)
    status = fields.String(required=True)
    reason = fields.String()
    message = fields.String()


class PodResultSchema(Schema):
    """One pod's outcome."""

    namespace = fields.String(required=True)
    name = fields.String(required=True)
    owner = fields.String(allow_none=True, required=True)
    node = fields.String(allow_none=True, required=True)
    phase = fields.String(required=True)
    reason = fields.String()
    message = fields.String()
    requests = _Amounts
    qosClass = fields.String(required=True)
    conditions = fields.List(fields.Nested(ConditionSchema), required=True)
    shortfall = fields.Dict()
    explain = fields.Dict()


class NodeResultSchema(Schema):
    """One node's totals after placement."""

    name = fields.String(required=True)
    allocatable = _Amounts
    requested = _Amounts
    free = _Amounts
    pods = fields.List(fields.String(), required=True)
    utilization = fields.Dict(keys=fields.String(), values=fields.Float())


class SummarySchema(Schema):
    """Counts."""

    pods = fields.Integer(required=True)
    scheduled = fields.Integer(required=True)
    pending = fields.Integer(required=True)
    nodes = fields.Integer(required=True)


class ScheduleResultSchema(Schema):
    """The whole ``ScheduleResult`` document (``apiVersion: podfit/v1``)."""

    apiVersion = fields.String(required=True)
    kind = fields.String(required=True)
    kubernetesVersion = fields.String(required=True)
    strategy = fields.String(required=True)
    summary = fields.Nested(SummarySchema, required=True)
    pods = fields.List(fields.Nested(PodResultSchema), required=True)
    nodes = fields.List(fields.Nested(NodeResultSchema), required=True)
    warnings = fields.List(fields.String())
