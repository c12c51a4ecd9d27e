"""The gunicorn worker podfit runs under: all network I/O in one event loop per process, with
a deadline on every phase; threads only compute answers.

gunicorn 27's ``gthread`` worker gives a connection to a thread as soon as it is
readable, and the thread then reads the request and writes the answer on a *blocking*
socket without a timeout. A client that sends half its headers, stops mid-body or never
reads its answer therefore holds one of the worker's few threads until it goes away; a
handful of them stops the service (``/healthz`` included). Here the roles are split:

- The **event loop** (the worker's main thread) accepts connections and reads each
  request — request line, headers and a ``Content-Length`` body — with non-blocking
  reads into a buffer, then writes the answer back with non-blocking writes. No thread
  waits for a client.
- A **thread** of the pool gets a complete request (bytes in memory), parses it with
  gunicorn's own parser, runs the WSGI app and returns the answer's bytes. CPU-bound work
  stays on threads; a thread is never blocked by the network.
- **Deadlines** (seconds; all in :class:`~podfit.http.config.ServiceConfig`, ``PODFIT_*``):
  ``header_timeout`` for the request line and headers (counted from the connection's
  accept, or from the first byte of a later request on a kept-alive connection),
  ``body_timeout`` for the whole body after the headers, ``write_timeout`` for the
  client to take the whole answer, and ``keepalive`` for an idle kept-alive
  connection. A request whose headers or body are late is answered 408
  (problem+json) and closed; an answer not taken in time is abandoned (connection reset).
- **Room for new clients**: a worker holds up to ``worker_connections`` connections
  (1,000; they cost a buffer each, no thread). When it is full and a new connection
  arrives, it closes one to make room (:meth:`Worker._victim`): one lingering after its
  answer, else the oldest that has sent nothing at all, else the one that has waited
  longest — at least :data:`EVICT_AFTER` — for the rest of its request or for its answer
  to be taken. Connections whose request is being computed are never closed. So no
  number of silent, slow or non-reading clients keeps a new client (a liveness probe)
  out.
- **Spreading clients over the workers**: a kept-alive connection stays with the worker
  that accepted it; once a worker keeps more than ``threads`` + ``PODFIT_MAX_KEPT_ALIVE``
  connections that have sent a request, its answers say ``Connection: close``, and the
  client's next connection may land on another worker.
- **Memory for bodies**: bodies buffered at once are bounded by ``threads`` ×
  ``PODFIT_MAX_BODY_BYTES``; a request whose body would exceed that waits (not read
  from, its body deadline running) until earlier bodies are answered.
- **Memory for answers**: answers waiting for their clients are bounded by ``threads`` ×
  ``PODFIT_MAX_ANSWER_BYTES``; past it, the one left unread longest (at least
  :data:`EVICT_AFTER`) is abandoned (:meth:`Worker._shed`).
- gunicorn's own refusals (malformed request line, header limits, unknown transfer
  coding) are answered as ``application/problem+json`` too.

Not supported (refused at start-up): TLS and HTTP/2 — terminate them in front of the
service. Request bodies are taken with ``Content-Length`` only; a ``chunked`` request gets
its headers to the app (which answers 411) and the connection is closed after the answer.

Used by ``gunicorn.conf.py`` (``worker_class = "podfit.http.worker.Worker"``). Depends on
gunicorn 27 internals (``ThreadWorker``'s pool, poller and method queue, the
HTTP/1 parser and ``wsgi.create``), hence the version pin in ``pyproject.toml``.
"""

from __future__ import annotations

import contextlib
import errno
import resource
import selectors
import socket
import struct
import time
from collections import deque
from concurrent.futures import Future
from datetime import datetime
from http import HTTPStatus
from typing import Any, Final

from gunicorn.http import errors as http_errors
from gunicorn.http import get_parser, wsgi
from gunicorn.workers.gthread import ThreadWorker

from podfit.http.config import ServiceConfig, env_name
from podfit.http.responses import json_bytes

