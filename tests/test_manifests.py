"""Kubernetes objects → pods, DaemonSet templates, nodes; validation and bounds."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from podfit.errors import LimitExceeded, ManifestError
from podfit.manifests import (
    DAEMONSET_TOLERATIONS,
    Limits,
    generated_name,
    load,
    load_objects,
    load_text,
)
from podfit.pods import host_ports, pod_limits, pod_request_amounts, pod_requests, qos_class
from podfit.quantity import parse_quantity
from podfit.resources import to_amount

MI = 1024 * 1024


def y(text: str) -> str:
    return textwrap.dedent(text).lstrip()


TEMPLATE = """
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: x
        resources: {requests: {cpu: 100m, memory: 64Mi}}
"""


def controller(kind: str, spec: str = "") -> str:
    api = {"Job": "batch/v1", "CronJob": "batch/v1", "ReplicationController": "v1"}.get(
        kind, "apps/v1"
    )
    return f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: web}}\nspec:\n{spec}" + TEMPLATE


KIND_CASES = [
    # kind, extra spec, expected pod names (prefix check for Deployment)
    ("ReplicaSet", "  replicas: 3\n", ["web-0", "web-1", "web-2"]),
    ("ReplicationController", "", ["web-0"]),  # replicas default 1
    ("StatefulSet", "  replicas: 2\n  serviceName: web\n", ["web-0", "web-1"]),
    ("Job", "  parallelism: 3\n  completions: 2\n", ["web-0", "web-1"]),
    ("Job", "", ["web-0"]),
]


@pytest.mark.parametrize(("kind", "spec", "names"), KIND_CASES)
def test_controllers_make_replicas_with_ordinal_names_and_owner(
    kind: str, spec: str, names: list[str]
) -> None:
    w = load_text(controller(kind, spec))
    assert [p.name for p in w.pods] == names
    assert {p.owner for p in w.pods} == {f"{kind}/web"}
    assert all(p.labels == {"app": "web"} for p in w.pods)


def test_deployment_pod_names_are_stable_and_distinct() -> None:
    """<name>-<template hash>-<i>: same input, same names; a changed template, new hash."""
    a = load_text(controller("Deployment", "  replicas: 2\n"))
    b = load_text(controller("Deployment", "  replicas: 2\n"))
    assert [p.name for p in a.pods] == [p.name for p in b.pods]
    first, second = (p.name for p in a.pods)
    assert first.startswith("web-") and first.endswith("-0") and second.endswith("-1")
    changed = load_text(controller("Deployment", "  replicas: 2\n").replace("100m", "200m"))
    assert changed.pods[0].name != first


def test_cronjob_is_one_run_of_its_job_template() -> None:
    text = y(
        """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly}
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              parallelism: 2
              template:
                spec:
                  restartPolicy: OnFailure
                  containers: [{name: c, image: x, resources: {requests: {cpu: 1}}}]
        """
    )
    w = load_text(text)
    assert [(p.name, p.owner) for p in w.pods] == [
        ("nightly-0", "CronJob/nightly"),
        ("nightly-1", "CronJob/nightly"),
    ]


def test_daemonset_is_one_template_with_controller_tolerations() -> None:
    text = controller("DaemonSet").replace("    spec:\n", "    spec:\n      hostNetwork: true\n", 1)
    w = load_text(text)
    assert w.pods == []
    (ds,) = w.daemonsets
    assert ds.daemonset == "web" and ds.owner == "DaemonSet/web"
    for t in DAEMONSET_TOLERATIONS:
        assert t in ds.tolerations
    assert any(t.key == "node.kubernetes.io/network-unavailable" for t in ds.tolerations)


def test_zero_replicas_and_suspended_jobs_are_listed_not_dropped() -> None:
    w = load_text(controller("ReplicaSet", "  replicas: 0\n"))
    assert w.pods == [] and [s.reason for s in w.skipped] == ["spec.replicas is 0: no pods"]
    w = load_text(controller("Job", "  suspend: true\n"))
    assert w.pods == [] and "suspend" in w.skipped[0].reason


def test_kinds_without_pods_are_skipped_and_listed() -> None:
    text = y(
        """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cfg}
        """
    )
    w = load_text(text, name="app.yaml")
    assert [(s.kind, s.namespace, s.name) for s in w.skipped] == [
        ("Service", "shop", "web"),
        ("ConfigMap", "default", "cfg"),
    ]
    assert w.skipped[0].source == "app.yaml document 1"


KUBECTL_GET_PODS = {
    "apiVersion": "v1",
    "kind": "List",
    "items": [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "web-7d4b9c8f5-x2k9l",
                "namespace": "shop",
                "ownerReferences": [{"kind": "ReplicaSet", "name": "web-7d4b9c8f5"}],
            },
            "spec": {
                "nodeName": "node-1",
                "containers": [{"name": "app", "resources": {"requests": {"cpu": "250m"}}}],
            },
            "status": {"phase": "Running", "qosClass": "Burstable"},
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "migrate-abcde", "namespace": "shop"},
            "spec": {
                "nodeName": "node-2",
                "containers": [{"name": "m", "resources": {"requests": {"cpu": "2"}}}],
            },
            "status": {"phase": "Succeeded"},
        },
    ],
}


def test_kubectl_get_pods_keeps_node_phase_owner_and_terminal_pods() -> None:
    w = load(json.dumps(KUBECTL_GET_PODS))
    running, done = w.pods
    assert (running.node_name, running.phase, running.owner) == (
        "node-1",
        "Running",
        "ReplicaSet/web-7d4b9c8f5",
    )
    assert running.namespace == "shop" and running.status_qos_class == "Burstable"
    assert done.phase == "Succeeded" and done.is_terminal  # kept, marked, not dropped
    assert load_objects([KUBECTL_GET_PODS]).pods[1].name == "migrate-abcde"


def test_node_objects_default_allocatable_to_capacity() -> None:
    text = y(
        """
        apiVersion: v1
        kind: NodeList
        items:
        - apiVersion: v1
          kind: Node
          metadata: {name: n1, labels: {zone: a}}
          spec: {unschedulable: true, taints: [{key: k, value: v, effect: NoExecute}]}
          status: {capacity: {cpu: "4", memory: 16Gi, pods: "110"}}
        """
    )
    (node,) = load_text(text).nodes
    assert node.allocatable == node.capacity
    assert node.unschedulable and node.taints[0].effect == "NoExecute"
    assert node.labels == {"kubernetes.io/hostname": "n1", "zone": "a"}


@pytest.mark.parametrize(
    ("labels", "hostname"), [("{}", "n1"), ("{kubernetes.io/hostname: ip-10-0-0-1}", "ip-10-0-0-1")]
)
def test_a_node_object_is_labelled_with_its_hostname_as_the_kubelet_does(
    labels: str, hostname: str
) -> None:
    """Every registered node carries ``kubernetes.io/hostname`` (hostname anti-affinity and
    default spreading read it): a hand-written Node without it gets its name; a given
    value is kept."""
    text = y(
        f"""
        apiVersion: v1
        kind: Node
        metadata: {{name: n1, labels: {labels}}}
        status: {{capacity: {{cpu: "4", memory: 16Gi, pods: "110"}}}}
        """
    )
    (node,) = load_text(text).nodes
    assert node.labels["kubernetes.io/hostname"] == hostname


def test_compact_nodes_pools_and_presets(fixtures_dir: Path) -> None:
    w = load(fixtures_dir / "nodes-small.yaml")
    assert [n.name for n in w.nodes] == ["general-0", "general-1", "big", "gpu-0"]
    general = w.nodes[0]
    assert to_amount("memory", general.allocatable["memory"]) == (7640 - 574 - 100) * MI
    assert general.labels["kubernetes.io/hostname"] == "general-0"
    assert str(w.nodes[2].taints[0]) == "dedicated=batch:NoSchedule"
    assert w.nodes[3].allocatable["nvidia.com/gpu"] == parse_quantity("1")


BAD_NODES = [
    ('{"nodes": [{"name": "a"}]}', "nodes[0].allocatable", "allocatable, capacity or preset"),
    ('{"nodes": [{"name": "a", "preset": "aws/nope"}]}', "nodes[0].preset", "unknown node preset"),
    ('{"nodes": [{"name": "a", "capacity": {"cpu": "x"}}]}', "nodes[0].capacity.cpu", "quantity"),
    ('{"nodes": [{"name": "a", "cpu": 1, "capacity": {}}]}', "nodes[0].cpu", "unknown field"),
    (
        '{"nodes": [{"name": "a", "allocatable": {"cpu": "-1"}}]}',
        "nodes[0].allocatable.cpu",
        "must be greater than or equal to 0",
    ),
    (
        '{"nodes": [{"name": "a", "capacity": {}, "taints": ["k=v"]}]}',
        "nodes[0].taints[0]",
        "taint",
    ),
    (
        '{"nodes": [{"name": "a", "capacity": {}, "taints": [{"key": "k", "effect": "Bad"}]}]}',
        "nodes[0].taints[0].effect",
        "Unsupported value",
    ),
]


@pytest.mark.parametrize(("text", "path", "message"), BAD_NODES)
def test_bad_compact_nodes_name_the_field(text: str, path: str, message: str) -> None:
    with pytest.raises(ManifestError) as info:
        load_text(text)
    assert [e.path for e in info.value.errors] == [path]
    assert message in info.value.errors[0].message


def test_duplicate_node_names_are_refused() -> None:
    with pytest.raises(ManifestError, match='duplicate node name "a"'):
        load_text('[{"name": "a", "capacity": {"cpu": 1}}, {"name": "a", "capacity": {}}]')


POD = """
apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
  containers:
{containers}
"""

BAD_PODS = [
    (
        "  - {name: a, resources: {requests: {cpu: '-1'}}}",
        [("spec.containers[0].resources.requests.cpu", "-1: must be greater than or equal to 0")],
    ),
    (
        "  - {name: a}\n  - {name: b, resources: {requests: {cpu: 1}, limits: {cpu: 500m}}}",
        [
            (
                "spec.containers[1].resources.requests.cpu",
                "1: must be less than or equal to cpu limit of 500m",
            )
        ],
    ),
    ("  - {image: x}", [("spec.containers[0].name", "Required value")]),
    ("  - {name: a}\n  - {name: a}", [("spec.containers[1].name", 'Duplicate value: "a"')]),
    (
        "  - {name: a, resources: {requests: {memory: 10E}}}",
        [("spec.containers[0].resources.requests.memory", "int64")],
    ),
    (
        "  - {name: a, resources: {requests: {cpu: 1.5.5}}}",
        [("spec.containers[0].resources.requests.cpu", '"1.5.5" is not a valid quantity')],
    ),
    ("    []", [("spec.containers", "Required value")]),
    (
        "  - {name: a, restartPolicy: Always}",
        [("spec.containers[0].restartPolicy", "Unsupported value")],
    ),
    (
        "  - name: a\n    env: [{name: X, valueFrom: {resourceFieldRef: {resource: limits.cpu, "
        "divisor: 100m}}}]",
        [("spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor", "only divisor's values")],
    ),
    (
        "  - name: a\n    env: [{name: X, valueFrom: {resourceFieldRef: {resource: limits.cpu, "
        "containerName: nope}}}]",
        [("spec.containers[0].env[0].valueFrom.resourceFieldRef.containerName", "Not found")],
    ),
    (
        "  - {name: a, ports: [{containerPort: 70000}]}",
        [("spec.containers[0].ports[0].containerPort", "must be less than or equal to 65535")],
    ),
]


@pytest.mark.parametrize(("containers", "expected"), BAD_PODS)
def test_invalid_pods_are_refused_naming_the_field(
    containers: str, expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(ManifestError) as info:
        load_text(POD.format(containers=containers))
    got = [(e.path, e.message) for e in info.value.errors]
    assert [p for p, _ in got] == [p for p, _ in expected]
    for (_, message), (_, fragment) in zip(got, expected, strict=True):
        assert fragment in message
        assert "(in Pod p, <input>)" in message


def test_every_error_of_a_document_is_reported() -> None:
    containers = (
        "  - {name: a, resources: {requests: {cpu: '-1', memory: x}}}\n"
        "  - {name: a, resources: {requests: {cpu: 2}, limits: {cpu: 1}}}"
    )
    with pytest.raises(ManifestError) as info:
        load_text(POD.format(containers=containers))
    assert [e.path for e in info.value.errors] == [  # in the document's order
        "spec.containers[0].resources.requests.cpu",
        "spec.containers[0].resources.requests.memory",
        "spec.containers[1].resources.requests.cpu",
        "spec.containers[1].name",
    ]


def test_replicas_beyond_the_limit_are_refused_before_expanding() -> None:
    """replicas: 1e9 (a YAML float kubectl sends as 1000000000) must not build 1e9 pods."""
    text = controller("Deployment", "  replicas: 1e9\n")
    with pytest.raises(LimitExceeded) as info:
        load_text(text, limits=Limits(max_pods=1000))
    assert info.value.errors[0].path == "spec.replicas"
    assert "above the limit of 1000 pods" in str(info.value)


def test_replicas_must_be_a_non_negative_int32() -> None:
    with pytest.raises(ManifestError, match="must be greater than or equal to 0"):
        load_text(controller("ReplicaSet", "  replicas: -1\n"))
    # the API server's decoder refuses what is no int32 literal (kubectl's own message)
    decode = "cannot unmarshal string into Go struct field ReplicaSetSpec.spec.replicas"
    with pytest.raises(ManifestError, match=re.escape(decode)):
        load_text(controller("ReplicaSet", "  replicas: '3'\n"))
    with pytest.raises(ManifestError, match="cannot unmarshal number 1e3 into"):
        load_text(
            '{"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "w"},'
            ' "spec": {"replicas": 1e3, "template": {}}}'
        )


def test_api_defaulting_copies_limits_into_requests() -> None:
    text = POD.format(containers="  - {name: a, resources: {limits: {cpu: 1, memory: 1Gi}}}")
    (pod,) = load_text(text).pods
    assert pod_request_amounts(pod) == {"cpu": 1000, "memory": 1024 * MI}
    assert qos_class(pod) == "Guaranteed"


def test_host_network_defaults_host_ports() -> None:
    text = y(
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          hostNetwork: true
          containers: [{name: a, ports: [{containerPort: 9100}]}]
        """
    )
    (pod,) = load_text(text).pods
    assert [p.host_port for p in host_ports(pod)] == [9100]


