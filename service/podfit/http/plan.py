"""Capacity-planning endpoints: ``POST /v1/plan/fit``, ``/v1/plan/nodes``, ``/v1/plan/drain``.

Thin views: the body is the schedule envelope (``{"pods": [...], "nodes": [...], ...}``,
JSON or YAML) plus the plan options of :mod:`podfit.schemas.plan` (loaded by
:mod:`podfit.options.plan`); the answer is the versioned FitReport / NodesPlan /
DrainReport document. Errors are raised and turned into ``application/problem+json`` by
:mod:`podfit.http.problem`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import Blueprint, Response, g

from podfit.bounded import BoundExceeded, run_bounded
from podfit.errors import ConfigError
from podfit.http.body import (
    check_time,
    query_options,
    request_deadline,
    service_config,
    workload_body,
)
from podfit.http.config import ServiceConfig, env_name
from podfit.http.envelope import (
    VALIDATE,
    check_expansion,
    limits_for,
    load_workload,
    refuse_eviction,
    validate_mode,
)
from podfit.http.problem import Problem
from podfit.http.responses import json_response
from podfit.manifests import Workload
from podfit.manifests.workload import add_input_warnings
from podfit.options.load import option_names
from podfit.options.plan import drain_options, fit_options, nodes_options, templates_of
from podfit.planning.binpack import BinProblem
from podfit.planning.exact import ExactResult, solve_exact
from podfit.planning.fit import how_many_fit
from podfit.planning.mix import cheapest_mix
from podfit.planning.nodes_needed import nodes_needed
from podfit.planning.whatif import what_if
from podfit.schemas.plan import DrainOptionsSchema, FitOptionsSchema, NodesOptionsSchema

bp = Blueprint("plan", __name__)

# The option names each body takes besides pods and nodes.
_FIT_KEYS = option_names(FitOptionsSchema())
_NODES_KEYS = option_names(NodesOptionsSchema())
_DRAIN_KEYS = option_names(DrainOptionsSchema())


def _clock(phase: str) -> Callable[[int], None]:
    """A progress callback that answers 503 once the request time limit is used up."""

    def tick(_done: int) -> None:
        check_time(phase)

    return tick


#: Share of a shape's time the solver may search (seconds of search per second of the
#: share): the rest builds the model in the child and the answer after it.
SEARCH_SHARE = 0.6


def bounded_exact(shapes: int, config: ServiceConfig) -> Callable[..., ExactResult]:
    """``solve_exact`` for the request in progress, one shape after the other: each call
    runs in a child process (:func:`podfit.bounded.run_bounded`) limited to
    ``PODFIT_EXACT_MEMORY_BYTES`` and to an equal share of the request's time left among
    the shapes still to plan; the solver searches for at most :data:`SEARCH_SHARE` of
    that share (and never longer than the body's ``timeLimitSeconds``). Out of time:
    503 (as :func:`~podfit.http.body.check_time`); out of memory: 413 naming the limit.
    """
    done = 0

    def solve(problem: BinProblem, *, time_limit: float) -> ExactResult:
        nonlocal done
        share = request_deadline().left() / max(shapes - done, 1)
        done += 1
        check_time(f"planning shape {problem.template.name}")
        try:
            return run_bounded(
                solve_exact,
                problem,
                time_limit=max(min(time_limit, share * SEARCH_SHARE), 0.1),
                seconds=share,
                memory_bytes=config.exact_memory_bytes,
            )
        except BoundExceeded as exc:
            if exc.kind == "time":
                check_time(f"planning shape {problem.template.name}")
                raise Problem(
                    503,
                    "time-limit-exceeded",
                    "Request time limit exceeded",
                    f"the exact plan for shape {problem.template.name} did not finish in "
                    f"its share ({share:.1f} s) of the request time limit "
                    f"({config.request_time_limit:g} s, {env_name('request_time_limit')}); "
                    "plan fewer shapes at once, or use the podfit algorithm",
                ) from None
            raise Problem(
                413,
                "limit-exceeded",
                "Input exceeds a configured limit",
                f"the exact plan for shape {problem.template.name} needs more than "
                f"{config.exact_memory_bytes} bytes ({env_name('exact_memory_bytes')}); "
                "use the podfit algorithm, or fewer pod shapes",
            ) from None

    return solve


def _body(
    option_keys: Sequence[str], validate: Callable[[Mapping[str, Any]], dict[str, Any]]
) -> tuple[Workload, dict[str, Any]]:
    """Read the envelope: the workload (pods, nodes) and the validated options.

    The service's common workload-body reader applies every check first (400 malformed,
    413 over a bound — a quantity longer than ``PODFIT_MAX_QUANTITY_LENGTH`` anywhere,
    shapes included — 422 not an envelope); then the options are validated (422 naming
    the field; ``"preemption": true`` too, since plans never evict) before any manifest
    is loaded.
    """
    query = query_options((VALIDATE,))  # the other options are the body's fields only
    config = service_config()
    parsed = workload_body(("pods", "nodes", VALIDATE, *option_keys))
    if not parsed.envelope:
        raise ConfigError(
            'the body must be an object {"pods": [...], "nodes": [...], ...options}', ""
        )
    g.podfit_validate = mode = validate_mode(parsed.options, query)  # the templates' too
    options = validate(parsed.options)
    refuse_eviction(parsed.options, "plans")
    check_time("reading the body")
    workload = load_workload(parsed.items, limits_for(config), mode, request_deadline())
    check_expansion(workload, config)
    return workload, options


@bp.post("/v1/plan/fit")
def plan_fit() -> Response:
    """How many more replicas of the templates fit: the FitReport document."""
    workload, opts = _body(_FIT_KEYS, fit_options)
    config = service_config()
    if opts["max_replicas"] > config.max_pods:
        raise ConfigError(
            f"must be at most {config.max_pods} (PODFIT_MAX_PODS), got {opts['max_replicas']}",
            "maxReplicas",
        )
    items = [(f"templates[{i}]", t) for i, t in enumerate(opts.pop("templates"))]
    template_workload = load_workload(
        items, limits_for(config), g.podfit_validate, request_deadline()
    )
    templates = templates_of(template_workload.pods)
    if not templates:
        raise ConfigError("the templates hold no pod template", "templates")
    check_time("loading the manifests")
    report = how_many_fit(
        templates,
        workload.pods,
        workload.nodes,
        **workload.cluster_objects(),
        progress=_clock("adding replicas"),
        deadline=request_deadline(),
        **opts,
    )
    add_input_warnings(report, workload, template_workload)
    return json_response(report.to_dict())


@bp.post("/v1/plan/nodes")
def plan_nodes() -> Response:
    """How many nodes of each shape the pending pods need: the NodesPlan document."""
    workload, opts = _body(_NODES_KEYS, nodes_options)
    config = service_config()
    check_time("loading the manifests")
    mix = opts.pop("mix")
    plan = nodes_needed(
        workload.pods,
        existing_nodes=workload.nodes,
        **workload.cluster_objects(),
        progress=_clock("planning node shapes"),
        exact_solver=bounded_exact(len(opts["shapes"]), config),
        deadline=request_deadline(),
        **opts,
    )
    if mix:
        check_time("the cheapest mix")
        plan.cheapest = cheapest_mix(
            plan,
            exact=opts["algorithm"] == "exact",
            time_limit=opts["time_limit"],
            deadline=request_deadline(),
        )
    add_input_warnings(plan, workload)
    return json_response(plan.to_dict())


@bp.post("/v1/plan/drain")
def plan_drain() -> Response:
    """What if nodes go away: the DrainReport document."""
    workload, opts = _body(_DRAIN_KEYS, drain_options)
    check_time("loading the manifests")
    report = what_if(
        workload.pods,
        workload.nodes,
        **workload.cluster_objects(),
        progress=_clock("running what-if scenarios"),
        deadline=request_deadline(),
        **opts,
    )
    add_input_warnings(report, workload)
    return json_response(report.to_dict())
