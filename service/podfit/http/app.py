"""The Flask application factory: ``create_app(config=None)``.

``config`` may be a :class:`~podfit.http.config.ServiceConfig`, a mapping of its field names
(``{"max_pods": 10}``) applied over the ``PODFIT_*`` environment, or ``None`` (environment
only). Gunicorn loads ``podfit.http.app:create_app()``.

Each feature is a blueprint registered in :data:`BLUEPRINTS` with one line
(``"module:attribute"``); a module is imported only when the app is created, so importing
``podfit.http.app`` stays cheap and an optional feature cannot break the others' import.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, request

from podfit.http import problem
from podfit.http.body import service_config, start_clock
from podfit.http.config import ServiceConfig, env_name

# One line per feature: "module:blueprint attribute".
BLUEPRINTS: tuple[str, ...] = (
    "podfit.http.ops:bp",  # /healthz, /readyz, /version, /openapi.yaml
    "podfit.http.quantities:bp",  # /v1/quantities
    "podfit.http.requests:bp",  # /v1/requests
    "podfit.http.schedule:bp",  # /v1/schedule
    "podfit.http.plan:bp",  # capacity planning: /v1/plan/fit|nodes|drain
    "podfit.http.check:bp",  # the CI gate: /v1/check
    "podfit.web.page:bp",  # the web page at GET /
)


def create_app(config: ServiceConfig | Mapping[str, Any] | None = None) -> Flask:
    """Build the WSGI app with its limits, error handlers and blueprints."""
    settings = _settings(config)
    app = Flask("podfit")
    # The views serialize JSON themselves (deterministic, compact bytes): no JSON provider
    # setting applies.
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes)
    app.extensions["podfit"] = settings
    app.before_request(start_clock)
    app.after_request(_finish_response)
    problem.register(app)
    for target in BLUEPRINTS:
        app.register_blueprint(_load_blueprint(target))
    logging.getLogger("podfit").setLevel(logging.INFO)
    return app


#: The web page's policy: its own styles, images and icon only (no inline script or style,
#: no framing by another site, forms posted back to it alone).
PAGE_POLICY = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"


def _finish_response(response: Response) -> Response:
    """Every answer's last step (``after_request``): its size bound and its headers.

    - An answer larger than ``PODFIT_MAX_ANSWER_BYTES`` is replaced by a 422 problem
      naming the limit (static files, which stream, are not counted).
    - Browsers must not sniff a JSON or problem document into something executable.
    - An HTML page carries a Content-Security-Policy and says where it may be framed and
      what referrer it gives away.
    - ``OPTIONS`` (answered by Flask from the route table) is ``204 No Content`` with
      ``Allow``, not an empty ``text/html`` 200; ``Allow`` lists the methods sorted.
    """
    limit = service_config().max_answer_bytes
    if not response.direct_passthrough and (response.content_length or 0) > limit:
        response = problem.problem_response(
            422,
            "Answer too large",
            f"the answer would be {response.content_length} bytes; this server sends at "
            f"most {limit} ({env_name('max_answer_bytes')}): ask for less (explain=false, "
            "fewer pods) or split the input",
            type_=problem.URN + "answer-too-large",
        )
    headers = response.headers
    if "Allow" in headers:  # Flask builds it from a set: one order for every process
        methods = {m.strip() for m in headers["Allow"].split(",") if m.strip()}
        headers["Allow"] = ", ".join(sorted(methods))
    if request.method == "OPTIONS" and response.status_code == 200 and "Allow" in headers:
        response.status_code = 204
        response.set_data(b"")
        del headers["Content-Type"]
        del headers["Content-Length"]
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def _settings(config: ServiceConfig | Mapping[str, Any] | None) -> ServiceConfig:
    if isinstance(config, ServiceConfig):
        return config
    base = ServiceConfig.from_env()
    return base.replace(**dict(config)) if config else base


def _load_blueprint(target: str) -> Blueprint:
    module_name, attr = target.split(":")
    blueprint = getattr(importlib.import_module(module_name), attr)
    assert isinstance(blueprint, Blueprint)
    return blueprint
