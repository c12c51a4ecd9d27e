"""Hostile input gets a 4xx problem document, cheaply: every bound of podfit.http.config holds.

Each case asserts the status and the content of the answer, and (where the input would
otherwise explode) that the request allocated little memory while being refused. Nothing
here measures time. The last group runs the real gunicorn server, because chunked bodies
are only dangerous there (gunicorn truncates them silently at the size limit).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

ROOT = Path(__file__).parent.parent
PROBLEM = "application/problem+json"
MakeClient = Callable[..., FlaskClient]
MIB = 1024 * 1024


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = json.loads(response.get_data(as_text=True))
    assert body["status"] == status
    return body


def peak_bytes(call: Any) -> tuple[Any, int]:
    """Run ``call()`` under tracemalloc; return its result and the peak allocation."""
    tracemalloc.start()
    try:
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def deployment(replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": replicas,
            "template": {
                "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1m"}}}]}
            },
        },
    }


def daemonset(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name},
        "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}},
    }


# ---- body size and framing -----------------------------------------------------------------


def test_a_body_over_the_size_limit_is_refused_from_its_declared_length(
    make_client: MakeClient,
) -> None:
    client = make_client(max_body_bytes=1000)
    body = problem(
        client.post("/v1/schedule", data=b" " * 2000, content_type="application/json"), 413
    )
    assert "PODFIT_MAX_BODY_BYTES" in body["detail"]
    assert "2000" in body["detail"]


def test_a_lying_content_length_cannot_smuggle_a_larger_body(make_client: MakeClient) -> None:
    """Flask's MAX_CONTENT_LENGTH stops reading at the limit even if the header lies."""
    client = make_client(max_body_bytes=1000)
    response = client.post(
        "/v1/quantities",
        data=b'{"quantities": ["1"]}' + b" " * 5000,
        content_type="application/json",
        environ_overrides={"CONTENT_LENGTH": "10"},
    )
    problem(response, 400)  # only 10 bytes were read: not a JSON document


def test_a_yaml_body_has_its_own_smaller_limit(make_client: MakeClient) -> None:
    client = make_client(max_yaml_bytes=100)
    body = problem(
        client.post("/v1/schedule", data=b"#" * 200, content_type="application/yaml"), 413
    )
    assert "PODFIT_MAX_YAML_BYTES" in body["detail"]


def test_a_chunked_body_without_content_length_is_411(client: FlaskClient) -> None:
    response = client.post(
        "/v1/schedule",
        data=b"{}",
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
    )
    body = problem(response, 411)
    assert "Content-Length" in body["detail"]
    assert "<" not in body["detail"]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b'{"pods": ["\xff\xfe"]}', "application/json"),
        (b"kind: Pod\nmetadata: {name: \xe9t\xe9}\n", "application/yaml"),
        ('{"pods": []}'.encode("utf-16"), "application/json"),
    ],
)
def test_a_body_that_is_not_utf8_is_400(
    client: FlaskClient, data: bytes, content_type: str
) -> None:
    body = problem(client.post("/v1/schedule", data=data, content_type=content_type), 400)
    assert body["type"] == "urn:podfit:problem:not-utf-8"
    assert "byte" in body["detail"]


# ---- counts: pods, nodes, documents, quantities ---------------------------------------------


def test_a_billion_replicas_are_refused_before_any_pod_is_made(client: FlaskClient) -> None:
    payload = {"pods": [deployment(1_000_000_000)]}
    response, peak = peak_bytes(lambda: client.post("/v1/schedule", json=payload))
    body = problem(response, 413)
    assert body["errors"][0]["path"] == "pods[0].spec.replicas"
    assert "PODFIT_MAX_PODS" in body["detail"]
    assert peak < 20 * MIB


def test_replicas_are_counted_across_workloads_against_the_pod_limit(
    make_client: MakeClient,
) -> None:
    client = make_client(max_pods=100)
    payload = {"pods": [deployment(60) | {"metadata": {"name": f"w{i}"}} for i in range(2)]}
    body = problem(client.post("/v1/requests", json=payload), 413)
    assert body["errors"][0]["path"] == "pods[1].spec.replicas"
    assert "above the limit of 100 pods" in body["detail"]


