"""Capacity-planning endpoints: ``POST /v1/plan/fit``, ``/v1/plan/nodes``, ``/v1/plan/drain``.

Thin views: the body is the schedule envelope (``{"pods": [...], "nodes": [...], ...}``,
JSON or YAML) plus the plan options of :mod:`podfit.schemas.plan`; the answer is the
versioned FitReport / NodesPlan / DrainReport document. Errors are raised and turned
into ``application/problem+json`` by :mod:`podfit.problem`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import Blueprint, Response

from podfit.body import JSON, check_time, parse_json, read_body, service_config, workload_body
from podfit.errors import ConfigError, LimitExceeded, ManifestError
from podfit.manifests import Workload
from podfit.planning.fit import how_many_fit
from podfit.planning.nodes_needed import nodes_needed
from podfit.planning.whatif import what_if
from podfit.problem import Problem
from podfit.schemas.api import (
    check_expansion,
    limits_for,
    load_workload,
    name_limit_setting,
    plain,
    read_documents,
)
from podfit.schemas.plan import (
    DrainOptionsSchema,
    FitOptionsSchema,
    NodesOptionsSchema,
    drain_options,
    fit_options,
    nodes_options,
    templates_of,
)

bp = Blueprint("plan", __name__)


def _json(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False) + "\n", mimetype="application/json")


def _clock(phase: str) -> Callable[[int], None]:
    """A progress callback that answers 503 once the request time limit is used up."""

    def tick(_done: int) -> None:
        check_time(phase)

    return tick


def _body(
    option_keys: Sequence[str], validate: Callable[[Mapping[str, Any]], Any]
) -> tuple[Workload, dict[str, Any]]:
    """Read the envelope: the workload (pods, nodes) and the raw options.

    The plan options are validated first (422 naming the field, including a shape
    quantity longer than ``PODFIT_MAX_QUANTITY_LENGTH``); then the service's common
    workload-body reader applies its checks (400 malformed, 413 over a bound, 422 invalid).
    """
    body = read_body(parse=False)
    config = service_config()
    try:
        if body.syntax == JSON:  # the C decoder: cheap even for a hostile body
            docs = [parse_json(body.text, max_depth=config.max_depth)]
        else:
            docs = read_documents(body.text, body.syntax, config)
    except LimitExceeded as exc:
        raise name_limit_setting(exc) from None
    except ManifestError as exc:
        raise Problem(
            400,
            "malformed-body",
            f"Malformed {body.syntax.upper()}",
            str(exc).removeprefix("<body>: "),
            errors=exc.errors,
        ) from None
    if len(docs) == 1 and isinstance(docs[0], Mapping) and "kind" not in docs[0]:
        options = {k: plain(v) for k, v in docs[0].items() if k not in ("pods", "nodes")}
        validate(options)
        _check_shape_quantities(options, config.max_quantity_length)
    parsed = workload_body(body.text, body.syntax, ("pods", "nodes", *option_keys))
    if not parsed.envelope:
        raise ConfigError(
            'the body must be an object {"pods": [...], "nodes": [...], ...options}', ""
        )
    check_time("reading the body")
    workload = load_workload(parsed.items, limits_for(config))
    check_expansion(workload, config)
    return workload, parsed.options


def _check_shape_quantities(options: Mapping[str, Any], max_length: int) -> None:
    """Refuse shape quantities longer than the service's quantity length limit (422)."""
    shapes = [(f"shapes[{i}]", s) for i, s in enumerate(options.get("shapes") or [])]
    if isinstance(options.get("shape"), Mapping):
        shapes.append(("shape", options["shape"]))
    for path, shape in shapes:
        alloc = shape.get("allocatable") if isinstance(shape, Mapping) else None
        for name, value in (alloc or {}).items():
            text = str(value)
            if len(text) > max_length:
                raise ConfigError(
                    f"a quantity of {len(text)} characters is longer than the limit of"
                    f" {max_length} (PODFIT_MAX_QUANTITY_LENGTH)",
                    f"{path}.allocatable.{name}",
                )


@bp.post("/v1/plan/fit")
def plan_fit() -> Response:
    """How many more replicas of the templates fit: the FitReport document."""
    workload, raw = _body(tuple(FitOptionsSchema().fields), fit_options)
    opts = fit_options(raw)
    config = service_config()
    if opts["max_replicas"] > config.max_pods:
        raise ConfigError(
            f"must be at most {config.max_pods} (PODFIT_MAX_PODS), got {opts['max_replicas']}",
            "maxReplicas",
        )
    items = [(f"templates[{i}]", t) for i, t in enumerate(opts.pop("templates"))]
    templates = templates_of(load_workload(items, limits_for(config)).pods)
    if not templates:
        raise ConfigError("the templates hold no pod template", "templates")
    check_time("loading the manifests")
    report = how_many_fit(
        templates,
        workload.pods,
        workload.nodes,
        daemonsets=workload.daemonsets,
        progress=_clock("adding replicas"),
        **opts,
    )
    return _json(report.to_dict())


@bp.post("/v1/plan/nodes")
def plan_nodes() -> Response:
    """How many nodes of each shape the pending pods need: the NodesPlan document."""
    workload, raw = _body(tuple(NodesOptionsSchema().fields), nodes_options)
    opts = nodes_options(raw)
    config = service_config()
    # the exact mode must answer well within the request's time limit
    opts["time_limit"] = min(opts["time_limit"], config.request_time_limit / 2)
    check_time("loading the manifests")
    plan = nodes_needed(
        workload.pods,
        existing_nodes=workload.nodes,
        daemonsets=workload.daemonsets,
        progress=_clock("planning node shapes"),
        **opts,
    )
    return _json(plan.to_dict())


@bp.post("/v1/plan/drain")
def plan_drain() -> Response:
    """What if nodes go away: the DrainReport document."""
    workload, raw = _body(tuple(DrainOptionsSchema().fields), drain_options)
    opts = drain_options(raw)
    check_time("loading the manifests")
    report = what_if(
        workload.pods,
        workload.nodes,
        daemonsets=workload.daemonsets,
        progress=_clock("running what-if scenarios"),
        **opts,
    )
    return _json(report.to_dict())
