"""The planning reports (FitReport, NodesPlan, DrainReport) never hide what they do not
account for: like a ScheduleResult, each ends with ``warnings`` — the loader's assumptions,
the scheduling constraints podfit does not model, the default topology spreading where it
can matter, and every object that created no pods — each once, from the library (what it
knows: the pods), the API and the CLI (what they know too: the inputs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from flask.testing import FlaskClient

from podfit.cli import main
from podfit.manifests import load_objects
from podfit.options.plan import parse_shape
from podfit.planning.catalog import shape_spec
from podfit.planning.fit import how_many_fit
from podfit.planning.nodes_needed import nodes_needed
from podfit.planning.whatif import what_if


def deployment(name: str, replicas: int = 3, anti: bool = False, kind: str = "Deployment") -> Any:
    spec: dict[str, Any] = {
        "containers": [{"name": "c", "resources": {"requests": {"cpu": "500m"}}}]
    }
    if anti:
        term = {
            "labelSelector": {"matchLabels": {"app": name}},
            "topologyKey": "kubernetes.io/hostname",
        }
        spec["affinity"] = {
            "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}
        }
    return {
        # a kind that is not built in (a custom resource) is skipped; a misspelt built-in
        # kind is an error (tests/test_validation.py)
        "apiVersion": "apps/v1" if kind == "Deployment" else "example.com/v1",
        "kind": kind,
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": spec},
        },
    }  # fmt: skip


def node(name: str, cpu: str = "4") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "status": {"allocatable": {"cpu": cpu, "memory": "8Gi", "pods": "110"}},
    }


# the reported case: a misspelt kind, and 3 replicas that must each have their own node
TYPO = [deployment("web", anti=True, kind="Deploymnet"), deployment("api", anti=True)]
ANTI_API = (
    "default/Deployment/api: spec.template.spec.affinity.podAntiAffinity is not modelled "
    "(kube-scheduler's InterPodAffinity may put these pods on other nodes or leave some Pending)"
)
SPREAD = "kube-scheduler's default topology spreading"
M5 = parse_shape(shape_spec("aws/m5.large", "shape"), "shape")


CUSTOM = "custom resources not validated: 1 Deploymnet (example.com/v1)"


def skipped(source: str, kind: str = "Deploymnet", name: str = "web") -> str:
    return f"{kind} default/{name} ({source}) skipped: creates no pods"


# --- the library: what the planner's pods do not account for --------------------------------


def test_nodes_needed_names_the_unmodelled_anti_affinity_of_the_pods_it_packs() -> None:
    """1 node holds api's 3 replicas by resources, but their required podAntiAffinity
    (not modelled) needs 3: the plan says so, as its last key."""
    workload = load_objects(TYPO)
    plan = nodes_needed(workload.pods, [M5])
    doc = plan.to_dict()
    assert doc["summary"]["best"] == {"shape": "aws/m5.large", "nodes": 1}
    assert doc["warnings"] == [ANTI_API]
    assert list(doc)[-1] == "warnings"


def test_the_library_does_not_know_the_inputs_skipped_objects() -> None:
    """Skipped objects and loader assumptions are the inputs' business (API, CLI): the
    library answers from the pods it is given, and only for them."""
    workload = load_objects(TYPO)
    assert workload.skipped_warnings() == [skipped("<objects> document 1")]
    plan = nodes_needed(workload.pods, [M5])
    assert all("skipped" not in w for w in plan.warnings)


def test_every_report_has_warnings_as_its_last_key_even_when_empty() -> None:
    plain = load_objects([deployment("web"), node("a"), node("b")])
    fit = how_many_fit(plain.pods[:1], plain.pods, plain.nodes)
    plan = nodes_needed(plain.pods, [M5], existing_nodes=plain.nodes)
    drain = what_if(plain.pods, plain.nodes, drain=["a"])
    for report in (fit, plan, drain):
        doc = report.to_dict()
        assert list(doc)[-1] == "warnings"
        assert doc["warnings"] == [], doc["kind"]


def test_how_many_fit_warns_of_the_templates_it_adds_and_the_default_spreading() -> None:
    """The added template's unmodelled constraint is named; on nodes of unequal size the
    scheduler's default spreading (not modelled) could place its replicas otherwise."""
    cluster = load_objects([node("a"), node("b", "8")])
    template = load_objects([deployment("api", 1, anti=True)]).pods
    report = how_many_fit(template, cluster.pods, cluster.nodes)
    assert report.warnings[0] == ANTI_API
    assert len(report.warnings) == 2
    assert report.warnings[1].startswith(SPREAD)
    assert "default/Deployment/api" in report.warnings[1]


