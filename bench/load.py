"""Load test of the HTTP service: POST /v1/schedule through gunicorn on loopback.

Starts gunicorn with the project's ``gunicorn.conf.py`` (2 gthread workers by default) on
a free port, checks one answer by hand, then drives each case with ``wrk`` (Debian
package ``wrk``; a Lua script posts the body) and prints a table:

- **large**: 1,000 pods as 10 Deployments × 100 replicas on a pool of 100 nodes —
  goal p99 ≤ 100 ms and ≥ 100 requests/s;
- **small**: 10 Pods on 3 nodes — goal p99 ≤ 20 ms and ≥ 500 requests/s.

The closed-loop row of a case (32 clients back to back) is judged on capacity (≥ the goal
rate); ``--paced`` adds a row offering the goal rate on a fixed schedule, judged on p99 at
that rate. A closed-loop p99 is that of a saturated server: its mean is 32 ÷ throughput.

The load generator runs on the same machine and shares its cores with the server, so
the figures are a floor. Without ``wrk`` a thread-based Python client is used instead;
it costs far more CPU per request than wrk, so its figures are lower still (the table
says which client ran).

    .venv/bin/python bench/load.py                       # 30 s per case
    .venv/bin/python bench/load.py --duration 10 --case small
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# ---- request bodies ----------------------------------------------------------------------


def deployment(name: str, replicas: int, cpu: str, memory: str) -> dict[str, Any]:
    """A Deployment whose pods request ``cpu``/``memory`` (limits twice the requests)."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "bench"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "image": "registry.example/app:1",
                            "resources": {
                                "requests": {"cpu": cpu, "memory": memory},
                                "limits": {"memory": memory},
                            },
                        }
                    ]
                },
            },
        },
    }


def pod(name: str, cpu: str, memory: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "bench"},
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": "registry.example/app:1",
                    "resources": {"requests": {"cpu": cpu, "memory": memory}},
                }
            ]
        },
    }


SHAPES = [
    ("100m", "128Mi"),
    ("250m", "256Mi"),
    ("500m", "512Mi"),
    ("1", "1Gi"),
    ("200m", "384Mi"),
    ("750m", "768Mi"),
    ("150m", "192Mi"),
    ("300m", "640Mi"),
    ("400m", "320Mi"),
    ("50m", "64Mi"),
]


def large_body() -> dict[str, Any]:
    """1,000 pods as 10 Deployments of 100 replicas; 100 nodes as one pool."""
    return {
        "nodes": [
            {
                "name": "pool",
                "count": 100,
                "allocatable": {"cpu": "15890m", "memory": "60Gi", "pods": "110"},
                "labels": {"node.kubernetes.io/instance-type": "m5.4xlarge"},
            }
        ],
        "pods": [deployment(f"app-{i}", 100, cpu, mem) for i, (cpu, mem) in enumerate(SHAPES)],
        "strategy": "LeastAllocated",
    }


def job(name: str, parallelism: int, cpu: str, memory: str) -> dict[str, Any]:
    """A Job running ``parallelism`` pods at once, each as :func:`deployment`'s."""
    template = deployment(name, parallelism, cpu, memory)["spec"]["template"]
    template["spec"]["restartPolicy"] = "Never"
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": "bench"},
        "spec": {"parallelism": parallelism, "completions": parallelism, "template": template},
    }


def large_jobs_body() -> dict[str, Any]:
    """The large body with 10 Jobs of 100 pods instead of the Deployments: no Service,
    ReplicaSet, StatefulSet or ReplicationController selects a Job's pods, so
    kube-scheduler's default topology spreading does not apply to them — the same
    placements as before PodTopologySpread was modelled, to compare the rest."""
    body = large_body()
    body["pods"] = [job(f"app-{i}", 100, cpu, mem) for i, (cpu, mem) in enumerate(SHAPES)]
    return body


