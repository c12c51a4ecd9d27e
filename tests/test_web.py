"""Rules for the web page at ``/`` (podfit.web.page), through Flask's test client."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from markupsafe import escape

from podfit.errors import PodfitError
from podfit.http.app import create_app
from podfit.manifests import load_text
from podfit.scheduler import schedule
from podfit.web.render import explain_shortfall

WEB_DATA = Path(__file__).parent / "data" / "web"
FIXTURES = Path(__file__).parent.parent / "fixtures"
SHOP = (WEB_DATA / "shop.yaml").read_text(encoding="utf-8")
NODES = (WEB_DATA / "nodes.yaml").read_text(encoding="utf-8")
NODE_NAMES = ["general-1", "general-2", "gpu-1"]
MakeClient = Callable[..., FlaskClient]


def library_result(
    *texts: str, names: tuple[str, ...] = (), strategy: str = "LeastAllocated"
) -> dict[str, Any]:
    """What the library says for the same input: the page must show exactly this."""
    pods: list[Any] = []
    nodes: list[Any] = []
    daemonsets: list[Any] = []
    for i, text in enumerate(texts):
        w = load_text(text, name=names[i] if names else f"input {i}")
        pods += w.pods
        nodes += w.nodes
        daemonsets += w.daemonsets
    data: dict[str, Any] = schedule(pods, nodes, daemonsets=daemonsets, strategy=strategy).to_dict()
    return data


def bars(html: str, resource: str | None = None) -> list[str]:
    """The node names of the bars in the page (optionally of one resource column)."""
    found = re.findall(r'<g class="bar[^"]*" data-node="([^"]*)" data-resource="([^"]*)"', html)
    return [node for node, res in found if resource in (None, res)]


def bar_markup(html: str, node: str, resource: str) -> str:
    """The SVG of one bar (node × resource) in the page."""
    found = re.search(
        rf'<g class="bar[^"]*" data-node="{re.escape(node)}" '
        rf'data-resource="{re.escape(resource)}">.*?</g>',
        html,
        re.S,
    )
    assert found is not None, (node, resource)
    return found.group(0)


def run(client: FlaskClient, **form: Any) -> tuple[int, str]:
    data = {"strategy": "LeastAllocated", "version": "1.34", **form}
    response = client.post("/", data=data, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


# --- the empty page --------------------------------------------------------------------------


def test_the_page_offers_fixtures_strategies_and_versions(client: FlaskClient) -> None:
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert '<option value="shop.yaml">shop.yaml</option>' in html
    assert '<option value="nodes.yaml">nodes.yaml</option>' in html
    for name in ("LeastAllocated", "MostAllocated", "RequestedToCapacityRatio", "1.33", "1.35"):
        assert f">{name}</option>" in html
    assert "<svg" not in html and 'role="alert"' not in html


def test_the_page_loads_nothing_from_outside_the_app(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    references = re.findall(r'(?:src|href|action)="([^"]*)"', html)
    assert references, "the page should link its stylesheet"
    # same-origin paths, or inline data (the empty favicon that spares a request)
    assert all(ref.startswith(("/", "data:")) for ref in references), references
    css = client.get("/static/podfit/podfit.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert "url(http" not in css.get_data(as_text=True)


def test_every_bundled_fixture_is_offered() -> None:
    """Without an override the page lists the project's own fixtures/ directory."""
    app = create_app()
    names = sorted(
        p.relative_to(FIXTURES).as_posix()
        for p in FIXTURES.rglob("*")
        if p.suffix in (".yaml", ".yml", ".json")
    )
    html = app.test_client().get("/").get_data(as_text=True)
    for name in names:
        assert f'<option value="{name}">' in html


def _bundled_pairs() -> list[tuple[str, str]]:
    """Every bundled workload fixture with every bundled node set (``nodes*`` files)."""
    files = [
        p.relative_to(FIXTURES).as_posix()
        for p in sorted(FIXTURES.rglob("*"))
        if p.suffix in (".yaml", ".yml", ".json")
    ]
    node_sets = [f for f in files if Path(f).name.startswith("nodes")]
    return [(w, n) for n in node_sets for w in files if w not in node_sets]


@pytest.mark.parametrize(("workloads", "nodes"), _bundled_pairs())
def test_bundled_fixture_pairs_draw_what_the_library_computes(workloads: str, nodes: str) -> None:
    client = create_app().test_client()
    status, html = run(client, fixture_workloads=workloads, fixture_nodes=nodes)
    try:
        expected = library_result(
            (FIXTURES / workloads).read_text(encoding="utf-8"),
            (FIXTURES / nodes).read_text(encoding="utf-8"),
            names=(f"fixtures/{workloads}", f"fixtures/{nodes}"),  # as the page names them
        )
    except PodfitError as exc:  # a fixture showing bad input: the page must say the same
        assert status in (413, 422)
        assert escape(exc.errors[0].message) in html
        return
    assert status == 200, html
    node_names = [n["name"] for n in expected["nodes"]]
    assert bars(html, "cpu") == node_names
    assert bars(html, "memory") == node_names
    not_running = [p for p in expected["pods"] if p["phase"] != "Running"]
    if not_running:
        assert f"Not scheduled ({len(not_running)})" in html
    else:
        assert "Every pod was scheduled" in html


