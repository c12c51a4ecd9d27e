"""Objects that create no pods but matter to them are read into values, not skipped:
PodDisruptionBudget, HorizontalPodAutoscaler, Service, Namespace, ResourceQuota and the
selectors of the workload controllers (podfit.manifests.objects)."""

from __future__ import annotations

from typing import Any

import pytest

from podfit.errors import ManifestError
from podfit.manifests import load_objects
from podfit.manifests.objects import (
    NAMESPACE_NAME_LABEL,
    Controller,
    HorizontalPodAutoscaler,
    LabelSelector,
    Namespace,
    ObjectRef,
    PodDisruptionBudget,
    Requirement,
    Service,
)
from podfit.quantity import parse_quantity

PDB: dict[str, Any] = {
    "apiVersion": "policy/v1",
    "kind": "PodDisruptionBudget",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {
        "minAvailable": 2,
        "selector": {
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}],
        },
    },
    "status": {
        "currentHealthy": 3,
        "desiredHealthy": 2,
        "disruptionsAllowed": 1,
        "expectedPods": 3,
    },
}
HPA: dict[str, Any] = {
    "apiVersion": "autoscaling/v2",
    "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
        "minReplicas": 2,
        "maxReplicas": 10,
    },
    "status": {"currentReplicas": 10, "desiredReplicas": 10},
}
SERVICE: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]},
}
NAMESPACE: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Namespace",
    "metadata": {"name": "shop", "labels": {"team": "a"}},
}
QUOTA: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "ResourceQuota",
    "metadata": {"name": "q", "namespace": "shop"},
    "spec": {"hard": {"requests.cpu": "4", "pods": "10"}},
    "status": {"used": {"requests.cpu": "1500m", "pods": "3"}},
}


def test_each_object_is_read_into_its_value() -> None:
    """The five kinds are read into frozen values with their fields as written."""
    wl = load_objects([PDB, HPA, SERVICE, NAMESPACE, QUOTA])
    assert wl.disruption_budgets == [
        PodDisruptionBudget(
            "web",
            "shop",
            LabelSelector((("app", "web"),), (Requirement("tier", "In", ("a", "b")),)),
            min_available=2,
            disruptions_allowed=1,
            current_healthy=3,
            desired_healthy=2,
            expected_pods=3,
        )
    ]
    assert wl.autoscalers == [
        HorizontalPodAutoscaler(
            "web", "shop", ObjectRef("apps/v1", "Deployment", "web"), 2, 10, 10, 10
        )
    ]
    assert wl.services == [Service("web", "shop", LabelSelector((("app", "web"),)))]
    assert wl.namespaces == [Namespace("shop", ((NAMESPACE_NAME_LABEL, "shop"), ("team", "a")))]
    (quota,) = wl.resource_quotas
    assert quota.hard_map == {"pods": parse_quantity("10"), "requests.cpu": parse_quantity("4")}
    assert quota.used_map["requests.cpu"] == parse_quantity("1500m")


def test_each_object_is_listed_in_the_summary_with_what_was_read() -> None:
    """The loader's summary names every such object and what it read (never silently)."""
    wl = load_objects([PDB, HPA, SERVICE, NAMESPACE, QUOTA])
    reasons = {s.kind: s.reason for s in wl.skipped}
    assert reasons == {
        "PodDisruptionBudget": "creates no pods; read: minAvailable 2 for pods "
        "app=web,tier in (a,b) (preemption, drains)",
        "HorizontalPodAutoscaler": "creates no pods; read: scales Deployment/web between 2 and 10",
        "Service": "creates no pods; read: selects pods app=web (default topology spreading)",
        "Namespace": "creates no pods; read: labels kubernetes.io/metadata.name=shop,team=a",
        "ResourceQuota": "creates no pods; read: limits pods=10, requests.cpu=4 in namespace shop",
    }


def test_a_namespace_not_in_the_input_has_only_its_name_label() -> None:
    """The API server labels every namespace kubernetes.io/metadata.name=<name>."""
    wl = load_objects([NAMESPACE])
    assert wl.namespace("shop").label_map == {NAMESPACE_NAME_LABEL: "shop", "team": "a"}
    assert wl.namespace("other") == Namespace("other", ((NAMESPACE_NAME_LABEL, "other"),))