def test_a_node_pool_over_the_node_limit_is_refused_before_expanding(
    client: FlaskClient,
) -> None:
    payload = {
        "nodes": [{"name": "pool", "count": 50_000, "allocatable": {"cpu": "1"}}],
        "pods": [],
    }
    response, peak = peak_bytes(lambda: client.post("/v1/schedule", json=payload))
    body = problem(response, 413)
    assert "PODFIT_MAX_NODES" in body["detail"]
    assert body["errors"][0]["path"].startswith("nodes[0]")
    assert peak < 20 * MIB


def test_daemonsets_times_nodes_count_against_the_pod_limit(make_client: MakeClient) -> None:
    client = make_client(max_pods=1000)
    payload = {
        "nodes": [{"name": "pool", "count": 100, "allocatable": {"cpu": "1", "pods": "110"}}],
        "pods": [daemonset(f"ds{i}") for i in range(11)],
    }
    body = problem(client.post("/v1/schedule", json=payload), 413)
    assert "DaemonSets" in body["detail"] and "PODFIT_MAX_PODS" in body["detail"]


def test_too_many_yaml_documents_is_413(make_client: MakeClient) -> None:
    client = make_client(max_documents=10)
    stream = "".join(f"---\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n" for i in range(11))
    body = problem(client.post("/v1/requests", data=stream, content_type="application/yaml"), 413)
    assert "PODFIT_MAX_DOCUMENTS" in body["detail"]


def test_an_over_long_quantity_in_a_manifest_is_refused_naming_its_path(
    make_client: MakeClient,
) -> None:
    client = make_client(max_quantity_length=20)
    pod = deployment(1)
    pod["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "1" * 21
    body = problem(client.post("/v1/requests", json={"pods": [pod]}), 413)
    assert body["errors"][0]["path"] == (
        "pods[0].spec.template.spec.containers[0].resources.requests.cpu"
    )
    assert "PODFIT_MAX_QUANTITY_LENGTH" in body["detail"]


def test_a_quantity_with_a_huge_exponent_is_answered_not_expanded(client: FlaskClient) -> None:
    pod = deployment(1)
    pod["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = (
        "1e2147483647"
    )
    payload = {"nodes": [{"name": "n", "allocatable": {"cpu": "1"}}], "pods": [pod]}
    response, peak = peak_bytes(lambda: client.post("/v1/schedule", json=payload))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "int64" in response.get_data(as_text=True)
    assert peak < 20 * MIB


def _pod_with(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ([{"kind": "Pod"}] * 10_001, ""),
        ({"pods": [1] * 10_001}, "pods"),
        ({"pods": [_pod_with(containers=[1] * 10_001)]}, "pods[0].spec.containers"),
        (
            {
                "pods": [
                    {"kind": "Pod", "metadata": {"labels": {f"k{i}": 1 for i in range(10_001)}}}
                ]
            },
            "pods[0].metadata.labels",
        ),
    ],
    ids=["objects", "envelope-entries", "containers", "labels"],
)
def test_an_array_or_object_with_too_many_entries_is_refused_before_reading_it(
    client: FlaskClient, payload: Any, path: str
) -> None:
    """Millions of bad entries would each cost an error to build and to send."""
    response, peak = peak_bytes(lambda: client.post("/v1/requests", json=payload))
    body = problem(response, 413)
    assert body["errors"][0]["path"] == path
    assert "PODFIT_MAX_ITEMS" in body["detail"]
    assert peak < 50 * MIB


def test_a_yaml_list_with_too_many_entries_is_413(client: FlaskClient) -> None:
    stream = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n" + "  - 1\n" * 10_001
    body = problem(client.post("/v1/requests", data=stream, content_type="application/yaml"), 413)
    assert body["errors"][0]["path"] == "spec.containers"


def test_too_many_batch_quantities_are_refused_before_validating_them(
    client: FlaskClient,
) -> None:
    response, peak = peak_bytes(
        lambda: client.post("/v1/quantities", json={"quantities": [1] * 100_000})
    )
    body = problem(response, 413)
    assert "PODFIT_MAX_QUANTITIES" in body["detail"]
    assert peak < 50 * MIB


def test_a_problem_lists_at_most_100_errors_and_says_how_many_more(client: FlaskClient) -> None:
    body = problem(client.post("/v1/requests", json={"pods": [{"kind": "Pod"}] * 150}), 422)
    assert len(body["errors"]) == 101
    assert body["errors"][-1] == {"path": "", "message": "50 more errors not shown"}
    assert body["detail"].startswith("150 errors")


