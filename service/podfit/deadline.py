"""When long work must stop: a deadline the planners check inside their loops.

The core knows no web framework: a caller with a time limit (the HTTP service's
``PODFIT_REQUEST_TIME_LIMIT``) builds a :class:`Deadline` from a monotonic instant and a
callable that raises its own error, and passes it to the planners; they call
:meth:`Deadline.check` between steps (a replica, a node shape, a group packed, a
local-search round, a scenario) and give solvers :meth:`Deadline.left` as their time
limit. The default, :data:`NO_DEADLINE`, never expires (the CLI: no time promise).

Cost of a check: one ``time.monotonic()`` call and a comparison (well under a
microsecond), so loops may check every step.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final


def _never(_phase: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Deadline:
    """``at``: the ``time.monotonic()`` instant work must stop (``None``: never);
    ``expired``: called with the phase being checked once ``at`` has passed — it is
    expected to raise (the HTTP service's 503 problem); if it returns, work goes on."""

    at: float | None = None
    expired: Callable[[str], None] = _never

    @classmethod
    def after(cls, seconds: float, expired: Callable[[str], None] = _never) -> Deadline:
        """The deadline ``seconds`` from now (``time.monotonic()``), calling ``expired``.

        >>> Deadline.after(60).left() > 59
        True
        """
        return cls(time.monotonic() + seconds, expired)

    def check(self, phase: str) -> None:
        """Call ``expired(phase)`` if the deadline has passed.

        >>> def stop(phase: str) -> None:
        ...     raise TimeoutError(phase)
        >>> Deadline(time.monotonic() - 1, stop).check("packing")
        Traceback (most recent call last):
        ...
        TimeoutError: packing
        >>> NO_DEADLINE.check("packing")
        """
        if self.at is not None and time.monotonic() > self.at:
            self.expired(phase)

    def left(self) -> float:
        """Seconds until the deadline (``inf`` without one; negative once past).

        >>> NO_DEADLINE.left()
        inf
        """
        return math.inf if self.at is None else self.at - time.monotonic()

    def limit(self, seconds: float, minimum: float = 0.05) -> float:
        """A solver's time limit: ``seconds`` without a deadline; with one, no more than
        what is left (and at least ``minimum``, so that a solver given a nearly spent
        deadline still returns its first solution quickly instead of refusing a zero
        limit).

        >>> NO_DEADLINE.limit(0.01)
        0.01
        >>> Deadline(time.monotonic() - 1).limit(10.0)
        0.05
        """
        if self.at is None:
            return seconds
        return max(min(seconds, self.left()), minimum)


#: The deadline that never expires.
NO_DEADLINE: Final = Deadline()