def test_the_fixture_directory_can_be_set_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "mine.json").write_text("{}", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a manifest", encoding="utf-8")
    monkeypatch.setenv("PODFIT_FIXTURES_DIR", str(tmp_path))
    html = create_app().test_client().get("/").get_data(as_text=True)
    assert '<option value="mine.json">' in html
    assert "notes.txt" not in html and "shop.yaml" not in html


def test_a_missing_fixture_directory_offers_none_and_the_page_still_works(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PODFIT_FIXTURES_DIR", str(tmp_path / "absent"))
    response = create_app().test_client().get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    offered = re.findall(r'<option value="[^"]*\.(?:yaml|yml|json)"', html)
    assert offered == []


# --- running a schedule ----------------------------------------------------------------------


def test_a_fixture_run_shows_one_bar_per_node_and_resource(client: FlaskClient) -> None:
    status, html = run(client, fixture_workloads="shop.yaml", fixture_nodes="nodes.yaml")
    assert status == 200
    for resource in ("cpu", "memory", "nvidia.com/gpu"):
        assert bars(html, resource) == NODE_NAMES
    assert len(bars(html)) == 9


def test_a_fixture_run_lists_the_pending_pod_with_the_schedulers_message(
    client: FlaskClient,
) -> None:
    _, html = run(client, fixture_workloads="shop.yaml", fixture_nodes="nodes.yaml")
    expected = library_result(SHOP, NODES)
    pending = [p for p in expected["pods"] if p["phase"] == "Pending"]
    assert [p["name"] for p in pending] == ["batch-huge"]
    message = pending[0]["conditions"][0]["message"]
    assert message.startswith("0/3 nodes are available: 3 Insufficient cpu.")
    assert "Not scheduled (1)" in html
    assert f"<code>{message}</code>" in html
    assert "default/batch-huge" in html
    view = explain_shortfall(pending[0]["shortfall"])
    assert view is not None and view.fixes
    for fix in view.fixes:
        assert f"<li>{fix}</li>" in html
    assert '<tr class="short"><td>cpu</td><td>12</td>' in html


def test_element_ids_on_a_result_page_are_unique(client: FlaskClient) -> None:
    """Duplicate ids break labels, anchors and scripts; the page must be valid here."""
    _, html = run(client, fixture_workloads="shop.yaml", fixture_nodes="nodes.yaml")
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_the_summary_repeats_the_results_counts(client: FlaskClient) -> None:
    _, html = run(client, fixture_workloads="shop.yaml", fixture_nodes="nodes.yaml")
    summary = library_result(SHOP, NODES)["summary"]
    for key in ("pods", "scheduled", "pending", "nodes"):
        assert f'<dd class="summary-{key}">{summary[key]}</dd>' in html
    assert summary["pending"] == 1 and summary["nodes"] == 3


def test_pasted_text_and_fixtures_give_the_same_picture(client: FlaskClient) -> None:
    _, from_fixtures = run(client, fixture_workloads="shop.yaml", fixture_nodes="nodes.yaml")
    _, pasted = run(client, workloads=SHOP, nodes=NODES)
    svg = re.compile(r"<svg.*</svg>", re.S)
    assert svg.search(pasted).group(0) == svg.search(from_fixtures).group(0)  # type: ignore[union-attr]


def test_uploaded_files_are_scheduled(client: FlaskClient) -> None:
    status, html = run(
        client,
        workloads_file=(io.BytesIO(SHOP.encode()), "shop.yaml"),
        nodes_file=(io.BytesIO(NODES.encode()), "nodes.yaml"),
    )
    assert status == 200
    assert bars(html, "cpu") == NODE_NAMES
    assert "Uploaded last time: workloads upload &#39;shop.yaml&#39;" in html


@pytest.mark.parametrize(
    ("strategy", "version"),
    [("LeastAllocated", "1.35"), ("MostAllocated", "1.33"), ("RequestedToCapacityRatio", "1.34")],
)
def test_the_chosen_strategy_and_version_are_used(
    client: FlaskClient, strategy: str, version: str
) -> None:
    status, html = run(
        client,
        fixture_workloads="shop.yaml",
        fixture_nodes="nodes.yaml",
        strategy=strategy,
        version=version,
    )
    assert status == 200
    assert f"<dt>Strategy</dt><dd>{strategy}</dd>" in html
    assert f"<dt>Kubernetes</dt><dd>{version}</dd>" in html
    assert f"<option selected>{strategy}</option>" in html
    assert f"<option selected>{version}</option>" in html
    expected = library_result(SHOP, NODES, strategy=strategy)
    # the picture is the library's placement for this strategy, pod for pod
    placed = [p for p in expected["pods"] if p["phase"] == "Running"]
    assert len(placed) == 9
    for pod in placed:
        assert f"default/{pod['name']}" in bar_markup(html, pod["node"], "cpu")


def test_most_allocated_packs_where_least_allocated_spreads(client: FlaskClient) -> None:
    """The strategy reaches the scheduler: the two pictures differ."""
    _, spread = run(client, fixture_workloads="shop.yaml", fixture_nodes="nodes.yaml")
    _, packed = run(
        client, fixture_workloads="shop.yaml", fixture_nodes="nodes.yaml", strategy="MostAllocated"
    )
    svg = re.compile(r"<svg.*</svg>", re.S)
    assert svg.search(spread).group(0) != svg.search(packed).group(0)  # type: ignore[union-attr]


def test_a_pod_the_kubelet_rejects_is_listed_as_failed_with_its_message(
    client: FlaskClient,
) -> None:
    static = """
apiVersion: v1
kind: Pod
metadata: {name: static-big}
spec:
  nodeName: general-1
  containers:
    - name: c
      image: x
      resources: {requests: {cpu: "5"}}
"""
    status, html = run(client, workloads=static, fixture_nodes="nodes.yaml")
    assert status == 200
    assert '<span class="phase">Failed</span> default/static-big' in html
    assert "Pod was rejected: Node didn&#39;t have enough resource: cpu" in html


def test_workloads_without_nodes_are_all_pending_and_the_page_says_why(
    client: FlaskClient,
) -> None:
    status, html = run(client, fixture_workloads="shop.yaml")
    assert status == 200
    assert 'id="no-nodes"' in html and "<svg" not in html
    assert "Not scheduled (10)" in html
    assert "<code>no nodes available to schedule pods</code>" in html


def test_objects_that_create_no_pods_and_assumptions_are_listed(client: FlaskClient) -> None:
    workloads = (
        "kind: ConfigMap\napiVersion: v1\nmetadata: {name: settings}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  priorityClassName: gold\n"
        "  containers: [{name: c, resources: {requests: {cpu: 100m}}}]\n"
    )
    status, html = run(client, workloads=workloads, fixture_nodes="nodes.yaml")
    assert status == 200
    notes = re.search(r'<section id="notes"[^>]*>.*?</section>', html, re.S)
    assert notes is not None
    assert "skipped ConfigMap <code>default/settings</code>" in notes.group(0)
    assert "gold" in notes.group(0)


def test_pasted_text_is_escaped_not_executed(client: FlaskClient) -> None:
    evil = "</textarea><script>alert(1)</script>"
    _, html = run(client, workloads=evil, fixture_nodes="nodes.yaml")
    assert "<script>" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;" in html


# --- bad input: the page again, with the problem named, and a 4xx ----------------------------

BAD_INPUTS = [
    pytest.param({}, 400, "nothing to schedule", id="nothing"),
    pytest.param(
        {"fixture_workloads": "../pyproject.toml"}, 400, "is not a bundled fixture", id="traversal"
    ),
    pytest.param(
        {"fixture_nodes": "nodes.yaml", "strategy": "Random"},
        400,
        "&#39;Random&#39; is not one of LeastAllocated",
        id="strategy",
    ),
    pytest.param(
        {"fixture_nodes": "nodes.yaml", "version": "1.20"},
        400,
        "&#39;1.20&#39; is not one of",
        id="version",
    ),
    pytest.param(
        {"workloads": SHOP.replace("cpu: 500m", "cpu: 1.5.5"), "fixture_nodes": "nodes.yaml"},
        422,
        "&#34;1.5.5&#34; is not a valid quantity",
        id="quantity",
    ),
    pytest.param(
        {"workloads": "kind: Pod\nmetadata: [unclosed", "fixture_nodes": "nodes.yaml"},
        422,
        "workloads (pasted)",
        id="yaml-syntax",
    ),
    pytest.param(
        {"workloads_file": (io.BytesIO(b"\xff\xfe kind: Pod"), "x.yaml")},
        400,
        "is not UTF-8 text (byte 0)",
        id="not-utf-8",
    ),
]


@pytest.mark.parametrize(("form", "status", "fragment"), BAD_INPUTS)
def test_bad_input_is_answered_with_the_page_and_a_clear_error(
    client: FlaskClient, form: dict[str, Any], status: int, fragment: str
) -> None:
    got, html = run(client, **form)
    assert got == status
    errors = re.search(r'<section class="errors" role="alert".*?</section>', html, re.S)
    assert errors is not None, html
    assert fragment in errors.group(0)
    assert "Traceback" not in html
    assert '<form method="post"' in html  # the user can fix the input and run again


def test_an_unreadable_fixture_is_a_clear_error_not_a_crash(
    tmp_path: Path, make_client: MakeClient
) -> None:
    (tmp_path / "latin1.yaml").write_bytes(b"kind: Pod\nmetadata: {name: caf\xe9}\n")
    client = make_client()
    client.application.config["PODFIT_FIXTURES_DIR"] = str(tmp_path)
    status, html = run(client, fixture_workloads="latin1.yaml")
    assert status == 400
    assert "bundled fixture &#39;latin1.yaml&#39; cannot be read" in html


def test_a_bad_quantity_error_names_where_it_is(client: FlaskClient) -> None:
    bad = SHOP.replace("cpu: 500m", "cpu: 1.5.5")
    _, html = run(client, workloads=bad, fixture_nodes="nodes.yaml")
    assert "resources.requests.cpu" in html
    assert "1.5.5" in html  # and the form keeps what was pasted
    assert '<textarea name="workloads"' in html


def test_input_over_the_yaml_limit_is_refused_with_413(make_client: MakeClient) -> None:
    status, html = run(make_client(max_yaml_bytes=1000), workloads=SHOP, nodes=NODES)
    assert status == 413
    assert "PODFIT_MAX_YAML_BYTES" in html


@pytest.mark.parametrize(
    ("config", "setting", "path"),
    [
        ({"max_quantity_length": 4}, "PODFIT_MAX_QUANTITY_LENGTH", "resources.requests.cpu"),
        ({"max_items": 2}, "PODFIT_MAX_ITEMS", "workloads (pasted)"),
    ],
)
def test_pasted_input_is_bounded_like_an_api_body(
    config: dict[str, int], setting: str, path: str, make_client: MakeClient
) -> None:
    """The web page applies the API's per-body bounds too: 413 naming the setting."""
    status, html = run(
        make_client(**config),
        workloads=SHOP.replace("cpu: 500m", "cpu: 500000m"),
        nodes=NODES,
    )
    assert status == 413
    errors = re.search(r'<section class="errors" role="alert".*?</section>', html, re.S)
    assert errors is not None and setting in errors.group(0) and path in errors.group(0)


def test_a_chunked_form_without_content_length_is_refused_with_411(
    client: FlaskClient,
) -> None:
    """Chunked bodies could be truncated silently by gunicorn at the size limit."""
    response = client.post(
        "/",
        data=b"workloads=x",
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
    )
    assert response.status_code == 411
    assert "Content-Length" in response.get_data(as_text=True)


def test_running_out_of_time_is_a_503_page_naming_the_limit(make_client: MakeClient) -> None:
    status, html = run(make_client(request_time_limit=1e-9), workloads=SHOP, nodes=NODES)
    assert status == 503
    assert "time limit" in html and '<form method="post"' in html


def test_a_form_over_the_body_limit_is_refused_with_413(make_client: MakeClient) -> None:
    status, html = run(make_client(max_body_bytes=2000), workloads=SHOP, nodes=NODES)
    assert status == 413
    assert "PODFIT_MAX_BODY_BYTES" in html


# --- the second question: how many new nodes -------------------------------------------------

LOGS_DAEMONSET = """
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: logs}
spec:
  selector: {matchLabels: {app: logs}}
  template:
    metadata: {labels: {app: logs}}
    spec:
      containers: [{name: c, resources: {requests: {cpu: 100m, memory: 200Mi}}}]
"""
SHAPES = "aws/m5.large big:cpu=16,memory=64Gi,pods=110@0.5"


def library_plan(text: str, shapes: str) -> dict[str, Any]:
    from podfit.options.plan import parse_shapes
    from podfit.planning.catalog import shape_spec
    from podfit.planning.nodes_needed import nodes_needed

    w = load_text(text, name="input")
    specs = [shape_spec(s, f"shapes[{i}]") for i, s in enumerate(shapes.split())]
    plan = nodes_needed(w.pods, parse_shapes(specs), daemonsets=w.daemonsets)
    data: dict[str, Any] = plan.to_dict()
    return data


def test_nodes_needed_draws_each_shapes_planned_nodes_with_its_lower_bound(
    client: FlaskClient,
) -> None:
    workloads = SHOP + "---" + LOGS_DAEMONSET
    status, html = run(client, question="nodes", shapes=SHAPES, workloads=workloads)
    assert status == 200, html
    expected = library_plan(workloads, SHAPES)
    for shape in expected["shapes"]:
        article = re.search(
            rf'<article class="shape" data-shape="{re.escape(shape["shape"])}"[^>]*>.*?</article>',
            html,
            re.S,
        )
        assert article is not None, shape["shape"]
        text = article.group(0)
        planned = [p["node"] for p in shape["placement"]]
        assert bars(text, "cpu") == planned and len(planned) == shape["nodes"]
        assert f'<dd class="lower-bound">{shape["lowerBound"]["best"]} (' in text
        for group, reason in shape["unplaceable"].items():
            assert f"{group}: {escape(reason)}" in text
        for placed in shape["placement"]:
            cpu_bar = bar_markup(text, placed["node"], "cpu")
            assert "logs-" in cpu_bar  # the DaemonSet pod every new node runs
            assert "not itemised" not in cpu_bar  # pieces add up to the plan's requested
    assert "DaemonSet pods on each" in html


def test_nodes_needed_summary_names_the_best_plan(client: FlaskClient) -> None:
    small = SHOP.split("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: trainer")[0]
    status, html = run(client, question="nodes", shapes=SHAPES, workloads=small)
    assert status == 200
    best = library_plan(small, SHAPES)["summary"]["best"]
    assert best is not None
    shape = next(s for s in library_plan(small, SHAPES)["shapes"] if s["shape"] == best["shape"])
    priced = f" (cost {shape['cost']})" if "cost" in shape else ""
    assert f'<dd class="summary-best">{best["nodes"]} × {best["shape"]}{priced}</dd>' in html


def test_a_shape_without_any_placeable_pod_shows_a_bare_bound_never_none(
    client: FlaskClient,
) -> None:
    """Nothing fits the small shape: its bound reads "0", not "L1 ; L2 0 on None"."""
    huge = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: huge}\n"
        "spec: {containers: [{name: c, resources: {requests: {cpu: '64'}}}]}\n"
    )
    status, html = run(client, question="nodes", shapes="aws/m5.large", workloads=huge)
    assert status == 200
    assert '<dd class="lower-bound">0</dd>' in html
    assert "None" not in html and "L1 )" not in html