def test_host_network_host_port_must_match_container_port() -> None:
    text = y(
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          hostNetwork: true
          containers: [{name: a, ports: [{containerPort: 80, hostPort: 8080}]}]
        """
    )
    with pytest.raises(ManifestError) as info:
        load_text(text)
    assert info.value.errors[0].path == "spec.containers[0].ports[0].hostPort"
    assert "must match `containerPort`" in info.value.errors[0].message


def test_priority_class_resolution_anywhere_in_the_input() -> None:
    text = y(
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: a}
        spec: {priorityClassName: high, containers: [{name: c}]}
        ---
        apiVersion: scheduling.k8s.io/v1
        kind: PriorityClass
        metadata: {name: high}
        value: 1000
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: b}
        spec: {priorityClassName: system-node-critical, containers: [{name: c}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: c}
        spec: {priorityClassName: unknown, containers: [{name: c}]}
        """
    )
    w = load_text(text)
    assert [p.priority for p in w.pods] == [1000, 2000001000, 0]
    assert "unknown" in w.warnings[0]


def test_a_daemonset_template_gets_its_priority_class_too() -> None:
    """The DaemonSet template is a copy of the pod built from spec.template (with the
    DaemonSet tolerations added): its priorityClassName is resolved like any pod's, also
    when the PriorityClass comes later in the input."""
    text = y(
        """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent}
        spec:
          selector: {matchLabels: {app: a}}
          template:
            metadata: {labels: {app: a}}
            spec: {priorityClassName: node-agent, containers: [{name: c}]}
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: logs}
        spec:
          selector: {matchLabels: {app: l}}
          template:
            metadata: {labels: {app: l}}
            spec: {priorityClassName: system-node-critical, containers: [{name: c}]}
        ---
        apiVersion: scheduling.k8s.io/v1
        kind: PriorityClass
        metadata: {name: node-agent}
        value: 5000
        """
    )
    w = load_text(text)
    assert [(p.daemonset, p.priority) for p in w.daemonsets] == [
        ("agent", 5000),
        ("logs", 2000001000),
    ]


