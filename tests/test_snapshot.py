"""Snapshots counted once (podfit.manifests.snapshot): a ``kubectl get all -o json`` dump is
reconciled with its controllers as the controllers would, so every running pod counts once.

The objects below have the shape ``kubectl get all -o json`` prints (a ``v1 List`` whose
items carry uid, resourceVersion, creationTimestamp, ownerReferences with ``controller:
true``, the ``pod-template-hash`` label and status), trimmed of fields podfit ignores."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from podfit.cli import main
from podfit.documents.requests import totals
from podfit.errors import ManifestError
from podfit.manifests import load_objects, load_text

NS = "shop"


def _template(app: str, cpu: str, memory: str) -> dict[str, Any]:
    return {
        "metadata": {"creationTimestamp": None, "labels": {"app": app}},
        "spec": {
            "containers": [
                {
                    "image": f"registry.example/{app}:1.0",
                    "imagePullPolicy": "IfNotPresent",
                    "name": app,
                    "resources": {"requests": {"cpu": cpu, "memory": memory}},
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                }
            ],
            "dnsPolicy": "ClusterFirst",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "terminationGracePeriodSeconds": 30,
        },
    }


def deployment(app: str, replicas: int, cpu: str = "130m", memory: str = "64Mi") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "annotations": {"deployment.kubernetes.io/revision": "2"},
            "creationTimestamp": "2026-11-02T09:00:00Z",
            "generation": 2,
            "name": app,
            "namespace": NS,
            "resourceVersion": "1001",
            "uid": f"uid-deploy-{app}",
        },
        "spec": {
            "progressDeadlineSeconds": 600,
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": app}},
            "strategy": {
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
                "type": "RollingUpdate",
            },
            "template": _template(app, cpu, memory),
        },
        "status": {
            "availableReplicas": replicas,
            "observedGeneration": 2,
            "readyReplicas": replicas,
            "replicas": replicas,
            "updatedReplicas": replicas,
        },
    }


def replica_set(
    deploy: dict[str, Any], h: str, replicas: int, created: str, template: Any = None
) -> dict[str, Any]:
    app = deploy["metadata"]["name"]
    tpl = copy.deepcopy(template or deploy["spec"]["template"])
    tpl["metadata"]["labels"]["pod-template-hash"] = h
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "annotations": {"deployment.kubernetes.io/desired-replicas": str(replicas)},
            "creationTimestamp": created,
            "labels": {"app": app, "pod-template-hash": h},
            "name": f"{app}-{h}",
            "namespace": NS,
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "blockOwnerDeletion": True,
                    "controller": True,
                    "kind": "Deployment",
                    "name": app,
                    "uid": f"uid-deploy-{app}",
                }
            ],
            "resourceVersion": "1002",
            "uid": f"uid-rs-{app}-{h}",
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": app, "pod-template-hash": h}},
            "template": tpl,
        },
        "status": {"observedGeneration": 2, "replicas": replicas},
    }


def pod(
    owner: dict[str, Any],
    suffix: str,
    node: str | None = "node-1",
    phase: str = "Running",
    deleting: bool = False,
    created: str = "2026-11-02T09:01:00Z",
) -> dict[str, Any]:
    """A pod as its controller made it: named after the owner, its template's labels
    (with pod-template-hash for a ReplicaSet), a controlling owner reference, status."""
    kind = owner["kind"]
    name = owner["metadata"]["name"]
    template = (
        owner["spec"]["jobTemplate"]["spec"]["template"]
        if kind == "CronJob"
        else owner["spec"]["template"]
    )
    meta: dict[str, Any] = {
        "creationTimestamp": created,
        "labels": dict(template["metadata"]["labels"]),
        "name": f"{name}-{suffix}",
        "namespace": NS,
        "ownerReferences": [
            {
                "apiVersion": owner["apiVersion"],
                "blockOwnerDeletion": True,
                "controller": True,
                "kind": kind,
                "name": name,
                "uid": owner["metadata"].get("uid", "uid"),
            }
        ],
        "resourceVersion": "2001",
        "uid": f"uid-pod-{name}-{suffix}",
    }
    if deleting:
        meta["deletionTimestamp"] = "2026-11-02T10:00:00Z"
        meta["deletionGracePeriodSeconds"] = 30
    spec = copy.deepcopy(template["spec"])
    if node:
        spec["nodeName"] = node
    status: dict[str, Any] = {"phase": phase, "qosClass": "Burstable"}
    if phase == "Running":
        status["conditions"] = [{"type": "Ready", "status": "True"}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def get_all(*items: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "List",
        "items": list(items),
        "metadata": {"resourceVersion": ""},
    }


def namespace_dump(count: int = 12) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``count`` Deployments, each with its current ReplicaSet and its Running Pods (the
    issue's case: 12 Deployments). Returns (every object of the dump, the Deployments)."""
    objects: list[dict[str, Any]] = []
    deployments = []
    for i in range(count):
        d = deployment(f"app{i}", 1 + i % 3, cpu=f"{100 + 10 * i}m")
        h = f"{7000 + i}abcd"
        rs = replica_set(d, h, d["spec"]["replicas"], "2026-11-02T09:00:01Z")
        deployments.append(d)
        objects += [d, rs]
        objects += [pod(rs, f"x{j}q{i}") for j in range(d["spec"]["replicas"])]
    return objects, deployments