BAD_PLAN_FORMS = [
    pytest.param({"shapes": ""}, 400, "name at least one node shape", id="no-shapes"),
    pytest.param({"shapes": SHAPES, "headroom": "0"}, 400, "1–100", id="headroom"),
    # digits to str.isdigit, but int() refuses the first two and reads the third as 3
    pytest.param({"shapes": SHAPES, "headroom": "²"}, 400, "1–100", id="headroom-superscript"),
    pytest.param({"shapes": SHAPES, "headroom": "①"}, 400, "1–100", id="headroom-circled"),
    pytest.param({"shapes": SHAPES, "headroom": "٣"}, 400, "1–100", id="headroom-arabic-indic"),
    pytest.param({"shapes": SHAPES, "algorithm": "magic"}, 400, "is not one of", id="algo"),
    pytest.param({"shapes": "aws/no-such-type"}, 422, "shapes[0]", id="unknown-preset"),
    pytest.param({"shapes": "x:cpu=1.5.5"}, 422, "1.5.5", id="bad-quantity"),
]


@pytest.mark.parametrize(("form", "status", "fragment"), BAD_PLAN_FORMS)
def test_bad_planning_options_are_named_on_the_page(
    client: FlaskClient, form: dict[str, Any], status: int, fragment: str
) -> None:
    got, html = run(client, question="nodes", fixture_workloads="shop.yaml", **form)
    assert got == status, html
    errors = re.search(r'<section class="errors" role="alert".*?</section>', html, re.S)
    assert errors is not None and fragment in errors.group(0)


