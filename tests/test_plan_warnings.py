"""The planning reports (FitReport, NodesPlan, DrainReport) never hide what they do not
account for: like a ScheduleResult, each ends with ``warnings`` — the loader's assumptions,
the scheduling constraints the new-node packer of ``plan nodes`` does not honour, and every
object that created no pods — each once, from the library (what it knows: the pods), the
API and the CLI (what they know too: the inputs). Pod (anti-)affinity, topology spread
constraints and the default spreading are modelled by ``plan fit`` and ``plan drain``
(the scheduler decides) and warned by none of them."""

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


def deployment(
    name: str, replicas: int = 3, anti: bool = False, kind: str = "Deployment", zones: bool = False
) -> Any:
    spec: dict[str, Any] = {
        "containers": [{"name": "c", "resources": {"requests": {"cpu": "500m"}}}]
    }
    if zones:
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": {"app": name}},
            }
        ]
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
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "status": {"allocatable": {"cpu": cpu, "memory": "8Gi", "pods": "110"}},
    }


# the reported case: a misspelt kind, and 3 replicas that must each have their own node
TYPO = [deployment("web", anti=True, kind="Deploymnet"), deployment("api", anti=True)]
ZONED = [TYPO[0], deployment("api", zones=True)]
ZONES_API = (
    "default/Deployment/api: topologySpreadConstraints is not honoured on the new nodes of "
    "plan nodes (kube-scheduler's PodTopologySpread may need more nodes or put the pods "
    "elsewhere)"
)
SPREAD = "kube-scheduler's default topology spreading"
UNMODELLED = "is not modelled"
M5 = parse_shape(shape_spec("aws/m5.large", "shape"), "shape")


CUSTOM = "custom resources not validated: 1 Deploymnet (example.com/v1)"


def skipped(source: str, kind: str = "Deploymnet", name: str = "web") -> str:
    return f"{kind} default/{name} ({source}) skipped: creates no pods"


# --- the library: what the planner's pods do not account for --------------------------------


def test_nodes_needed_honours_hostname_anti_affinity_and_does_not_warn_of_it() -> None:
    """1 node holds api's 3 replicas by resources, but their required podAntiAffinity on
    the hostname needs 3: the packer honours it (one replica per new node), no warning."""
    workload = load_objects(TYPO)
    plan = nodes_needed(workload.pods, [M5])
    doc = plan.to_dict()
    assert doc["summary"]["best"] == {"shape": "aws/m5.large", "nodes": 3}
    assert doc["warnings"] == []
    assert list(doc)[-1] == "warnings"


def test_nodes_needed_names_the_zone_spreading_its_packer_does_not_honour() -> None:
    """A zone spread constraint is not honoured by the packer of new nodes: warned, as
    the plan's last key."""
    workload = load_objects([deployment("api", zones=True)])
    doc = nodes_needed(workload.pods, [M5]).to_dict()
    assert doc["warnings"] == [ZONES_API]
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


def test_how_many_fit_models_the_templates_anti_affinity_and_the_default_spreading() -> None:
    """The scheduler decides the added template's anti-affinity (one replica per node)
    and the default spreading on nodes of unequal size: nothing to warn of."""
    cluster = load_objects([node("a"), node("b", "8")])
    template = load_objects([deployment("api", 1, anti=True)]).pods
    report = how_many_fit(template, cluster.pods, cluster.nodes)
    assert report.total == 2
    assert report.warnings == []


@pytest.mark.parametrize("nodes", [[node("a"), node("b", "8")], [node("a"), node("b")]])
def test_what_if_models_the_default_spreading(nodes: list[dict[str, Any]]) -> None:
    workload = load_objects([deployment("web", anti=True), deployment("api"), *nodes])
    report = what_if(workload.pods, workload.nodes, drain=["a"])
    assert report.warnings == []


def test_nodes_needed_has_no_default_spreading_warning() -> None:
    """The scheduler models the default spreading on the existing nodes, and it cannot
    leave a pod Pending on the new ones (ScheduleAnyway): no warning with or without
    existing nodes."""
    workload = load_objects([deployment("web", 30), node("a", "1"), node("b", "2")])
    assert nodes_needed(workload.pods, [M5]).warnings == []
    assert nodes_needed(workload.pods, [M5], existing_nodes=workload.nodes).warnings == []


