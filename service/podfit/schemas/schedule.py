"""The JSON of ``podfit schedule`` (and ``POST /v1/schedule``): options in, ScheduleResult out.

Options (what a request may set; every field optional): the scheduler configuration of
:mod:`podfit.schemas.config` (``strategy``, ``kubernetesVersion``, ``resources``,
``scoringShape``, ``ignoredResources``, ``ignoredResourceGroups``, ``dra``), plus::

    {"explain": false,                                   # each pod's filter reasons and scores
     "shape": [{"utilization": 0, "score": 0}, ...]}     # deprecated alias of scoringShape

:class:`ScheduleOptionsSchema` loads them into :class:`~podfit.options.ScheduleOptions`
(``ConfigError`` naming the field). The result document is ``ScheduleResult.to_dict()``;
:class:`ScheduleResultSchema` describes (and can validate) it.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields

from podfit.options import ScheduleOptions
from podfit.schemas.config import ALIAS_OF, SchedulerConfigSchema, ScoringShapeField
from podfit.schemas.fields import StrictBoolean

_Amounts = fields.Dict(keys=fields.String(), values=fields.String())


class _ExplainFlag(StrictBoolean):
    """``explain``: a JSON boolean; a number, array or object is named in the message."""

    default_error_messages = {"null": "must be a boolean, not null"}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool | str):  # marshmallow's Boolean would take 1 or 0
            kind = "object" if isinstance(value, dict) else type(value).__name__
            raise ValidationError(f"must be a boolean, not {kind}")
        return super()._deserialize(value, attr, data, **kwargs)


class ScheduleOptionsSchema(SchedulerConfigSchema):
    """The options of ``podfit schedule`` and ``POST /v1/schedule``."""

    explain = _ExplainFlag(load_default=False)
    shape = ScoringShapeField(**{ALIAS_OF: "scoringShape"})

    class Meta:
        # The order errors are listed in: the request's fields as they always were.
        fields = (
            "strategy",
            "kubernetesVersion",
            "explain",
            "resources",
            "shape",
            "scoringShape",
            "ignoredResources",
            "ignoredResourceGroups",
            "dra",
            "preemption",
        )

    def build(self, data: dict[str, Any]) -> ScheduleOptions:
        return ScheduleOptions(self.scheduler_config(data), data["explain"])


class ConditionSchema(Schema):
    """``status.conditions[]`` (PodScheduled; DisruptionTarget for a preemption victim)."""

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
    nominatedNodeName = fields.String()
    preemptedBy = fields.String()
    preemptedFrom = fields.String()
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
    preempted = fields.Integer(required=True)
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