def test_get_all_counts_each_running_pod_once() -> None:
    """The issue's case: Deployments + their ReplicaSets + their Running Pods give the same
    pod count and totals as the Deployments alone (not three times as many)."""
    objects, deployments = namespace_dump()
    alone = load_objects(deployments)
    dump = load_text(json.dumps(get_all(*objects)))
    assert len(dump.pods) == len(alone.pods) == 24
    assert totals(dump.pods) == totals(alone.pods)
    assert all(p.node_name == "node-1" for p in dump.pods)  # the existing pods, bound
    assert {p.owner for p in dump.pods} == {
        f"Deployment/{d['metadata']['name']}" for d in deployments
    }
    r = dump.reconciled[0]
    assert (r.kind, r.desired, r.counted, r.created) == ("Deployment", 1, 1, 0)


def test_missing_replicas_become_new_pods_named_after_the_current_replica_set() -> None:
    """Only missing replicas are created; their names follow the current ReplicaSet."""
    d = deployment("web", 3)
    rs = replica_set(d, "5d4f8c", 3, "2026-11-02T09:00:01Z")
    wl = load_objects([d, rs, pod(rs, "aaaaa")])
    assert len(wl.pods) == 3
    bound = [p for p in wl.pods if p.node_name]
    new = [p for p in wl.pods if not p.node_name]
    assert [p.name for p in bound] == ["web-5d4f8c-aaaaa"]
    assert len(new) == 2 and all(p.name.startswith("web-5d4f8c-") for p in new)
    assert wl.reconciled[0].line() == (
        "Deployment shop/web: 3 wanted: 1 existing pods counted, 2 created; "
        "current ReplicaSet web-5d4f8c"
    )


def test_old_replica_sets_are_scaled_down_and_their_pods_removed() -> None:
    """The Deployment controller scales old ReplicaSets to 0 once the rollout completes:
    their pods do not count; the current ReplicaSet is the one whose template equals the
    Deployment's ignoring pod-template-hash."""
    d = deployment("web", 2, cpu="200m")
    old_tpl = _template("web", "100m", "64Mi")
    old = replica_set(d, "1111aa", 2, "2026-10-01T09:00:00Z", template=old_tpl)
    cur = replica_set(d, "2222bb", 2, "2026-11-02T09:00:01Z")
    items = [d, old, cur, pod(old, "o1"), pod(old, "o2"), pod(cur, "c1")]
    wl = load_objects(items)
    assert sorted(p.name for p in wl.pods if p.node_name) == ["web-2222bb-c1"]
    assert len(wl.pods) == 2
    r = wl.reconciled[0]
    assert r.removed == ("shop/web-1111aa-o1", "shop/web-1111aa-o2")
    assert r.note == "current ReplicaSet web-2222bb; old ReplicaSets web-1111aa scaled down to 0"


