"""Benchmark: what strict validation (podfit.manifests.validation) adds to loading.

Run with ``.venv/bin/python bench/validate_bench.py``. Builds a 1,000-object input shaped
like ``kubectl get all -o json`` (Deployments, their ReplicaSets, Running Pods with status
and managedFields, Services, ConfigMaps) as JSON and as YAML, loads it with
``validate="ignore"`` and ``validate="strict"`` (least CPU time of 9 alternating runs each,
after one warm-up run that also reads the known-fields file) and prints both times and their
ratio. The goal is
a ratio of at most 2. Speed is measured here only, never asserted in tests.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from typing import Any

import yaml

from podfit.manifests import load_text

RUNS = 9


def _template(app: str) -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": app}},
        "spec": {
            "containers": [
                {
                    "name": app,
                    "image": f"registry.example/{app}:1",
                    "imagePullPolicy": "IfNotPresent",
                    "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                    "env": [{"name": "MODE", "value": "prod"}],
                    "resources": {
                        "requests": {"cpu": "100m", "memory": "128Mi"},
                        "limits": {"cpu": "500m", "memory": "256Mi"},
                    },
                    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                }
            ],
            "dnsPolicy": "ClusterFirst",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "terminationGracePeriodSeconds": 30,
        },
    }


def objects(count: int = 1000) -> list[dict[str, Any]]:
    """``count`` objects: per app a Deployment, its ReplicaSet, 2 Pods, a Service and a
    ConfigMap (6 objects)."""
    out: list[dict[str, Any]] = []
    i = 0
    while len(out) < count:
        app = f"app{i}"
        h = f"{i:05d}abcd"
        tpl = _template(app)
        out.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": app, "namespace": "ns", "uid": f"d{i}"},
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app": app}}, "template": tpl},
                "status": {"replicas": 2, "readyReplicas": 2},
            }
        )
        rs_tpl = json.loads(json.dumps(tpl))
        rs_tpl["metadata"]["labels"]["pod-template-hash"] = h
        owner = {"apiVersion": "apps/v1", "kind": "Deployment", "name": app, "controller": True}
        out.append(
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {"name": f"{app}-{h}", "namespace": "ns", "ownerReferences": [owner]},
                "spec": {
                    "replicas": 2,
                    "selector": {"matchLabels": {"app": app, "pod-template-hash": h}},
                    "template": rs_tpl,
                },
            }
        )
        for j in range(2):
            rs_owner = {**owner, "kind": "ReplicaSet", "name": f"{app}-{h}"}
            out.append(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {
                        "name": f"{app}-{h}-p{j}",
                        "namespace": "ns",
                        "labels": rs_tpl["metadata"]["labels"],
                        "ownerReferences": [rs_owner],
                        "managedFields": [
                            {"manager": "kube-controller-manager", "operation": "Update"}
                        ],
                    },
                    "spec": {**tpl["spec"], "nodeName": f"node-{j}"},
                    "status": {
                        "phase": "Running",
                        "qosClass": "Burstable",
                        "conditions": [{"type": "Ready", "status": "True"}],
                        "containerStatuses": [{"name": app, "ready": True, "restartCount": 0}],
                    },
                }
            )
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": app, "namespace": "ns"},
                "spec": {"selector": {"app": app}, "ports": [{"port": 80, "targetPort": 8080}]},
            }
        )
        out.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": app, "namespace": "ns"},
                "data": {"k": "v"},
            }
        )
        i += 1
    return out[:count]


def best(text: str) -> dict[str, float]:
    """Least CPU time per mode over :data:`RUNS` rounds, the modes alternating (the
    machine is shared: CPU time and alternation keep others' load out of the ratio)."""
    times: dict[str, list[float]] = {"ignore": [], "strict": []}
    for _ in range(RUNS):
        for mode, found in times.items():
            t0 = time.process_time()
            load_text(text, "bench", validate=mode)
            found.append(time.process_time() - t0)
    return {mode: min(found) for mode, found in times.items()}


def main() -> int:
    objs = objects()
    doc = {"apiVersion": "v1", "kind": "List", "items": objs}
    text = json.dumps(doc)
    inputs = {"JSON": text, "YAML": yaml.safe_dump(json.loads(text))}  # no shared nodes
    print(
        f"{len(objs)} objects; Python {platform.python_version()}; "
        f"least CPU time of {RUNS} alternating runs"
    )
    for fmt, text in inputs.items():
        load_text(text, "warm-up", validate="strict")
        found = best(text)
        ignore, strict = found["ignore"], found["strict"]
        print(
            f"{fmt:4} ({len(text) // 1024} KiB): ignore {ignore * 1000:7.1f} ms, "
            f"strict {strict * 1000:7.1f} ms, ratio {strict / ignore:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
