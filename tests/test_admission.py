"""Admission and validation rules as the API server applies them, with its own texts:
LimitRange ``type: Pod`` and ``maxLimitRequestRatio`` (plugin/pkg/admission/limitranger),
container resource names (pkg/apis/core/validation ``validateContainerResourceName``),
object names and labels (apimachinery ``IsDNS1123Subdomain``, ``IsQualifiedName``,
``IsValidLabelValue``)."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from podfit.errors import ManifestError
from podfit.manifests import apivalidation as av
from podfit.manifests import load_objects


def pod(name: str = "p", containers: Any = None, namespace: str = "shop", **extra: Any) -> Any:
    spec = {"containers": containers or [{"name": "c"}], **extra}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def limit_range(*items: Any) -> Any:
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "lr", "namespace": "shop"},
        "spec": {"limits": list(items)},
    }


def container(name: str, requests: Any = None, limits: Any = None) -> Any:
    return {"name": name, "resources": {"requests": requests or {}, "limits": limits or {}}}


def messages(objs: list[Any]) -> list[str]:
    with pytest.raises(ManifestError) as info:
        load_objects(objs)
    # without the reader's "(in <object>)" and "(LimitRange <name>; pod <key>)" notes
    return [
        e.message.rsplit(" (in ", 1)[0].rsplit(" (LimitRange ", 1)[0] for e in info.value.errors
    ]


# --- LimitRange ---------------------------------------------------------------------------------


def test_pod_item_bounds_the_summed_container_values() -> None:
    """``type: Pod`` min/max apply to the pod's aggregate: 2 × 600m = 1200m > max 1."""
    cs = [
        container("a", {"cpu": "600m"}, {"cpu": "600m"}),
        container("b", {"cpu": "600m"}, {"cpu": "600m"}),
    ]
    lr = limit_range({"type": "Pod", "max": {"cpu": "1"}, "min": {"memory": "1Gi"}})
    assert messages([lr, pod(containers=cs)]) == [
        "minimum memory usage per Pod is 1Gi.  No request is specified",
        "maximum cpu usage per Pod is 1, but limit is 1200m",
    ]


def test_pod_item_fits_when_the_sum_is_within_bounds() -> None:
    cs = [container("a", {"cpu": "400m"}, {"cpu": "500m"})]
    lr = limit_range({"type": "Pod", "max": {"cpu": "1"}})
    assert len(load_objects([lr, pod(containers=cs)]).pods) == 1


def test_max_limit_request_ratio_for_containers_and_pods() -> None:
    """``%s max limit to request ratio per %s is %s, but provided ratio is %f``."""
    cs = [container("a", {"cpu": "100m", "memory": "1Gi"}, {"cpu": "500m", "memory": "1Gi"})]
    lr = limit_range(
        {"type": "Container", "maxLimitRequestRatio": {"cpu": "2"}},
        {"type": "Pod", "maxLimitRequestRatio": {"cpu": "4", "memory": "1"}},
    )
    assert messages([lr, pod(containers=cs)]) == [
        "cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000",
        "cpu max limit to request ratio per Pod is 4, but provided ratio is 5.000000",
    ]


def test_ratio_without_a_limit_is_refused() -> None:
    cs = [container("a", {"cpu": "100m"})]
    lr = limit_range({"type": "Container", "maxLimitRequestRatio": {"cpu": "2"}})
    assert messages([lr, pod(containers=cs)]) == [
        "cpu max limit to request ratio per Container is 2, but no limit is specified or limit is 0"
    ]


def test_existing_pods_of_a_snapshot_are_not_admitted_again() -> None:
    """A pod read with a status was admitted when created; a LimitRange added since does
    not refuse it (the LimitRanger does not act on pod updates)."""
    running = pod(containers=[container("a", {"cpu": "2"}, {"cpu": "2"})])
    running["spec"]["nodeName"] = "n1"
    running["status"] = {"phase": "Running"}
    lr = limit_range({"type": "Container", "max": {"cpu": "1"}})
    assert len(load_objects([lr, running]).pods) == 1


