"""``python -m podfit`` is the same as the ``podfit`` command (whose entry point is this
module's ``run``).

The cyclic collector is off from the first import on: a command builds its objects and
keeps them to the end (:func:`podfit.cli.run`), and collecting while click and podfit's
modules are imported only walks their classes and functions again (~5 ms of CPU).
"""

import gc

gc.disable()

from podfit.cli import run  # noqa: E402  (after the collector is off)

if __name__ == "__main__":
    run()