#: A full worker closes a waiting connection only once it has waited this long (seconds):
#: a client between two quick requests is not cut off by a burst of new connections.
EVICT_AFTER: Final = 0.5
#: After an answer that ends the connection, unread input is drained for at most this
#: long (seconds) so that closing does not reset the answer still in flight.
LINGER: Final = 1.0
#: While the worker stops (``max_requests`` reached, SIGTERM), a connection waiting for a
#: request stays open this long (seconds): a kept-alive client may have sent its next
#: request already, and closing the connection under it would lose that request
#: (about 5 per recycle under load); one that arrives is answered with
#: ``Connection: close``.
DRAIN_IDLE: Final = 1.0
#: Seconds between two heartbeats to the arbiter (gunicorn's worker ``notify``, a file
#: ``utime``): gunicorn's own loop beats on every wake-up, twice per request, and each
#: beat releases the GIL, which the loop then waits to get back from computing threads.
#: The arbiter's ``timeout`` (30 s) is what this must stay well within.
NOTIFY_EVERY: Final = 1.0
#: Largest single read or write of a body or an answer (bytes).
CHUNK: Final = 1024 * 1024
#: Socket send buffer asked for (bytes): an answer that fits is sent by the thread that
#: made it in one non-blocking call, with no hand-over to the event loop (each hand-over
#: waits for the GIL while other threads compute).
SEND_BUFFER: Final = 1024 * 1024
#: Read size while the request head is incomplete (bytes).
HEAD_READ: Final = 65536
#: The longest request head (request line and headers) read (bytes); a longer one is
#: answered 431. gunicorn's own limits (``limit_request_line`` and friends) apply within.
MAX_HEAD: Final = 64 * 1024

#: Why a request head with an empty line of a bare LF is refused at once: gunicorn's
#: parser refuses a bare LF line terminator anyway (RFC 9112 §2.2 leaves accepting one
#: to the server), and such a head never ends in CRLF CRLF.
BARE_LF: Final = "the request head ends with a bare LF; HTTP/1.1 lines end with CRLF"

_RETRY = (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNABORTED, errno.EINTR)

_READ, _BUSY, _WRITE, _LINGER = "read", "busy", "write", "linger"
_EXPECT_100 = b"HTTP/1.1 100 Continue\r\n\r\n"


class Conn:
    """One client connection, owned by the event loop (never touched by a thread).

    ``since`` is when the connection began waiting for the current request (accept, or
    the end of the previous answer) or for the client to take the current answer; it
    orders eviction. ``deadline`` is when the current phase times out.
    """

    __slots__ = (
        "client",
        "close_after",
        "deadline",
        "engaged",
        "events",
        "expect",
        "head_end",
        "held",
        "inbuf",
        "need",
        "out",
        "reserved",
        "scan_from",
        "served",
        "server",
        "since",
        "sock",
        "state",
    )

    def __init__(self, sock: socket.socket, client: Any, server: Any, now: float) -> None:
        self.sock = sock
        self.client = client
        self.server = server
        self.state = _READ
        self.inbuf = bytearray()
        self.scan_from = 0
        self.head_end = -1  # index just past the blank line ending the headers, once seen
        self.need = 0  # bytes of the current request (headers + body), once known
        self.expect = False  # the client waits for "100 Continue" before its body
        self.close_after = False
        self.out: Answer | None = None
        self.since = now
        self.deadline = now
        self.served = 0
        self.events = 0
        self.reserved = 0  # bytes of the body budget taken
        self.engaged = False  # counted in Worker.engaged
        self.held = 0  # bytes of ``out`` not sent yet, counted in Worker.held


class Capture:
    """The socket gunicorn's ``Response`` writes to from a thread: collects the answer.

    ``send`` is only used by gunicorn for ``100 Continue``, which the event loop has
    already sent; the timeout methods keep code that sets socket timeouts harmless.
    """

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def sendall(self, data: bytes) -> None:
        if data:
            self.parts.append(bytes(data))
            self.size += len(data)

    def send(self, data: bytes) -> int:
        return len(data)

    def settimeout(self, _value: float | None) -> None:
        return None

    def gettimeout(self) -> float | None:
        return None

    def setblocking(self, _flag: bool) -> None:
        return None


