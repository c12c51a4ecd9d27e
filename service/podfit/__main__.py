"""``python -m podfit`` is the same as the ``podfit`` command."""

from podfit.cli import run

run()
