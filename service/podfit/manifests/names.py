"""Names the API server and controllers give pods: ``generateName`` suffixes and the
Deployment's ``pod-template-hash``, derived deterministically."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from podfit.yamlsafe import Number

try:  # CPython's own SHA-256: hashlib would load OpenSSL (~2 ms at every start)
    from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - other interpreters, Python 3.12+ (_sha2)
    from hashlib import sha256

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""apimachinery's ``util/rand`` alphabet (no vowels, no 0/1/3): pod-template-hash labels
and the suffixes of names made from ``generateName``."""
MAX_GENERATE_NAME_BASE = 58
"""``generateName`` bases are cut to 63 − 5 characters before the 5-character suffix."""


def _safe_encode(text: str, length: int) -> str:
    """``length`` characters of :data:`SAFE_ALPHABET` derived from SHA-256 of ``text``."""
    n = int(sha256(text.encode("utf-8")).hexdigest()[:16], 16)
    out = []
    for _ in range(length):
        n, r = divmod(n, len(SAFE_ALPHABET))
        out.append(SAFE_ALPHABET[r])
    return "".join(out)


def template_hash(template: Mapping[str, Any]) -> str:
    """A stable 10-character stand-in for the ``pod-template-hash`` label: of the
    template's JSON text, keys sorted (``json.dumps(template, sort_keys=True)``, a
    number as its literal text)."""
    return _safe_encode(_TEMPLATE_JSON.encode(template), 10)


def generated_name(base: str, namespace: str, ordinal: int) -> str:
    """The name the API server makes from ``metadata.generateName``: ``base`` (at most 58
    characters) plus 5 characters of :data:`SAFE_ALPHABET`. The API server draws them at
    random; podfit derives them from (namespace, base, ``ordinal``) so that the same input
    always gives the same names.

    >>> generated_name("web-", "default", 0) != generated_name("web-", "default", 1)
    True
    >>> len(generated_name("x" * 70, "default", 0))
    63
    """
    base = base[:MAX_GENERATE_NAME_BASE]
    return base + _safe_encode(f"{namespace}/{base}/{ordinal}", 5)


def _json_default(value: Any) -> Any:
    if isinstance(value, Number):
        return value.text
    return str(value)


_TEMPLATE_JSON = json.JSONEncoder(sort_keys=True, default=_json_default)
"""One encoder for every template (it keeps no state between calls): what
``json.dumps(template, sort_keys=True, default=_json_default)`` builds on each call."""
