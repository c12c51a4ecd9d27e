"""JSON answers of the HTTP API: the value the core built, as compact UTF-8 bytes."""

from __future__ import annotations

import json
from typing import Any

import orjson
from flask import Response


def json_response(data: Any, status: int = 200) -> Response:
    """Serialize ``data`` as compact UTF-8 JSON, keys in the order the core built them.

    orjson writes the bytes directly, with no str-to-UTF-8 copy (see
    ``docs/performance.md``). Non-ASCII characters are sent as UTF-8, not ``\\uXXXX``
    escapes (the same JSON value). The few documents orjson refuses — an integer beyond
    64 bits (quantities in base units may exceed it, ``1000E`` bytes), a non-string key —
    go through the stdlib encoder instead, which writes the same value; the output
    depends only on ``data``; a string with an unpaired surrogate (not encodable as UTF-8)
    is written ``\\uXXXX``-escaped. Cost: linear in the document.
    """
    return Response(_encode(data), status=status, mimetype="application/json")


def _encode(data: Any) -> bytes:
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, check_circular=False)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:  # an unpaired surrogate: escape every non-ASCII character
            text = json.dumps(data, separators=(",", ":"), check_circular=False)
            return text.encode("ascii")