def test_pods_of_a_replica_set_missing_from_the_input_belong_to_its_deployment() -> None:
    """``kubectl get deploy,pods``: a pod of ReplicaSet ``<deployment>-<pod-template-hash>``
    counts toward the Deployment."""
    d = deployment("web", 2)
    rs = replica_set(d, "5d4f8c", 2, "2026-11-02T09:00:01Z")
    wl = load_objects([d, pod(rs, "a"), pod(rs, "b")])
    assert len(wl.pods) == 2 and all(p.node_name for p in wl.pods)


def test_surplus_pods_are_removed_unscheduled_and_pending_first() -> None:
    """ReplicaSet scale-down order: unscheduled before scheduled, Pending before Running."""
    d = deployment("web", 2)
    rs = replica_set(d, "5d4f8c", 2, "2026-11-02T09:00:01Z")
    items = [d, rs, pod(rs, "run1"), pod(rs, "pend", node=None, phase="Pending"), pod(rs, "run2")]
    wl = load_objects(items)
    assert sorted(p.name for p in wl.pods) == ["web-5d4f8c-run1", "web-5d4f8c-run2"]
    assert wl.reconciled[0].removed == ("shop/web-5d4f8c-pend",)


def test_terminating_pods_hold_resources_but_do_not_count() -> None:
    """A terminating bound pod stays (it holds its node's resources in kube-scheduler's
    cache) marked terminating, and the controller's replacement is counted besides it; an
    unbound terminating pod is dropped (the scheduler skips pods being deleted)."""
    d = deployment("web", 2)
    rs = replica_set(d, "5d4f8c", 2, "2026-11-02T09:00:01Z")
    items = [
        d,
        rs,
        pod(rs, "a"),
        pod(rs, "gone", deleting=True),
        pod(rs, "nobind", node=None, phase="Pending", deleting=True),
    ]
    wl = load_objects(items)
    terminating = [p for p in wl.pods if p.terminating]
    assert [p.name for p in terminating] == ["web-5d4f8c-gone"]
    active = [p for p in wl.pods if not p.terminating]
    assert len(active) == 2  # web-...-a and one replacement
    assert wl.reconciled[0].terminating == ("shop/web-5d4f8c-gone", "shop/web-5d4f8c-nobind")
    assert any("shop/web-5d4f8c-nobind" in w and "dropped" in w for w in wl.warnings)


def test_succeeded_and_failed_pods_count_nowhere() -> None:
    """Terminal pods are not active: they neither count toward replicas nor hold resources."""
    d = deployment("web", 1)
    rs = replica_set(d, "5d4f8c", 1, "2026-11-02T09:00:01Z")
    wl = load_objects([d, rs, pod(rs, "f", phase="Failed")])
    assert len([p for p in wl.pods if not p.is_terminal]) == 1
    assert wl.reconciled[0].terminal == 1
    assert totals(wl.pods)["pods"] == 1


def statefulset(name: str, replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": NS, "uid": f"uid-sts-{name}"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "serviceName": name,
            "template": _template(name, "250m", "1Gi"),
        },
    }