# --- the API: the inputs' warnings too, in order, each once ----------------------------------


def test_api_plan_nodes_names_the_unhonoured_spreading_and_the_misspelt_kind(
    client: FlaskClient,
) -> None:
    pods = [TYPO[0], deployment("api", zones=True)]
    body = {"pods": pods, "shapes": [{"preset": "aws/m5.large"}]}
    response = client.post("/v1/plan/nodes", json=body)
    assert response.status_code == 200, response.json
    assert response.json["warnings"] == [CUSTOM, ZONES_API, skipped("pods[0]")]
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
    """The loader's assumptions first, then the planner's own (none here: the scheduler
    models api's anti-affinity, the packer honours it), then the object that created no
    pods."""
    pods = [with_priority_class(deployment("api", 2, anti=True)), TYPO[0]]
    body = {"pods": pods, "nodes": [node("a")], **options}
    response = client.post(path, json=body)
    assert response.status_code == 200, response.json
    assert response.json["warnings"] == [
        'default/Deployment/api: spec.template.spec.priorityClassName: PriorityClass "gold"'
        " not in the input; priority 0 assumed",
        CUSTOM,
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
    path.write_text(yaml.safe_dump_all(ZONED), encoding="utf-8")
    return path


def test_cli_plan_nodes_table_prints_each_warning_once_on_stderr(typo_file: Path) -> None:
    result = CliRunner().invoke(main, ["plan", "nodes", "-f", str(typo_file), "-s", "aws/m5.large"])
    assert result.exit_code == 0, result.output
    assert "best: 1 × aws/m5.large" in result.stdout
    assert result.stderr.splitlines() == [
        f"warning: {CUSTOM}",
        f"warning: {ZONES_API}",
        f"warning: {skipped(f'{typo_file} document 1')}",
    ]


def test_cli_plan_nodes_json_carries_the_warnings(typo_file: Path) -> None:
    """The document lists them all; stderr gets the input's (loader, skipped), as for
    ``podfit schedule -o json``."""
    result = CliRunner().invoke(
        main, ["plan", "nodes", "-f", str(typo_file), "-s", "aws/m5.large", "-o", "json"]
    )
    assert result.exit_code == 0, result.output
    warnings = [CUSTOM, ZONES_API, skipped(f"{typo_file} document 1")]
    assert json.loads(result.stdout)["warnings"] == warnings
    # stderr: the loader's (the packer's warning is in the document)
    loaded = [CUSTOM, skipped(f"{typo_file} document 1")]
    assert result.stderr.splitlines() == [f"warning: {w}" for w in loaded]


@pytest.mark.parametrize(
    "command",
    [["fit", "-t", "{template}"], ["nodes", "-s", "aws/m5.large"], ["drain", "--node", "a"]],
)
def test_every_plan_command_prints_the_skipped_object_and_no_modelled_constraint(
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
        f"warning: {skipped(f'{cluster} document 1')}",
    ]
    doc = CliRunner().invoke(main, ["plan", *args, "-f", str(cluster), "-o", "json"]).stdout
    assert json.loads(doc)["warnings"] == [CUSTOM, skipped(f"{cluster} document 1")]


# --- the web page: the plan's warnings shown like the schedule's --------------------------------


def test_the_plan_page_shows_the_plans_warnings_once_and_the_skipped_object_once(
    client: FlaskClient,
) -> None:
    """As under a schedule: the constraint the packer does not honour once, no
    default-spreading warning (the scheduler models it on the existing nodes of unequal
    size), and the skipped object on its own line, not again as a warning."""
    form = {
        "workloads": yaml.safe_dump_all(ZONED),
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
    assert page.count("topologySpreadConstraints is not honoured on the new nodes") == 1
    assert page.count("default topology spreading (PodTopologySpread") == 0
    assert UNMODELLED not in page
    assert page.count("skipped Deploymnet") == 1
    assert "skipped: creates no pods" not in page