def test_duplicate_pod_names_in_a_namespace_are_refused() -> None:
    text = POD.format(containers="  - {name: a}") + "---\n" + POD.format(containers="  - {name: b}")
    with pytest.raises(ManifestError, match='duplicate pod "default/p"'):
        load_text(text)


def test_pod_level_resources_and_overhead_are_read() -> None:
    text = y(
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          overhead: {cpu: 250m}
          resources: {limits: {cpu: 2, memory: 1Gi}}
          containers: [{name: a, resources: {requests: {cpu: 100m}}}]
        """
    )
    (pod,) = load_text(text).pods
    # pod-level requests default to the containers' aggregate (cpu 100m) where containers
    # request the resource, else to the pod-level limit (memory 1Gi); overhead on top
    assert pod_request_amounts(pod) == {"cpu": 350, "memory": 1024 * MI}
    assert pod_limits(pod)["cpu"] == parse_quantity("2250m")


POD_LEVEL = """
apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
  resources: {resources}
  initContainers: {init}
  containers: {containers}
"""


@pytest.mark.parametrize(
    ("resources", "init", "containers", "expected"),
    [
        # only pod-level limits; containers request cpu: the pod-level cpu request is their
        # aggregate, not the limit (defaultPodRequests, pkg/apis/core/v1/defaults.go)
        ("{limits: {cpu: 2}}", "[]",
         "[{name: a, resources: {requests: {cpu: 300m}}},"
         " {name: b, resources: {requests: {cpu: 200m}}}]",
         {"cpu": "500m"}),
        # no container requests the resource: the pod-level limit
        ("{limits: {cpu: 2, memory: 1Gi}}", "[]", "[{name: a}]", {"cpu": "2", "memory": "1Gi"}),
        # a container limit defaults that container's request first, which then aggregates
        ("{limits: {cpu: 2}}", "[]", "[{name: a, resources: {limits: {cpu: 700m}}}]",
         {"cpu": "700m"}),
        # the aggregate is the sidecar-aware effective request: init peak vs. the sum
        ("{limits: {cpu: 4}}", "[{name: i, resources: {requests: {cpu: '1'}}}]",
         "[{name: a, resources: {requests: {cpu: 300m}}}]", {"cpu": "1"}),
        # cpu/memory requested by containers but without a pod-level limit: still the aggregate
        ("{limits: {cpu: 2}}", "[]", "[{name: a, resources: {requests: {memory: 64Mi}}}]",
         {"cpu": "2", "memory": "64Mi"}),
        # a pod-level request given is kept
        ("{requests: {cpu: 1500m}, limits: {cpu: 2}}", "[]",
         "[{name: a, resources: {requests: {cpu: 100m}}}]", {"cpu": "1500m"}),
        # requests only: nothing is defaulted
        ("{requests: {cpu: 1}}", "[]", "[{name: a, resources: {requests: {memory: 1Mi}}}]",
         {"cpu": "1"}),
    ],
)  # fmt: skip
def test_pod_level_requests_default_to_the_containers_aggregate_then_the_limit(
    resources: str, init: str, containers: str, expected: dict[str, str]
) -> None:
    """With pod-level limits set, a missing pod-level request of cpu/memory defaults to the
    containers' aggregated request where some container requests it, else to the pod-level
    limit (the API server's defaultPodRequests, PodLevelResources on from 1.34)."""
    text = POD_LEVEL.format(resources=resources, init=init, containers=containers)
    (pod,) = load_text(text).pods
    assert {k: str(v) for k, v in pod.pod_requests.items()} == expected


def test_a_defaulted_pod_level_request_above_the_limit_is_refused() -> None:
    """Defaulting comes before validation: containers asking more cpu than the pod-level
    limit make a defaulted pod-level request above it, which the API server refuses."""
    text = POD_LEVEL.format(
        resources="{limits: {cpu: 1}}",
        init="[]",
        containers="[{name: a, resources: {requests: {cpu: 1500m}}}]",
    )
    with pytest.raises(ManifestError, match="must be less than or equal to cpu limit of 1") as exc:
        load_text(text)
    assert exc.value.errors[0].path.endswith("spec.resources.requests.cpu")


def test_online_boutique_totals(fixtures_dir: Path) -> None:
    """Online Boutique, 12 Deployments × 1 replica (loadgenerator's init container is empty).

    requests cpu: frontend 100 + ad 200 + currency 100 + cart 200 + redis 70 + loadgen 300
      + recommendation 100 + checkout/email/payment/shipping/productcatalog 5 × 100 = 1570m
    requests memory (Mi): 64 + 180 + 64 + 64 + 200 + 256 + 220 + 5 × 64 = 1368Mi
    limits cpu: 200 + 300 + 200 + 300 + 125 + 500 + 200 + 5 × 200 = 2825m
    limits memory (Mi): 128 + 300 + 128 + 128 + 256 + 512 + 450 + 5 × 128 = 2542Mi
    """
    w = load(fixtures_dir / "workloads" / "online-boutique.yaml")
    assert len(w.pods) == 12 and not w.daemonsets
    cpu = sum(pod_request_amounts(p).get("cpu", 0) for p in w.pods)
    mem = sum(pod_request_amounts(p).get("memory", 0) for p in w.pods)
    assert (cpu, mem) == (1570, 1368 * MI)
    lim_cpu = sum(to_amount("cpu", pod_limits(p)["cpu"]) for p in w.pods)
    lim_mem = sum(to_amount("memory", pod_limits(p)["memory"]) for p in w.pods)
    assert (lim_cpu, lim_mem) == (2825, 2542 * MI)
    assert all(qos_class(p) == "Burstable" for p in w.pods)


def test_helm_prometheus_is_best_effort_with_a_host_port_daemonset(fixtures_dir: Path) -> None:
    """prometheus chart defaults: 4 single-replica controllers (server with 2 containers,
    alertmanager StatefulSet, kube-state-metrics, pushgateway), all resources {} → no
    requests, BestEffort; node-exporter DaemonSet with hostNetwork and hostPort 9100."""
    w = load(fixtures_dir / "workloads" / "helm-prometheus.yaml")
    assert len(w.pods) == 4
    assert all(pod_requests(p) == {} and qos_class(p) == "BestEffort" for p in w.pods)
    assert "prometheus-alertmanager-0" in [p.name for p in w.pods]
    (ds,) = w.daemonsets
    assert [p.host_port for p in host_ports(ds)] == [9100]


def test_vllm_gpu_totals(fixtures_dir: Path) -> None:
    """One replica: cpu 2, memory 10Gi, ephemeral-storage 10Gi, nvidia.com/gpu 1, requests
    = limits → Guaranteed."""
    (pod,) = load(fixtures_dir / "workloads" / "k8s-examples-vllm-gpu.yaml").pods
    assert pod_request_amounts(pod) == {
        "cpu": 2000,
        "ephemeral-storage": 10 * 1024 * MI,
        "memory": 10 * 1024 * MI,
        "nvidia.com/gpu": 1,
    }
    assert qos_class(pod) == "Guaranteed"


def test_seed_fixtures_load(fixtures_dir: Path) -> None:
    """The seed pods: plain; two inits (500m/512Mi from the init walk); 0.1/100M requests;
    combined (510m, 100M + 32Mi + 16Mi = 150331648 bytes — see the fixture's comment)."""
    w = load(
        *(
            fixtures_dir / f
            for f in (
                "pod-plain.yaml",
                "pod-init-containers.yaml",
                "pod-requests-limits.yaml",
                "pod-combined.yaml",
            )
        )
    )
    got = {p.name: pod_request_amounts(p) for p in w.pods}
    assert got == {
        "plain": {},
        "with-init": {"cpu": 500, "memory": 512 * MI},
        "requests-limits": {"cpu": 100, "memory": 100_000_000},
        "combined": {"cpu": 510, "memory": 150331648},
    }


def test_load_reads_dicts_text_and_refuses_unknown_sources(tmp_path: Path) -> None:
    doc = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "x"},
        "spec": {"containers": [{"name": "c"}]},
    }
    assert load(doc).pods[0].name == "x"
    f = tmp_path / "p.json"
    f.write_text(json.dumps(doc))
    assert load(str(f)).pods[0].source == str(f)
    with pytest.raises(ManifestError, match="cannot read"):
        load(str(tmp_path / "missing.yaml"))
    with pytest.raises(ManifestError, match="cannot read a int"):
        load(3)


