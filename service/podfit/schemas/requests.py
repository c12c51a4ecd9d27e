"""marshmallow schemas describing the documents of ``podfit requests`` and ``podfit nodes``
(and the matching API answers); the documents themselves are built by
:mod:`podfit.documents.requests`, whose docstring shows their shapes.
"""

from __future__ import annotations

from marshmallow import Schema, fields


class ContainerEnvSchema(Schema):
    """One container's resolved downward-API env."""

    name = fields.String(required=True)
    type = fields.String(required=True)  # container | init | sidecar
    env = fields.Dict(keys=fields.String(), values=fields.String())
    unresolved = fields.Dict(keys=fields.String(), values=fields.String())


class PodSummarySchema(Schema):
    """One pod: effective requests and limits, QoS, explanation, env."""

    namespace = fields.String(required=True)
    name = fields.String(required=True)
    owner = fields.String(allow_none=True)
    nodeName = fields.String()
    phase = fields.String()
    terminating = fields.Boolean()  # only when true: a deletionTimestamp is set
    counted = fields.Boolean()
    requests = fields.Dict(keys=fields.String(), values=fields.String())
    limits = fields.Dict(keys=fields.String(), values=fields.String())
    qosClass = fields.String()
    explain = fields.Dict(keys=fields.String(), values=fields.Dict())
    containers = fields.List(fields.Nested(ContainerEnvSchema))


class TotalSchema(Schema):
    """Sum over the counted pods."""

    requests = fields.Dict(keys=fields.String(), values=fields.String())
    limits = fields.Dict(keys=fields.String(), values=fields.String())
    pods = fields.Integer()


class SkippedSchema(Schema):
    """An object that creates no pods."""

    kind = fields.String()
    namespace = fields.String()
    name = fields.String()
    source = fields.String()
    reason = fields.String()


class SnapshotWorkloadSchema(Schema):
    """How one workload's existing pods were taken (``Reconciliation.to_dict``)."""

    kind = fields.String(required=True)
    namespace = fields.String(required=True)
    name = fields.String(required=True)
    desired = fields.Integer()
    existing = fields.Integer()
    created = fields.Integer()
    removed = fields.List(fields.String())
    terminating = fields.List(fields.String())
    finished = fields.List(fields.String())
    note = fields.String()


class SnapshotSchema(Schema):
    """The ``snapshot`` section: only when the input held existing pods
    (``Workload.snapshot``)."""

    workloads = fields.List(fields.Nested(SnapshotWorkloadSchema))
    unscheduledTerminating = fields.List(fields.String())


class RequestsResultSchema(Schema):
    """The whole ``podfit requests`` answer."""

    pods = fields.List(fields.Nested(PodSummarySchema))
    daemonsets = fields.List(fields.Nested(PodSummarySchema))
    total = fields.Nested(TotalSchema)
    skipped = fields.List(fields.Nested(SkippedSchema))
    snapshot = fields.Nested(SnapshotSchema)
    warnings = fields.List(fields.String())


class NodeSummarySchema(Schema):
    """One node with allocatable and capacity."""

    name = fields.String(required=True)
    allocatable = fields.Dict(keys=fields.String(), values=fields.String())
    capacity = fields.Dict(keys=fields.String(), values=fields.String())
    labels = fields.Dict(keys=fields.String(), values=fields.String())
    taints = fields.List(fields.String())
    unschedulable = fields.Boolean()


class CalculationRowSchema(Schema):
    """One term of the allocatable calculation."""

    resource = fields.String()
    term = fields.String()
    amount = fields.String()
    rule = fields.String()


class PresetSchema(Schema):
    """A node preset and its allocatable calculation, term by term."""

    name = fields.String()
    provider = fields.String()
    maxPods = fields.Integer()
    capacityBasis = fields.String()
    source = fields.String()
    calculation = fields.List(fields.Nested(CalculationRowSchema))


class NodesResultSchema(Schema):
    """The whole ``podfit nodes`` answer."""

    nodes = fields.List(fields.Nested(NodeSummarySchema))
    presets = fields.List(fields.Nested(PresetSchema))
