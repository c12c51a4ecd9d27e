"""The v1 HTTP API: thin views over the core (contract: ``openapi.yaml``).

Each view reads its body with :func:`podfit.http.body.read_body` (limits, media type, UTF-8,
depth), validates it with a marshmallow schema from :mod:`podfit.schemas`, calls the core,
and answers JSON. Errors are raised, never formatted here: :mod:`podfit.http.problem` turns
them into ``application/problem+json``.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from flask import Blueprint, Response

from podfit import __version__
from podfit.errors import ConfigError, LimitExceeded, QuantityError
from podfit.http.body import (
    JSON,
    check_time,
    query_options,
    read_body,
    service_config,
    workload_body,
)
from podfit.http.config import env_name
from podfit.http.envelope import (
    SCHEDULE_OPTION_KEYS,
    limits_for,
    load_workload,
    schedule_options,
    schedule_workload,
)
from podfit.http.problem import Problem
from podfit.quantity import Quantity, parse_quantity
from podfit.scheduler.result import API_VERSION
from podfit.schemas.batch import QuantitiesRequestSchema
from podfit.schemas.quantities import quantity_row
from podfit.schemas.requests import requests_result

bp = Blueprint("api", __name__)


def json_response(data: Any, status: int = 200) -> Response:
    """Serialize ``data`` as compact UTF-8 JSON, keys in the order the core built them.

    orjson writes the bytes directly: 0.12 ms instead of 1.4 ms (stdlib ``json``, C
    encoder) plus the str-to-UTF-8 copy for the 280 KB answer of a 1,000-pod schedule.
    Non-ASCII characters are sent as UTF-8, not ``\\uXXXX`` escapes (the same JSON
    value). The few documents orjson refuses — an integer beyond 64 bits (quantities in
    base units may exceed it, ``1000E`` bytes), a non-string key — go through the stdlib
    encoder instead, which writes the same value; the output depends only on ``data``.
    """
    return Response(_encode(data), status=status, mimetype="application/json")


def _encode(data: Any) -> bytes:
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, check_circular=False)
        return text.encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Operations endpoints


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: the process answers HTTP. Deliberately does no other work."""
    return json_response({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    """Readiness: the core loaded and answered a one-pod self-check (run once per process)."""
    failure = _self_check()
    if failure:
        raise Problem(503, "not-ready", "Not ready", failure)
    return json_response({"status": "ready"})


@bp.get("/version")
def version() -> Response:
    return json_response(version_info(__version__, API_VERSION, platform.python_version()))


@bp.get("/openapi.yaml")
def openapi() -> Response:
    """The API contract, byte for byte as shipped (``application/yaml``, RFC 9512)."""
    return Response(_openapi_text(), mimetype="application/yaml")


@functools.cache
def _openapi_text() -> str:
    packaged = importlib.resources.files("podfit").joinpath("openapi.yaml")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    # Editable install / source tree: the file lives at the repository root.
    return (Path(__file__).resolve().parents[3] / "openapi.yaml").read_text(encoding="utf-8")


@functools.cache
def _self_check() -> str:
    """Return "" when the core schedules one pod on one node, else what failed."""
    try:
        self_check()
    except Exception as exc:  # readiness must report, not crash
        return f"self-check failed: {type(exc).__name__}: {exc}"
    return ""


# ---------------------------------------------------------------------------------------------
# v1


@bp.post("/v1/quantities")
def quantities() -> Response:
    """Parse and optionally convert a batch of quantities; one result or error per item."""
    query_options(())
    body = read_body(accept=(JSON,))
    config = service_config()
    data = _object(body.data)
    check_quantities_count(data.get("quantities"), config.max_quantities)
    payload = QuantitiesRequestSchema().load(data)
    check_time("parsing quantities")
    return json_response(
        quantities_result(
            payload["quantities"],
            payload.get("to"),
            max_items=config.max_quantities,
            max_length=config.max_quantity_length,
        )
    )


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


@bp.post("/v1/requests")
def requests() -> Response:
    """Effective requests, limits, QoS class and their explanation, per pod and in total."""
    query_options(())
    config = service_config()
    parsed = workload_body(("pods",))
    check_time("loading the manifests")
    workload = load_workload(parsed.items, limits_for(config))
    return json_response(requests_result(workload))


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


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise Problem(
            422,
            "invalid-content",
            "Invalid request body",
            f"the body must be a JSON object, got {type(data).__name__}",
        )
    return data


def check_quantities_count(items: Any, max_items: int) -> None:
    """Refuse more than ``max_items`` batch items before any of them is looked at."""
    if isinstance(items, list) and len(items) > max_items:
        raise LimitExceeded(
            f"{len(items)} quantities exceed the limit of {max_items}"
            f" ({env_name('max_quantities')})",
            path="quantities",
            limit="max_quantities",
        )


def quantities_result(
    items: Sequence[str], to: str | None, *, max_items: int, max_length: int
) -> dict[str, Any]:
    """One row per item, in order (:func:`podfit.schemas.quantities.quantity_row`, the
    rows of ``podfit quantity -o json``); an item longer than ``max_length`` is refused
    unparsed in its row.

    Raises ``LimitExceeded`` for more than ``max_items`` items and ``ConfigError`` for an
    unknown ``to`` unit (both before any item is parsed).
    """
    check_quantities_count(items, max_items)
    if to is not None:
        try:
            Quantity.ZERO.convert(to)
        except QuantityError as exc:
            raise ConfigError(str(exc), path="to") from None
    results = [
        _too_long(text, index, max_length)
        if len(text) > max_length
        else quantity_row(text, to, index)
        for index, text in enumerate(items)
    ]
    return {"results": results}


def _too_long(text: str, index: int, max_length: int) -> dict[str, Any]:
    """The row of an item longer than ``max_length`` characters: refused unparsed, naming
    ``PODFIT_MAX_QUANTITY_LENGTH`` (the service's bound; the CLI has none)."""
    message = (
        f"a quantity of {len(text)} characters is longer than the limit of"
        f" {max_length} ({env_name('max_quantity_length')})"
    )
    return {"input": text, "error": {"path": f"quantities[{index}]", "message": message}}


def version_info(podfit_version: str, api_version: str, python_version: str) -> dict[str, Any]:
    """What this server is and which Kubernetes versions its scheduler emulates."""
    from podfit.scheduler.filters import DEFAULT_VERSION, SUPPORTED_VERSIONS

    return {
        "podfit": podfit_version,
        "apiVersion": api_version,
        "kubernetesVersions": list(SUPPORTED_VERSIONS),
        "defaultKubernetesVersion": DEFAULT_VERSION,
        "python": python_version,
    }


def self_check() -> None:
    """Schedule one 100m/64Mi pod on one 1-cpu node through the core and its JSON result.

    Raises ``AssertionError`` (or whatever the core raised) when the answer is not the
    expected one; readiness reports it.
    """
    from podfit.nodes import Node
    from podfit.pods import Container, Pod
    from podfit.scheduler import schedule

    node = Node(
        "self-check",
        allocatable={
            "cpu": parse_quantity("1"),
            "memory": parse_quantity("1Gi"),
            "pods": parse_quantity("110"),
        },
    )
    pod = Pod(
        "probe",
        containers=(
            Container(
                "probe",
                requests={"cpu": parse_quantity("100m"), "memory": parse_quantity("64Mi")},
            ),
        ),
    )
    result = schedule([pod], [node]).to_dict()
    placed = [p.get("node") for p in result["pods"]]
    assert placed == ["self-check"], f"the probe pod was not placed on the only node: {placed}"