def sts_pod(sts: dict[str, Any], ordinal: int, **kw: Any) -> dict[str, Any]:
    p = pod(sts, str(ordinal), **kw)
    p["metadata"]["labels"]["apps.kubernetes.io/pod-index"] = str(ordinal)
    p["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] = p["metadata"]["name"]
    return p


def test_statefulset_keeps_ordinals_and_creates_only_missing_ones() -> None:
    """Existing ordinals are kept; missing ones created under their own names; ordinals
    past the replicas are removed; a terminating pod keeps its ordinal (recreated under
    the same name only once gone)."""
    s = statefulset("db", 3)
    items = [s, sts_pod(s, 0), sts_pod(s, 2, deleting=True), sts_pod(s, 5)]
    wl = load_objects(items)
    names = sorted(p.name for p in wl.pods)
    assert names == ["db-0", "db-1", "db-2"]
    assert [p.name for p in wl.pods if p.terminating] == ["db-2"]
    r = wl.reconciled[0]
    assert (r.counted, r.created, r.removed) == (1, 1, ("shop/db-5",))
    assert r.note == "db-2 terminating: recreated under the same name once gone"


def test_statefulset_pod_with_a_huge_ordinal_is_a_field_error_not_a_crash() -> None:
    """The controller parses an ordinal with ParseInt(…, 10, 32): a name ending in more
    digits has no ordinal (reconciliation removes it), never a ValueError from int() on
    thousands of digits before validation names the field."""
    s = statefulset("db", 1)
    stray = sts_pod(s, 0)
    stray["metadata"]["name"] = "db-" + "9" * 5000
    with pytest.raises(ManifestError) as info:
        load_objects([s, stray])
    assert info.value.errors[0].path == "metadata.name"


def job(name: str, parallelism: int, completions: int | None, succeeded: int = 0) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "backoffLimit": 6,
        "parallelism": parallelism,
        "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": f"uid-job-{name}"}},
        "template": _template(name, "500m", "128Mi"),
    }
    spec["template"]["metadata"]["labels"]["batch.kubernetes.io/controller-uid"] = f"uid-job-{name}"
    spec["template"]["spec"]["restartPolicy"] = "Never"
    if completions is not None:
        spec["completions"] = completions
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": NS, "uid": f"uid-job-{name}"},
        "spec": spec,
        "status": {"active": 1, "succeeded": succeeded} if succeeded else {"active": 1},
    }


def test_job_counts_active_pods_toward_parallelism() -> None:
    """manageJob: want = min(parallelism, completions - succeeded); active pods count."""
    j = job("batch", 3, 4, succeeded=2)
    wl = load_objects([j, pod(j, "a"), pod(j, "s", phase="Succeeded")])
    active = [p for p in wl.pods if not p.is_terminal]
    assert len(active) == 2  # want min(3, 4 - 2) = 2: one existing, one new
    r = wl.reconciled[0]
    assert (r.desired, r.counted, r.created) == (2, 1, 1)


def test_a_work_queue_job_with_a_success_makes_no_new_pods() -> None:
    """Without completions, once one pod succeeded the running ones are left running."""
    j = job("queue", 3, None)
    wl = load_objects([j, pod(j, "a"), pod(j, "s", phase="Succeeded")])
    assert len([p for p in wl.pods if not p.is_terminal]) == 1


def test_orphans_are_adopted_by_a_matching_replica_set() -> None:
    """A pod without a controlling owner reference whose labels match a ReplicaSet's
    selector in its namespace is adopted (ClaimPods)."""
    d = deployment("web", 1)
    rs = replica_set(d, "5d4f8c", 1, "2026-11-02T09:00:01Z")
    rs["metadata"].pop("ownerReferences")
    orphan = pod(rs, "o")
    orphan["metadata"].pop("ownerReferences")
    wl = load_objects([rs, orphan])
    assert [p.name for p in wl.pods] == ["web-5d4f8c-o"]
    assert wl.pods[0].owner == "ReplicaSet/web-5d4f8c"


def test_pods_whose_controller_is_absent_are_taken_as_they_are() -> None:
    """``kubectl get pods`` alone: every pod is taken as it is, none made, none removed."""
    d = deployment("web", 1)
    rs = replica_set(d, "5d4f8c", 1, "2026-11-02T09:00:01Z")
    wl = load_objects([pod(rs, "a"), pod(rs, "b")])
    assert [p.owner for p in wl.pods] == ["ReplicaSet/web-5d4f8c"] * 2
    assert wl.reconciled == []


