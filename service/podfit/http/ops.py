"""Operations endpoints: ``/healthz``, ``/readyz``, ``/version`` and ``/openapi.yaml``."""

from __future__ import annotations

import functools
import importlib.resources
import platform
from pathlib import Path
from typing import Any

from flask import Blueprint, Response

from podfit import __version__
from podfit.http.problem import Problem
from podfit.http.responses import json_response
from podfit.quantity import parse_quantity
from podfit.scheduler.result import API_VERSION

bp = Blueprint("ops", __name__)


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


def version_info(podfit_version: str, api_version: str, python_version: str) -> dict[str, Any]:
    """What this server is and which Kubernetes versions its scheduler emulates."""
    from podfit.scheduler.features import DEFAULT_VERSION, SUPPORTED_VERSIONS

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
