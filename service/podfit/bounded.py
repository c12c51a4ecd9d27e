"""One expensive call in a child process, with a time limit and a memory limit.

The exact node planner (CP-SAT) can take hundreds of MB and keep computing past its own
time limit while it builds its model; in the serving process that memory is seldom given
back and the time is not interruptible. :func:`run_bounded` runs the call in a child
process instead:

- **memory**: the child's ``RLIMIT_DATA`` (heap and private writable mappings, not the
  shared libraries) is ``memory_bytes``; beyond it allocations fail and the child ends.
  Whatever it took is returned to the system when it exits.
- **time**: the parent waits at most ``seconds``, then kills the child.
- **one at a time**: a process runs at most :data:`CHILDREN` such children at once; a
  call waits for its turn within its own ``seconds``.

Children are forked from a *forkserver* (started on first use, single-threaded, with
``podfit.planning.exact`` and OR-tools already imported): forking a multi-threaded
server process directly could copy a lock some other thread holds. The call, its
arguments and its result cross the process boundary by pickling: pass module-level
functions and plain data. Costs: about 10-20 ms per call (fork, pickling) once the
forkserver runs; its start-up costs about a second, once per process.
"""

from __future__ import annotations

import errno
import multiprocessing
import resource
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Final, Literal, TypeVar

T = TypeVar("T")

#: Children one process runs at once.
CHILDREN: Final = 1
#: Modules the forkserver imports once, so that each child starts with them loaded.
PRELOAD: Final = ("podfit.planning.exact", "ortools.sat.python.cp_model")

_slots = threading.BoundedSemaphore(CHILDREN)
_context_lock = threading.Lock()
_context: Any = None


class BoundExceeded(Exception):
    """The call did not finish within its time (``kind="time"``) or memory limit."""

    def __init__(self, kind: Literal["time", "memory"], limit: float) -> None:
        super().__init__(f"{kind} limit of {limit:g} exceeded")
        self.kind = kind
        self.limit = limit


def run_bounded(
    func: Callable[..., T],
    /,
    *args: Any,
    seconds: float,
    memory_bytes: int,
    **kwargs: Any,
) -> T:
    """``func(*args, **kwargs)`` in a child process: its result, or the exception it
    raised (re-raised here), or :class:`BoundExceeded` when it ran out of ``seconds``
    (wall time, waiting for a turn included) or of ``memory_bytes``."""
    deadline = time.monotonic() + seconds
    if seconds <= 0 or not _slots.acquire(timeout=seconds):
        raise BoundExceeded("time", seconds)
    try:
        ctx = _forkserver()
        receiver, sender = ctx.Pipe(duplex=False)
        child = ctx.Process(
            target=_child, args=(sender, memory_bytes, func, args, kwargs), daemon=True
        )
        child.start()
        sender.close()
        try:
            if not receiver.poll(max(deadline - time.monotonic(), 0.0)):
                raise BoundExceeded("time", seconds)
            try:
                outcome, value = receiver.recv()
            except (EOFError, OSError):  # the child died: an allocation failed in C++
                raise BoundExceeded("memory", memory_bytes) from None
        finally:
            if child.is_alive():
                child.kill()
            child.join()
            receiver.close()
    finally:
        _slots.release()
    if outcome == "memory":
        raise BoundExceeded("memory", memory_bytes)
    if outcome == "error":
        raise value
    result: T = value
    return result


def out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` is how a failed allocation shows: ``MemoryError``; ``SystemError``
    (C code that returned an error without setting one, typically after a failed
    ``malloc``); ``OSError`` ENOMEM; a thread that could not start; C++ ``bad_alloc``.

    >>> out_of_memory(MemoryError()), out_of_memory(ValueError("x"))
    (True, False)
    """
    if isinstance(exc, MemoryError | SystemError):
        return True
    if isinstance(exc, OSError) and exc.errno == errno.ENOMEM:
        return True
    text = str(exc)
    return isinstance(exc, RuntimeError) and (
        "can't start new thread" in text or "bad_alloc" in text
    )


def _forkserver() -> Any:
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(list(PRELOAD))
            _context = ctx
        return _context


def _child(
    sender: Connection,
    memory_bytes: int,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    """In the child: limit the memory, run, send ``(outcome, value)`` back."""
    resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))
    outcome: tuple[str, Any]
    try:
        outcome = ("ok", func(*args, **kwargs))
    except Exception as exc:
        outcome = ("memory", None) if out_of_memory(exc) else ("error", exc)
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("memory", None))
    except Exception as exc:  # an unpicklable result or exception
        sender.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    sender.close()