LIMIT_RANGE = """
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 100m}
    max: {cpu: "1"}
---
"""


def test_limit_range_defaults_apply_to_pods_of_its_namespace() -> None:
    """LimitRanger: missing requests from defaultRequest (memory: from default), missing
    limits from default; user values and API-defaulted requests are kept."""
    pods = y(
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: a, namespace: shop}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: b, namespace: shop}
        spec: {containers: [{name: c, resources: {limits: {cpu: 800m}}}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: other}
        spec: {containers: [{name: c}]}
        """
    )
    w = load_text(pods + "---\n" + LIMIT_RANGE)
    a, b, other = w.pods
    assert pod_request_amounts(a) == {"cpu": 100, "memory": 256 * MI}
    assert {k: str(v) for k, v in pod_limits(a).items()} == {"cpu": "500m", "memory": "256Mi"}
    assert pod_request_amounts(b) == {"cpu": 800, "memory": 256 * MI}  # 800m from its limit
    assert pod_request_amounts(other) == {}
    assert w.skipped[0].kind == "LimitRange"
    assert "defaults applied to 2 containers" in w.warnings[0]


def test_limit_range_max_is_enforced() -> None:
    pod = y(
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: big, namespace: shop}
        spec: {containers: [{name: c, resources: {limits: {cpu: "2"}}}]}
        """
    )
    with pytest.raises(ManifestError) as info:
        load_text(LIMIT_RANGE + pod)
    (err,) = info.value.errors
    assert err.path == "spec.containers[0].resources"
    assert "maximum cpu usage per Container is 1, but limit is 2" in err.message