_DRA_NODE = (
    "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n"
    "status: {allocatable: {cpu: '1', memory: 1Gi, pods: '10'}}\n"
)
_DRA_POD = (
    "apiVersion: v1\nkind: Pod\nmetadata: {name: big}\n"
    "spec: {containers: [{name: c, resources: {requests: {cpu: '2'}}}]}\n"
)


@pytest.mark.parametrize(("dra", "prefixed"), [("default", True), ("on", True), ("off", False)])
def test_the_dra_choice_sets_the_dynamic_resources_part_of_messages(
    client: FlaskClient, dra: str, prefixed: bool
) -> None:
    """The form's DRA choice is the scheduler's ``dra`` option (default: the version's)."""
    status, html = run(client, workloads=_DRA_POD, nodes=_DRA_NODE, dra=dra)
    assert status == 200
    assert "1 Insufficient cpu." in html
    assert ("no new claims to deallocate, preemption:" in html) is prefixed
    assert f"<option selected>{dra}</option>" in html


def test_an_unknown_dra_choice_is_a_400_naming_the_field(client: FlaskClient) -> None:
    status, html = run(client, workloads=_DRA_POD, nodes=_DRA_NODE, dra="maybe")
    assert status == 400
    assert "&#39;maybe&#39; is not one of default, on, off" in html


