"""Reading a request body safely: length first, then media type, encoding, parse, depth.

Every check runs before the expensive step it protects, in this order:

1. ``Content-Length`` is required on a request with a body (411 otherwise). Under gunicorn
   a *chunked* body over Flask's ``MAX_CONTENT_LENGTH`` is silently truncated instead of
   refused, so chunked bodies are not accepted at all.
2. The declared length is compared with the limit before a byte is read (413); YAML has
   its own, smaller limit because parsing it costs about 15 times as much as JSON.
3. ``Content-Type`` must be JSON or YAML as the endpoint allows, with no charset other
   than UTF-8, and there must be no ``Content-Encoding`` (415).
4. The bytes must be UTF-8 (400 naming the byte offset); a leading BOM is ignored.
5. JSON is parsed by the C decoder (which refuses nesting past the interpreter's
   recursion limit), rejecting ``NaN``/``Infinity`` and integers longer than 4300 digits
   (400); then the nesting depth is checked against ``PODFIT_MAX_DEPTH`` (413), skipped
   when the body has fewer brackets than the limit. YAML is parsed later by
   ``podfit.yamlsafe`` with the same limits.
6. For pods-and-nodes bodies (:func:`workload_body`), no array or object may have more
   than ``PODFIT_MAX_ITEMS`` entries and no quantity may be longer than
   ``PODFIT_MAX_QUANTITY_LENGTH`` (413), before the manifest reader runs.

The planning endpoints use :func:`read_body`, :func:`workload_body` and
:func:`query_options` too, and the web page applies the same bounds to each pasted or
uploaded input with :func:`check_text_bounds`, so every endpoint refuses the same
hostile input in the same way.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal

from flask import current_app, g, request
from werkzeug.exceptions import ClientDisconnected, LengthRequired

from podfit.deadline import NO_DEADLINE, Deadline
from podfit.errors import FieldError, LimitExceeded, ManifestError
from podfit.http.config import ServiceConfig, env_name
from podfit.http.envelope import (
    WorkloadBody,
    check_body_shape,
    document_items,
    name_limit_setting,
    parse_workload_body,
    read_documents,
)
from podfit.http.problem import Problem

Syntax = Literal["json", "yaml"]
JSON: Final[Syntax] = "json"
YAML: Final[Syntax] = "yaml"

MEDIA_TYPES: dict[str, Syntax] = {
    "application/json": JSON,
    "application/yaml": YAML,
    "application/x-yaml": YAML,
    "text/yaml": YAML,
    "text/x-yaml": YAML,
}

_UTF8 = ("utf-8", "utf8")
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class Body:
    """A request body that passed every check: ``data`` is the parsed JSON value (for
    YAML it is ``None``: the manifest loader parses ``text`` under its own limits)."""

    syntax: Syntax
    text: str
    data: Any = None


def service_config() -> ServiceConfig:
    """The ``ServiceConfig`` of the running app."""
    config = current_app.extensions["podfit"]
    assert isinstance(config, ServiceConfig)
    return config


def read_body(accept: Collection[Syntax] = (JSON, YAML), *, parse: bool = True) -> Body:
    """Check and parse the current request's body (see the module docstring for the order).

    With ``parse=False`` the text is returned unparsed, for callers that parse it with the
    manifest reader (:mod:`podfit.yamlsafe`, which keeps JSON numbers' literal text).
    """
    config = service_config()
    syntax = _media_syntax(accept)
    length = request.content_length
    if length is None:
        raise LengthRequired()
    limit, setting = config.max_body_bytes, "max_body_bytes"
    if syntax == YAML and config.max_yaml_bytes < limit:
        limit, setting = config.max_yaml_bytes, "max_yaml_bytes"
    if length > limit:
        raise Problem(
            413,
            "",
            "Request Entity Too Large",
            f"The {syntax.upper()} body is {length} bytes; this server accepts at most "
            f"{limit} ({env_name(setting)}).",
        )
    raw = _read_body()
    text = decode_utf8(raw)
    if syntax == YAML or not parse:
        return Body(syntax, text)
    return Body(JSON, text, parse_json(text, max_depth=config.max_depth))


def _read_body() -> bytes:
    """Read the body (400 if the client went away before sending all of it).

    Under podfit's gunicorn worker (:mod:`podfit.http.worker`) the body is already in
    memory: the event loop read it, within ``PODFIT_BODY_TIMEOUT``, before a thread took
    the request, so this never waits for the network.
    """
    try:
        return request.get_data(cache=False)
    except ClientDisconnected:
        raise Problem(
            400,
            "",
            "Bad Request",
            "the client closed the connection before sending the whole body",
            headers={"Connection": "close"},
        ) from None


def _media_syntax(accept: Collection[Syntax]) -> Syntax:
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise Problem(
            415,
            "",
            "Unsupported Media Type",
            f"Content-Encoding {encoding!r} is not accepted; send the body uncompressed.",
        )
    mimetype = request.mimetype
    syntax = MEDIA_TYPES.get(mimetype)
    allowed = sorted(t for t, s in MEDIA_TYPES.items() if s in accept)
    if syntax is None or syntax not in accept:
        got = f"Content-Type {mimetype!r}" if mimetype else "no Content-Type"
        raise Problem(
            415,
            "",
            "Unsupported Media Type",
            f"Got {got}; this endpoint accepts {', '.join(allowed)}.",
            headers={"Accept-Post": ", ".join(allowed)},
        )
    charset = request.mimetype_params.get("charset")
    if charset is not None and charset.lower() not in _UTF8:
        raise Problem(
            415,
            "",
            "Unsupported Media Type",
            f"charset {charset!r} is not accepted; the body must be UTF-8.",
        )
    return syntax


def decode_utf8(raw: bytes) -> str:
    """Decode strictly as UTF-8, dropping one leading byte-order mark.

    >>> decode_utf8(b"\\xef\\xbb\\xbf{}")
    '{}'
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problem(
            400,
            "not-utf-8",
            "Body is not UTF-8",
            f"The body is not valid UTF-8: byte {exc.start} ({raw[exc.start : exc.start + 1]!r})"
            f" {exc.reason}.",
        ) from None
    return text.removeprefix(_BOM)


def parse_json(text: str, *, max_depth: int) -> Any:
    """Parse JSON text strictly and check its nesting depth.

    >>> parse_json('{"a": [1, {"b": null}]}', max_depth=3)
    {'a': [1, {'b': None}]}
    """
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise Problem(
            400,
            "malformed-body",
            "Malformed JSON",
            f"line {exc.lineno} column {exc.colno}: {exc.msg}",
        ) from None
    except RecursionError:
        raise LimitExceeded(
            f"JSON nesting is deeper than {max_depth} levels ({env_name('max_depth')})",
            limit="max_depth",
        ) from None
    except ValueError as exc:  # NaN/Infinity, or an integer with too many digits
        detail = str(exc)
        if "integer string conversion" in detail:
            detail = "a number has more than 4300 digits"
        raise Problem(400, "malformed-body", "Malformed JSON", detail) from None
    if text.count("[") + text.count("{") > max_depth:
        check_depth(value, max_depth)
    check_unicode(text, [("", value)])
    return value


#: A ``\\u`` escape of a UTF-16 surrogate (D800-DFFF) in JSON text: the only way a
#: string decoded from valid UTF-8 can hold one (YAML's loader refuses such escapes).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def check_unicode(text: str, items: Iterable[tuple[str, Any]], syntax: Syntax = JSON) -> None:
    """400 when a string parsed from ``text`` (``items``: path and value pairs) holds an
    unpaired UTF-16 surrogate, such as ``"\\ud800"``: it is no Unicode character, so no
    answer could quote it as UTF-8 (RFC 8259 §8.2 leaves such strings' meaning open).
    A pair (``"\\ud83d\\ude00"``) is one character and fine.

    Cost: nothing unless the text holds a surrogate escape; then one walk of the values.

    >>> check_unicode('["\\\\ud83d\\\\ude00"]', [("", ["\\U0001f600"])])
    >>> check_unicode('{"a": ["\\\\ud800"]}', [("", {"a": ["\\ud800"]})])
    Traceback (most recent call last):
    ...
    podfit.http.problem.Problem: 400 Malformed JSON: a[0]: an unpaired UTF-16 surrogate
    escape (\\ud800-\\udfff) is no Unicode character
    """
    if not _SURROGATE_ESCAPE.search(text):
        return
    for root, value in items:
        path = lone_surrogate_path(value, root)
        if path is not None:
            message = (
                "an unpaired UTF-16 surrogate escape (\\ud800-\\udfff) is no Unicode character"
            )
            raise Problem(
                400,
                "malformed-body",
                f"Malformed {syntax.upper()}",
                f"{path}: {message}" if path else message,
                errors=[FieldError(path, message)],
            )


def lone_surrogate_path(value: Any, path: str = "") -> str | None:
    """The path of the first string (or key) in ``value`` holding an unpaired surrogate,
    else ``None``; a key in the path is written with ``\\uXXXX`` escapes for such
    characters. Iterative: one step per value."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        node, at = stack.pop()
        if isinstance(node, str):
            if not _encodable(node):
                return at
        elif isinstance(node, dict):
            children = []
            for key, child in node.items():
                name = str(key)
                if not _encodable(name):
                    name = name.encode("utf-8", "backslashreplace").decode("ascii")
                    return f"{at}.{name}" if at else name
                children.append((child, f"{at}.{name}" if at else name))
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend((node[i], f"{at}[{i}]") for i in reversed(range(len(node))))
    return None


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def check_depth(value: Any, max_depth: int) -> None:
    """Raise ``LimitExceeded`` naming the first path nested deeper than ``max_depth``.

    The outermost array or object is depth 1. Iterative: cost is one step per container
    (paths are spelled only when the limit is exceeded).

    >>> check_depth({"a": [[1]]}, 3)
    >>> check_depth({"a": [[1]]}, 2)
    Traceback (most recent call last):
    ...
    podfit.errors.LimitExceeded: a[0]: nesting is deeper than 2 levels (PODFIT_MAX_DEPTH)
    """
    level = [value]
    depth = 1
    while level:  # level by level, no path spelled: the common case of a valid body
        if depth > max_depth:
            _raise_too_deep(value, max_depth)
        nested: list[Any] = []
        extend = nested.extend
        for node in level:  # the top value may be a scalar
            if isinstance(node, dict):
                extend([c for c in node.values() if isinstance(c, _CONTAINERS)])
            elif isinstance(node, list):
                extend([c for c in node if isinstance(c, _CONTAINERS)])
        level = nested
        depth += 1


_CONTAINERS = (dict, list)
"""The nesting types, as a tuple: ``isinstance`` with a tuple is cheaper than with
``dict | list`` (a ``types.UnionType``), and the depth and shape checks ask it of every
value of a body."""


def _raise_too_deep(value: Any, max_depth: int) -> None:
    """The ``LimitExceeded`` of :func:`check_depth`, naming the first path (depth first,
    last child first) nested deeper than ``max_depth``."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        node, depth, path = stack.pop()
        if depth > max_depth:
            raise LimitExceeded(
                f"nesting is deeper than {max_depth} levels ({env_name('max_depth')})",
                path=path,
                limit="max_depth",
            )
        if isinstance(node, dict):
            for key, child in node.items():
                if isinstance(child, dict | list):
                    stack.append((child, depth + 1, f"{path}.{key}" if path else str(key)))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                if isinstance(child, dict | list):
                    stack.append((child, depth + 1, f"{path}[{index}]"))


def query_options(known: tuple[str, ...]) -> dict[str, Any]:
    """The known query parameters of this request (every POST endpoint calls it).

    An unknown name is refused (400), not ignored, and so is a name given twice
    (``?explain=true&explain=false`` has no single meaning).
    """
    unknown = sorted(set(request.args) - set(known))
    if unknown:
        raise Problem(
            400,
            "invalid-query",
            "Invalid query parameter",
            f"unknown query parameter(s): {', '.join(unknown)}"
            + (f"; known: {', '.join(known)}" if known else "; this endpoint takes none"),
        )
    repeated = sorted(name for name in request.args if len(request.args.getlist(name)) > 1)
    if repeated:
        raise Problem(
            400,
            "invalid-query",
            "Invalid query parameter",
            f"query parameter(s) given more than once: {', '.join(repeated)}",
        )
    return {name: request.args[name] for name in known if name in request.args}


def start_clock() -> None:
    """Start this request's ``PODFIT_REQUEST_TIME_LIMIT`` (``before_request``): the
    :class:`~podfit.deadline.Deadline` that :func:`request_deadline` hands to the core and
    :func:`check_time` checks between the views' phases."""
    limit = service_config().request_time_limit
    g.podfit_deadline = Deadline.after(limit, functools.partial(_time_out, limit))


def request_deadline() -> Deadline:
    """This request's ``PODFIT_REQUEST_TIME_LIMIT`` as the core's :class:`Deadline`
    (:data:`~podfit.deadline.NO_DEADLINE` outside a request that started its clock): the
    planners and the scheduler check it inside their loops and size their solvers' limits
    by its :meth:`~podfit.deadline.Deadline.left`; past it, the check answers 503 naming
    the phase."""
    found = g.get("podfit_deadline")
    return found if isinstance(found, Deadline) else NO_DEADLINE


def check_time(phase: str) -> None:
    """Answer 503 if this request has used up ``PODFIT_REQUEST_TIME_LIMIT`` before ``phase``.

    Under gunicorn the ``timeout`` setting does not bound one request, so views call this
    between their phases (parse, load, schedule, answer), and the core checks the same
    deadline inside its loops (:func:`request_deadline`).
    """
    request_deadline().check(phase)


def _time_out(limit: float, phase: str) -> None:
    """The request deadline's ``expired``: the 503 problem naming the phase and the limit."""
    elapsed = limit - request_deadline().left()
    raise Problem(
        503,
        "time-limit-exceeded",
        "Request time limit exceeded",
        f"stopped before {phase} after {elapsed:.1f} s (limit {limit:g} s, "
        f"{env_name('request_time_limit')}); send a smaller input",
        errors=[FieldError("", f"time limit of {limit:g} s exceeded before {phase}")],
    )


def workload_body(envelope_keys: tuple[str, ...]) -> WorkloadBody:
    """Read (:func:`read_body`), parse (400 when not well-formed), bound (413) and split
    the current request's workload body (422): what every endpoint taking pods and nodes
    (schedule, requests, planning) calls.

    A JSON body is first parsed plainly (C decoder, no per-number objects) and its shape
    checked (entries per array/object, quantity lengths), so a hostile body is refused
    before the manifest reader builds anything; then it is read again by
    :mod:`podfit.yamlsafe`, which keeps each number's literal text.
    """
    body = read_body(parse=False)
    text, syntax = body.text, body.syntax
    config = service_config()
    try:
        if syntax == JSON:
            plain_value = parse_json(text, max_depth=config.max_depth)
            check_body_shape(
                [("", plain_value)],
                max_items=config.max_items,
                max_quantity_length=config.max_quantity_length,
            )
        try:
            # a JSON body's nesting was bounded on its plain parse above
            docs = read_documents(text, syntax, config, depth_known=syntax == JSON)
        except ManifestError as exc:  # not well-formed: syntax, duplicate keys, tags
            errors = [FieldError(e.path, e.message.removeprefix("<body>: ")) for e in exc.errors]
            raise Problem(
                400,
                "malformed-body",
                f"Malformed {syntax.upper()}",
                str(exc).removeprefix("<body>: "),
                errors=errors,
            ) from None
        if syntax != JSON:
            check_body_shape(
                document_items(docs),
                max_items=config.max_items,
                max_quantity_length=config.max_quantity_length,
            )
        return parse_workload_body(docs, envelope_keys)
    except LimitExceeded as exc:
        raise name_limit_setting(exc) from None


def check_text_bounds(text: str, name: str) -> None:
    """Apply ``PODFIT_MAX_ITEMS`` and ``PODFIT_MAX_QUANTITY_LENGTH`` to manifest text that
    does not arrive as a request body (the web page's pasted and uploaded inputs), as
    :func:`workload_body` does for the API: ``LimitExceeded`` (413) naming ``name`` and
    the path. Text that is not well-formed is left to the manifest reader, which reports
    it naming the source. Cost: one more parse of the text (the web page's inputs are
    bounded by ``PODFIT_MAX_YAML_BYTES``).
    """
    config = service_config()
    syntax: Syntax = JSON if text.lstrip().startswith(("{", "[")) else YAML
    try:
        docs = read_documents(text, syntax, config)
        check_body_shape(
            document_items(docs),
            max_items=config.max_items,
            max_quantity_length=config.max_quantity_length,
        )
    except LimitExceeded as exc:
        raise name_limit_setting(exc, name) from None
    except ManifestError:
        return
    check_unicode(
        text, [(f"{name}: {path}" if path else name, v) for path, v in document_items(docs)], syntax
    )
