"""The gunicorn worker podfit runs under: gunicorn's ``gthread`` worker, except that a new
connection waits for its first bytes in the worker's poller instead of in a thread.

gunicorn 27's ``gthread`` hands every accepted connection straight to the thread pool,
where a thread waits up to 5 s for the request to arrive. A client that connects and is
slow to send (a load balancer's idle pre-connection, wrk pacing its first requests, a
slow network) therefore holds one of the worker's few threads while requests that have
already arrived on other connections queue behind it. Here :meth:`Worker.accept` files
the new connection with the ones already waiting for data (gunicorn's own "pending"
list), with gunicorn's own patience for a first request: the 5 s its thread would have
waited plus the ``keepalive`` it then waits in that list (10 s in ``gunicorn.conf.py``);
the poller hands the connection to a thread once it is readable, as it does for a
kept-alive connection.

Figures: ``docs/performance.md``, "The tail was the worker, not the CPU".

Used by ``gunicorn.conf.py`` (``worker_class = "podfit.http.worker.Worker"``). Depends on
``ThreadWorker`` internals of gunicorn 27 (``pending_conns``,
``on_pending_socket_readable``), hence the version pin in ``pyproject.toml``.
"""

from __future__ import annotations

import errno
import selectors
import socket
import time
from functools import partial

from gunicorn.workers.gthread import DEFAULT_WORKER_DATA_TIMEOUT, TConn, ThreadWorker

_RETRY = (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK)


class Worker(ThreadWorker):  # type: ignore[misc]  # gunicorn has no type hints
    """``gthread`` with new connections parked in the poller until their first bytes."""

    def accept(self, listener: socket.socket) -> None:
        """Accept one connection and wait for its request without taking a thread.

        The connection joins ``pending_conns`` with a deadline of now +
        ``DEFAULT_WORKER_DATA_TIMEOUT`` (5 s, what gunicorn's thread would have waited) +
        ``keepalive`` (what it then waits in that list); gunicorn closes it if nothing
        arrives by then, and submits it to the thread pool once readable. Every entry gets
        the same offset (gunicorn's own deferral never fires: the connection arrives
        readable), so the deque stays sorted by deadline, as ``murder_pending`` needs.
        """
        try:
            client_sock, client_addr = listener.accept()
        except OSError as e:
            if e.errno not in _RETRY:
                raise
            return
        self.nr_conns += 1
        client_sock.setblocking(False)
        conn = TConn(self.cfg, client_sock, client_addr, listener.getsockname())
        conn.timeout = time.monotonic() + DEFAULT_WORKER_DATA_TIMEOUT + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(
            client_sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn)
        )
