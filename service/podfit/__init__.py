"""podfit: will these pods fit on these nodes — answered exactly as Kubernetes would.

The core (quantities, pods, nodes, scheduler, planning) imports only the standard
library, PyYAML and sortedcontainers. The HTTP service (Flask) and the CLI (click)
are edges that import the core, never the other way round.

Public names are loaded lazily so that ``import podfit.quantity`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it (filled in as capabilities land)
_EXPORTS: dict[str, str] = {
    "Quantity": "podfit.quantity",
    "parse_quantity": "podfit.quantity",
    "QuantityError": "podfit.errors",
    "PodfitError": "podfit.errors",
    "schedule": "podfit.scheduler",
    "load": "podfit.manifests",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'podfit' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