def small_body() -> dict[str, Any]:
    """10 Pods on 3 nodes."""
    return {
        "nodes": [
            {"name": f"node-{i}", "allocatable": {"cpu": "3920m", "memory": "14Gi", "pods": "58"}}
            for i in range(3)
        ],
        "pods": [pod(f"pod-{i}", cpu, mem) for i, (cpu, mem) in enumerate(SHAPES)],
    }


@dataclass(frozen=True)
class Case:
    name: str
    body: Callable[[], dict[str, Any]]
    pods: int
    goal_p99_ms: float
    goal_rps: float


CASES = {
    "large": Case("large", large_body, 1000, 100.0, 100.0),
    "small": Case("small", small_body, 10, 20.0, 500.0),
}
EXTRA_CASES = {"large-jobs": Case("large-jobs", large_jobs_body, 1000, 100.0, 100.0)}
"""Cases for ``--phases`` and ``--in-process`` only (``--case large-jobs``)."""

# ---- server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port))
    env["PODFIT_WORKERS"] = str(workers)
    env["PODFIT_THREADS"] = str(threads)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "--config", str(ROOT / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,  # the access log is written (as in production), unread
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _ = request(port, "GET", "/readyz", b"")
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.1)
    stop_server(proc)
    raise SystemExit("gunicorn did not become ready within 30 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def server_cpu_seconds(master: int) -> float:
    """User+system CPU seconds used so far by the gunicorn master and its workers, including
    workers already recycled by ``max_requests`` (the master's reaped-children times)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        # fields[11..14]: utime, stime, cutime, cstime (after the state field)
        if pid == master:
            total += sum(int(f) for f in fields[11:15]) / tick
        elif ppid == master:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wait_idle(master: int, timeout: float = 10.0) -> None:
    """Wait until the server has drained what an earlier run left it (a closed-loop run
    ends with up to one request per connection still being answered for clients that
    have gone): until it uses under 2 % of a core over 0.2 s, at most ``timeout``
    seconds. Without this a paced run right after a closed-loop one starts behind."""
    deadline = time.monotonic() + timeout
    before = server_cpu_seconds(master)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = server_cpu_seconds(master)
        if now - before < 0.004:
            return
        before = now


SPIN = """
import sys, time
t0, c0 = time.monotonic(), time.process_time()
while time.monotonic() - t0 < float(sys.argv[1]):
    pass
print((time.process_time() - c0) / (time.monotonic() - t0))
"""


def cpu_capacity(seconds: float = 2.0) -> float:
    """Cores this machine gives right now: one busy-looping process per CPU for
    ``seconds``, the sum of each one's CPU time over wall time. 2.0 on an idle 2-core
    machine; less when other jobs (or other virtual machines on the host, which ``top``
    does not show) take their share."""
    spinners = [
        subprocess.Popen([sys.executable, "-c", SPIN, str(seconds)], stdout=subprocess.PIPE)
        for _ in range(os.cpu_count() or 1)
    ]
    return sum(float(p.communicate()[0]) for p in spinners)


def connections_per_worker(port: int) -> str:
    """Established connections to ``port`` per gunicorn worker, busiest first ("16/16"),
    from ``ss -tnp``; "" without ``ss``. A kept-alive connection stays with the worker
    that accepted it, so this is how the load spreads over the workers."""
    if not shutil.which("ss"):
        return ""
    out = subprocess.run(
        ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    counts: dict[str, int] = {}
    for pid in re.findall(r"pid=(\d+)", out):
        counts[pid] = counts.get(pid, 0) + 1
    return "/".join(str(n) for n in sorted(counts.values(), reverse=True))


def request(port: int, method: str, path: str, body: bytes) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Content-Type": "application/json"} if body else {}
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# ---- load generators ---------------------------------------------------------------------

LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("PODFIT_BENCH_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
-- Paced mode: this thread's k-th request is due at start + k * interval (a fixed
-- schedule, open loop: a slow answer does not push later requests back; they leave as
-- soon as a connection is free). LuaJIT's ffi reads the monotonic clock.
local interval = tonumber(os.getenv("PODFIT_BENCH_INTERVAL_MS") or "0")
if interval > 0 then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } podfit_timespec;
    int clock_gettime(int clock, podfit_timespec *ts);
  ]]
  local ts = ffi.new("podfit_timespec")
  local due = nil
  function delay()
    ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
    local now = tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
    due = due or now
    local wait = due - now
    due = due + interval
    return wait > 0 and wait or 0
  end
end
"""


@dataclass
class Figures:
    client: str
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p99_ms: float
    command: str
    server_cpu_ms: float = 0.0  # gunicorn CPU time per request
    spread: str = ""  # connections per worker, sampled halfway through the run


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(
    port: int, body_file: Path, duration: int, connections: int, threads: int, rate: float
) -> Figures:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(LUA)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        lua.name,
        f"http://127.0.0.1:{port}/v1/schedule",
    ]
    # Paced mode: each wrk thread sends on a fixed schedule of rate/threads requests per
    # second (wrk's delay() hook; see LUA), so the offered load is `rate` requests/s as
    # long as the server keeps up; closed loop otherwise.
    interval_ms = threads * 1000 / rate if rate else 0
    try:
        out = subprocess.run(
            command,
            env=dict(
                os.environ,
                PODFIT_BENCH_BODY=str(body_file),
                PODFIT_BENCH_INTERVAL_MS=f"{interval_ms:g}",
            ),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(lua.name)
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(g) for g in sock.groups()) if sock else 0
    )
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    shown = " ".join(command).replace(lua.name, "post.lua")
    pacing = f"PODFIT_BENCH_INTERVAL_MS={interval_ms:g} " if interval_ms else ""
    return Figures("wrk", total, errors, rps, p50, p99, f"{pacing}PODFIT_BENCH_BODY=<body> {shown}")