def test_daemonset_pods_keep_their_owner_for_the_per_node_check() -> None:
    """An existing DaemonSet pod is owned by its DaemonSet (the scheduler gives the
    DaemonSet no second pod on that node)."""
    ds = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": NS, "uid": "uid-ds"},
        "spec": {
            "selector": {"matchLabels": {"app": "agent"}},
            "template": _template("agent", "50m", "32Mi"),
        },
    }
    existing = pod(ds, "zx9k2", node="node-1")
    wl = load_objects([ds, existing])
    assert [(p.name, p.owner) for p in wl.pods] == [("agent-zx9k2", "DaemonSet/agent")]
    assert len(wl.daemonsets) == 1


def test_cronjob_with_its_jobs_in_the_input_makes_no_run_of_its_own() -> None:
    """kubectl get all lists a CronJob with its Jobs: the Jobs are the runs."""
    cron = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "nightly", "namespace": NS, "uid": "uid-cron"},
        "spec": {
            "schedule": "0 1 * * *",
            "jobTemplate": {"spec": {"template": _template("nightly", "1", "1Gi")}},
        },
    }
    j = job("nightly-29000000", 1, 1)
    j["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "name": "nightly",
            "controller": True,
            "uid": "uid-cron",
        }
    ]
    wl = load_objects([cron, j, pod(j, "r")])
    assert [p.name for p in wl.pods] == ["nightly-29000000-r"]


def test_in_place_resize_counts_what_the_scheduler_counts() -> None:
    """PodRequests with status resources (1.34): max(spec, status resources, allocated);
    while the resize is Infeasible, the spec is left out."""
    d = deployment("web", 1, cpu="500m")
    rs = replica_set(d, "5d4f8c", 1, "2026-11-02T09:00:01Z")
    p = pod(rs, "a")
    p["status"]["containerStatuses"] = [
        {
            "name": "web",
            "allocatedResources": {"cpu": "300m", "memory": "64Mi"},
            "resources": {"requests": {"cpu": "300m", "memory": "64Mi"}},
        }
    ]
    # spec says 500m (a pending resize up from 300m): the scheduler reserves 500m
    assert str(load_objects([p]).pods[0].containers[0].requests["cpu"]) == "500m"
    p["status"]["conditions"].append(
        {"type": "PodResizePending", "status": "True", "reason": "Infeasible"}
    )
    # infeasible: the pod keeps what it runs with, 300m
    assert str(load_objects([p]).pods[0].containers[0].requests["cpu"]) == "300m"
    p["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "100m"
    p["status"]["conditions"].pop()
    # a resize down not yet actuated: the larger allocated value counts
    assert str(load_objects([p]).pods[0].containers[0].requests["cpu"]) == "300m"


def test_plain_manifests_are_unchanged() -> None:
    """Without existing pods nothing is reported and names are the usual ones."""
    wl = load_objects([deployment("web", 2), statefulset("db", 2), job("j", 2, 2)])
    assert [p.name for p in wl.pods if p.owner == "StatefulSet/db"] == ["db-0", "db-1"]
    assert [p.name for p in wl.pods if p.owner == "Job/j"] == ["j-0", "j-1"]
    assert not any("wanted" in w for w in wl.warnings)


def test_cli_requests_of_a_get_all_dump_equals_the_deployments_alone(tmp_path: Path) -> None:
    """``podfit requests -f get-all.json`` reports the Deployments' pods and totals once,
    and says how the existing pods were taken."""
    objects, deployments = namespace_dump()
    dump = tmp_path / "get-all.json"
    dump.write_text(json.dumps(get_all(*objects)))
    alone = tmp_path / "deployments.json"
    alone.write_text(json.dumps(get_all(*deployments)))
    results = []
    for path in (dump, alone):
        result = CliRunner().invoke(main, ["requests", "-f", str(path), "-o", "json"])
        assert result.exit_code == 0, result.output
        results.append(json.loads(result.stdout))
    assert results[0]["total"] == results[1]["total"]
    assert results[0]["total"]["pods"] == 24
    assert (
        "Deployment shop/app0: 1 wanted: 1 existing pods counted, 0 created; current "
        "ReplicaSet app0-7000abcd"
    ) in results[0]["warnings"]


def test_deployment_pods_carry_the_pod_template_hash_label() -> None:
    """The ReplicaSet controller labels its pods pod-template-hash (topology spreading's
    matchLabelKeys often names it): new pods carry the current ReplicaSet's value, a
    Deployment read alone the stand-in hash its pod names show."""
    d = deployment("web", 2)
    rs = replica_set(d, "5d4f8c", 2, "2026-11-02T09:00:01Z")
    wl = load_objects([d, rs, pod(rs, "a")])
    assert {p.labels["pod-template-hash"] for p in wl.pods} == {"5d4f8c"}
    alone = load_objects([deployment("web", 1)]).pods[0]
    assert alone.name == f"web-{alone.labels['pod-template-hash']}-0"


# -- what the result says: the ``snapshot`` section, ``terminating``, lost nodes ----------------


def node(name: str = "node-1") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}},
    }


