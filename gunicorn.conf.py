"""Gunicorn settings for the podfit HTTP service (``gunicorn -c gunicorn.conf.py``).

Environment overrides (all optional):

- ``HOST`` / ``PORT``: listen address, default ``127.0.0.1:8080`` (the container sets
  ``HOST=0.0.0.0``).
- ``PODFIT_WORKERS`` (else ``WEB_CONCURRENCY``): worker processes, default 2.
- ``PODFIT_THREADS``: threads per worker, default 4.
- ``PODFIT_WORKER_CONNECTIONS``: connections one worker holds at once, default 1,000.
- ``PODFIT_WORKER_TMP_DIR``: heartbeat directory; default ``/dev/shm`` where it exists, so
  the service runs with a read-only root filesystem.

The connection timeouts (``PODFIT_HEADER_TIMEOUT``, ``PODFIT_BODY_TIMEOUT``,
``PODFIT_WRITE_TIMEOUT``, ``PODFIT_KEEPALIVE``) and ``PODFIT_MAX_KEPT_ALIVE`` are read by
the worker from the service settings (``podfit.http.config``); ``docs/serving.md`` lists
every bound.

Why these choices:

- ``podfit.http.worker.Worker``: gunicorn's ``gthread`` thread pool, with every read and
  write done by the worker's event loop under a deadline (see that module): no number of
  slow, silent or non-reading clients holds a thread or keeps a health check out, while
  the CPU-bound answers run on threads. Its ``timeout`` below only restarts a *frozen*
  worker; the app enforces ``PODFIT_REQUEST_TIME_LIMIT`` itself and bounds every input
  by ``PODFIT_*`` limits.
- ``worker_connections`` 1,000: connections waiting in the event loop cost a buffer, not
  a thread; a full worker closes the one that has waited longest to admit a new one.
  Kept-alive clients are spread over the workers by ``PODFIT_MAX_KEPT_ALIVE`` instead
  (a worker keeping more than threads + 16 answers with ``Connection: close``).
- ``max_requests`` with jitter recycles workers (bounded memory growth) without restarting
  them all at once.
- Request line and header limits: gunicorn's parser refuses oversized request lines and
  headers (414/431) and malformed requests (400, 501 for an unknown transfer coding);
  the worker answers these as problem documents.
- ``graceful_timeout`` stays below the pod's ``terminationGracePeriodSeconds`` (30 s in
  ``deploy/``) so in-flight requests finish before the kubelet kills the container.
- The control socket (on by default since gunicorn 25.1) is disabled: it needs a writable
  home directory and nothing here uses it.
"""

from __future__ import annotations

import gc
import os
import sys


def _int(name: str, default: int, *fallbacks: str) -> int:
    for key in (name, *fallbacks):
        raw = os.environ.get(key, "").strip()
        if raw:
            value = int(raw, 10)
            if value < 1:
                raise ValueError(f"{key} must be a positive integer, got {raw!r}")
            return value
    return default


def _bind() -> str:
    host = os.environ.get("HOST", "").strip() or "127.0.0.1"
    port = _int("PORT", 8080)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # IPv6 literal
    return f"{host}:{port}"


wsgi_app = "podfit.http.app:create_app()"
bind = [_bind()]
proc_name = "podfit"

worker_class = "podfit.http.worker.Worker"  # I/O in the event loop with deadlines, work on threads
workers = _int("PODFIT_WORKERS", 2, "WEB_CONCURRENCY")
threads = _int("PODFIT_THREADS", 4)
worker_connections = _int("PODFIT_WORKER_CONNECTIONS", 1000)
# Build the app once in the master: a bad PODFIT_* setting stops start-up with a clear
# message, and workers share the imported code.
preload_app = True


def pre_fork(server: object, worker: object) -> None:
    """Move the preloaded app's objects out of the garbage collector's reach before each
    fork: the workers' collections then scan only what requests create (a 1,000-pod
    schedule allocates enough to trigger full collections, which otherwise walk every
    imported module's objects too), and pages shared with the master stay shared.
    The youngest generation is collected every 10,000 new objects instead of 700: a
    1,000-pod answer keeps about 5,000 alive until it is sent, so collections every 700
    objects mostly scan live data.

    Threads of a worker hand the GIL over every 50 ms instead of 5 ms: answers are
    CPU-bound, and slicing them finer only adds switches; a health check waits at most
    50 ms for its turn. (Figures: ``docs/performance.md``, "HTTP edge".)"""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    sys.setswitchinterval(0.05)


timeout = 30
graceful_timeout = 20
# Keep-alive on; the worker closes an idle kept-alive connection after PODFIT_KEEPALIVE.
keepalive = 5
# Room in the kernel for connections the worker has not accepted yet (capped by
# net.core.somaxconn): a burst of 1,500 new connections against a full worker, each one
# closing an older one, left a probe's SYN dropped at 256 (answered after the 1 s
# retransmission) and answered in under 0.1 s at 2,048.
backlog = 2048

max_requests = 5000
max_requests_jitter = 500

limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'

control_socket_disable = True

_tmp = os.environ.get("PODFIT_WORKER_TMP_DIR", "").strip()
if _tmp:
    worker_tmp_dir = _tmp
elif os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
