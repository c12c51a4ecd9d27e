"""Every HTTP error as an RFC 9457 problem details document (``application/problem+json``).

One shape for every failure the service can answer, so a client needs one code path::

    {"type": "urn:podfit:problem:invalid-quantity",
     "title": "Invalid quantity",
     "status": 422,
     "detail": "1 error: pods[0].spec.containers[0].resources.requests.cpu: ...",
     "errors": [{"path": "pods[0].spec.containers[0].resources.requests.cpu",
                 "message": "\\"1.5.5\\" is not a valid quantity: ..."}]}

``type`` is ``about:blank`` for plain HTTP conditions (404, 405, 411, 413, 415), whose
``title`` is then the HTTP reason phrase (RFC 9457 §4.2.1); podfit's own conditions have
a ``urn:podfit:problem:<name>`` type. The core raises the ``podfit.errors`` family and
this module alone decides the status: bad content 422, over a bound 413, unreadable body
400. An unexpected exception is logged with its traceback on the server and answered as
a 500 problem without any detail of the internals.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from flask import Flask, Response
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from podfit.errors import (
    ConfigError,
    FieldError,
    LimitExceeded,
    ManifestError,
    PodfitError,
    QuantityError,
)
from podfit.http.responses import json_bytes
from podfit.options.load import flatten_messages

PROBLEM_JSON = "application/problem+json"
#: At most this many entries in ``errors`` (then one "N more errors not shown" entry).
MAX_ERRORS = 100
URN = "urn:podfit:problem:"

log = logging.getLogger("podfit.api")

# Our own wording for HTTP errors: several of werkzeug's default descriptions contain HTML.
_HTTP_DETAIL: dict[int, str] = {
    400: "The request could not be understood.",
    404: "No such resource. The API lives under /v1; see /openapi.yaml.",
    405: "This method is not allowed on this resource; see the Allow header.",
    406: "The server can only answer application/json (errors: application/problem+json).",
    408: "The request body did not arrive in time.",
    411: (
        "A request body needs a Content-Length header; chunked transfer encoding is not "
        "accepted (send the body with its length)."
    ),
    413: "The request body is larger than this server accepts.",
    414: "The request URI is too long.",
    415: "Unsupported media type.",
    429: "Too many requests.",
    431: "The request header fields are too large.",
    500: "The server failed to answer this request; the failure has been logged.",
    503: "The service is unavailable.",
}

# Domain error class -> (HTTP status, problem type name, title). Most specific first.
_DOMAIN: tuple[tuple[type[PodfitError], int, str, str], ...] = (
    (LimitExceeded, 413, "limit-exceeded", "Input exceeds a configured limit"),
    (QuantityError, 422, "invalid-quantity", "Invalid quantity"),
    (ManifestError, 422, "invalid-manifest", "Invalid manifest"),
    (ConfigError, 422, "invalid-option", "Invalid option"),
    (PodfitError, 422, "invalid-content", "Invalid content"),
)


@dataclass
class Problem(Exception):
    """An error the edge raises itself (unreadable body, wrong media type, time limit…).

    ``name`` becomes the ``urn:podfit:problem:<name>`` type (an empty name means a plain
    HTTP condition: ``about:blank``); ``headers`` are sent as is.
    """

    status: int
    name: str
    title: str
    detail: str
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    type_: str = "about:blank",
    errors: Iterable[FieldError] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Build the problem+json response (deterministic key order, compact UTF-8 written by
    :func:`~podfit.http.responses.json_bytes`, as every answer)."""
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    error_list = [{"path": e.path, "message": e.message} for e in errors]
    if len(error_list) > MAX_ERRORS:
        hidden = len(error_list) - MAX_ERRORS
        error_list = error_list[:MAX_ERRORS]
        error_list.append({"path": "", "message": f"{hidden} more errors not shown"})
    if error_list:
        body["errors"] = error_list
    response = Response(json_bytes(body), status=status, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _summary(errors: list[FieldError]) -> str:
    if len(errors) == 1:
        return str(errors[0])
    return f"{len(errors)} errors; the first: {errors[0]}"


def handle_problem(exc: Problem) -> Response:
    return problem_response(
        exc.status,
        exc.title,
        exc.detail,
        type_=URN + exc.name if exc.name else "about:blank",
        errors=exc.errors,
        headers=exc.headers,
    )


def handle_podfit_error(exc: PodfitError) -> Response:
    status, name, title = next((s, n, t) for c, s, n, t in _DOMAIN if isinstance(exc, c))
    return problem_response(
        status, title, _summary(exc.errors), type_=URN + name, errors=exc.errors
    )


def handle_validation_error(exc: ValidationError) -> Response:
    errors = list(flatten_messages(exc.messages))
    if not errors:
        errors = [FieldError("", "invalid request body")]
    return problem_response(
        422,
        "Invalid request body",
        _summary(errors),
        type_=URN + "invalid-content",
        errors=errors,
    )


def handle_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    headers = {
        key: value
        for key, value in exc.get_headers()
        if key.lower() not in ("content-type", "content-length")
    }
    detail = _HTTP_DETAIL.get(status) or _phrase(status)
    if status == 405 and "Allow" in headers:
        detail = f"Allowed methods: {headers['Allow']}."
    return problem_response(status, _phrase(status), detail, headers=headers)


def handle_unexpected(exc: Exception) -> Response:
    log.exception("unhandled error while answering a request", exc_info=exc)
    return problem_response(500, _phrase(500), _HTTP_DETAIL[500])


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def register(app: Flask) -> None:
    """Install the handlers: every error leaves as application/problem+json."""
    app.register_error_handler(Problem, handle_problem)
    app.register_error_handler(PodfitError, handle_podfit_error)
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