def mixed_dump() -> tuple[list[dict[str, Any]], list[str]]:
    """A Deployment with an old and a current ReplicaSet, and pods of every kind the
    reconciler tells apart; with the ``ns/name`` of every input pod, in input order."""
    d = deployment("web", 2, cpu="200m")
    old = replica_set(d, "1111aa", 1, "2026-10-01T09:00:00Z", _template("web", "100m", "64Mi"))
    cur = replica_set(d, "2222bb", 2, "2026-11-02T09:00:01Z")
    pods = [
        pod(old, "o1"),
        pod(cur, "run"),
        pod(cur, "gone", deleting=True),
        pod(cur, "nobind", node=None, phase="Pending", deleting=True),
        pod(cur, "done", phase="Failed"),
    ]
    orphan = pod(cur, "orphan", node=None, phase="Pending", deleting=True)
    del orphan["metadata"]["ownerReferences"]
    orphan["metadata"]["labels"] = {"role": "none"}  # adopted by nobody
    pods.append(orphan)
    keys = [f"{NS}/{p['metadata']['name']}" for p in pods]
    return [node(), d, old, cur, *pods], keys


EXPECTED_SNAPSHOT = {
    "workloads": [
        {
            "kind": "Deployment",
            "namespace": NS,
            "name": "web",
            "desired": 2,
            "existing": 1,
            "created": 1,
            "removed": ["shop/web-1111aa-o1"],
            "terminating": ["shop/web-2222bb-gone", "shop/web-2222bb-nobind"],
            "finished": ["shop/web-2222bb-done"],
            "note": "current ReplicaSet web-2222bb; old ReplicaSets web-1111aa scaled down to 0",
        }
    ],
    "unscheduledTerminating": ["shop/web-2222bb-nobind", "shop/web-2222bb-orphan"],
}


def _accounted_once(document: dict[str, Any], keys: list[str]) -> None:
    """Every input pod is in exactly one place: ``pods[]``, a workload's ``removed`` or
    ``unscheduledTerminating``; and nothing else existing is anywhere."""
    listed = [f"{p['namespace']}/{p['name']}" for p in document["pods"]]
    snapshot = document["snapshot"]
    removed = [k for w in snapshot["workloads"] for k in w["removed"]]
    places = [*listed, *removed, *snapshot["unscheduledTerminating"]]
    assert sorted(k for k in places if k in keys) == sorted(keys)