def run_python(port: int, body: bytes, duration: int, connections: int) -> Figures:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/v1/schedule", body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except OSError:
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    started = time.monotonic()
    workers = [threading.Thread(target=client) for _ in range(connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return Figures(
        "python threads",
        len(latencies),
        errors,
        len(latencies) / elapsed,
        pct(0.50),
        pct(0.99),
        f"bench/load.py python client, {connections} threads, {duration} s",
    )


# ---- where the time goes (in-process) ----------------------------------------------------


def phases(case: Case, repeat: int) -> dict[str, float]:
    """Mean CPU milliseconds of each step of one /v1/schedule answer, in-process.

    The garbage collector is set up as ``gunicorn.conf.py`` sets up a worker (start-up
    objects frozen, youngest generation every 10,000 objects); its collections are
    timed apart ("GC") instead of landing in whichever step triggered them.
    """
    from podfit.http.body import parse_json
    from podfit.http.config import ServiceConfig
    from podfit.http.envelope import (
        check_body_shape,
        limits_for,
        parse_workload_body,
        read_documents,
    )
    from podfit.http.responses import json_response
    from podfit.manifests import load_objects
    from podfit.options.load import option_names
    from podfit.scheduler.adapt import PodConverter, node_infos
    from podfit.scheduler.config import make_config
    from podfit.scheduler.run import schedule_infos
    from podfit.schemas.schedule import ScheduleOptionsSchema

    config = ServiceConfig()
    keys = ("pods", "nodes", *option_names(ScheduleOptionsSchema()))
    text = json.dumps(case.body(), separators=(",", ":"))
    totals: dict[str, float] = {}
    collecting = [0.0, 0.0]  # start of the running collection, CPU seconds in collections

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collecting[0] = time.process_time()
        else:
            collecting[1] += time.process_time() - collecting[0]

    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    gc.callbacks.append(on_gc)
    for _ in range(repeat):
        marks = [time.process_time()]
        in_gc = [collecting[1]]
        plain = parse_json(text, max_depth=config.max_depth)
        check_body_shape(
            [("", plain)],
            max_items=config.max_items,
            max_quantity_length=config.max_quantity_length,
        )
        docs = read_documents(text, "json", config)
        body = parse_workload_body(docs, keys)
        marks.append(time.process_time())
        in_gc.append(collecting[1])
        workload = load_objects([obj for _, obj in body.items], limits_for(config))
        marks.append(time.process_time())
        in_gc.append(collecting[1])
        convert = PodConverter()
        pods = convert.all(workload.pod_source(), "pods")  # as scheduler.adapt.schedule
        nodes = node_infos(workload.nodes)
        marks.append(time.process_time())
        in_gc.append(collecting[1])
        result = schedule_infos(pods, nodes, make_config())
        marks.append(time.process_time())
        in_gc.append(collecting[1])
        document = result.to_dict(shared=True)  # as http.envelope.schedule_workload
        marks.append(time.process_time())
        in_gc.append(collecting[1])
        json_response(document)
        marks.append(time.process_time())
        in_gc.append(collecting[1])
        del plain, docs, body, workload, convert, pods, nodes, result, document
        marks.append(time.process_time())
        in_gc.append(collecting[1])
        steps = (
            "parse body",
            "read manifests",
            "to scheduler model",
            "place",
            "to_dict",
            "JSON",
            "free",
        )
        for k, step in enumerate(steps):
            spent = marks[k + 1] - marks[k] - (in_gc[k + 1] - in_gc[k])
            totals[step] = totals.get(step, 0.0) + spent
        totals["GC"] = totals.get("GC", 0.0) + in_gc[-1] - in_gc[0]
    gc.callbacks.remove(on_gc)
    return {step: total / repeat * 1000 for step, total in totals.items()}


def in_process(case: Case, repeat: int) -> tuple[float, float, float]:
    """(mean, median, best) CPU milliseconds of one ``POST /v1/schedule`` through the WSGI
    app in this process (Flask's test client: no sockets, no gunicorn), the garbage
    collector set up as ``gunicorn.conf.py`` sets up a worker and counted in. What a
    worker spends per answer, less its HTTP parsing and socket writes."""
    from podfit.http.app import create_app

    client = create_app().test_client()
    payload = json.dumps(case.body(), separators=(",", ":")).encode()
    for _ in range(3):  # warm up: first-request imports and caches
        response = client.post("/v1/schedule", data=payload, content_type="application/json")
        summary = json.loads(response.data)["summary"]
        if response.status_code != 200 or summary["pods"] != case.pods:
            raise SystemExit(f"{case.name}: unexpected answer {response.status_code}")
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    spent = []
    for _ in range(repeat):
        c0 = time.process_time()
        response = client.post("/v1/schedule", data=payload, content_type="application/json")
        response.close()
        del response
        spent.append((time.process_time() - c0) * 1000)
    return sum(spent) / repeat, sorted(spent)[repeat // 2], min(spent)


# ---- main --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=[*CASES, *EXTRA_CASES, "all"], default="all")
    parser.add_argument("--duration", type=int, default=30, help="seconds per case")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--paced",
        action="store_true",
        help="also run each case paced at its goal rate (latency at that load)",
    )
    parser.add_argument(
        "--paced-only",
        action="store_true",
        help="run each case paced at its goal rate only (no closed-loop run)",
    )
    parser.add_argument(
        "--phases",
        type=int,
        metavar="N",
        default=0,
        help="instead of a load test, print the mean CPU ms of each step over N in-process runs"
        " (garbage collection apart)",
    )
    parser.add_argument(
        "--in-process",
        type=int,
        metavar="N",
        default=0,
        help="instead of a load test, print the CPU ms of one request through the app"
        " (Flask test client, garbage collection included): mean, median, best of N",
    )
    args = parser.parse_args()
    if args.phases or args.in_process:
        every = {**CASES, **EXTRA_CASES}
        cases = list(CASES.values()) if args.case == "all" else [every[args.case]]
        for case in cases:
            if args.in_process:
                mean, median, best = in_process(case, args.in_process)
                print(
                    f"{case.name}: {mean:.2f} ms CPU per request (median {median:.2f}, best"
                    f" {best:.2f}; {args.in_process} requests through the app in-process)"
                )
                continue
            figures = phases(case, args.phases)
            shown = ", ".join(f"{step} {ms:.2f}" for step, ms in figures.items())
            print(f"{case.name}: {shown}; total {sum(figures.values()):.2f} ms CPU")
        return
    if args.case in EXTRA_CASES:
        raise SystemExit(f"--case {args.case} is for --phases and --in-process only")

    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    cases = list(CASES.values()) if args.case == "all" else [CASES[args.case]]
    port = free_port()
    capacity = cpu_capacity()
    print(
        f"# gunicorn: {args.workers} gthread workers x {args.threads} threads on 127.0.0.1:{port};"
        f" {args.connections} connections, {args.duration} s per case; {os.cpu_count()} CPUs"
        f" shared with the load generator; load average before: "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPU capacity before: {capacity:.2f}"
        " cores"
    )
    server = start_server(port, args.workers, args.threads)
    rows = []
    try:
        for case in cases:
            payload = json.dumps(case.body(), separators=(",", ":")).encode()
            status, answer = request(port, "POST", "/v1/schedule", payload)
            result = json.loads(answer)
            if status != 200 or result["summary"]["pods"] != case.pods:
                raise SystemExit(f"{case.name}: unexpected answer {status}: {answer[:300]!r}")
            with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as fh:
                fh.write(payload)
            try:
                rates = [] if args.paced_only else [0.0]
                if args.paced or args.paced_only:
                    rates.append(case.goal_rps)
                for rate in rates:
                    wait_idle(server.pid)
                    cpu_before = server_cpu_seconds(server.pid)
                    spread: list[str] = []
                    sampler = threading.Timer(
                        args.duration / 2,
                        lambda found=spread: found.append(connections_per_worker(port)),
                    )
                    sampler.start()
                    if use_wrk:
                        figures = run_wrk(
                            port,
                            Path(fh.name),
                            args.duration,
                            args.connections,
                            args.wrk_threads,
                            rate,
                        )
                    else:
                        figures = run_python(port, payload, args.duration, args.connections)
                    used = server_cpu_seconds(server.pid) - cpu_before
                    figures.server_cpu_ms = used / max(figures.requests, 1) * 1000
                    sampler.join()
                    figures.spread = spread[0] if spread else ""
                    mode = f"paced {rate:g}/s" if rate else "closed loop"
                    rows.append((case, mode, len(payload), len(answer), result["summary"], figures))
            finally:
                os.unlink(fh.name)
    finally:
        stop_server(server)
    print(
        f"# CPU capacity after: {cpu_capacity():.2f} cores; load average after: "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )

    print(
        "| case | mode | pods | body → answer | requests | errors | req/s | p50 ms | p99 ms"
        " | server CPU ms/req | conns/worker | goal |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case, mode, size, answer_size, summary, f in rows:
        # Paced rows judge the goal (p99 at the goal rate, 5 % slack on the achieved rate
        # for wrk's start-up); closed-loop rows judge capacity only: their p99 is that of
        # a saturated server, 32 ÷ throughput on average (Little's law).
        if mode == "closed loop":
            ok = f.rps >= case.goal_rps and f.errors == 0
            goal = f"capacity ≥ {case.goal_rps:g}/s"
        else:
            ok = f.p99_ms <= case.goal_p99_ms and f.rps >= case.goal_rps * 0.95 and not f.errors
            goal = f"p99 ≤ {case.goal_p99_ms:g} ms at {case.goal_rps:g}/s"
        print(
            f"| {case.name} | {mode} | {summary['pods']} ({summary['scheduled']} placed) on"
            f" {summary['nodes']} nodes | {size:,} B → {answer_size:,} B |"
            f" {f.requests:,} | {f.errors} | {f.rps:,.0f} | {f.p50_ms:.1f} | {f.p99_ms:.1f} |"
            f" {f.server_cpu_ms:.1f} | {f.spread or '?'} |"
            f" {goal}: {'met' if ok else 'MISSED'} |"
        )
    for case, mode, *_, f in rows:
        print(f"# {case.name}, {mode} ({f.client}): {f.command}")


if __name__ == "__main__":
    main()