# ---- YAML aliases, nesting -----------------------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.mark.parametrize("path", ["/v1/requests", "/v1/schedule"])
def test_a_billion_laughs_yaml_is_refused_without_expanding(client: FlaskClient, path: str) -> None:
    response, peak = peak_bytes(
        lambda: client.post(path, data=BILLION_LAUGHS, content_type="application/yaml")
    )
    body = problem(response, 413)
    assert "anchors" in body["detail"] or "aliases" in body["detail"]
    assert peak < 20 * MIB


@pytest.mark.parametrize(
    "text",
    [
        "base: &base {cpu: 1}\nother: *base\n",
        "kind: Pod\nmetadata:\n  <<: {name: merged}\n",
    ],
    ids=["alias", "merge-key"],
)
def test_yaml_aliases_and_merge_keys_are_refused(client: FlaskClient, text: str) -> None:
    response = client.post("/v1/requests", data=text, content_type="application/yaml")
    assert response.status_code in (400, 413), response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    assert "not allowed" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "data", "content_type"),
    [
        ("/v1/quantities", b"[" * 100_000, "application/json"),
        ("/v1/quantities", b"[" * 65 + b"]" * 65, "application/json"),
        ("/v1/schedule", b'{"pods": ' + b"[" * 100_000, "application/json"),
        (
            "/v1/schedule",
            b'{"pods": [' + b'{"a":' * 70 + b"1" + b"}" * 70 + b"]}",
            "application/json",
        ),
        ("/v1/requests", b"[" * 70 + b"]" * 70, "application/yaml"),
        ("/v1/requests", b"- " * 5000 + b"x", "application/yaml"),
    ],
    ids=[
        "json-unclosed",
        "json-65",
        "schedule-unclosed",
        "schedule-objects",
        "yaml-flow",
        "yaml-block",
    ],
)
def test_nesting_deeper_than_the_limit_is_refused(
    client: FlaskClient, path: str, data: bytes, content_type: str
) -> None:
    response, peak = peak_bytes(lambda: client.post(path, data=data, content_type=content_type))
    body = problem(response, 413)
    assert "deep" in body["detail"]
    assert peak < 50 * MIB


def test_nesting_within_the_limit_is_accepted(make_client: MakeClient) -> None:
    client = make_client(max_depth=70)
    response = client.post(
        "/v1/quantities",
        data=b'{"quantities": ["1"], "to": "Mi", "x": ' + b"[" * 60 + b"]" * 60 + b"}",
        content_type="application/json",
    )
    body = problem(response, 422)  # parsed fine; refused only for the unknown field
    assert body["errors"][0]["path"] == "x"


@pytest.mark.parametrize(
    "data",
    [b'{"quantities": [NaN]}', b'{"quantities": ["1"], "n": -Infinity}', b"1" * 5000],
    ids=["nan", "infinity", "5000-digit-number"],
)
def test_json_that_python_would_accept_but_json_does_not_is_400(
    client: FlaskClient, data: bytes
) -> None:
    problem(client.post("/v1/quantities", data=data, content_type="application/json"), 400)


def test_more_than_the_limit_of_batch_quantities_is_413(make_client: MakeClient) -> None:
    client = make_client(max_quantities=5)
    problem(client.post("/v1/quantities", json={"quantities": ["1"] * 6}), 413)


def test_a_request_over_its_time_limit_is_stopped_with_a_503_problem(
    make_client: MakeClient,
) -> None:
    client = make_client(request_time_limit=1e-9)
    body = problem(client.post("/v1/schedule", json={"pods": []}), 503)
    assert "PODFIT_REQUEST_TIME_LIMIT" in body["detail"]


