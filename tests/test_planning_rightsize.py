"""Rules for right-sizing input: krr's and VPA's recommended requests replace the pods'
requests (cpu and memory of the named container, exact, rounded up), for every planner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from podfit.cli import main
from podfit.errors import ConfigError
from podfit.manifests import load
from podfit.planning.rightsize import Recommendation, read_recommendations, rightsize
from podfit.quantity import parse_quantity as q
from podfit.yamlsafe import DEFAULT_LIMITS, load_all

DATA = Path(__file__).parent / "data" / "rightsize"


def recommendations(name: str) -> list[Recommendation]:
    path = DATA / name
    return read_recommendations(load_all(path.read_bytes(), DEFAULT_LIMITS, name), name)


def test_krr_numbers_are_rounded_up_to_one_millicore_and_one_byte() -> None:
    """0.2503 cores → 251m; 536870911.5 bytes → 536870912; "?" leaves the cpu alone."""
    recs = recommendations("krr.json")
    web = next(r for r in recs if r.name == "web")
    assert web.requests == {"cpu": q("251m"), "memory": q("536870912")}
    worker = next(r for r in recs if r.name == "worker")
    assert worker.requests == {"memory": q("805306368")}


def test_recommendations_replace_the_named_containers_requests_only() -> None:
    """web/server gets krr's requests (its limits stay, being above them), web/proxy keeps
    its own; a scan of a workload not in the input is reported unmatched."""
    workload = load(DATA / "workload.yaml")
    resized, report = rightsize(workload, recommendations("krr.json"))
    web = next(p for p in resized.pods if p.owner == "Deployment/web")
    server, proxy = web.containers
    assert server.requests == {"cpu": q("251m"), "memory": q("536870912")}
    assert server.limits == {"cpu": q("1"), "memory": q("2Gi")}
    assert proxy.requests == {"cpu": q("100m"), "memory": q("64Mi")}
    worker = next(p for p in resized.pods if p.owner == "Deployment/worker")
    assert worker.containers[0].requests == {"cpu": q("1500m"), "memory": q("805306368")}
    assert (report.pods, report.containers) == (10, 2)  # 6 web + 4 worker pods, 2 templates
    assert report.unmatched == ["krr shop/Deployment/gone container app"]
    assert workload.pods[0].containers[0].requests["cpu"] == q("1")  # the input stays


def test_a_vpa_target_reaches_the_pods_of_its_deployments_replicaset() -> None:
    """VPA targets Deployment/worker; the running pod is owned by its ReplicaSet."""
    workload = load(DATA / "snapshot.yaml")
    resized, report = rightsize(workload, recommendations("vpa.yaml"))
    pod = next(p for p in resized.pods if p.name == "worker-6d5f-abcde")
    assert pod.containers[0].requests == {"cpu": q("587m"), "memory": q("262144k")}
    assert report.unmatched == []


def test_a_limit_below_the_recommended_request_is_raised_to_it() -> None:
    workload = load(DATA / "workload.yaml")
    recs = recommendations("krr.json")
    big = [
        type(r)(r.namespace, r.kind, r.name, r.container, {"cpu": q("2")}, r.source) for r in recs
    ]
    resized, _ = rightsize(workload, big)
    server = next(p for p in resized.pods if p.owner == "Deployment/web").containers[0]
    assert server.requests["cpu"] == server.limits["cpu"] == q("2")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"scans": [{"object": {"kind": "Deployment", "namespace": "a", "name": "b", '
         '"container": "c"}, "recommended": {"requests": {"cpu": {"value": "lots"}}}}]}',
         "must be a number"),
        ('{"scans": [{"object": {"kind": "Deployment", "namespace": "a", "name": "b", '
         '"container": "c"}, "recommended": {"requests": {"cpu": {"value": -1}}}}]}',
         "must be a number >= 0"),
        ('{"scans": [{"recommended": {}}]}', "a krr scan needs an object"),
        ("kind: ConfigMap\n", "no recommendation found"),
        # malformed sections are absent ones, never an AttributeError
        ('{"scans": [{"object": {"kind": "Deployment", "namespace": "a", "name": "b", '
         '"container": "c"}, "recommended": null}]}', "no recommendation found"),
        ('{"scans": [{"object": {"kind": "Deployment", "namespace": "a", "name": "b", '
         '"container": "c"}, "recommended": [1]}]}', "no recommendation found"),
        ("kind: VerticalPodAutoscaler\nspec: {targetRef: {kind: Deployment, name: w}}\n"
         "status: {recommendation: {containerRecommendations: [{containerName: c, "
         "target: [1]}]}}\n", "no recommendation found"),
        # an exponent too large to scale is refused before any arithmetic (no overflow)
        ('{"scans": [{"object": {"kind": "Deployment", "namespace": "a", "name": "b", '
         '"container": "c"}, "recommended": {"requests": {"memory": {"value": 1e99999999}}}}]}',
         r"requests\.memory\.value: a recommendation must be at most"),
    ],
)  # fmt: skip
def test_bad_recommendations_name_the_field(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        read_recommendations(load_all(text, DEFAULT_LIMITS, "recs"), "recs")


def test_cli_plan_nodes_answers_after_right_sizing() -> None:
    """Fewer nodes after right-sizing, said in one line; the document says what changed."""
    args = ["plan", "nodes", "-f", str(DATA / "workload.yaml"), "-s", "aws/m6i.xlarge@0.192"]
    before = json.loads(CliRunner().invoke(main, [*args, "-o", "json"]).stdout)
    rec = ["--recommendations", str(DATA / "krr.json"), "--recommendations", str(DATA / "vpa.yaml")]
    after = CliRunner().invoke(main, [*args, *rec, "-o", "json"])
    assert after.exit_code == 0, after.output
    doc = json.loads(after.stdout)
    assert doc["summary"]["best"]["nodes"] < before["summary"]["best"]["nodes"]
    assert doc["rightSizing"] == {
        "recommendations": 4,  # the VPA's worker target comes later and wins
        "containersChanged": 2,
        "podsChanged": 10,
        "unmatched": ["krr shop/Deployment/gone container app"],
    }
    table = CliRunner().invoke(main, [*args, *rec])
    nodes = doc["summary"]["best"]["nodes"]
    cost = doc["shapes"][0]["cost"]
    assert (
        f"after right-sizing (2 containers of 10 pods resized): {nodes} nodes of aws/m6i.xlarge, "
        f"{cost} per hour" in table.stdout
    )
    assert "right-sizing: krr shop/Deployment/gone container app matches no pod" in table.stderr
