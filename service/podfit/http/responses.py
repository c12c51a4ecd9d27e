"""JSON answers of the HTTP API: the value the core built, as compact UTF-8 bytes.

:func:`json_bytes` is the service's one JSON encoder: the API's answers
(:func:`json_response`), its problem documents (:mod:`podfit.http.problem`) and the
gunicorn worker's own refusals (:mod:`podfit.http.worker`) are all written by it.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from flask import Response


def json_response(data: Any, status: int = 200) -> Response:
    """``data`` as an ``application/json`` answer written by :func:`json_bytes`."""
    return Response(json_bytes(data), status=status, mimetype="application/json")


def json_bytes(data: Any) -> bytes:
    """Serialize ``data`` as compact UTF-8 JSON, keys in the order the core built them.

    orjson writes the bytes directly, with no str-to-UTF-8 copy (see
    ``docs/performance.md``). Non-ASCII characters are sent as UTF-8, not ``\\uXXXX``
    escapes (the same JSON value). The few documents orjson refuses — an integer beyond
    64 bits (quantities in base units may exceed it, ``1000E`` bytes), a non-string key,
    a string holding an unpaired surrogate — go through the stdlib encoder instead, which
    writes the same value; a string with an unpaired surrogate (not encodable as UTF-8:
    a value echoed from a hostile body) makes the whole document ``\\uXXXX``-escaped
    ASCII, so no answer can fail on what it quotes. The output depends only on ``data``.
    Cost: linear in the document.

    >>> json_bytes({"name": "é", "n": 2**70})
    b'{"name":"\\xc3\\xa9","n":1180591620717411303424}'
    >>> json_bytes({"detail": "a\\ud800b"})
    b'{"detail":"a\\\\ud800b"}'
    """
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, check_circular=False)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:  # an unpaired surrogate: escape every non-ASCII character
            text = json.dumps(data, separators=(",", ":"), check_circular=False)
            return text.encode("ascii")