class Answer:
    """The bytes of one answer and how far they have been sent."""

    __slots__ = ("broken", "index", "keepalive", "offset", "parts")

    def __init__(self, parts: list[bytes], keepalive: bool) -> None:
        if len(parts) > 1 and sum(map(len, parts)) <= HEAD_READ:
            parts = [b"".join(parts)]  # head and body of a small answer in one segment
        self.parts = parts
        self.keepalive = keepalive
        self.index = 0  # the part being sent
        self.offset = 0  # bytes of it sent
        self.broken = False  # the connection failed while sending

    def send(self, sock: socket.socket) -> bool:
        """Send what the non-blocking ``sock`` takes now; ``True`` once all is sent.
        Sets ``broken`` on a connection error. At most :data:`CHUNK` bytes per call to
        ``send``."""
        while self.index < len(self.parts):
            part = self.parts[self.index]
            try:
                sent = sock.send(memoryview(part)[self.offset : self.offset + CHUNK])
            except OSError as exc:
                self.broken = exc.errno not in _RETRY
                return False
            self.offset += sent
            if self.offset >= len(part):
                self.index, self.offset = self.index + 1, 0
        self.parts = []
        return True

    def left(self) -> int:
        """Bytes not sent yet (O(parts): a head and a body)."""
        return sum(map(len, self.parts[self.index :])) - self.offset