def test_the_page_shows_no_warning_for_modelled_constraints(client: FlaskClient) -> None:
    """Pod anti-affinity and the default spreading are modelled by the schedule: the page
    names neither as "not modelled" (a term without labelSelector matches no pod)."""
    deployment = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n"
        "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
        "    spec:\n      affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuring"
        "Execution: [{topologyKey: kubernetes.io/hostname}]}}\n"
        "      containers: [{name: c, resources: {requests: {cpu: 100m}}}]\n"
    )
    bigger = _DRA_NODE.replace("n1", "n2").replace("cpu: '1'", "cpu: '4'")
    status, html = run(client, workloads=deployment, nodes=_DRA_NODE + "---\n" + bigger)
    assert status == 200
    assert html.count("spec.template.spec.affinity.podAntiAffinity is not modelled") == 0
    assert html.count("default topology spreading") == 0


# --- bounds across inputs: every pod the page builds counts against PODFIT_MAX_PODS ---------


def daemonsets(count: int) -> str:
    return "---\n".join(
        LOGS_DAEMONSET.replace("name: logs", f"name: logs-{i}") for i in range(count)
    )


def nodes(count: int) -> str:
    return "---\n".join(_DRA_NODE.replace("name: n1", f"name: n{i}") for i in range(count))


def deployment(name: str, replicas: int) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n"
        f"  replicas: {replicas}\n  selector: {{matchLabels: {{app: {name}}}}}\n"
        f"  template:\n    metadata: {{labels: {{app: {name}}}}}\n"
        "    spec: {containers: [{name: c, resources: {requests: {cpu: 10m}}}]}\n"
    )


