"""A ``kubectl get all -o json`` of one namespace, as a user feeds it to the commands that
remove nodes (``plan drain``, ``check``): the pods already running keep kube's meaning.

``tests/data/qa/shop-get-all.json``: Deployment ``api`` (2 replicas) with its ReplicaSet
and pods ``api-…-aaaaa`` on node-0, ``api-…-bbbbb`` on node-1 and ``api-…-ccccc`` on
node-0 being deleted (``deletionTimestamp``); DaemonSet ``agent`` with its pod on each
node; three Services; a PodDisruptionBudget ``minAvailable: 2`` over ``app=api``; two
nodes of 2 cpu."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from podfit.cli import main

DUMP = str(Path(__file__).parent / "data" / "qa" / "shop-get-all.json")


def podfit(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def drain_node_0() -> dict[str, Any]:
    code, out, err = podfit("plan", "drain", "-f", DUMP, "--node", "node-0", "-o", "json")
    assert code == 0, err
    scenario: dict[str, Any] = json.loads(out)["scenarios"][0]
    return scenario


def test_plan_drain_leaves_a_running_daemonset_pod_with_its_node() -> None:
    """kubectl drain --ignore-daemonsets does not evict a DaemonSet's pod, and the
    DaemonSet controller makes none for a node that is gone: a DaemonSet pod read from a
    dump (owner DaemonSet/agent) must not be recreated and left Pending on the others."""
    scenario = drain_node_0()
    assert [p["name"] for p in scenario["pending"]] == []
    assert "shop/agent-x0" not in scenario["movedTo"]


def test_a_terminating_pod_is_not_recreated_by_a_drain() -> None:
    """A pod with a deletionTimestamp counts toward no replicas: its controller has
    already made its replacement (bbbbb here), so draining its node removes it and
    nothing reschedules it (evicting it ignores PDBs: the eviction API's canIgnorePDB)."""
    scenario = drain_node_0()
    assert scenario["evicted"] == 1
    assert scenario["movedTo"] == {"shop/api-6d8f9c7b5-aaaaa": "node-1"}
    _, out, _ = podfit("check", "-f", DUMP, "-o", "json")
    variants = {v["name"]: v for s in json.loads(out)["scenarios"] for v in s["variants"]}
    assert variants["node/node-0"]["evicted"] == 1
    assert all(p["name"] != "api-6d8f9c7b5-ccccc" for v in variants.values() for p in v["pending"])


def test_a_terminating_pod_is_not_healthy_for_a_disruption_budget() -> None:
    """The disruption controller's countHealthyPods skips pods being deleted: with two
    healthy api pods and minAvailable 2, no api pod may be evicted, so losing either node
    violates the budget (the terminating third pod must not make room for one)."""
    code, out, err = podfit("check", "-f", DUMP, "-o", "json")
    assert code == 3, err
    variants = {v["name"]: v for s in json.loads(out)["scenarios"] for v in s["variants"]}
    for name in ("node/node-0", "node/node-1"):
        (violation,) = variants[name]["violations"]
        assert violation["type"] == "PodDisruptionBudget"
        assert "allowed 0: 2 healthy, desiredHealthy 2" in violation["message"]


def test_services_with_selectors_are_one_warning_line() -> None:
    """Issue 14: one warning per kind of skipped object, with its count — also for the
    Services of a real dump, each of which has its own selector."""
    for args in (["schedule"], ["plan", "drain", "--any-node"], ["check"]):
        _, _, err = podfit(*args, "-f", DUMP)
        lines = [w for w in err.splitlines() if w.startswith("warning:") and "Service" in w]
        assert len(lines) == 1, (args, err)
        assert lines[0].startswith("warning: 3 Service objects skipped: creates no pods")


def misspelt(tmp_path: Path) -> Path:
    """The dump with one field misspelt: the Deployment's ``resources`` as ``resource``."""
    dump = json.loads(Path(DUMP).read_text())
    container = dump["items"][0]["spec"]["template"]["spec"]["containers"][0]
    container["resource"] = container.pop("resources")
    path = tmp_path / "misspelt.json"
    path.write_text(json.dumps(dump))
    return path


def test_check_takes_validate_as_every_other_command(tmp_path: Path) -> None:
    """Issue 13: ``--validate=strict|warn|ignore`` everywhere, strict by default: check
    refuses a misspelt field (exit 1, the field path and the nearest name), and warn /
    ignore read it as kubectl would."""
    path = str(misspelt(tmp_path))
    code, _, err = podfit("check", "-f", path)
    assert code == 1
    assert "containers[0].resource: unknown field" in err and '(did you mean "resources"?)' in err
    code, _, err = podfit("check", "-f", path, "--validate", "warn", "-o", "json")
    assert code in (0, 3), err
    assert 'unknown field "spec.template.spec.containers[0].resource"' in err
    code, _, err = podfit("check", "-f", path, "--validate=ignore", "-o", "json")
    assert code in (0, 3), err
    assert "unknown field" not in err


def test_post_check_takes_validate_in_the_query_and_the_envelope(tmp_path: Path) -> None:
    """Issue 13: the same switch on the HTTP API, query and envelope, as /v1/schedule."""
    from podfit.http.app import create_app

    client = create_app().test_client()
    items = json.loads(misspelt(tmp_path).read_text())["items"]
    body = {"pods": [i for i in items if i["kind"] != "Node"]}
    body["nodes"] = [i for i in items if i["kind"] == "Node"]
    refused = client.post("/v1/check", json=body)
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["path"].endswith("containers[0].resource")
    for answer in (
        client.post("/v1/check?validate=warn", json=body),
        client.post("/v1/check", json={**body, "validate": "warn"}),
    ):
        assert answer.status_code == 200, answer.get_json()
        assert any("unknown field" in w for w in answer.get_json()["warnings"])
    bad = client.post("/v1/check", json={**body, "validate": "lax"})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["path"] == "validate"
    for endpoint, extra in (("/v1/plan/drain", {"loseAnyOne": True}),):
        answer = client.post(f"{endpoint}?validate=warn", json={**body, **extra})
        assert answer.status_code == 200, answer.get_json()


def test_the_web_page_does_not_call_finished_pods_not_scheduled() -> None:
    """A dump's Succeeded and Failed pods (a finished Job's pod, an evicted one) occupy
    nothing and wait for nothing: the page lists them once, as finished, and its red
    "not scheduled" count and section hold only pods that found no node — as the summary
    (0 pending) and ``podfit schedule`` ("0 Pending") say."""
    from podfit.http.app import create_app

    dump = json.loads(Path(DUMP).read_text())
    done = dict(dump["items"][2], metadata={"name": "migrate-x1", "namespace": "shop"})
    done["status"] = {"phase": "Succeeded"}
    evicted = dict(dump["items"][2], metadata={"name": "evicted-x2", "namespace": "shop"})
    evicted["status"] = {"phase": "Failed", "reason": "Evicted"}
    dump["items"] += [done, evicted]
    client = create_app().test_client()
    answer = client.post("/", data={"workloads": json.dumps(dump), "question": "schedule"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "not scheduled" not in html and "Not scheduled" not in html
    assert "every pod scheduled" in html
    finished = html[html.index('id="finished"') :]
    assert "shop/migrate-x1" in finished and "shop/evicted-x2" in finished
    assert html.count("shop/migrate-x1") == 1 and html.count("shop/evicted-x2") == 1


def test_the_web_page_groups_a_dumps_services_under_one_reason() -> None:
    """The notes list one line per kind of skipped object: the three Services' reason is
    said once, each Service's own selector only under "which"."""
    from podfit.http.app import create_app

    client = create_app().test_client()
    answer = client.post("/", data={"workloads": Path(DUMP).read_text(), "question": "schedule"})
    html = answer.get_data(as_text=True)
    line = html[html.index("skipped 3 × Service") :]
    line = line[: line.index("</li>")]
    assert line.startswith("skipped 3 × Service: creates no pods; read\n")
    assert "shop/api (selects pods app=api (default topology spreading))" in line


def test_podfit_quantity_gives_the_same_hints_as_the_manifests() -> None:
    """Issue 13's hints ("1.5gb" → 1.5G or 1.5Gi, "1K" → 1k or 1Ki) where a user types a
    quantity on its own: the command line's table and POST /v1/quantities, after
    ParseQuantity's own text, which stays unchanged."""
    from podfit.http.app import create_app

    code, out, _ = podfit("quantity", "1.5gb", "1K", "512MiB", "1 Gi", "abc")
    assert code == 1
    assert "(did you mean 1.5G or 1.5Gi?)" in out and "(did you mean 1k or 1Ki?)" in out
    assert "(did you mean 512Mi?)" in out and "(did you mean 1Gi?)" in out
    assert out.splitlines()[-1].endswith("[0-9]*)$'")  # nothing close to "abc"
    rows = (
        create_app()
        .test_client()
        .post("/v1/quantities", json={"quantities": ["1.5gb"]})
        .get_json()["results"]
    )
    assert rows[0]["error"]["message"] == (
        '"1.5gb" is not a valid quantity: quantities must match the regular expression '
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (did you mean 1.5G or 1.5Gi?)"
    )


def test_node_shapes_and_compact_nodes_give_the_quantity_hints() -> None:
    """A shape typed on the command line, and a compact node of the HTTP envelope, are
    where users write ``32gb``: the hint follows ParseQuantity's text there too."""
    from podfit.http.app import create_app

    code, _, err = podfit("plan", "nodes", "-f", DUMP, "-s", "big:cpu=8,memory=32gb")
    assert code == 1
    assert 'memory: "32gb" is not a valid quantity: ' in err
    assert err.rstrip().endswith("(did you mean 32G or 32Gi?)")
    answer = (
        create_app()
        .test_client()
        .post("/v1/schedule", json={"nodes": [{"name": "n", "allocatable": {"cpu": "1K"}}]})
    )
    assert answer.status_code == 422
    assert "suffix (did you mean 1k or 1Ki?)" in answer.get_json()["errors"][0]["message"]


def test_policy_errors_name_the_policy_file(tmp_path: Path) -> None:
    """Every error names where it is (house rule: file, then field path): a policy's
    problems start with the policy file's name, as manifest errors name theirs."""
    policy = tmp_path / "podfit-policy.yaml"
    policy.write_text(
        "apiVersion: podfit/v1\nkind: CheckPolicy\nscenarios:\n- {name: x, remove: anyNodes}\n"
    )
    code, _, err = podfit("check", "-f", DUMP, "--policy", str(policy))
    assert code == 1
    assert err == (
        f"error: {policy}: scenarios[0].remove: must be anyNode, anyZone or {{nodes: [...]}},"
        ' not "anyNodes"\n'
    )


QUOTA = """\
apiVersion: v1
kind: ResourceQuota
metadata: {name: compute, namespace: shop}
spec:
  hard: {requests.cpu: "4", limits.memory: 8Gi}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: big, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: big}}
  template:
    metadata: {labels: {app: big}}
    spec:
      containers:
      - name: c
        image: x
        resources: {requests: {cpu: 1500m, memory: 128Mi}, limits: {memory: 1Gi}}
---
apiVersion: v1
kind: Node
metadata: {name: n1}
status: {allocatable: {cpu: "8", memory: 32Gi, pods: "110"}}
"""


def test_pods_a_quota_refuses_fail_the_ci_gates(tmp_path: Path) -> None:
    """Issue 13: nothing may make a CI check pass falsely. The quota admits two of the
    three replicas (1500m each under requests.cpu 4): the third never exists in the
    cluster, so --fail-on-pending exits 3 and check's scenarios fail, naming the pod and
    the API server's "exceeded quota" message."""
    path = tmp_path / "quota.yaml"
    path.write_text(QUOTA)
    code, out, err = podfit("schedule", "-f", str(path))
    assert code == 0 and "2 of 2 pods scheduled" in out
    code, _, err = podfit("schedule", "-f", str(path), "--fail-on-pending")
    assert code == 3, err
    code, out, err = podfit("check", "-f", str(path), "-o", "json")
    assert code == 3, err
    report = json.loads(out)
    for scenario in report["scenarios"]:
        for variant in scenario["variants"]:
            (refused,) = [v for v in variant["violations"] if v["type"] == "QuotaRefused"]
            assert refused["pod"].startswith("shop/big-") and refused["node"] is None
            assert "exceeded quota: compute, requested: requests.cpu=1500m" in refused["message"]
