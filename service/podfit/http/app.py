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

from flask import Blueprint, Flask, Response

from podfit.http import problem
from podfit.http.body import start_clock
from podfit.http.config import ServiceConfig

# One line per feature: "module:blueprint attribute".
BLUEPRINTS: tuple[str, ...] = (
    "podfit.http.ops:bp",  # /healthz, /readyz, /version, /openapi.yaml
    "podfit.http.quantities:bp",  # /v1/quantities
    "podfit.http.requests:bp",  # /v1/requests
    "podfit.http.schedule:bp",  # /v1/schedule
    "podfit.http.plan:bp",  # capacity planning: /v1/plan/fit|nodes|drain
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
    app.after_request(_security_headers)
    problem.register(app)
    for target in BLUEPRINTS:
        app.register_blueprint(_load_blueprint(target))
    logging.getLogger("podfit").setLevel(logging.INFO)
    return app


def _security_headers(response: Response) -> Response:
    """Browsers must not sniff a JSON or problem document into something executable."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
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