# --- container resource names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "ACTOKEY",
            [
                'Invalid value: "ACTOKEY": must be a standard resource type or fully qualified',
                'Invalid value: "ACTOKEY": must be a standard resource for containers',
            ],
        ),
        ("pods", ['Invalid value: "pods": must be a standard resource for containers']),
        (
            "requests.example.com/gpu",
            [
                'Invalid value: "requests.example.com/gpu": doesn\'t follow extended '
                "resource name standard"
            ],
        ),
        ("example.com/gpu", []),
        ("kubernetes.io/anything", []),  # the kubernetes.io/ prefix: a native resource
        ("hugepages-2Mi", []),
    ],
)
def test_container_resource_names_as_the_api_server_validates_them(
    name: str, expected: list[str]
) -> None:
    assert av.validate_container_resource_name(name) == expected


def test_a_bad_resource_name_in_a_manifest_names_its_path() -> None:
    cs = [container("a", {"ACTOKEY": "1"})]
    with pytest.raises(ManifestError) as info:
        load_objects([pod(containers=cs)])
    assert [e.path for e in info.value.errors] == [
        "spec.containers[0].resources.requests.ACTOKEY"
    ] * 2


# --- names, labels ------------------------------------------------------------------------------


SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)


def test_object_names_are_dns_subdomains() -> None:
    """``metadata.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain …``."""
    assert messages([pod(name="Web_1")]) == [f'Invalid value: "Web_1": {SUBDOMAIN}']


def test_a_1mb_name_and_a_nul_byte_are_refused_quickly() -> None:
    long = messages([pod(name="a" * 1_000_000)])
    assert long == ["Invalid value: " + '"' + "a" * 76 + "...: must be no more than 253 characters"]
    assert messages([pod(name="we\x00b")]) == [f'Invalid value: "we\\u0000b": {SUBDOMAIN}']


def test_service_names_are_dns_1035_labels_and_namespaces_dns_1123_labels() -> None:
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "1web"}, "spec": {}}
    assert messages([svc])[0].startswith(
        'Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric '
        "characters or '-', start with an alphabetic character"
    )
    assert messages([pod(namespace="a.b")]) == ['Invalid value: "a.b": must not contain dots']


def test_label_keys_and_values() -> None:
    """Keys are qualified names, values at most 63 characters of the label set."""
    obj = pod()
    obj["metadata"]["labels"] = {"a/b/c": "x", "ok": "v" * 64}
    found = messages([obj])
    assert found[0].startswith(
        'Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters'
    )
    assert found[1] == 'Invalid value: "' + "v" * 64 + '": must be no more than 63 characters'


def test_template_labels_are_checked_too() -> None:
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web", "bad key": "x"}},
                "spec": {"containers": [{"name": "c"}]},
            },
        },
    }
    with pytest.raises(ManifestError) as info:
        load_objects([deploy])
    assert info.value.errors[0].path == "spec.template.metadata.labels"


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        (av.DNS1123_LABEL_FMT, av._dns1123_label_ok),
        (av.DNS1123_SUBDOMAIN_FMT, av._dns1123_subdomain_ok),
        (av.DNS1035_LABEL_FMT, av._dns1035_label_ok),
        (av.QUALIFIED_NAME_FMT, av._qualified_ok),
    ],
)
def test_linear_scans_accept_exactly_upstreams_regular_languages(fmt: str, check: Any) -> None:
    """The scans stand in for upstream's regexes (which backtrack on 1 MB inputs): on
    every short string over a small alphabet both agree."""
    rng = random.Random(7)
    alphabet = "aZ09-_./!"
    for _ in range(20_000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 7)))
        assert (re.fullmatch(fmt, value) is not None) == check(value), value


# --- ResourceQuota ------------------------------------------------------------------------------


def quota(hard: Any, used: Any = None, scopes: Any = None) -> Any:
    obj: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": "compute", "namespace": "shop"},
        "spec": {"hard": hard},
    }
    if scopes:
        obj["spec"]["scopes"] = scopes
    if used is not None:
        obj["status"] = {"hard": hard, "used": used}
    return obj


def deployment(replicas: int, cpu: str, memory: str = "64Mi") -> Any:
    c = container("app", {"cpu": cpu, "memory": memory}, {"cpu": cpu, "memory": memory})
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [c]}},
        },
    }


