"""HTTP service settings: the bounds on work per request, read from ``PODFIT_*`` variables.

Every limit exists so that one hostile or careless request cannot make a worker spend
unbounded CPU or memory. A request over a limit gets a 4xx problem+json response naming
the limit and the configured value; nothing is truncated or silently dropped.

=================================  ======================  =================================
environment variable               default                 bounds
=================================  ======================  =================================
``PODFIT_MAX_BODY_BYTES``          10485760 (10 MiB)       request body, before reading it
``PODFIT_MAX_YAML_BYTES``          2097152 (2 MiB)         YAML bodies (YAML costs ~15x JSON)
``PODFIT_MAX_PODS``                100000                  pods after expanding replicas
``PODFIT_MAX_NODES``               10000                   nodes after expanding pools
``PODFIT_MAX_DOCUMENTS``           1000                    YAML documents / JSON texts
``PODFIT_MAX_ITEMS``               10000                   entries of any one array or object
``PODFIT_MAX_DEPTH``               64                      JSON/YAML nesting depth
``PODFIT_MAX_QUANTITY_LENGTH``     64                      characters in one quantity string
``PODFIT_MAX_QUANTITIES``          10000                   items in one /v1/quantities call
``PODFIT_MAX_ANSWER_BYTES``        67108864 (64 MiB)       one answer's JSON, before sending it;
                                                         unread answers: threads × this
``PODFIT_MAX_EXPLAIN_ENTRIES``    100000                  explain's per-node entries, before
                                                         scheduling (pods explained × nodes)
``PODFIT_REQUEST_TIME_LIMIT``      30 (seconds)            wall time of one request's work
``PODFIT_EXACT_MEMORY_BYTES``      536870912 (512 MiB)     one exact-planner child process
``PODFIT_HEADER_TIMEOUT``          10 (seconds)            request line and headers, whole
``PODFIT_BODY_TIMEOUT``            30 (seconds)            the whole body, after the headers
``PODFIT_WRITE_TIMEOUT``           30 (seconds)            the client taking the whole answer
``PODFIT_KEEPALIVE``               5 (seconds)             an idle kept-alive connection
``PODFIT_MAX_KEPT_ALIVE``          16                      idle connections kept per worker
=================================  ======================  =================================

The last five are kept by the gunicorn worker (:mod:`podfit.http.worker`), which reads
requests and writes answers in its event loop (``docs/serving.md``). Values are plain
decimal integers (``PODFIT_MAX_BODY_BYTES=1048576``); the times may have a fraction
(``0.5``). A malformed or non-positive value is a ``ConfigError`` at start-up, never a
silent fallback to the default.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from podfit.errors import ConfigError

ENV_PREFIX = "PODFIT_"
MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """Bounds on the work one HTTP request may cause (counts are inclusive maxima)."""

    max_body_bytes: int = 10 * MIB
    max_yaml_bytes: int = 2 * MIB
    max_pods: int = 100_000
    max_nodes: int = 10_000
    max_documents: int = 1_000
    max_items: int = 10_000
    max_depth: int = 64
    max_quantity_length: int = 64
    max_quantities: int = 10_000
    max_answer_bytes: int = 64 * MIB
    max_explain_entries: int = 100_000
    request_time_limit: float = 30.0
    exact_memory_bytes: int = 512 * MIB
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    write_timeout: float = 30.0
    keepalive: float = 5.0
    max_kept_alive: int = 16

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ConfigError(
                    f"must be a positive number, got {value!r}", path=env_name(f.name)
                )

    def replace(self, **changes: Any) -> ServiceConfig:
        """Return a copy with ``changes`` applied (validated like the original)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServiceConfig:
        """Read each ``PODFIT_<FIELD>`` variable set in ``environ`` (default ``os.environ``)."""
        env = os.environ if environ is None else environ
        changes: dict[str, Any] = {}
        for f in fields(cls):
            name = env_name(f.name)
            raw = env.get(name)
            if raw is None or raw.strip() == "":
                continue
            changes[f.name] = _parse_number(name, raw, is_float=f.type == "float")
        return cls(**changes)


def env_name(field_name: str) -> str:
    """``max_pods`` -> ``PODFIT_MAX_PODS``."""
    return ENV_PREFIX + field_name.upper()


def _parse_number(name: str, raw: str, *, is_float: bool) -> int | float:
    text = raw.strip()
    try:
        value: int | float = float(text) if is_float else int(text, 10)
    except ValueError:
        kind = "a number of seconds" if is_float else "a decimal integer"
        raise ConfigError(f"must be {kind}, got {raw!r}", path=name) from None
    if value <= 0 or value != value or value == float("inf"):
        raise ConfigError(f"must be a positive number, got {raw!r}", path=name)
    return value
