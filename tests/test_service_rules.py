"""Rules left from the issue 17 review: one JSON encoder for every answer, one request
clock, a zone label error names the zone label, plans and checks refuse to evict rather
than ignore the request, and the picture escapes every string from the input."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import podfit.deadline
from podfit.http.body import check_time, request_deadline, start_clock
from podfit.http.problem import Problem, problem_response
from podfit.http.responses import json_bytes, json_response
from podfit.http.worker import problem_bytes
from podfit.web.render import plan_result, render_svg

MakeClient = Callable[..., FlaskClient]
PROBLEM = "application/problem+json"

# --- one encoder --------------------------------------------------------------------------

AWKWARD = "é \ud800 ✓"  # non-ASCII, and an unpaired surrogate UTF-8 cannot encode


def test_every_answer_is_written_by_the_one_json_encoder(app: Flask) -> None:
    """The API's answers, its problem documents and the worker's own refusals are the
    bytes json_bytes writes for the same value: one format, one way of escaping."""
    doc = {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": AWKWARD}
    expected = json_bytes(doc)
    assert b"\\ud800" in expected
    json.loads(expected)
    with app.test_request_context():
        assert json_response(doc).get_data() == expected
        assert problem_response(400, "Bad Request", AWKWARD).get_data() == expected
    head, _, body = problem_bytes(400, AWKWARD).partition(b"\r\n\r\n")
    assert body == expected
    assert f"Content-Length: {len(expected)}".encode() in head


# --- one clock ------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now


def test_the_views_checks_and_the_core_read_one_request_deadline(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """check_time (between the views' phases) and the Deadline the core gets are one
    clock: moving the Deadline's clock past the limit makes the views' check answer 503,
    and what is left is read from it."""
    clock = FakeClock()
    monkeypatch.setattr(podfit.deadline, "time", clock)
    app = make_client(request_time_limit=10).application
    with app.test_request_context():
        start_clock()
        deadline = request_deadline()
        assert deadline.left() == 10
        check_time("reading the body")  # in time: nothing happens
        clock.now += 10.5
        assert deadline.left() == -0.5
        with pytest.raises(Problem) as stopped:
            check_time("loading the manifests")
        with pytest.raises(Problem) as inside:
            deadline.check("scheduling")
    assert stopped.value.status == inside.value.status == 503
    assert stopped.value.detail.startswith("stopped before loading the manifests after 10.5 s")
    assert inside.value.detail.startswith("stopped before scheduling after 10.5 s")


# --- the zone label's errors name it ------------------------------------------------------

ZONED = [
    {"name": "a1", "allocatable": {"cpu": "1"}, "labels": {"topology.kubernetes.io/zone": "a"}}
]


@pytest.mark.parametrize(
    "options",
    [{"zoneLabel": "", "loseZone": "a"}, {"zoneLabel": "no spaces", "loseAnyOne": True}],
)
def test_a_zone_label_that_is_no_label_key_is_an_error_of_zone_label(
    client: FlaskClient, options: dict[str, Any]
) -> None:
    response = client.post("/v1/plan/drain", json={"pods": [], "nodes": ZONED, **options})
    assert response.status_code == 422
    problem = json.loads(response.data)
    [error] = problem["errors"]
    assert error["path"] == "zoneLabel"
    assert error["message"].startswith(
        f"must be a label key, not {json.dumps(options['zoneLabel'])}"
    )


def test_a_check_policys_zone_label_is_checked_as_a_label_key(client: FlaskClient) -> None:
    policy = {
        "apiVersion": "podfit/v1",
        "kind": "CheckPolicy",
        "scenarios": [{"name": "z", "remove": "anyZone", "zoneLabel": "a/b/c"}],
    }
    response = client.post("/v1/check", json={"pods": [], "nodes": ZONED, "policy": policy})
    assert response.status_code == 422
    [error] = json.loads(response.data)["errors"]
    assert error["path"] == "policy.scenarios[0].zoneLabel"
    assert error["message"].startswith('must be a label key, not "a/b/c": a qualified name')


def test_the_pages_zone_label_field_is_named_when_it_is_no_label_key(client: FlaskClient) -> None:
    form = {
        "question": "drain-zone",
        "zone": "a",
        "zone_label": "no spaces",
        "nodes": json.dumps({"nodes": ZONED}),
    }
    response = client.post("/", data=form, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "zone_label" in html and "must be a label key" in html


# --- plans and checks never evict, and say so ---------------------------------------------

PLAN_BODIES: dict[str, dict[str, Any]] = {
    "/v1/plan/fit": {
        "pods": [],
        "nodes": ZONED,
        "templates": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "t"},
                "spec": {"containers": [{"name": "c"}]},
            }
        ],
    },
    "/v1/plan/nodes": {"pods": [], "shapes": [{"preset": "aws/m5.large"}]},
    "/v1/plan/drain": {"pods": [], "nodes": ZONED, "loseAnyOne": True},
    "/v1/check": {"pods": [], "nodes": ZONED},
}


@pytest.mark.parametrize("path", sorted(PLAN_BODIES))
def test_plans_and_checks_refuse_to_evict_instead_of_ignoring_it(
    client: FlaskClient, path: str
) -> None:
    """They answer "does it fit without evicting anything?": asking for preemption is a
    422 naming the field; false, or leaving it out, is what they do."""
    body = PLAN_BODIES[path]
    refused = client.post(path, json={**body, "preemption": True})
    assert refused.status_code == 422
    assert refused.mimetype == PROBLEM
    [error] = json.loads(refused.data)["errors"]
    assert error["path"] == "preemption"
    assert "never evict" in error["message"]
    for accepted in ({**body, "preemption": False}, body):
        response = client.post(path, json=accepted)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]


# --- the picture escapes what it quotes ---------------------------------------------------

HOSTILE = "\"><script>alert(1)</script>&amp;'"


def test_every_string_from_the_input_is_escaped_in_the_picture() -> None:
    """Names, owners and resource names (a GPU-like extended resource makes a column)
    end up in attributes and texts as given: the SVG is well-formed XML that holds them
    verbatim, and no element or attribute comes from them."""
    gpu = f"example.com/gpu{HOSTILE}"
    result = {
        "nodes": [
            {
                "name": f"node{HOSTILE}",
                "allocatable": {"cpu": "2", "memory": "1Gi", "pods": "10", gpu: "1"},
                "requested": {"cpu": "1", "memory": "0", "pods": "1", gpu: "1"},
            }
        ],
        "pods": [
            {
                "namespace": f"ns{HOSTILE}",
                "name": f"pod{HOSTILE}",
                "owner": f"Deployment/web{HOSTILE}",
                "node": f"node{HOSTILE}",
                "phase": "Running",
                "requests": {"cpu": "1", gpu: "1"},
            }
        ],
    }
    svg = render_svg(result)
    root = ET.fromstring(svg)
    assert root.get("aria-label") == f"1 nodes by cpu, memory, {gpu}"
    assert {e.tag.split("}")[1] for e in root.iter()} <= {
        "svg", "defs", "pattern", "rect", "line", "text", "title", "g", "path",
    }  # fmt: skip
    texts = "".join(root.itertext())
    for value in (gpu, f"node{HOSTILE}", f"ns{HOSTILE}/pod{HOSTILE}"):
        assert value in texts
    bars = [e for e in root.iter() if e.get("data-node") is not None]
    assert {e.get("data-node") for e in bars} == {f"node{HOSTILE}"}
    assert gpu in {e.get("data-resource") for e in bars}


def test_a_planned_shape_is_drawn_escaped_too() -> None:
    shape = {
        "allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110"},
        "placement": [{"node": f"new{HOSTILE}", "pods": {f"g{HOSTILE}": 1}}],
    }
    groups = [{"name": f"g{HOSTILE}", "count": 1, "requests": {"cpu": "1"}}]
    root = ET.fromstring(render_svg(plan_result(shape, groups)))
    assert f"g{HOSTILE} #1" in "".join(root.itertext())


def test_what_if_names_the_zone_label_for_every_edge() -> None:
    """The CLI calls the planner directly: the planner itself names zoneLabel."""
    from podfit.errors import ConfigError
    from podfit.nodes import Node
    from podfit.planning.whatif import what_if
    from podfit.quantity import parse_quantity

    alloc = {"cpu": parse_quantity("1")}
    nodes = [Node("a1", alloc, alloc, labels={"topology.kubernetes.io/zone": "a"})]
    with pytest.raises(ConfigError) as refused:
        what_if([], nodes, lose_zone="a", zone_label="")
    assert refused.value.path == "zoneLabel"
    assert str(refused.value).startswith('zoneLabel: must be a label key, not ""')


def test_plan_and_check_commands_do_not_offer_preemption() -> None:
    """Plans and checks never evict (their HTTP endpoints refuse ``preemption: true``):
    the CLI does not offer ``--preemption/--no-preemption`` there, so it cannot be given
    and silently ignored; ``podfit schedule`` keeps it."""
    from click.testing import CliRunner

    from podfit.cli import main

    for command in (["plan", "fit"], ["plan", "nodes"], ["plan", "drain"], ["check"]):
        result = CliRunner().invoke(main, [*command, "--no-preemption"])
        assert result.exit_code == 2, (command, result.output)
        assert "No such option" in result.output
    assert "--no-preemption" in CliRunner().invoke(main, ["schedule", "--help"]).output