def test_a_directory_reads_its_manifest_files_in_name_order(tmp_path: Path) -> None:
    for name, pod_name in (("b.yaml", "second"), ("a.json", "first"), ("notes.txt", "x")):
        (tmp_path / name).write_text(
            POD.format(containers="  - {name: c}").replace("name: p", f"name: {pod_name}")
        )
    (tmp_path / "a.json").write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "first"},
                "spec": {"containers": [{"name": "c"}]},
            }
        )
    )
    assert [p.name for p in load(tmp_path).pods] == ["first", "second"]


def test_a_limit_range_default_below_the_request_is_refused_as_the_api_server_would() -> None:
    """The API server validates after LimitRanger: a defaulted cpu limit of 500m under a
    written request of 2 is `must be less than or equal to cpu limit of 500m`."""
    pod = y(
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: greedy, namespace: shop}
        spec: {containers: [{name: c, resources: {requests: {cpu: "2"}}}]}
        """
    )
    with pytest.raises(ManifestError) as info:
        load_text(pod + "---\n" + LIMIT_RANGE)
    assert [e.path for e in info.value.errors] == ["spec.containers[0].resources.requests.cpu"]
    assert "must be less than or equal to cpu limit of 500m" in info.value.errors[0].message


@pytest.mark.parametrize(
    ("field", "path"),
    [
        ("overhead: {cpu: '-3'}", "spec.overhead.cpu"),
        ("resources: {requests: {memory: -1Mi}}", "spec.resources.requests.memory"),
    ],
)
def test_negative_pod_level_amounts_are_refused(field: str, path: str) -> None:
    """Every resource list is non-negative: a negative overhead would make room that does
    not exist on the node."""
    with pytest.raises(ManifestError) as info:
        load_text(
            f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  {field}\n"
            "  containers: [{name: a}]\n"
        )
    assert [e.path for e in info.value.errors] == [path]
    assert "must be greater than or equal to 0" in info.value.errors[0].message


def test_negative_limit_range_defaults_are_refused() -> None:
    text = LIMIT_RANGE.replace("defaultRequest: {cpu: 100m}", "defaultRequest: {cpu: -3}")
    with pytest.raises(ManifestError) as info:
        load_text(text)
    assert [e.path for e in info.value.errors] == ["spec.limits[0].defaultRequest.cpu"]


@pytest.mark.parametrize("syntax", ["yaml", "json"])
def test_an_integer_of_thousands_of_digits_is_a_clear_error(syntax: str) -> None:
    """Python's int() refuses more than 4,300 digits with a bare ValueError; podfit answers
    with a ManifestError instead (YAML keeps such a scalar as text, JSON refuses it)."""
    big = "9" * 5000
    if syntax == "yaml":
        text = f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  priority: {big}\n"
    else:
        text = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, '
        text += f'"spec": {{"priority": {big}}}}}'
    with pytest.raises(ManifestError, match=r"priority|too long"):
        load_text(text)


def test_pods_made_from_generate_name_get_distinct_deterministic_names() -> None:
    """The API server appends 5 random characters of its safe alphabet to generateName;
    podfit derives them from the input, so two such pods never collide and the same
    input always gives the same names."""
    text = y(
        """
        apiVersion: v1
        kind: Pod
        metadata: {generateName: web-}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {generateName: web-}
        spec: {containers: [{name: c}]}
        """
    )
    names = [p.name for p in load_text(text).pods]
    assert names == [p.name for p in load_text(text).pods]
    assert len(set(names)) == 2
    for name in names:
        assert re.fullmatch(r"web-[bcdfghjklmnpqrstvwxz2456789]{5}", name), name


def test_a_generated_name_skips_a_name_already_taken() -> None:
    taken = generated_name("web-", "default", 0)
    text = y(
        f"""
        apiVersion: v1
        kind: Pod
        metadata: {{name: {taken}}}
        spec: {{containers: [{{name: c}}]}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {{generateName: web-}}
        spec: {{containers: [{{name: c}}]}}
        """
    )
    assert [p.name for p in load_text(text).pods] == [taken, generated_name("web-", "default", 1)]


@pytest.mark.parametrize(
    ("field", "value", "path", "message"),
    [
        (
            "spec",
            "{preemptionPolicy: Sometimes, containers: [{name: c}]}",
            "spec.preemptionPolicy",
            'Unsupported value: "Sometimes": supported values: "Never", "PreemptLowerPriority"',
        ),
        (
            "status",
            "{phase: Sleeping}",
            "status.phase",
            'Unsupported value: "Sleeping": supported values: "Failed", "Pending", "Running",'
            ' "Succeeded", "Unknown"',
        ),
    ],
)
def test_enumerated_pod_fields_accept_only_their_values(
    field: str, value: str, path: str, message: str
) -> None:
    spec = "{containers: [{name: c}]}"
    body = f"spec: {value}" if field == "spec" else f"spec: {spec}\n{field}: {value}"
    text = f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\n{body}\n"
    with pytest.raises(ManifestError) as info:
        load_text(text)
    assert [(e.path, e.message.split(" (in ")[0]) for e in info.value.errors] == [(path, message)]


@pytest.mark.parametrize("policy", ["Never", "PreemptLowerPriority"])
def test_both_preemption_policies_are_read(policy: str) -> None:
    text = y(
        f"""
        apiVersion: v1
        kind: Pod
        metadata: {{name: p}}
        spec: {{preemptionPolicy: {policy}, containers: [{{name: c}}]}}
        """
    )
    assert load_text(text).pods[0].preemption_policy == policy


def test_a_template_holding_values_json_cannot_encode_still_gets_a_stable_hash() -> None:
    """Objects handed to load_objects by a library user may hold values JSON cannot encode
    (a date in an annotation): the pod-template-hash stand-in hashes their text, stable
    across calls, and differs when the value does."""
    import datetime

    def deployment(day: int) -> dict[str, object]:
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {
                "replicas": 1,
                "template": {
                    "metadata": {"annotations": {"since": datetime.date(2026, 1, day)}},
                    "spec": {"containers": [{"name": "c"}]},
                },
            },
        }

    first = load_objects([deployment(1)]).pods[0].name
    assert first == load_objects([deployment(1)]).pods[0].name
    assert first != load_objects([deployment(2)]).pods[0].name
    assert re.fullmatch(r"web-[bcdfghjklmnpqrstvwxz2456789]{10}-0", first), first


NON_PREEMPTING = """
apiVersion: v1
kind: Node
metadata: {name: n0}
status: {allocatable: {cpu: "1", memory: 1Gi, pods: "10"}}
---
apiVersion: v1
kind: Pod
metadata: {name: low}
spec: {nodeName: n0, containers: [{name: c, resources: {requests: {cpu: 900m}}}]}
status: {phase: Running}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high-nonpreempting}
value: 1000
preemptionPolicy: Never
---
apiVersion: v1
kind: Pod
metadata: {name: new}
spec:
  priorityClassName: high-nonpreempting
  containers: [{name: c, resources: {requests: {cpu: 500m}}}]
