"""A Pending pod blocked by PodTopologySpread or InterPodAffinity: the shortfall says so.

The resources are not what is missing then, so the shortfall's ``constraints`` name the
plugin, its reason, the topology keys behind it and what would fix it (another node for
``kubernetes.io/hostname``, a node in another domain otherwise); the CLI line and the web
page show those first and list only resources some node lacked (an ``Insufficient``
reason). A pod short of resources only keeps its shortfall as before (no ``constraints``).
The web page shows the preemption checkbox with the one question that evicts, and a
zones field for new nodes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from flask.testing import FlaskClient

from podfit import schedule
from podfit.cli import main
from podfit.manifests import load_objects
from podfit.web.render import explain_shortfall

HOSTNAME = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"


def deployment(name: str, replicas: int, cpu: str = "500m", **affinity: Any) -> dict[str, Any]:
    """``anti=<key>``: required anti-affinity against its own pods on that key;
    ``spread=<key>``: maxSkew 1 DoNotSchedule on that key."""
    spec: dict[str, Any] = {"containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}]}
    if "anti" in affinity:
        term = {"labelSelector": {"matchLabels": {"app": name}}, "topologyKey": affinity["anti"]}
        spec["affinity"] = {
            "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}
        }
    if "spread" in affinity:
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": affinity["spread"],
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": {"app": name}},
            }
        ]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": spec},
        },
    }


def node(name: str, cpu: str = "4", zone: str | None = None) -> dict[str, Any]:
    labels = {HOSTNAME: name, **({ZONE: zone} if zone else {})}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "status": {"allocatable": {"cpu": cpu, "memory": "16Gi", "pods": "110"}},
    }


def pending_shortfalls(*docs: dict[str, Any]) -> list[dict[str, Any]]:
    workload = load_objects(list(docs))
    result = schedule(workload.pods, workload.nodes).to_dict()
    return [p["shortfall"] for p in result["pods"] if p["phase"] == "Pending"]


def test_hostname_anti_affinity_names_the_plugin_and_another_node() -> None:
    (short,) = pending_shortfalls(deployment("web", 3, anti=HOSTNAME), node("a"), node("b"))
    assert short["constraints"] == [
        {
            "plugin": "InterPodAffinity",
            "reason": "node(s) didn't match pod anti-affinity rules",
            "nodes": 2,
            "topologyKeys": [HOSTNAME],
            "fix": "another node (each node is its own kubernetes.io/hostname domain) "
            "without a pod its anti-affinity matches",
        }
    ]


def test_zone_spreading_names_another_zone() -> None:
    """4 replicas of 1 cpu, maxSkew 1 over zones: b1 (zone b) has room for one, so the
    fourth replica would make zone a's count 3 against b's 1 (a1 rejects it by spreading,
    b1 by cpu). The fix is a node in another zone domain; cpu stays listed, as one node
    lacked it."""
    (short,) = pending_shortfalls(
        deployment("db", 4, "1", spread=ZONE),
        node("a1", zone="a", cpu="4"),
        node("b1", zone="b", cpu="1"),
    )
    (blocked,) = short["constraints"]
    assert blocked["plugin"] == "PodTopologySpread"
    assert blocked["nodes"] == 1
    assert blocked["topologyKeys"] == [ZONE]
    assert short["reasons"]["Insufficient cpu"] == 1
    view = explain_shortfall(short)
    assert view is not None
    assert [r.resource for r in view.rows] == ["cpu"]
    assert blocked["fix"] == (
        "a node in another topology.kubernetes.io/zone domain with fewer matching pods "
        "(within maxSkew)"
    )


def test_a_pod_short_of_cpu_has_no_constraints() -> None:
    (short,) = pending_shortfalls(deployment("big", 1, "8"), node("a"))
    assert "constraints" not in short


def test_the_cli_line_names_the_plugin_not_cpu(tmp_path: Path) -> None:
    """The shortfall line of the anti-affinity replica says what blocks it and what would
    fix it; cpu, which every node has free, is not mentioned."""
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump_all([deployment("web", 3, anti=HOSTNAME), node("a"), node("b")]))
    result = CliRunner().invoke(main, ["schedule", "-f", str(path)], catch_exceptions=False)
    line = result.output.strip().splitlines()[-1]
    assert line.strip().startswith(
        "InterPodAffinity: 2 node(s) didn't match pod anti-affinity rules, needs another node"
    )
    assert "cpu request" not in line


def test_the_page_shows_the_constraint_and_no_resource_table_for_it() -> None:
    (short,) = pending_shortfalls(deployment("web", 3, anti=HOSTNAME), node("a"), node("b"))
    view = explain_shortfall(short)
    assert view is not None
    assert view.rows == ()
    assert view.constraints[0].startswith(
        "InterPodAffinity: 2 node(s) didn't match pod anti-affinity rules — needs another node"
    )
    cpu_short = explain_shortfall(pending_shortfalls(deployment("big", 1, "8"), node("a"))[0])
    assert cpu_short is not None
    assert [r.resource for r in cpu_short.rows] == ["pods", "cpu"]
    assert cpu_short.constraints == ()


def test_the_preemption_box_belongs_to_the_placement_question(client: FlaskClient) -> None:
    """Only ``podfit schedule`` evicts: the box sits in the Placement fieldset, before the
    next question's fieldset, not among the options every question shares."""
    html = client.get("/").get_data(as_text=True)
    placement = html.index("<legend>Placement</legend>")
    replicas = html.index("<legend>More replicas</legend>")
    box = html.index('id="preemption"')
    assert placement < box < replicas


def test_the_page_plans_new_nodes_in_zones(client: FlaskClient) -> None:
    """The New nodes question's zones field: the planned nodes are named with their zone,
    and a bad zone is an error naming the field."""
    workload = yaml.safe_dump(deployment("web", 2, anti=HOSTNAME))
    form = {"strategy": "LeastAllocated", "version": "1.34", "question": "nodes"}
    form |= {"workloads": workload, "shapes": "big:cpu=8,memory=16Gi,pods=110"}
    ok = client.post("/", data={**form, "zones": "a,b"}, content_type="multipart/form-data")
    html = ok.get_data(as_text=True)
    assert ok.status_code == 200, html
    assert "big-1 (zone a)" in html
    assert "big-2 (zone b)" in html
    bad = client.post("/", data={**form, "zones": "a,a"}, content_type="multipart/form-data")
    assert bad.status_code == 422
    assert "zones[1]" in bad.get_data(as_text=True)