def errors_of(html: str) -> str:
    found = re.search(r'<section class="errors" role="alert".*?</section>', html, re.S)
    assert found is not None, html
    return found.group(0)


@pytest.mark.parametrize("question", ["schedule", "nodes"])
def test_daemonsets_that_could_expand_past_max_pods_are_a_413_before_any_is_built(
    question: str, monkeypatch: pytest.MonkeyPatch, make_client: MakeClient
) -> None:
    """3 DaemonSets on 5 nodes could make 15 pods: over PODFIT_MAX_PODS=10, the page
    answers 413 naming the limit, as /v1/schedule does, and neither schedules nor plans."""
    import podfit.http.envelope
    import podfit.planning.nodes_needed

    def must_not_run(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("DaemonSet pods were built past the limit")

    monkeypatch.setattr(podfit.http.envelope, "schedule", must_not_run)
    monkeypatch.setattr(podfit.planning.nodes_needed, "nodes_needed", must_not_run)
    client = make_client(max_pods=10)
    status, html = run(
        client, question=question, shapes=SHAPES, workloads=daemonsets(3), nodes=nodes(5)
    )
    assert status == 413
    errors = errors_of(html)
    assert "<code>daemonsets</code>" in errors
    assert "3 DaemonSets on 5 nodes could make 15 pods" in errors
    assert "limit of 10 (PODFIT_MAX_PODS)" in errors
    assert '<form method="post"' in html


def test_daemonsets_within_max_pods_are_scheduled_on_every_node(make_client: MakeClient) -> None:
    """The same bound is not a refusal at the limit: 3 DaemonSets on 5 nodes make 15 pods."""
    status, html = run(make_client(max_pods=15), workloads=daemonsets(3), nodes=nodes(5))
    assert status == 200, errors_of(html)
    assert '<dd class="summary-pods">15</dd>' in html
    assert library_result(daemonsets(3), nodes(5))["summary"]["pods"] == 15
    assert sorted(bars(html, "cpu")) == sorted(f"n{i}" for i in range(5))


def uploads(texts: list[str]) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(t.encode()), f"part-{i}.yaml") for i, t in enumerate(texts)]


