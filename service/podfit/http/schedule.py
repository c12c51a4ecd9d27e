"""``POST /v1/schedule``: place pods on nodes as kube-scheduler would.

The body is the envelope (``{"pods": [...], "nodes": [...], ...options}``), a Kubernetes
``List``, a JSON array or a YAML stream (:mod:`podfit.http.envelope`); the answer is the
ScheduleResult document, the one ``podfit schedule -o json`` prints.
"""

from __future__ import annotations

from flask import Blueprint, Response

from podfit.http.body import (
    check_time,
    query_options,
    request_deadline,
    service_config,
    workload_body,
)
from podfit.http.envelope import (
    VALIDATE,
    limits_for,
    load_workload,
    schedule_workload,
    validate_mode,
)
from podfit.http.responses import json_response
from podfit.options import ScheduleOptions
from podfit.options.load import load_options, option_names, query_values
from podfit.schemas.schedule import ScheduleOptionsSchema

bp = Blueprint("schedule", __name__)

# One instance shared by every request (a schema keeps no state between loads; building
# one costs about three loads).
_OPTIONS = ScheduleOptionsSchema()

#: Query parameters of /v1/schedule (for YAML and bare Kubernetes JSON bodies): the
#: options with a scalar value, read by the envelope's schema.
SCHEDULE_QUERY = ("strategy", "kubernetesVersion", "explain", "dra", "preemption")


@bp.post("/v1/schedule")
def schedule() -> Response:
    """Place pods on nodes as kube-scheduler would: the ScheduleResult document."""
    config = service_config()
    parsed = workload_body(("pods", "nodes", VALIDATE, *option_names(_OPTIONS)))
    # Query parameters override the envelope's fields of the same name; both are valid.
    raw_query = query_options((*SCHEDULE_QUERY, VALIDATE))
    mode = validate_mode(parsed.options, raw_query)  # removes "validate" from both
    query = query_values(_OPTIONS, raw_query)
    if query:
        load_options(_OPTIONS, parsed.options)
    options: ScheduleOptions = load_options(_OPTIONS, {**parsed.options, **query})
    check_time("loading the manifests")
    workload = load_workload(parsed.items, limits_for(config), mode, request_deadline())
    check_time("scheduling")
    return json_response(schedule_workload(workload, options, config, request_deadline()))