def test_requests_document_says_how_each_existing_pod_was_taken(tmp_path: Path) -> None:
    """Issue 13: the result says which pods were taken how, as data (not only warning
    text), every input pod exactly once; a terminating pod is flagged ``terminating``."""
    objects, keys = mixed_dump()
    path = tmp_path / "get-all.json"
    path.write_text(json.dumps(get_all(*objects)))
    result = CliRunner().invoke(main, ["requests", "-f", str(path), "-o", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["snapshot"] == EXPECTED_SNAPSHOT
    assert list(doc) == ["pods", "daemonsets", "total", "skipped", "snapshot", "warnings"]
    _accounted_once(doc, keys)
    flagged = {p["name"]: p.get("terminating") for p in doc["pods"]}
    assert flagged["web-2222bb-gone"] is True
    assert flagged["web-2222bb-run"] is None  # the key only when true
    table = CliRunner().invoke(main, ["requests", "-f", str(path)])
    assert "web-2222bb-gone (Terminating)" in table.stdout


def test_schedule_result_carries_the_snapshot_and_the_terminating_flag(tmp_path: Path) -> None:
    """The ScheduleResult (CLI JSON and YAML, HTTP) has the same section; the table shows a
    pod with a deletionTimestamp as ``Terminating``, as ``kubectl get pods`` does."""
    import yaml

    from podfit.http.app import create_app

    objects, keys = mixed_dump()
    path = tmp_path / "get-all.json"
    path.write_text(json.dumps(get_all(*objects)))
    out = CliRunner().invoke(main, ["schedule", "-f", str(path), "-o", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["snapshot"] == EXPECTED_SNAPSHOT
    assert list(doc)[-2:] == ["snapshot", "warnings"]
    _accounted_once(doc, keys)
    gone = next(p for p in doc["pods"] if p["name"] == "web-2222bb-gone")
    assert (gone["phase"], gone["node"], gone["terminating"]) == ("Running", "node-1", True)
    assert all("terminating" not in p for p in doc["pods"] if p is not gone)
    as_yaml = CliRunner().invoke(main, ["schedule", "-f", str(path), "-o", "yaml"])
    assert yaml.safe_load(as_yaml.stdout)["snapshot"] == EXPECTED_SNAPSHOT
    table = CliRunner().invoke(main, ["schedule", "-f", str(path)]).stdout
    row = next(line for line in table.splitlines() if "web-2222bb-gone" in line)
    assert row.split()[3] == "Terminating"
    client = create_app().test_client()
    body = {
        "pods": [o for o in objects if o["kind"] != "Node"],
        "nodes": [o for o in objects if o["kind"] == "Node"],
    }
    answer = client.post("/v1/schedule", json=body)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["snapshot"] == EXPECTED_SNAPSHOT


def test_no_snapshot_section_without_existing_pods(tmp_path: Path) -> None:
    """Manifests alone (no existing pods) give the documents as before: no ``snapshot``
    key, no ``terminating`` key."""
    path = tmp_path / "deploy.json"
    path.write_text(json.dumps(get_all(node(), deployment("web", 2), statefulset("db", 1))))
    for command in ("requests", "schedule"):
        out = CliRunner().invoke(main, [command, "-f", str(path), "-o", "json"])
        assert out.exit_code == 0, out.output
        doc = json.loads(out.stdout)
        assert "snapshot" not in doc
        assert all("terminating" not in p for p in doc["pods"])


def test_pods_bound_to_a_node_missing_from_the_input_are_named(tmp_path: Path) -> None:
    """A pod bound to a node that is not in the input holds no input node's resources (the
    scheduler's snapshot lists only existing nodes; the pod garbage collector deletes such
    pods): it appears once, with reason NodeNotInInput, on no input node, is not counted as
    scheduled, and a warning names it and its node."""
    d = deployment("web", 2)
    rs = replica_set(d, "5d4f8c", 2, "2026-11-02T09:00:01Z")
    objects = [node(), d, rs, pod(rs, "here"), pod(rs, "lost", node="node-9")]
    path = tmp_path / "get-all.json"
    path.write_text(json.dumps(get_all(*objects)))
    out = CliRunner().invoke(main, ["schedule", "-f", str(path), "-o", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    lost = [p for p in doc["pods"] if p["name"] == "web-5d4f8c-lost"]
    assert len(lost) == 1
    assert (lost[0]["node"], lost[0]["reason"]) == ("node-9", "NodeNotInInput")
    assert doc["summary"]["scheduled"] == 1
    assert doc["nodes"][0]["pods"] == ["web-5d4f8c-here"]
    assert any("shop/web-5d4f8c-lost on node-9" in w for w in doc["warnings"])
    table = CliRunner().invoke(main, ["schedule", "-f", str(path)])
    assert "shop/web-5d4f8c-lost on node-9" in table.output