def test_pods_over_a_quota_are_refused_with_the_api_servers_message() -> None:
    """The quota admission plugin's text; the pods within the quota go on."""
    wl = load_objects([quota({"requests.cpu": "4", "pods": "10"}, {"requests.cpu": "1500m"}),
                       deployment(5, "1")])  # fmt: skip
    assert len(wl.pods) == 2  # 1500m used + 2 × 1 = 3500m; a third would make 4500m
    assert len(wl.refused) == 3
    message = wl.refused[0][1]
    assert message == (
        "exceeded quota: compute, requested: requests.cpu=1, used: requests.cpu=3500m, "
        "limited: requests.cpu=4"
    )
    assert any(w.startswith("shop/Deployment/web: 3 pods refused by quota") for w in wl.warnings)


def test_quota_usage_counts_the_running_pods_when_the_status_gives_none() -> None:
    running = pod("old", containers=[container("c", {"cpu": "3"}, {"cpu": "3"})])
    running["spec"]["nodeName"] = "n1"
    running["status"] = {"phase": "Running"}
    wl = load_objects([quota({"limits.cpu": "4"}), running, deployment(2, "1")])
    assert len(wl.pods) == 2  # the running pod and one new one
    assert wl.refused[0][1] == (
        "exceeded quota: compute, requested: limits.cpu=1, used: limits.cpu=4, "
        "limited: limits.cpu=4"
    )


def test_a_quota_on_cpu_requires_every_container_to_set_it() -> None:
    """``failed quota: <name>: must specify …`` (the pod evaluator's Constraints)."""
    wl = load_objects(
        [quota({"requests.cpu": "4", "limits.memory": "1Gi"}), pod(containers=[{"name": "c"}])]
    )
    assert wl.refused == [
        ("shop/p", "failed quota: compute: must specify limits.memory for: c; requests.cpu for: c")
    ]


def test_best_effort_scope_selects_only_best_effort_pods() -> None:
    wl = load_objects([quota({"pods": "0"}, scopes=["BestEffort"]), deployment(1, "1"), pod()])
    assert [p.name for p in wl.pods] == ["web-" + wl.pods[0].name.split("-", 1)[1]]
    assert wl.refused == [
        ("shop/p", "exceeded quota: compute, requested: pods=1, used: , limited: pods=0")
    ]


def test_names_of_kinds_with_other_rules_are_not_checked() -> None:
    """RBAC names are path segments (``system:controller:x`` is valid): not refused."""
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "system:controller:podfit"},
        "rules": [],
    }
    assert load_objects([role]).skipped[0].name == "system:controller:podfit"


def test_quota_scopes_the_api_server_refuses_are_errors_with_its_messages() -> None:
    """``validateResourceQuotaScopes``: BestEffort tracks only ``pods``; the other pod
    scopes ``pods`` and cpu/memory requests and limits; BestEffort with NotBestEffort (or
    Terminating with NotTerminating) conflict; an unknown scope is unsupported. The value
    is the whole list as the API server prints it."""
    shown = '[]core.ResourceQuotaScope{"BestEffort", "NotBestEffort"}'
    with pytest.raises(ManifestError) as info:
        load_objects([quota({"cpu": "2", "pods": "10"}, scopes=["BestEffort", "NotBestEffort"])])
    where = " (in ResourceQuota shop/compute, <objects>)"
    assert [(e.path, e.message) for e in info.value.errors] == [
        ("spec.scopes", f"Invalid value: {shown}: unsupported scope applied to resource{where}"),
        ("spec.scopes", f"Invalid value: {shown}: conflicting scopes{where}"),
    ]
    with pytest.raises(ManifestError) as info:
        load_objects([quota({"services": "2"}, scopes=["Terminating", "Sometimes"])])
    shown = '[]core.ResourceQuotaScope{"Terminating", "Sometimes"}'
    assert [e.message for e in info.value.errors] == [
        f"Invalid value: {shown}: unsupported scope applied to resource{where}",
        f"Invalid value: {shown}: unsupported scope{where}",
    ]


def test_quota_scopes_that_fit_their_resources_are_read() -> None:
    """Pods with BestEffort; compute and pods with NotBestEffort, Terminating and
    PriorityClass; non-standard names (``count/…``) are not checked against scopes."""
    for scopes, hard in (
        (["BestEffort"], {"pods": "5", "count/deployments.apps": "3"}),
        (["NotBestEffort", "NotTerminating"], {"requests.cpu": "2", "limits.memory": "4Gi"}),
        (["PriorityClass"], {"pods": "5", "cpu": "1"}),
    ):
        assert len(load_objects([quota(hard, scopes=scopes)]).resource_quotas) == 1
