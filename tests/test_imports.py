"""Import direction: the quantity core loads no edge framework (flask, marshmallow, click)."""

from __future__ import annotations

import subprocess
import sys

EDGE_PACKAGES = ("flask", "marshmallow", "click", "werkzeug", "jinja2")


def test_importing_podfit_quantity_loads_no_edge_framework() -> None:
    """``import podfit.quantity`` in a fresh interpreter pulls in no web/CLI framework."""
    probe = (
        "import sys, podfit.quantity\n"
        "q = podfit.quantity.parse_quantity('1.5Gi') + podfit.quantity.parse_quantity('100m')\n"
        f"edges = sorted(m for m in sys.modules if m.split('.')[0] in {EDGE_PACKAGES!r})\n"
        "print(','.join(edges))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