@pytest.mark.parametrize(
    ("nodes", "warned"),
    [([node("a"), node("b", "8")], True), ([node("a"), node("b")], False)],
)
def test_what_if_warns_of_the_default_spreading_where_it_can_matter(
    nodes: list[dict[str, Any]], warned: bool
) -> None:
    workload = load_objects([deployment("web"), *nodes])
    report = what_if(workload.pods, workload.nodes, drain=["a"])
    assert any(w.startswith(SPREAD) for w in report.warnings) is warned


def test_nodes_needed_without_existing_nodes_has_no_default_spreading_warning() -> None:
    """The new nodes are packed as bins, not scored: the default spreading cannot change
    the plan; on existing nodes of unequal size it can change where pods go first."""
    workload = load_objects([deployment("web", 30), node("a", "1"), node("b", "2")])
    assert not any(w.startswith(SPREAD) for w in nodes_needed(workload.pods, [M5]).warnings)
    plan = nodes_needed(workload.pods, [M5], existing_nodes=workload.nodes)
    assert [w for w in plan.warnings if w.startswith(SPREAD)]


# --- the API: the inputs' warnings too, in order, each once ----------------------------------


def test_api_plan_nodes_names_the_anti_affinity_and_the_misspelt_kind(
    client: FlaskClient,
) -> None:
    body = {"pods": TYPO, "shapes": [{"preset": "aws/m5.large"}]}
    response = client.post("/v1/plan/nodes", json=body)
    assert response.status_code == 200, response.json
    assert response.json["warnings"] == [CUSTOM, ANTI_API, skipped("pods[0]")]
    assert list(response.json)[-1] == "warnings"


PRIORITY = {"priorityClassName": "gold"}


def with_priority_class(doc: dict[str, Any]) -> dict[str, Any]:
    doc["spec"]["template"]["spec"].update(PRIORITY)
    return doc


@pytest.mark.parametrize(
    ("path", "options"),
    [
        ("/v1/plan/fit", {"templates": [deployment("extra", 1)]}),
        ("/v1/plan/nodes", {"shapes": [{"preset": "aws/m5.large"}]}),
        ("/v1/plan/drain", {"drain": ["a"]}),
    ],
)
def test_every_plan_endpoint_lists_loader_planner_and_skipped_warnings_in_order_once(
    client: FlaskClient, path: str, options: dict[str, Any]
) -> None:
    """The loader's assumptions first, then the planner's own (its unmodelled-constraint
    warning, which the loader noted too: listed once, in the planner's place), then the
    object that created no pods."""
    pods = [with_priority_class(deployment("api", 2, anti=True)), TYPO[0]]
    body = {"pods": pods, "nodes": [node("a")], **options}
    response = client.post(path, json=body)
    assert response.status_code == 200, response.json
    assert response.json["warnings"] == [
        'default/Deployment/api: spec.template.spec.priorityClassName: PriorityClass "gold"'
        " not in the input; priority 0 assumed",
        CUSTOM,
        ANTI_API,  # the loader notes it as it reads the template; the planner's place wins
        skipped("pods[1]"),
    ]