# ---- the real server -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    """gunicorn with the project's gunicorn.conf.py, 1 worker, a 64 KiB body limit and
    a 0.5 s body timeout."""
    port = _free_port()
    env = dict(
        os.environ,
        HOST="127.0.0.1",
        PORT=str(port),
        PODFIT_WORKERS="1",
        PODFIT_THREADS="2",
        PODFIT_MAX_BODY_BYTES=str(64 * 1024),
        PODFIT_BODY_TIMEOUT="0.5",
    )
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(300):
            try:
                if _exchange(port, "GET", "/healthz", {}, b"")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("gunicorn did not start")
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def _exchange(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes, chunked: bool = False
) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        if chunked:
            conn.putrequest(method, path)
            for key, value in headers.items():
                conn.putheader(key, value)
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            try:
                for start in range(0, len(body), 8192):
                    piece = body[start : start + 8192]
                    conn.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                conn.send(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered (and closed) before reading the whole body
        else:
            conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        conn.close()


def test_gunicorn_refuses_a_chunked_body_over_the_limit_instead_of_truncating_it(
    server: int,
) -> None:
    pods = [deployment(1) | {"metadata": {"name": f"w{i}"}} for i in range(2000)]
    body = json.dumps({"pods": pods}).encode()
    assert len(body) > 64 * 1024
    status, content_type, answer = _exchange(
        server, "POST", "/v1/requests", {"Content-Type": "application/json"}, body, chunked=True
    )
    assert status == 411, answer[:300]
    assert content_type == PROBLEM


def test_gunicorn_refuses_a_body_over_the_limit_with_a_problem_document(server: int) -> None:
    body = b" " * (65 * 1024)
    status, content_type, answer = _exchange(
        server, "POST", "/v1/schedule", {"Content-Type": "application/json"}, body
    )
    assert status == 413
    assert content_type == PROBLEM
    assert json.loads(answer)["status"] == 413


def test_gunicorn_serves_a_schedule_and_the_probes(server: int) -> None:
    body = json.dumps(
        {
            "nodes": [{"name": "n", "allocatable": {"cpu": "1", "pods": "10"}}],
            "pods": [deployment(2)],
        }
    ).encode()
    status, _, answer = _exchange(
        server, "POST", "/v1/schedule", {"Content-Type": "application/json"}, body
    )
    assert status == 200
    assert json.loads(answer)["summary"] == {
        "pods": 2,
        "scheduled": 2,
        "pending": 0,
        "preempted": 0,
        "nodes": 1,
    }
    assert _exchange(server, "GET", "/readyz", {}, b"")[0] == 200


def test_a_stalled_client_does_not_block_the_health_check(server: int) -> None:
    """gthread: a client that stops mid-body holds one thread, not the worker (1 worker,
    2 threads here), so the liveness probe is still answered."""
    stalled = socket.create_connection(("127.0.0.1", server), timeout=10)
    try:
        stalled.sendall(
            b"POST /v1/schedule HTTP/1.1\r\nHost: podfit\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{"
        )
        time.sleep(0.2)  # let a worker thread pick it up and block reading the body
        status, _, answer = _exchange(server, "GET", "/healthz", {}, b"")
        assert status == 200
        assert json.loads(answer) == {"status": "ok"}
    finally:
        stalled.close()


def test_connections_that_have_sent_nothing_hold_no_thread(server: int) -> None:
    """podfit.http.worker: a new connection waits for its first bytes in the poller. With
    gunicorn's plain gthread each of these three silent connections would hold one of the
    worker's 2 threads for up to 5 s, and the health check would wait behind them."""
    silent = [socket.create_connection(("127.0.0.1", server), timeout=10) for _ in range(3)]
    try:
        time.sleep(0.2)  # let the worker accept them all
        conn = http.client.HTTPConnection("127.0.0.1", server, timeout=3)
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            assert response.status == 200
            assert json.loads(response.read()) == {"status": "ok"}
        finally:
            conn.close()
        # a silent connection is still served once it speaks
        silent[0].sendall(b"GET /readyz HTTP/1.1\r\nHost: podfit\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := silent[0].recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    finally:
        for s in silent:
            s.close()


def test_a_body_that_stops_arriving_is_answered_408_and_the_thread_freed(server: int) -> None:
    stalled = socket.create_connection(("127.0.0.1", server), timeout=10)
    try:
        stalled.sendall(
            b"POST /v1/schedule HTTP/1.1\r\nHost: podfit\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{"
        )
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = stalled.recv(65536)
            if not chunk:
                break
            answer += chunk
    finally:
        stalled.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), head
    assert b"application/problem+json" in head
    assert b"PODFIT_BODY_TIMEOUT" in body


