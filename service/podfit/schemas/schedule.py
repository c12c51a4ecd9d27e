"""The JSON of ``podfit schedule`` (and ``POST /v1/schedule``): options in, ScheduleResult out.

Options (what a request may set; every field optional): the scheduler configuration of
:mod:`podfit.schemas.config` (``strategy``, ``kubernetesVersion``, ``resources``,
``scoringShape``, ``ignoredResources``, ``ignoredResourceGroups``, ``dra``), plus::

    {"explain": false,                                   # each pod's filter reasons and scores
     "shape": [{"utilization": 0, "score": 0}, ...]}     # deprecated alias of scoringShape

:class:`ScheduleOptionsSchema` loads them into :class:`ScheduleOptions` (``ConfigError``
naming the field). The result document is ``ScheduleResult.to_dict()``;
:class:`ScheduleResultSchema` describes (and can validate) it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from marshmallow import Schema, ValidationError, fields

from podfit.manifests import Workload
from podfit.scheduler.config import SchedulerConfig
from podfit.schemas.config import ALIAS_OF, SchedulerConfigSchema, scoring_shape_field
from podfit.schemas.fields import StrictBoolean

_Amounts = fields.Dict(keys=fields.String(), values=fields.String())


@dataclass(frozen=True, slots=True)
class ScheduleOptions:
    """What a schedule request sets: the validated scheduler configuration, and whether
    to explain each pod's placement."""

    config: SchedulerConfig
    explain: bool = False


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
    shape = scoring_shape_field(**{ALIAS_OF: "scoringShape"})

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
        )

    def build(self, data: dict[str, Any]) -> ScheduleOptions:
        return ScheduleOptions(self.scheduler_config(data), data["explain"])


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


class Warned(Protocol):
    """A result with ``warnings`` (ScheduleResult, FitReport, NodesPlan, DrainReport) and
    its versioned document."""

    warnings: list[str]

    def to_dict(self) -> dict[str, Any]: ...


def add_input_warnings(report: Warned, *workloads: Workload) -> None:
    """Complete a result's ``warnings`` with what only the inputs know, as the API and the
    CLI answer it: each warning once, in this order — the loader's assumptions
    (``Workload.warnings`` that the result does not already hold: the reader also notes
    each template's unmodelled constraints, which stay in the result's own place), the
    scheduler's or planner's own (unmodelled constraints, default spreading), then one per
    object that created no pods (``Workload.skipped_warnings``). ``workloads`` in input
    order (``plan fit``: the cluster's, then the templates'). Cost: O(warnings)."""
    own = report.warnings
    mentioned = set(own)
    loaded = [w for workload in workloads for w in workload.warnings if w not in mentioned]
    skipped = [w for workload in workloads for w in workload.skipped_warnings()]
    report.warnings = list(dict.fromkeys([*loaded, *own, *skipped]))
