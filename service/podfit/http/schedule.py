"""``POST /v1/schedule``: place pods on nodes as kube-scheduler would.

The body is the envelope (``{"pods": [...], "nodes": [...], ...options}``), a Kubernetes
``List``, a JSON array or a YAML stream (:mod:`podfit.http.envelope`); the answer is the
ScheduleResult document, the one ``podfit schedule -o json`` prints.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from podfit.errors import ConfigError
from podfit.http.body import check_time, query_options, service_config, workload_body
from podfit.http.envelope import (
    SCHEDULE_OPTION_KEYS,
    limits_for,
    load_workload,
    schedule_options,
    schedule_workload,
)
from podfit.http.responses import json_response

bp = Blueprint("schedule", __name__)


@bp.post("/v1/schedule")
def schedule() -> Response:
    """Place pods on nodes as kube-scheduler would: the ScheduleResult document."""
    config = service_config()
    parsed = workload_body(("pods", "nodes", *SCHEDULE_OPTION_KEYS))
    # Query parameters override the envelope's fields of the same name; both are valid.
    query = _query_booleans(query_options(SCHEDULE_QUERY))
    if query:
        schedule_options(parsed.options)
    options = schedule_options({**parsed.options, **query})
    check_time("loading the manifests")
    workload = load_workload(parsed.items, limits_for(config))
    check_time("scheduling")
    return json_response(schedule_workload(workload, options, config))


#: Query parameters of /v1/schedule (for YAML and bare Kubernetes JSON bodies); they are
#: validated like the envelope's options.
SCHEDULE_QUERY = ("strategy", "kubernetesVersion", "explain", "dra")


def _query_booleans(query: dict[str, Any]) -> dict[str, Any]:
    """``?explain=`` and ``?dra=`` as the JSON booleans the body fields take: exactly
    ``true`` or ``false`` (anything else: 422 naming the parameter)."""
    for name in ("explain", "dra"):
        if name in query:
            text = query[name]
            if text not in ("true", "false"):
                raise ConfigError(f"must be true or false, not {text!r}", path=name)
            query[name] = text == "true"
    return query