@pytest.mark.parametrize(
    ("message", "limit", "expected"),
    [
        ("too many of them", "max_nodes", "too many of them (PODFIT_MAX_NODES)"),
        (
            "input larger than 9 bytes",
            "max_bytes",
            "input larger than 9 bytes (PODFIT_MAX_BODY_BYTES)",
        ),
        ("3 documents, 4 pods, nested", "", "3 documents, 4 pods, nested"),  # words are not read
        ("YAML aliases are not allowed", "max_aliases", "YAML aliases are not allowed"),
        ("x (PODFIT_MAX_PODS)", "max_pods", "x (PODFIT_MAX_PODS)"),  # named once
    ],
)
def test_the_setting_named_comes_from_the_limit_not_from_the_message(
    message: str, limit: str, expected: str
) -> None:
    """LimitExceeded carries which bound was exceeded; the service maps it to PODFIT_*."""
    from podfit.errors import LimitExceeded
    from podfit.http.envelope import name_limit_setting

    error = LimitExceeded(message, "pods[0]", limit=limit).at("items")
    assert error.limit == limit and error.path == "items.pods[0]"
    named = name_limit_setting(error)
    assert named.limit == limit
    assert [str(e) for e in named.errors] == [f"items.pods[0]: {expected}"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"pods": [], "pods": []}', "application/json"),
        (b"pods: []\npods: []\n", "application/yaml"),
        (b"pods: [\n", "application/yaml"),
    ],
)
def test_a_malformed_body_names_no_internal_source_name(
    body: bytes, content_type: str, client: FlaskClient
) -> None:
    """The 400's detail and its errors say the same thing, without the loader's '<body>:'."""
    for path in ("/v1/schedule", "/v1/requests", "/v1/plan/drain"):
        response = client.post(path, data=body, content_type=content_type)
        document = problem(response, 400)
        assert "<body>" not in json.dumps(document)
        assert document["errors"][0]["message"] in document["detail"]


# ---- hostile values anywhere in a manifest -----------------------------------------------

_ODD_VALUES: list[Any] = [None, 1, -1, 0, 1.5, True, "x", "", [], {}, [None], {"a": 1}]
_ODD_VALUES += [2**63, -(2**63), "-1", "1e400", "1Ei", "\U0001f4a5"]


def _places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict | list):
        children = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in children:
            yield from _places(child, (*path, key))


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return copy


def test_no_value_anywhere_in_a_manifest_gives_a_server_error(client: FlaskClient) -> None:
    """Every field of the bundled manifests replaced in turn by a wrong type, an extreme
    number or an odd string (fixed seed): always a 2xx or a 4xx problem, never a 5xx."""
    import random

    import yaml

    root = Path(__file__).parent.parent / "fixtures"
    docs = [
        d
        for f in sorted(root.rglob("*.yaml"))
        for d in yaml.safe_load_all(f.read_text(encoding="utf-8"))
        if isinstance(d, dict) and "kind" in d
    ]
    assert docs
    node = {"name": "n1", "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}
    rng = random.Random(7)
    for _ in range(120):
        doc = rng.choice(docs)
        mutated = _replaced(doc, rng.choice(list(_places(doc))), rng.choice(_ODD_VALUES))
        is_node = isinstance(mutated, dict) and mutated.get("kind") == "Node"
        body = {"pods": [] if is_node else [mutated], "nodes": [mutated] if is_node else [node]}
        for path, payload in (
            ("/v1/schedule", body),
            ("/v1/requests", {"pods": body["pods"]}),
            ("/v1/plan/drain", {**body, "loseAnyOne": True}),
        ):
            response = client.post(path, json=payload)
            assert response.status_code < 500, (path, mutated, response.get_data(as_text=True))


def test_body_shape_findings_name_the_path_of_the_offending_entry() -> None:
    """The shape bound spells the path of what it refuses (documents, nested arrays,
    numeric-looking keys, resource maps and divisors) and nothing for what it accepts."""
    from podfit.errors import LimitExceeded
    from podfit.http.envelope import check_body_shape

    def finding(items: list[tuple[str, object]]) -> str | None:
        try:
            check_body_shape(items, max_items=3, max_quantity_length=4)
        except LimitExceeded as exc:
            return exc.errors[0].path
        return None

    pod = {"spec": {"containers": [{"name": "a"}, {"resources": {"requests": {"cpu": "12345"}}}]}}
    assert (
        finding([("documents[2]", pod)]) == "documents[2].spec.containers[1].resources.requests.cpu"
    )
    assert finding([("", pod)]) == "spec.containers[1].resources.requests.cpu"
    assert finding([("", {"1": [[0, [1, 2, 3, 4]]]})]) == "1[0][1]"
    assert finding([("", {"env": [{"divisor": "100000"}]})]) == "env[0].divisor"
    assert finding([("pods[0]", {"a": {"b": 1, "c": 2, "d": 3, "e": 4}})]) == "pods[0].a"
    assert finding([("", {"limits": {"cpu": "1", "memory": "2Gi"}})]) is None