def test_api_plan_fit_names_the_templates_skipped_objects_too(client: FlaskClient) -> None:
    body = {
        "nodes": [node("a")],
        "templates": [deployment("api", 1), deployment("web", 1, kind="Deploymnet")],
    }
    response = client.post("/v1/plan/fit", json=body)
    assert response.status_code == 200, response.json
    assert response.json["warnings"] == [CUSTOM, skipped("templates[1]")]


# --- the CLI: the same document, and the table prints every warning on stderr ------------------


@pytest.fixture
def typo_file(tmp_path: Path) -> Path:
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump_all(TYPO), encoding="utf-8")
    return path


def test_cli_plan_nodes_table_prints_each_warning_once_on_stderr(typo_file: Path) -> None:
    result = CliRunner().invoke(main, ["plan", "nodes", "-f", str(typo_file), "-s", "aws/m5.large"])
    assert result.exit_code == 0, result.output
    assert "best: 1 × aws/m5.large" in result.stdout
    assert result.stderr.splitlines() == [
        f"warning: {CUSTOM}",
        f"warning: {ANTI_API}",
        f"warning: {skipped(f'{typo_file} document 1')}",
    ]


def test_cli_plan_nodes_json_carries_the_warnings(typo_file: Path) -> None:
    """The document lists them all; stderr gets the input's (loader, skipped), as for
    ``podfit schedule -o json``."""
    result = CliRunner().invoke(
        main, ["plan", "nodes", "-f", str(typo_file), "-s", "aws/m5.large", "-o", "json"]
    )
    assert result.exit_code == 0, result.output
    warnings = [CUSTOM, ANTI_API, skipped(f"{typo_file} document 1")]
    assert json.loads(result.stdout)["warnings"] == warnings
    # stderr: the loader's (it models pod anti-affinity: no warning of its own for it)
    loaded = [CUSTOM, skipped(f"{typo_file} document 1")]
    assert result.stderr.splitlines() == [f"warning: {w}" for w in loaded]


@pytest.mark.parametrize(
    "command",
    [["fit", "-t", "{template}"], ["nodes", "-s", "aws/m5.large"], ["drain", "--node", "a"]],
)
def test_every_plan_command_prints_the_unmodelled_constraint_and_the_skipped_object(
    tmp_path: Path, command: list[str]
) -> None:
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text(yaml.safe_dump_all([*TYPO, node("a"), node("b")]), encoding="utf-8")
    template = tmp_path / "template.yaml"
    template.write_text(yaml.safe_dump(deployment("extra", 1)), encoding="utf-8")
    args = [a.replace("{template}", str(template)) for a in command]
    result = CliRunner().invoke(main, ["plan", *args, "-f", str(cluster)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"warning: {CUSTOM}",
        f"warning: {ANTI_API}",
        f"warning: {skipped(f'{cluster} document 1')}",
    ]
    doc = CliRunner().invoke(main, ["plan", *args, "-f", str(cluster), "-o", "json"]).stdout
    assert json.loads(doc)["warnings"] == [CUSTOM, ANTI_API, skipped(f"{cluster} document 1")]


# --- the web page: the plan's warnings shown like the schedule's --------------------------------


def test_the_plan_page_shows_the_plans_warnings_once_and_the_skipped_object_once(
    client: FlaskClient,
) -> None:
    """As under a schedule: the unmodelled constraint (the loader's and the plan's) once,
    the plan's default-spreading warning (existing nodes of unequal size), and the skipped
    object on its own line, not again as a warning."""
    form = {
        "workloads": yaml.safe_dump_all(TYPO),
        "nodes": yaml.safe_dump_all([node("a", "1"), node("b", "2")]),
        "question": "nodes",
        "shapes": "aws/m5.large",
        "algorithm": "podfit",
        "headroom": "100",
    }
    response = client.post("/", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert 'id="shapes-plan"' in page
    assert page.count("spec.template.spec.affinity.podAntiAffinity is not modelled") == 1
    assert page.count("default topology spreading (PodTopologySpread") == 1
    assert page.count("skipped Deploymnet") == 1
    assert "skipped: creates no pods" not in page