"""


def test_a_non_preempting_priority_class_gives_its_pods_preemption_policy_never() -> None:
    """The Priority admission plugin copies the class's preemptionPolicy into a pod that
    sets none; kube-scheduler then preempts nothing for it."""
    from podfit import schedule

    workload = load_text(NON_PREEMPTING)
    new = next(p for p in workload.pods if p.name == "new")
    assert (new.priority, new.preemption_policy) == (1000, "Never")
    document = schedule(workload.pods, workload.nodes).to_dict()
    entry = next(p for p in document["pods"] if p["name"] == "new")
    assert "not eligible due to preemptionPolicy=Never" in entry["conditions"][0]["message"]
    assert entry["shortfall"].get("preemption") is None


def priority_class(name: str, value: int, *extra: str) -> str:
    lines = ["apiVersion: scheduling.k8s.io/v1", "kind: PriorityClass"]
    return "\n".join([*lines, f"metadata: {{name: {name}}}", f"value: {value}", *extra]) + "\n"


@pytest.mark.parametrize(
    ("pod_fields", "classes", "expected"),
    [
        # a policy written in the spec is kept, as in an admitted object
        (
            "priorityClassName: np, preemptionPolicy: PreemptLowerPriority,",
            [priority_class("np", 5, "preemptionPolicy: Never")],
            "PreemptLowerPriority",
        ),
        # no class name: the globalDefault class's policy
        (
            "",
            [priority_class("d", 7, "globalDefault: true", "preemptionPolicy: Never")],
            "Never",
        ),
        # no class at all: PreemptLowerPriority
        ("", [], "PreemptLowerPriority"),
        # a class missing from the input: PreemptLowerPriority (and a warning)
        ("priorityClassName: elsewhere,", [], "PreemptLowerPriority"),
    ],
)
def test_preemption_policy_comes_from_the_spec_or_the_class(
    pod_fields: str, classes: list[str], expected: str
) -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
    pod += f"spec: {{{pod_fields} containers: [{{name: c}}]}}\n"
    assert load_text("---\n".join([pod, *classes])).pods[0].preemption_policy == expected


def test_a_priority_class_with_an_unknown_preemption_policy_is_refused() -> None:
    with pytest.raises(ManifestError) as info:
        load_text(priority_class("x", 1, "preemptionPolicy: Sometimes"))
    assert info.value.errors[0].path == "preemptionPolicy"
    assert info.value.errors[0].message.startswith('Unsupported value: "Sometimes"')