def counting_loader(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record how many pods each input built (an input refused over a limit builds none)."""
    import podfit.web.page

    built: list[int] = []
    real = podfit.web.page.load_text

    def load_text_counted(*args: Any, **kwargs: Any) -> Any:
        workload = real(*args, **kwargs)
        built.append(len(workload.pods))
        return workload

    monkeypatch.setattr(podfit.web.page, "load_text", load_text_counted)
    return built


def test_pods_of_all_inputs_together_are_bounded_by_max_pods(
    monkeypatch: pytest.MonkeyPatch, make_client: MakeClient
) -> None:
    """Three uploads of 100 replicas each with PODFIT_MAX_PODS=250: the third is refused
    with what is left of the budget, before its pods are built, naming the input."""
    built = counting_loader(monkeypatch)
    files = uploads([deployment(f"web{i}", 100) for i in range(3)])
    status, html = run(make_client(max_pods=250), workloads_file=files, nodes=NODES)
    assert status == 413
    # the pasted nodes, then two uploads; the third is refused before it builds a pod
    assert built == [0, 100, 100]
    errors = errors_of(html)
    assert "<code>spec.replicas</code>" in errors
    assert "workloads upload &#39;part-2.yaml&#39;" in errors
    assert "the inputs before it have 200 pods of the 250 allowed in all" in errors
    assert "PODFIT_MAX_PODS" in errors


def test_inputs_that_fill_max_pods_exactly_are_scheduled(
    monkeypatch: pytest.MonkeyPatch, make_client: MakeClient
) -> None:
    built = counting_loader(monkeypatch)
    files = uploads([deployment(f"web{i}", 100) for i in range(2)])
    status, html = run(make_client(max_pods=200), workloads_file=files, nodes=NODES)
    assert status == 200, errors_of(html)
    assert built == [0, 100, 100]  # the pasted nodes, then the two uploads
    assert '<dd class="summary-pods">200</dd>' in html


def test_nodes_of_all_inputs_together_are_bounded_by_max_nodes(make_client: MakeClient) -> None:
    """Pasted 3 nodes and an uploaded 3 with PODFIT_MAX_NODES=5: the upload is refused."""
    status, html = run(
        make_client(max_nodes=5),
        workloads=SHOP,
        nodes=nodes(3),
        nodes_file=uploads([nodes(3)]),
    )
    assert status == 413
    errors = errors_of(html)
    assert "nodes upload &#39;part-0.yaml&#39;" in errors
    assert "the inputs before it have 3 nodes of the 5 allowed in all" in errors
    assert "PODFIT_MAX_NODES" in errors


def test_a_skipped_object_is_listed_once_not_again_as_a_warning(client: FlaskClient) -> None:
    """The schedule result carries skipped objects as warnings; the page lists them once."""
    text = (
        "apiVersion: example.com/v1\nkind: Deploymnet\nmetadata: {name: web}\n---\n"
        "nodes:\n- name: node-a\n  allocatable: {cpu: '1', memory: 1Gi, pods: '10'}\n"
    )
    response = client.post("/", data={"workloads": text})
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    # the echoed input, the one "skipped" line and the custom-resources line
    assert page.count("Deploymnet") == 3
    assert page.count("skipped Deploymnet") == 1


# --- issue 14: the page for people -----------------------------------------------------------


def test_on_a_large_cluster_the_pending_pods_come_before_the_chart(client: FlaskClient) -> None:
    """500 nodes: the Pending pod is listed above the 500 rows, and the summary links to it."""
    huge = _DRA_POD.replace("cpu: '2'", "cpu: '64'")
    status, html = run(client, workloads=huge, nodes=nodes(500))
    assert status == 200
    assert len(bars(html, "cpu")) == 500
    assert html.index('<section id="pending"') < html.index('<section id="cluster"')
    assert '<a href="#pending" class="bad">1 not scheduled</a>' in html
    assert '<a href="#cluster">0 of 1 pods on 500 nodes</a>' in html


def test_the_pickers_offer_node_files_apart_from_workload_files(
    tmp_path: Path, make_client: MakeClient
) -> None:
    (tmp_path / "cluster-nodes.yaml").write_text(NODES, encoding="utf-8")
    (tmp_path / "shop.yaml").write_text(SHOP, encoding="utf-8")
    (tmp_path / "mixed.yaml").write_text(SHOP + "---\n" + NODES, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("kind: Pod\nmetadata: [", encoding="utf-8")
    client = make_client()
    client.application.config["PODFIT_FIXTURES_DIR"] = str(tmp_path)
    html = client.get("/").get_data(as_text=True)

    def offered(select: str) -> list[str]:
        found = re.search(rf'<select name="{select}".*?</select>', html, re.S)
        assert found is not None
        return re.findall(r'<option value="([^"]+)"', found.group(0))

    assert offered("fixture_nodes") == ["cluster-nodes.yaml"]
    assert offered("fixture_workloads") == ["broken.yaml", "mixed.yaml", "shop.yaml"]
    assert offered("fixture_templates") == offered("fixture_workloads")


def downloaded(html: str) -> dict[str, Any]:
    """The document behind the page's download link."""
    import base64
    import json

    found = re.search(r'id="download" href="data:application/json;base64,([^"]+)"', html)
    assert found is not None
    document: dict[str, Any] = json.loads(base64.b64decode(found.group(1)))
    return document


def test_the_download_link_holds_the_answers_json(client: FlaskClient) -> None:
    _, html = run(client, fixture_workloads="shop.yaml", fixture_nodes="nodes.yaml")
    document = downloaded(html)
    expected = library_result(SHOP, NODES)
    assert document["kind"] == "ScheduleResult"
    assert document["pods"] == expected["pods"] and document["nodes"] == expected["nodes"]
    assert 'download="podfit-scheduleresult.json"' in html


TEMPLATE = (
    "apiVersion: v1\nkind: Pod\nmetadata: {name: worker}\n"
    "spec: {containers: [{name: c, resources: {requests: {cpu: '1', memory: 1Gi}}}]}\n"
)


def test_how_many_more_replicas_fit_is_the_librarys_answer(client: FlaskClient) -> None:
    from podfit.planning.fit import how_many_fit

    status, html = run(client, question="fit", fixture_nodes="nodes.yaml", templates=TEMPLATE)
    assert status == 200, html
    cluster = load_text(NODES, name="nodes")
    report = how_many_fit(load_text(TEMPLATE, name="t").pods, [], cluster.nodes).to_dict()
    assert downloaded(html)["templates"] == report["templates"]
    replicas = report["summary"]["replicas"]
    assert f'<dd class="summary-replicas">{replicas}</dd>' in html
    assert f"worker: {replicas} more replicas</a>" in html


@pytest.mark.parametrize(
    ("form", "scenarios"),
    [
        ({"question": "drain-nodes", "drain_nodes": "general-1 gpu-1"}, ["drain general-1, gpu-1"]),
        ({"question": "drain-any"}, ["lose general-1", "lose general-2", "lose gpu-1"]),
    ],
)
def test_what_if_nodes_go_away_is_the_librarys_answer(
    client: FlaskClient, form: dict[str, str], scenarios: list[str]
) -> None:
    from podfit.planning.whatif import what_if

    status, html = run(client, fixture_workloads="shop.yaml", fixture_nodes="nodes.yaml", **form)
    assert status == 200, html
    shop, cluster = load_text(SHOP, name="shop"), load_text(NODES, name="nodes")
    report = what_if(
        shop.pods,
        cluster.nodes,
        drain=form.get("drain_nodes", "").split(),
        lose_any_one=form["question"] == "drain-any",
    ).to_dict()
    document = downloaded(html)
    assert [s["name"] for s in document["scenarios"]] == scenarios
    assert document["scenarios"] == report["scenarios"]
    for scenario in report["scenarios"]:
        for pod in scenario["pending"]:
            assert escape(pod["message"]) in html


@pytest.mark.parametrize(
    ("form", "fragment"),
    [
        ({"question": "fit"}, "<code>templates</code>: paste or pick the pod templates"),
        ({"question": "fit", "templates": TEMPLATE, "mode": "random"}, "<code>mode</code>"),
        ({"question": "drain-nodes"}, "<code>drain_nodes</code>: name at least one node"),
        ({"question": "drain-zone"}, "<code>zone</code>: name the zone"),
        ({"question": "drain"}, "&#39;drain&#39; is not one of schedule, fit, nodes"),
    ],
)
def test_a_question_without_what_it_needs_is_a_400_naming_the_field(
    client: FlaskClient, form: dict[str, str], fragment: str
) -> None:
    status, html = run(client, fixture_nodes="nodes.yaml", **form)
    assert status == 400
    assert fragment in errors_of(html)


@pytest.mark.parametrize(
    ("form", "fragment"),
    [
        ({"question": "drain-nodes", "drain_nodes": "zz"}, "<code>drain_nodes</code>: unknown"),
        ({"question": "drain-zone", "zone": "nowhere"}, "<code>zone</code>: no node has label"),
    ],
)
def test_a_drain_choice_the_cluster_cannot_meet_is_a_422_naming_the_form_field(
    client: FlaskClient, form: dict[str, str], fragment: str
) -> None:
    """The planner names its API options (``drain``, ``loseZone``); the page must name
    the field the user typed into."""
    status, html = run(client, fixture_nodes="nodes.yaml", **form)
    assert status == 422
    assert fragment in errors_of(html)


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"question": "nodes", "shapes": SHAPES},
        {"question": "fit", "templates": TEMPLATE},
        {"question": "drain-any"},
        {"nothing": "x"},
    ],
)
def test_no_answer_page_has_inline_script_or_style(
    client: FlaskClient, form: dict[str, str]
) -> None:
    """The page must work under the Content-Security-Policy default-src 'self'."""
    if "nothing" in form:
        html = client.get("/").get_data(as_text=True)
    else:
        _, html = run(client, fixture_workloads="shop.yaml", fixture_nodes="nodes.yaml", **form)
    assert "<script" not in html
    assert re.search(r"<style|\sstyle=", html) is None
    assert re.search(r"\son[a-z]+=", html) is None  # no inline event handlers