def test_label_selector_semantics() -> None:
    """labels.Selector: empty matches all; In/NotIn/Exists/DoesNotExist as upstream."""
    assert LabelSelector().matches({})
    sel = LabelSelector(
        (("app", "web"),),
        (
            Requirement("tier", "NotIn", ("db",)),
            Requirement("canary", "DoesNotExist"),
            Requirement("zone", "Exists"),
        ),
    )
    assert sel.matches({"app": "web", "zone": "a"})
    assert not sel.matches({"app": "web", "zone": "a", "tier": "db"})
    assert not sel.matches({"app": "web", "zone": "a", "canary": "1"})
    assert not sel.matches({"app": "web"})
    pdb = load_objects([PDB]).disruption_budgets[0]
    assert pdb.selects({"app": "web", "tier": "a"}, "shop")
    assert not pdb.selects({"app": "web", "tier": "a"}, "default")


def test_a_service_without_selector_selects_nothing() -> None:
    """A Service without spec.selector has hand-managed endpoints: it selects no pods."""
    svc = {**SERVICE, "spec": {"ports": [{"port": 80}]}}
    assert load_objects([svc]).services[0].selector is None


def test_controllers_are_listed_with_their_selectors() -> None:
    """ReplicaSets, StatefulSets, … are listed with selector, replicas and controlling
    owner; a ReplicationController's selector defaults to its template labels."""
    template = {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c"}]}}
    rs = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": "web-5d4f",
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "controller": True}
            ],
        },
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "x"}}, "template": template},
    }
    rc = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
          "spec": {"replicas": 1, "template": template}}  # fmt: skip
    wl = load_objects([rs, rc])
    assert wl.controllers == [
        Controller(
            "ReplicaSet",
            "web-5d4f",
            "default",
            LabelSelector((("app", "x"),)),
            0,
            ObjectRef("apps/v1", "Deployment", "web"),
        ),
        Controller("ReplicationController", "rc", "default", LabelSelector((("app", "x"),)), 1),
    ]


@pytest.mark.parametrize(
    ("obj", "path", "message"),
    [
        (
            {**HPA, "spec": {**HPA["spec"], "minReplicas": 5, "maxReplicas": 3}},
            "spec.maxReplicas",
            "Invalid value: 3: must be greater than or equal to `minReplicas`",
        ),
        (
            {**PDB, "spec": {**PDB["spec"], "maxUnavailable": 1}},
            "spec",
            "Invalid value: minAvailable and maxUnavailable cannot be both set",
        ),
        (
            {**PDB, "spec": {"minAvailable": "50 %", "selector": {}}},
            "spec.minAvailable",
            'Invalid value: "50 %": a valid percent string must be',
        ),
        # Upstream's regex is [0-9]+%: a non-ASCII digit (int() refuses "²") is invalid,
        # not a crash when the budget is scaled.
        (
            {**PDB, "spec": {"minAvailable": "\u00b2%", "selector": {}}},
            "spec.minAvailable",
            'Invalid value: "\u00b2%": a valid percent string must be',
        ),
        # IsNotMoreThan100Percent; a 5000-digit percent must not reach int().
        (
            {**PDB, "spec": {"maxUnavailable": "101%", "selector": {}}},
            "spec.maxUnavailable",
            'Invalid value: "101%": must not be greater than 100%',
        ),
        (
            {**PDB, "spec": {"minAvailable": "9" * 5000 + "%", "selector": {}}},
            "spec.minAvailable",
            'Invalid value: "' + "9" * 5000 + '%": must not be greater than 100%',
        ),
        (
            {**PDB, "spec": {"selector": {"matchExpressions": [{"key": "a", "operator": "In"}]}}},
            "spec.selector.matchExpressions[0].values",
            "Required value: must be specified when `operator` is 'In' or 'NotIn'",
        ),
    ],
)
def test_invalid_objects_are_refused_naming_the_field(obj: Any, path: str, message: str) -> None:
    """The API server's validation texts for these objects (autoscaling and policy
    validation, metav1 label selector validation)."""
    with pytest.raises(ManifestError) as info:
        load_objects([obj])
    assert info.value.errors[0].path == path
    assert info.value.errors[0].message.startswith(message)