def framing(head: bytes) -> tuple[int | None, bool]:
    """``(content_length, expect_continue)`` of a request head (request line + headers).

    ``content_length`` is ``None`` when the body cannot be framed by a single, plain
    ``Content-Length`` (a ``Transfer-Encoding``, two lengths, a malformed one): the
    request is then handed over without a body and the connection closed after the
    answer. gunicorn's parser judges the head itself (and refuses what is malformed);
    this only tells the event loop how many bytes belong to the request. Cost: one pass
    over the head.
    """
    length: int | None = None
    lengths = 0
    chunked_or_other = False
    expect = False
    for line in head.split(b"\r\n")[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            continue
        key = name.strip().lower()
        if key == b"content-length":
            lengths += 1
            text = value.strip()
            length = int(text) if text.isdigit() and len(text) <= 18 else None
            if length is None:
                chunked_or_other = True
        elif key == b"transfer-encoding":
            chunked_or_other = True
        elif key == b"expect" and value.strip().lower() == b"100-continue":
            expect = True
    if chunked_or_other or lengths > 1:
        return None, False
    return (length or 0), expect and bool(length)


def problem_bytes(status: int, detail: str, *, close: bool = True) -> bytes:
    """A complete HTTP/1.1 answer carrying an RFC 9457 problem document (``about:blank``),
    written by the service's one JSON encoder (:func:`~podfit.http.responses.json_bytes`)."""
    phrase = HTTPStatus(status).phrase
    body = json_bytes({"type": "about:blank", "title": phrase, "status": status, "detail": detail})
    head = (
        f"HTTP/1.1 {status} {phrase}\r\n"
        "Content-Type: application/problem+json\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n" + ("Connection: close\r\n" if close else "") + "\r\n"
    ).encode("ascii")
    return head + body


def refusal_status(exc: BaseException) -> int:
    """The HTTP status for an exception gunicorn's parser raised on a request head."""
    if isinstance(exc, http_errors.LimitRequestLine):
        return 414
    if isinstance(exc, http_errors.LimitRequestHeaders):
        return 431
    if isinstance(exc, http_errors.UnsupportedTransferCoding):
        return 501
    if isinstance(exc, http_errors.ExpectationFailed):
        return 417
    if isinstance(exc, http_errors.ForbiddenProxyRequest):
        return 403
    if isinstance(exc, http_errors.ConfigurationProblem):
        return 500
    if isinstance(exc, http_errors.ParseException | http_errors.NoMoreData):
        return 400
    return 500


class Worker(ThreadWorker):  # type: ignore[misc]  # gunicorn has no type hints
    """gunicorn's ``gthread`` pool and poller, with the event loop doing every read and
    write under the deadlines of :class:`~podfit.http.config.ServiceConfig`."""

    alive: bool
    nr: int
    max_requests: int

    @classmethod
    def check_config(cls, cfg: Any, log: Any) -> None:
        if cfg.is_ssl:
            raise RuntimeError("podfit serves plain HTTP/1.1: terminate TLS in front of it")

    def init_process(self) -> None:
        self.settings = ServiceConfig.from_env()
        #: open connections, in the order they were accepted (a dict as an ordered set)
        self.conns: dict[Conn, None] = {}
        soft_files, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        #: hard cap on connections (gunicorn's ``worker_connections``), within the
        #: process's file limit
        self.max_capacity = max(1, min(self.cfg.worker_connections, soft_files - 64))
        self.capacity = self.max_capacity  # lowered for a while when the process runs out
        #: connections kept open for another request: beyond, answers say "close"
        self.keep_limit = self.cfg.threads + self.settings.max_kept_alive
        self.engaged = 0  # connections that have sent a complete request and stay open
        #: bytes of request bodies that may be buffered at once: one full body per thread
        self.budget = self.cfg.threads * self.settings.max_body_bytes
        self.reserved = 0
        #: bytes of answers waiting for their clients that are kept at once: one full
        #: answer per thread (beyond, the longest-waiting answer is abandoned: _shed)
        self.answer_budget = self.cfg.threads * self.settings.max_answer_bytes
        self.held = 0
        self.waiting: deque[Conn] = deque()  # complete heads waiting for budget
        self.next_deadline = 0.0
        super().init_process()

    # ---- the loop --------------------------------------------------------------------------

    def run(self) -> None:
        self.poller.register(
            self.method_queue.fileno(), selectors.EVENT_READ, self.method_queue.run_callbacks
        )
        notified = 0.0
        while self.alive:
            now = time.monotonic()
            if now - notified >= NOTIFY_EVERY:
                self.notify()
                notified = now
            self.set_accept_enabled(self._can_accept())
            self._dispatch(min(max(self.next_deadline - now, 0.0), 1.0))
            if not self.is_parent_alive():
                break
            now = time.monotonic()
            if now >= self.next_deadline:
                self._expire(now)
        self._drain()

    def _dispatch(self, timeout: float) -> None:
        try:
            events = self.poller.select(timeout)
        except OSError as exc:
            if exc.errno != errno.EINTR:
                raise
            return
        for key, mask in events:
            callback = key.data
            if isinstance(callback, Conn):
                if callback in self.conns:
                    self._on_event(callback, mask)
            else:
                callback(key.fileobj)

    def _drain(self) -> None:
        """Stop: no new connections; a connection waiting for a request gets up to
        :data:`DRAIN_IDLE` for one already on its way (answered with ``Connection:
        close``), answers in progress up to ``graceful_timeout``."""
        self.set_accept_enabled(False)
        now = time.monotonic()
        stop_by = now + self.cfg.graceful_timeout
        idle_by = now + min(DRAIN_IDLE, self.cfg.graceful_timeout)
        while now < stop_by:
            if now >= idle_by:
                for conn in list(self.conns):
                    if conn.state == _READ and not conn.inbuf:
                        self._close(conn)
            if not self.conns:
                break
            self.notify()
            self._dispatch(min(0.2, max(stop_by - now, 0.0)))
            now = time.monotonic()
            self._expire(now)
        for conn in list(self.conns):
            self._close(conn)
        self.tpool.shutdown(wait=False)
        self.poller.close()
        self.method_queue.close()
        for listener in self.sockets:
            listener.close()

    def _deadline(self, conn: Conn, at: float) -> None:
        conn.deadline = at
        self.next_deadline = min(self.next_deadline, at)

    # ---- accepting and making room ---------------------------------------------------------

    def _can_accept(self) -> bool:
        """Below capacity, or some connection could be closed to make room."""
        if len(self.conns) < self.capacity:
            return True
        return self._victim(time.monotonic()) is not None

    def _victim(self, now: float) -> Conn | None:
        """The connection to close for a new one when the worker is full: the first, in
        the order they were accepted, that lingers after its answer or has sent nothing
        since it was accepted; else the one that has waited longest (at least
        :data:`EVICT_AFTER`) for the rest of its request or for its answer to be taken.
        Never one whose request is being computed. Under a flood of new connections the
        oldest are the ones to go, so the scan stops early (one peek each)."""
        waited: Conn | None = None
        for conn in self.conns:  # in the order they were accepted
            state = conn.state
            if state == _LINGER:
                return conn
            if state == _BUSY:
                continue
            if state == _READ and not conn.served and not conn.inbuf and _silent(conn):
                return conn
            if now - conn.since >= EVICT_AFTER and (waited is None or conn.since < waited.since):
                waited = conn
        return waited

    def accept(self, listener: socket.socket) -> None:
        """Accept one connection; if the worker is full, close another (:meth:`_victim`)
        to make room for it."""
        try:
            sock, client = listener.accept()
        except OSError as exc:
            if exc.errno in (errno.EMFILE, errno.ENFILE):
                self.log.warning("out of file descriptors: not accepting for now")
                self.capacity = max(1, len(self.conns))  # raised again as connections close
                return
            if exc.errno not in _RETRY:
                raise
            return
        now = time.monotonic()
        if len(self.conns) >= self.capacity:
            victim = self._victim(now)
            if victim is not None:
                self.log.debug("closing %s to make room for a new connection", victim.client)
                self._close(victim, reset=victim.state == _WRITE)
        sock.setblocking(False)
        with contextlib.suppress(OSError):  # the kernel caps it at net.core.wmem_max
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        conn = Conn(sock, client, listener.getsockname(), now)
        self._deadline(conn, now + self.settings.header_timeout)
        self.conns[conn] = None
        self._watch(conn, selectors.EVENT_READ)

    # ---- reading a request -----------------------------------------------------------------

    def _on_event(self, conn: Conn, mask: int) -> None:
        if conn.state == _WRITE and mask & selectors.EVENT_WRITE:
            self._write(conn)
        elif conn.state in (_READ, _LINGER) and mask & selectors.EVENT_READ:
            self._read(conn)

    def _read(self, conn: Conn) -> None:
        want = HEAD_READ
        if conn.head_end >= 0:
            want = max(HEAD_READ, min(conn.need - len(conn.inbuf), CHUNK))
        try:
            data = conn.sock.recv(want)
        except OSError as exc:
            if exc.errno in _RETRY:
                return
            self._close(conn)
            return
        if not data:  # the client closed (or half-closed) its side
            self._close(conn)
            return
        if conn.state == _LINGER:
            return  # discarded
        now = time.monotonic()
        if not conn.inbuf and conn.served:
            self._deadline(conn, now + self.settings.header_timeout)  # a new request began
        conn.inbuf += data
        self._advance(conn, now)

    def _advance(self, conn: Conn, now: float) -> None:
        """Look for the end of the headers, then for the end of the body; hand a complete
        request to a thread."""
        if conn.head_end < 0:
            end = conn.inbuf.find(b"\r\n\r\n", max(conn.scan_from - 3, 0))
            if end < 0:
                if conn.inbuf.find(b"\n\n", max(conn.scan_from - 1, 0)) >= 0:
                    # a head whose lines end in a bare LF never ends in CRLF CRLF: answer
                    # now rather than wait for it until the header timeout
                    self._refuse(conn, now, 400, BARE_LF)
                    return
                conn.scan_from = len(conn.inbuf)
                if len(conn.inbuf) > MAX_HEAD:
                    self._refuse(conn, now, 431, f"the request head is over {MAX_HEAD} bytes")
                return
            conn.head_end = end + 4
            length, expect = framing(bytes(conn.inbuf[:end]))
            if length is None or length > self.settings.max_body_bytes:
                # handed over without a body: the app refuses it from the headers (411,
                # 413); the body is not read, so the connection cannot be reused
                conn.need, conn.close_after = conn.head_end, True
            else:
                conn.need = conn.head_end + length
                conn.expect = expect
                self._deadline(conn, now + self.settings.body_timeout)
                if length and not self._reserve(conn, length):
                    return  # parked: "100 Continue" once admitted (_release)
                self._continue(conn)
        if len(conn.inbuf) >= conn.need:
            self._submit(conn)

    def _reserve(self, conn: Conn, length: int) -> bool:
        """Take ``length`` bytes of the body budget for ``conn``, or park it (not read
        from) until earlier bodies are answered. The first body always fits."""
        if self.reserved and self.reserved + length > self.budget:
            self._watch(conn, 0)
            self.waiting.append(conn)
            return False
        self.reserved += length
        conn.reserved = length
        return True

    def _release(self, conn: Conn) -> None:
        """Give ``conn``'s body budget back and let parked connections go on."""
        if conn.reserved:
            self.reserved -= conn.reserved
            conn.reserved = 0
        while self.waiting:
            head = self.waiting[0]
            if head not in self.conns or head.state != _READ:
                self.waiting.popleft()
                continue
            length = head.need - head.head_end
            if self.reserved and self.reserved + length > self.budget:
                return
            self.waiting.popleft()
            self.reserved += length
            head.reserved = length
            self._watch(head, selectors.EVENT_READ)
            self._continue(head)
            if len(head.inbuf) >= head.need:
                self._submit(head)

    def _continue(self, conn: Conn) -> None:
        """Invite the body of a client that waits for ``100 Continue`` once its body may be
        read (at once, or when a parked request is admitted: a client that waits for the
        invitation would otherwise time out unread)."""
        if conn.expect and len(conn.inbuf) < conn.need:
            self._send_now(conn, _EXPECT_100)
        conn.expect = False

    def _submit(self, conn: Conn) -> None:
        data = bytes(conn.inbuf[: conn.need])
        del conn.inbuf[: conn.need]
        conn.head_end, conn.scan_from, conn.need, conn.expect = -1, 0, 0, False
        conn.state = _BUSY
        if not conn.engaged:
            conn.engaged = True
            self.engaged += 1
        self._watch(conn, 0)
        future = self.tpool.submit(self.serve, data, conn)
        future.add_done_callback(lambda f: self.method_queue.defer(self._served, conn, f))

    # ---- computing the answer (in a thread) ------------------------------------------------

    def serve(self, data: bytes, conn: Conn) -> Answer:
        """Parse one complete request, run the app, and send what the socket takes now
        (non-blocking: the client gets its answer without waiting for the event loop)."""
        capture = Capture()
        try:
            parser = get_parser(self.cfg, [data], conn.client)
            req = next(parser)
            keepalive = self._run_app(req, capture, conn)
            answer = Answer(capture.parts, keepalive)
        except StopIteration:
            answer = Answer([], False)
        except Exception as exc:
            answer = Answer([self._refusal(conn.client, exc)], False)
        answer.send(conn.sock)
        return answer

    def _run_app(self, req: Any, capture: Capture, conn: Conn) -> bool:
        """Run the app on ``req``; whether the connection stays open after the answer
        (not when its body was left unread: ``conn.close_after``, set before the thread
        took it)."""
        environ: dict[str, Any] = {}
        resp = None
        try:
            self.cfg.pre_request(self, req)
            started = datetime.now()
            resp, environ = wsgi.create(req, capture, conn.client, conn.server, self.cfg)
            environ["wsgi.multithread"] = True
            self.nr += 1
            if self.nr >= self.max_requests and self.alive:
                self.log.info("Autorestarting worker after current request.")
                self.alive = False
            if (
                conn.close_after
                or not self.alive
                or not self.cfg.keepalive
                or self.engaged > self.keep_limit
            ):
                resp.force_close()
            answer = self.wsgi(environ, resp.start_response)
            try:
                for item in answer:
                    resp.write(item)
                resp.close()
            finally:
                self.log.access(resp, req, environ, datetime.now() - started)
                if hasattr(answer, "close"):
                    answer.close()
            return not resp.should_close()
        finally:
            try:
                self.cfg.post_request(self, req, environ, resp)
            except Exception:
                self.log.exception("Exception in post_request hook")

    def _refusal(self, client: Any, exc: BaseException) -> bytes:
        """gunicorn's refusal of a malformed request, as problem+json (gunicorn's own
        ``handle_error`` writes HTML)."""
        status = refusal_status(exc)
        if status == 500:
            self.log.exception("Error handling request", exc_info=exc)
            detail = "The server failed to answer this request; the failure has been logged."
        else:
            self.log.warning("Invalid request from ip=%s: %s", _ip(client), exc)
            detail = _refusal_detail(status, exc)
        return problem_bytes(status, detail)

    # ---- writing the answer ----------------------------------------------------------------

    def _served(self, conn: Conn, future: Future[Answer]) -> None:
        """Back on the event loop: write what the thread could not send yet."""
        self._release(conn)
        if conn not in self.conns:
            return
        try:
            answer = future.result()
        except Exception:
            self.log.exception("Error handling request")
            answer = Answer([problem_bytes(500, "The server failed to answer.")], False)
        conn.served += 1
        conn.close_after = conn.close_after or not answer.keepalive
        if answer.broken:
            self._close(conn)
            return
        now = time.monotonic()
        conn.state = _WRITE
        conn.out = answer
        conn.since = now
        self._deadline(conn, now + self.settings.write_timeout)
        self._write(conn)
        self._shed(now)

    def _write(self, conn: Conn) -> None:
        answer = conn.out
        assert answer is not None
        if not answer.send(conn.sock):
            if answer.broken:
                self._close(conn)
            else:
                self._hold(conn)
                self._watch(conn, selectors.EVENT_WRITE)
            return
        conn.out = None
        self._hold(conn)
        self._finish(conn, time.monotonic())

    def _hold(self, conn: Conn) -> None:
        """Count what ``conn``'s answer still has to send in :attr:`held`."""
        held = conn.out.left() if conn.out is not None else 0
        self.held += held - conn.held
        conn.held = held

    def _shed(self, now: float) -> None:
        """Keep the answers waiting for their clients within ``threads`` ×
        ``PODFIT_MAX_ANSWER_BYTES``: past it, abandon (reset) the one whose client has
        left it unread longest, as long as one has waited :data:`EVICT_AFTER`. Without
        this, clients that never read could make a worker hold every answer it computes
        within ``PODFIT_WRITE_TIMEOUT``: a 63 MB answer costs about 2 s of one thread, so
        4 threads × 30 s of them is gigabytes. Cost: O(connections) per abandoned one."""
        while self.held > self.answer_budget:
            oldest: Conn | None = None
            for conn in self.conns:
                if (
                    conn.state == _WRITE
                    and conn.held
                    and now - conn.since >= EVICT_AFTER
                    and (oldest is None or conn.since < oldest.since)
                ):
                    oldest = conn
            if oldest is None:
                return
            self.log.info(
                "closing %s: answers waiting for their clients exceed %d bytes",
                _ip(oldest.client),
                self.answer_budget,
            )
            self._close(oldest, reset=True)

    def _finish(self, conn: Conn, now: float) -> None:
        """The answer is out: linger and close when it said ``Connection: close``, else wait
        for the next request — also when the worker is stopping meanwhile: the client was
        told it may send one, so :meth:`_drain` waits for it (:data:`DRAIN_IDLE`) and
        answers it with ``Connection: close`` instead of closing under it."""
        if conn.close_after:
            self._linger(conn, now)
            return
        conn.state = _READ
        conn.since = now
        self._watch(conn, selectors.EVENT_READ)
        if conn.inbuf:  # the client sent its next request already (pipelining)
            self._deadline(conn, now + self.settings.header_timeout)
            self._advance(conn, now)
        else:
            self._deadline(conn, now + self.settings.keepalive)

    def _refuse(self, conn: Conn, now: float, status: int, detail: str) -> None:
        """Answer ``status`` from the event loop (best effort, no waiting) and close."""
        self.log.info("%s for %s: %s", status, _ip(conn.client), detail)
        self._send_now(conn, problem_bytes(status, detail))
        self._linger(conn, now)

    def _linger(self, conn: Conn, now: float) -> None:
        """Half-close, then discard input for up to :data:`LINGER`: closing a socket with
        unread input resets the connection, which can destroy the answer in flight."""
        conn.state = _LINGER  # first: _release must not admit it from the waiting list
        self._disengage(conn)
        self._release(conn)
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._close(conn)
            return
        conn.inbuf = bytearray()
        conn.since = 0.0
        self._deadline(conn, now + LINGER)
        self._watch(conn, selectors.EVENT_READ)

    def _send_now(self, conn: Conn, data: bytes) -> None:
        """Best effort, never waits: a few bytes (``100 Continue``, a 408) into the socket
        buffer."""
        with contextlib.suppress(OSError):
            conn.sock.send(data)

    # ---- deadlines and closing -------------------------------------------------------------

    def _expire(self, now: float) -> None:
        """Act on every passed deadline; note the next one."""
        upcoming = now + 1.0
        for conn in list(self.conns):
            if conn.state == _BUSY:
                continue
            if conn.deadline > now:
                upcoming = min(upcoming, conn.deadline)
            elif conn.state == _READ and conn.head_end >= 0:
                self._refuse(
                    conn, now, 408, _late("the body", "body_timeout", self.settings.body_timeout)
                )
            elif conn.state == _READ and conn.inbuf:
                limit = self.settings.header_timeout
                self._refuse(conn, now, 408, _late("the request head", "header_timeout", limit))
            elif conn.state == _WRITE:
                self.log.info("closing %s: the answer was not taken in time", _ip(conn.client))
                self._close(conn, reset=True)
            else:
                self._close(conn)  # idle (new or kept alive), or lingering
            if conn in self.conns:
                upcoming = min(upcoming, conn.deadline)
        self.next_deadline = upcoming

    def _watch(self, conn: Conn, events: int) -> None:
        """Register interest in ``events`` (0: none) for ``conn``'s socket."""
        if events == conn.events:
            return
        if conn.events and events:
            self.poller.modify(conn.sock, events, conn)
        elif events:
            self.poller.register(conn.sock, events, conn)
        else:
            self.poller.unregister(conn.sock)
        conn.events = events

    def _disengage(self, conn: Conn) -> None:
        if conn.engaged:
            conn.engaged = False
            self.engaged -= 1

    def _close(self, conn: Conn, *, reset: bool = False) -> None:
        """Close ``conn``; ``reset`` discards unsent data at once (an abandoned answer)."""
        self.conns.pop(conn, None)
        self.capacity = min(self.capacity + 1, self.max_capacity)
        self._disengage(conn)
        if conn.state != _BUSY:
            self._release(conn)
        if conn.events:
            self._watch(conn, 0)
        if reset:
            with contextlib.suppress(OSError):
                conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            conn.sock.close()
        conn.out = None
        self._hold(conn)


def _silent(conn: Conn) -> bool:
    """Whether nothing has arrived on ``conn`` (a peek that takes nothing)."""
    try:
        return not conn.sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return True
    except OSError:
        return True


def _late(what: str, setting: str, limit: float) -> str:
    return f"{what} did not arrive within {limit:g} s ({env_name(setting)})"


def _ip(client: Any) -> str:
    return str(client[0]) if isinstance(client, tuple | list) and client else str(client)


def _refusal_detail(status: int, exc: BaseException) -> str:
    reason = str(exc).replace("\r", " ").replace("\n", " ")[:200]
    if status == 414:
        return "The request line is longer than this server accepts."
    if status == 431:
        return f"The request header fields are too large or too many: {reason}"
    if status == 501:
        return f"Unsupported transfer coding ({reason}); send the body with Content-Length."
    return f"The request could not be parsed: {reason}"