def test_every_amount_on_the_page_reads_by_the_unit_rule(client: FlaskClient) -> None:
    """No raw byte counts, no 4288944Ki-style sums, no None, in any answer's text."""
    for form in (
        {},
        {"question": "nodes", "shapes": SHAPES + " aws/m5.large"},
        {"question": "fit", "templates": TEMPLATE},
        {"question": "drain-any"},
    ):
        _, html = run(client, fixture_workloads="shop.yaml", fixture_nodes="nodes.yaml", **form)
        text = re.sub(r'<[^>]*>|href="[^"]*"', " ", html.split('<main id="answer">')[1])
        assert re.search(r"\b\d{7,}\b|\b\d{5,}(?:Ki|m)\b|\bNone\b", text) is None


def test_a_large_answer_is_downloaded_by_posting_the_form_again(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the link limit the page carries no data: URL (it would weigh several times the
    page) but a button posting the form to /?download=json, which answers the file."""
    import podfit.web.page

    monkeypatch.setattr(podfit.web.page, "DOWNLOAD_LINK_MAX_BYTES", 100)
    form = {"fixture_workloads": "shop.yaml", "fixture_nodes": "nodes.yaml"}
    _, html = run(client, **form)
    assert "data:application/json" not in html
    button = re.search(r'<button type="submit" form="run-form"[^>]*id="download"[^>]*>', html)
    assert button is not None
    assert 'formaction="/?download=json"' in button.group(0)
    assert 'name="question" value="schedule"' in button.group(0)
    response = client.post(
        "/?download=json",
        data={"strategy": "LeastAllocated", "version": "1.34", "question": "schedule", **form},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="podfit-scheduleresult.json"'
    document = response.get_json()
    expected = library_result(SHOP, NODES)
    assert document["pods"] == expected["pods"] and document["nodes"] == expected["nodes"]


def test_the_download_button_asks_for_uploads_again(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import podfit.web.page

    monkeypatch.setattr(podfit.web.page, "DOWNLOAD_LINK_MAX_BYTES", 100)
    _, html = run(
        client,
        workloads_file=(io.BytesIO(SHOP.encode()), "shop.yaml"),
        nodes_file=(io.BytesIO(NODES.encode()), "nodes.yaml"),
    )
    assert "computed again: choose the uploaded files again first)" in html


def test_preemption_is_on_unless_the_page_box_is_unchecked() -> None:
    """The page's "Preempt lower-priority pods" box: a browser sends nothing for an
    unchecked box, so the page sends ``preemption_shown``; a post without it (not from the
    page) keeps the default, on, as the API and the CLI do."""
    from podfit.web.page import _form

    assert _form({}).scheduler_config().preemption is True
    assert _form({"preemption_shown": "1", "preemption": "on"}).scheduler_config().preemption
    assert _form({"preemption_shown": "1"}).scheduler_config().preemption is False
