"""``POST /v1/check``: ``podfit check`` over HTTP — the same policy, the same report.

The body is the schedule envelope (``{"pods": [...], "nodes": [...]}``, JSON or YAML; HPAs
and PDBs among the pods' objects; the scheduler options of ``/v1/plan/*``) plus
``policy`` (a CheckPolicy document; default: as-is, hpa-max when there are HPAs,
lose-any-node), ``baseline`` (an earlier CheckReport) and ``validate`` (also a query
parameter, as on ``/v1/schedule``).
The answer is the CheckReport, 200 whether or not the check passes (its ``passed`` says);
a bad policy is a 422 naming ``policy.<path>``, and so is ``"preemption": true`` naming
``preemption`` (checks never evict). The variants run in the request's worker,
checking the request time limit between chunks and inside every scheduling run (the
bases' and the variants': 503 past it).
"""

from __future__ import annotations

from flask import Blueprint, Response

from podfit.check import ClusterInput, check, parse_policy, validate_baseline
from podfit.check.report import add_loader_warnings
from podfit.check.sweep import Inline
from podfit.errors import ConfigError, PodfitError
from podfit.http.body import (
    check_time,
    query_options,
    request_deadline,
    service_config,
    workload_body,
)
from podfit.http.envelope import (
    VALIDATE,
    check_expansion,
    limits_for,
    load_workload,
    refuse_eviction,
    validate_mode,
)
from podfit.http.responses import json_response
from podfit.options.load import load_config, option_names
from podfit.schemas.config import SchedulerConfigSchema

bp = Blueprint("check", __name__)
_CONFIG_KEYS = option_names(SchedulerConfigSchema())
"""The scheduler options of the envelope (as ``/v1/plan/*`` take them)."""


@bp.post("/v1/check")
def check_view() -> Response:
    """Run the policy on the body's cluster: the CheckReport document."""
    raw_query = query_options((VALIDATE,))
    config = service_config()
    parsed = workload_body(("pods", "nodes", "policy", "baseline", VALIDATE, *_CONFIG_KEYS))
    mode = validate_mode(parsed.options, raw_query)  # removes "validate" from both
    if not parsed.envelope:
        raise ConfigError(
            'the body must be an object {"pods": [...], "nodes": [...], "policy": {...}}', ""
        )
    scheduler = load_config({k: v for k, v in parsed.options.items() if k in _CONFIG_KEYS})
    refuse_eviction(parsed.options, "checks")
    policy = None
    if parsed.options.get("policy") is not None:
        try:
            policy = parse_policy(parsed.options["policy"], "policy")
        except PodfitError as exc:
            raise exc.at("policy") from None
    baseline = None
    if parsed.options.get("baseline") is not None:
        baseline = validate_baseline(parsed.options["baseline"], "baseline")
    check_time("reading the body")
    workload = load_workload(parsed.items, limits_for(config), mode, request_deadline())
    check_expansion(workload, config)
    cluster = ClusterInput.of("", workload, scheduler)
    check_time("loading the manifests")
    try:
        report = check(
            [cluster],
            policy,
            executor=Inline(
                lambda _done: check_time("running the check's variants"), request_deadline()
            ),
            baseline=baseline,
        )
    except ConfigError as exc:
        if exc.path.startswith("scenarios["):  # a policy field the cluster cannot satisfy
            raise exc.at("policy") from None
        raise
    add_loader_warnings(report, [workload])
    return json_response(report)
