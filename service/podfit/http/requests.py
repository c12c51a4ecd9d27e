"""``POST /v1/requests``: effective requests, limits and QoS class of each pod.

The answer is :func:`podfit.documents.requests.requests_result`, the document ``podfit
requests -o json`` prints.
"""

from __future__ import annotations

from flask import Blueprint, Response

from podfit.documents.requests import requests_result
from podfit.http.body import (
    check_time,
    query_options,
    request_deadline,
    service_config,
    workload_body,
)
from podfit.http.envelope import VALIDATE, limits_for, load_workload, validate_mode
from podfit.http.responses import json_response

bp = Blueprint("requests", __name__)


@bp.post("/v1/requests")
def requests() -> Response:
    """Effective requests, limits, QoS class and their explanation, per pod and in total."""
    query = query_options((VALIDATE,))
    config = service_config()
    parsed = workload_body(("pods", VALIDATE))
    mode = validate_mode(parsed.options, query)
    check_time("loading the manifests")
    workload = load_workload(parsed.items, limits_for(config), mode, request_deadline())
    check_time("summarising the requests")  # loading may have used up the time: no late 200
    return json_response(requests_result(workload))
