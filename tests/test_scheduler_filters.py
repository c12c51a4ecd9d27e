"""Filter plugins: upstream facts T19–T36 (NodeResourcesFit), T88–T91 (taints, ports) and more.

Requests here are the pod's *effective* request (aggregation over init containers,
sidecars, overhead and pod-level resources is podfit.pods' job and tested there); each
case notes the upstream container layout it stands for.
"""

# ruff: noqa: E501  (parametrize tables keep one case per line)
from __future__ import annotations

import pytest

from podfit.scheduler.filters import (
    REASON_AFFINITY,
    REASON_NODE_NAME,
    REASON_PORTS,
    REASON_UNSCHEDULABLE,
    UNRESOLVABLE,
    UNSCHEDULABLE,
    FilterConfig,
    go_parse_int,
    node_affinity,
    node_name,
    node_ports,
    node_resources_fit,
    node_unschedulable,
    prefilter_node_names,
    run_filters,
    taint_toleration,
    tolerates,
)
from podfit.scheduler.model import (
    HostPort,
    NodeInfo,
    PodInfo,
    Requirement,
    Taint,
    Term,
    Toleration,
)

EXT = "example.com/aaa"


def fit_node(used: dict[str, int] | None = None, **alloc: int) -> NodeInfo:
    """The fit_test.go node: cpu 10, memory 20, pods 32, aaa 5, ephemeral 20, hugepages 5."""
    allocatable = {
        "cpu": 10,
        "memory": 20,
        "pods": 32,
        EXT: 5,
        "ephemeral-storage": 20,
        "hugepages-2Mi": 5,
    }
    allocatable.update({k.replace("_", "-"): v for k, v in alloc.items()})
    node = NodeInfo("node", allocatable)
    if used:
        node.add_pod(PodInfo("existing", requests=used))
    return node


FIT_CASES = [
    # (fact, pod request, used, expected reasons, expected code)
    ("T19 too many resources", {"cpu": 1, "memory": 1}, {"cpu": 10, "memory": 20},
     ("Insufficient cpu", "Insufficient memory"), UNSCHEDULABLE),
    ("T20 init container cpu 3 > free 2", {"cpu": 3, "memory": 1}, {"cpu": 8, "memory": 19},
     ("Insufficient cpu",), UNSCHEDULABLE),
    ("T21 init max not sum", {"cpu": 1, "memory": 1}, {"cpu": 9, "memory": 19}, (), None),
    ("T22 equal edge case fits", {"cpu": 5, "memory": 1}, {"cpu": 5, "memory": 19}, (), None),
    ("T23 extended above capacity", {"cpu": 1, "memory": 1, EXT: 10}, {},
     ("Insufficient example.com/aaa",), UNRESOLVABLE),
    ("T24 extended above free", {"cpu": 1, "memory": 1, EXT: 1}, {EXT: 5},
     ("Insufficient example.com/aaa",), UNSCHEDULABLE),
    ("T25 two init containers aaa 3: max not sum", {EXT: 3}, {EXT: 2}, (), None),
    ("T26 unknown extended resource", {"example.com/bbb": 1}, {},
     ("Insufficient example.com/bbb",), UNRESOLVABLE),
    ("T29 request + overhead fits", {"cpu": 4, "memory": 14}, {"cpu": 5, "memory": 5}, (), None),
    ("T30 request + overhead too much memory", {"cpu": 2, "memory": 16},
     {"cpu": 5, "memory": 5}, ("Insufficient memory",), UNSCHEDULABLE),
    ("T31 pod-level cpu 7", {"cpu": 7, "memory": 2}, {"cpu": 5, "memory": 5},
     ("Insufficient cpu",), UNSCHEDULABLE),
    ("T32 pod-level memory 2 > free 1", {"cpu": 3, "memory": 2}, {"cpu": 5, "memory": 19},
     ("Insufficient memory",), UNSCHEDULABLE),
    ("T34 ephemeral above allocatable", {"ephemeral-storage": 25}, {},
     ("Insufficient ephemeral-storage",), UNRESOLVABLE),
    ("hugepages above free", {"hugepages-2Mi": 3}, {"hugepages-2Mi": 3},
     ("Insufficient hugepages-2Mi",), UNSCHEDULABLE),
]  # fmt: skip


@pytest.mark.parametrize(("fact", "request_", "used", "reasons", "code"), FIT_CASES)
def test_node_resources_fit_matches_upstream(
    fact: str,
    request_: dict[str, int],
    used: dict[str, int],
    reasons: tuple[str, ...],
    code: str | None,
) -> None:
    """NodeResourcesFit reports every shortfall; Unresolvable only when request > allocatable."""
    status = node_resources_fit(PodInfo("p", requests=request_), fit_node(used))
    if code is None:
        assert status is None, fact
    else:
        assert status is not None, fact
        assert status.reasons == reasons, fact
        assert status.code == code, fact


UNRESOLVABLE_CASES = [c for c in FIT_CASES if c[4] == UNRESOLVABLE]


@pytest.mark.parametrize(("fact", "request_", "used", "reasons", "code"), UNRESOLVABLE_CASES)
def test_request_above_allocatable_is_only_unschedulable_in_1_33(
    fact: str,
    request_: dict[str, int],
    used: dict[str, int],
    reasons: tuple[str, ...],
    code: str | None,
) -> None:
    """1.33 has no ``InsufficientResource.Unresolvable`` (added by kubernetes PR #131345,
    opened 2025-04-17 after the 1.33 freeze): the same shortfall is plain Unschedulable
    there, and UnschedulableAndUnresolvable in 1.34 and 1.35."""
    pod = PodInfo("p", requests=request_)
    old = node_resources_fit(pod, fit_node(used), version="1.33")
    assert old is not None and old.reasons == reasons and old.code == UNSCHEDULABLE, fact
    for version in ("1.34", "1.35"):
        new = node_resources_fit(pod, fit_node(used), version=version)
        assert new is not None and new.code == UNRESOLVABLE == code, (fact, version)


def test_run_filters_passes_the_version_to_node_resources_fit() -> None:
    """The filter chain honours FilterConfig.version for the fit code (1.33 vs 1.34)."""
    pod = PodInfo("p", requests={"cpu": 11})
    old = run_filters(pod, fit_node(), FilterConfig(version="1.33"))
    new = run_filters(pod, fit_node(), FilterConfig(version="1.34"))
    assert old is not None and old.code == UNSCHEDULABLE
    assert new is not None and new.code == UNRESOLVABLE


def test_ignored_extended_resource_is_skipped_t27() -> None:
    """T27: a resource in ignoredResources is not checked."""
    pod = PodInfo("p", requests={"example.com/bbb": 1})
    assert node_resources_fit(pod, fit_node(), ignored_resources={"example.com/bbb"}) is None


def test_ignored_resource_group_skips_domain_but_not_kubernetes_io_t28() -> None:
    """T28: ignoredResourceGroups [example.com] skips bbb; kubernetes.io/* is never ignored."""
    pod = PodInfo("p", requests={"example.com/bbb": 1, "kubernetes.io/something": 1})
    status = node_resources_fit(pod, fit_node(), ignored_groups={"example.com", "kubernetes.io"})
    assert status is not None
    assert status.reasons == ("Insufficient kubernetes.io/something",)
    assert status.code == UNRESOLVABLE


def test_too_many_pods_even_for_empty_pod_t33() -> None:
    """T33: pod count is checked even for a pod requesting nothing; plain Unschedulable."""
    node = fit_node(pods=1)
    node.add_pod(PodInfo("existing"))
    status = node_resources_fit(PodInfo("p"), node)
    assert status is not None
    assert status.reasons == ("Too many pods",)
    assert status.code == UNSCHEDULABLE


def test_sidecar_total_above_allocatable_is_unresolvable_t36() -> None:
    """T36: container 1m + sidecar 2m on a 2m node cannot fit even empty; 1m + 1m fits."""
    node = NodeInfo("n", {"cpu": 2, "memory": 20, "pods": 32})
    status = node_resources_fit(PodInfo("p", requests={"cpu": 3}), node)
    assert status is not None and status.code == UNRESOLVABLE
    assert node_resources_fit(PodInfo("p", requests={"cpu": 2}), node) is None


def test_node_without_pods_allocatable_admits_nothing() -> None:
    """A node with no ``pods`` allocatable reports Too many pods."""
    status = node_resources_fit(PodInfo("p"), NodeInfo("n", {"cpu": 1000}))
    assert status is not None and status.reasons == ("Too many pods",)


def test_several_reasons_from_one_node_in_upstream_order() -> None:
    """Too many pods, then cpu, memory, ephemeral-storage, then scalars by name."""
    node = NodeInfo("n", {"cpu": 1, "memory": 1, "pods": 0, "ephemeral-storage": 1})
    pod = PodInfo(
        "p", requests={"memory": 2, "cpu": 2, "ephemeral-storage": 2, "b.io/x": 1, "a.io/y": 1}
    )
    status = node_resources_fit(pod, node)
    assert status is not None
    assert status.reasons == (
        "Too many pods",
        "Insufficient cpu",
        "Insufficient memory",
        "Insufficient ephemeral-storage",
        "Insufficient a.io/y",
        "Insufficient b.io/x",
    )


# --- TaintToleration (T88, T89) ------------------------------------------------------------


def test_untolerated_taint_reason_per_version_t88() -> None:
    """T88: 1.33 names the taint; 1.34 (current patch) and 1.35 do not (PR #134740)."""
    node = NodeInfo("n", {}, taints=[Taint("dedicated", "user1", "NoSchedule")])
    old = taint_toleration(PodInfo("p"), node, "1.33")
    assert old is not None
    assert old.reasons == ("node(s) had untolerated taint {dedicated: user1}",)
    assert old.code == UNRESOLVABLE
    for version in ("1.34", "1.35"):
        new = taint_toleration(PodInfo("p"), node, version)
        assert new is not None and new.reasons == ("node(s) had untolerated taint(s)",)


TOLERATION_CASES = [
    # T89: effect must match when set
    (Toleration("foo", "Equal", "bar", "PreferNoSchedule"), Taint("foo", "bar", "NoSchedule"), False),
    # T89: empty effect matches every effect
    (Toleration("foo", "Equal", "bar", ""), Taint("foo", "bar", "NoSchedule"), True),
    (Toleration("foo", "Exists", "", "NoSchedule"), Taint("foo", "anything", "NoSchedule"), True),
    (Toleration("", "Exists", "", ""), Taint("any", "thing", "NoExecute"), True),
    (Toleration("foo", "Equal", "baz", ""), Taint("foo", "bar", "NoSchedule"), False),
    (Toleration("foo", "", "bar", ""), Taint("foo", "bar", "NoSchedule"), True),
    (Toleration("other", "Exists", "", ""), Taint("foo", "bar", "NoSchedule"), False),
    (Toleration("foo", "Lt", "5", ""), Taint("foo", "1", "NoSchedule"), False),
]  # fmt: skip


@pytest.mark.parametrize(("toleration", "taint", "expected"), TOLERATION_CASES)
def test_toleration_matching(toleration: Toleration, taint: Taint, expected: bool) -> None:
    """ToleratesTaint: empty effect/key match any, Exists ignores the value, Equal compares it."""
    assert tolerates(toleration, taint) is expected


def test_prefer_no_schedule_taint_never_filters_t89() -> None:
    """T89: a PreferNoSchedule taint without toleration is accepted by the filter."""
    node = NodeInfo("n", {}, taints=[Taint("foo", "bar", "PreferNoSchedule")])
    assert taint_toleration(PodInfo("p"), node) is None


def test_first_untolerated_taint_in_node_order_is_reported() -> None:
    """The reason names the first NoSchedule/NoExecute taint no toleration tolerates."""
    node = NodeInfo(
        "n",
        {},
        taints=[Taint("a", "1", "NoSchedule"), Taint("b", "2", "NoExecute")],
    )
    pod = PodInfo("p", tolerations=[Toleration("a", "Exists")])
    status = taint_toleration(pod, node, "1.33")
    assert status is not None and status.reasons == ("node(s) had untolerated taint {b: 2}",)


def test_empty_taint_value_prints_empty() -> None:
    """An empty taint value prints as ``{key: }``."""
    node = NodeInfo("n", {}, taints=[Taint("gpu", "", "NoSchedule")])
    status = taint_toleration(PodInfo("p"), node, "1.33")
    assert status is not None and status.reasons == ("node(s) had untolerated taint {gpu: }",)


# --- NodeUnschedulable, NodeName -----------------------------------------------------------


def test_cordoned_node_rejects_pods_without_toleration() -> None:
    """spec.unschedulable rejects unless the pod tolerates node.kubernetes.io/unschedulable."""
    node = NodeInfo("n", {}, unschedulable=True)
    status = node_unschedulable(PodInfo("p"), node)
    assert status is not None
    assert status.reasons == (REASON_UNSCHEDULABLE,) and status.code == UNRESOLVABLE
    tolerant = PodInfo(
        "p", tolerations=[Toleration("node.kubernetes.io/unschedulable", "Exists", "", "")]
    )
    assert node_unschedulable(tolerant, node) is None


def test_node_name_mismatch() -> None:
    """spec.nodeName must equal the node's name."""
    status = node_name(PodInfo("p", node_name="a"), NodeInfo("b", {}))
    assert status is not None and status.reasons == (REASON_NODE_NAME,)
    assert node_name(PodInfo("p", node_name="a"), NodeInfo("a", {})) is None


# --- NodeAffinity --------------------------------------------------------------------------

LABELS = {"zone": "a", "size": "10", "gpu": "true"}

AFFINITY_CASES = [
    (Requirement("zone", "In", ("a", "b")), True),
    (Requirement("zone", "In", ("b",)), False),
    (Requirement("zone", "NotIn", ("b",)), True),
    (Requirement("missing", "NotIn", ("b",)), True),
    (Requirement("missing", "NotIn", ()), False),
    (Requirement("zone", "In", ()), False),
    (Requirement("gpu", "Exists", ("true",)), False),
    (Requirement("zone", "NotIn", ("a",)), False),
    (Requirement("gpu", "Exists"), True),
    (Requirement("missing", "Exists"), False),
    (Requirement("missing", "DoesNotExist"), True),
    (Requirement("gpu", "DoesNotExist"), False),
    (Requirement("size", "Gt", ("9",)), True),
    (Requirement("size", "Gt", ("10",)), False),
    (Requirement("size", "Lt", ("11",)), True),
    # "+11" parses as a Go integer but is no valid label value: labels.NewRequirement
    # (apimachinery pkg/labels/selector.go) rejects it, so the term matches nothing.
    (Requirement("size", "Lt", ("+11",)), False),
    (Requirement("size", "Gt", ("-1",)), False),
    (Requirement("zone", "NotIn", ("b c",)), False),
    (Requirement("zone", "NotIn", ("x" * 64,)), False),
    (Requirement("zone", "NotIn", ("x" * 63,)), True),
    (Requirement("zone", "NotIn", ("",)), True),
    (Requirement("zone", "NotIn", ("-b",)), False),
    (Requirement("bad key", "DoesNotExist"), False),
    (Requirement("Example.com/zone", "DoesNotExist"), False),
    (Requirement("example.com/zone", "DoesNotExist"), True),
    (Requirement("a/b/c", "DoesNotExist"), False),
    (Requirement("/zone", "DoesNotExist"), False),
    (Requirement("size", "Lt", ("1 1",)), False),
    (Requirement("zone", "Gt", ("1",)), False),
    (Requirement("size", "Gt", ("1", "2")), False),
    (Requirement("zone", "Bogus", ("a",)), False),
]


@pytest.mark.parametrize(("req", "expected"), AFFINITY_CASES)
def test_required_affinity_operators(req: Requirement, expected: bool) -> None:
    """In, NotIn, Exists, DoesNotExist, Gt, Lt against node labels (Go integer parsing)."""
    node = NodeInfo("n", {}, labels=LABELS)
    pod = PodInfo("p", required_terms=[Term((req,))])
    status = node_affinity(pod, node)
    assert (status is None) is expected
    if status is not None:
        assert status.reasons == (REASON_AFFINITY,) and status.code == UNRESOLVABLE


def test_invalid_value_voids_the_whole_term_but_not_the_other_terms() -> None:
    """NodeSelector terms are built lazily (component-helpers nodeaffinity): a term whose
    requirement fails ``labels.NewRequirement`` matches no node, the other terms still
    apply; the API server never validates these values, so such pods exist."""
    node = NodeInfo("n", {}, labels=LABELS)
    bad = Term((Requirement("zone", "NotIn", ("not valid",)),))
    good = Term((Requirement("zone", "In", ("a",)),))
    assert node_affinity(PodInfo("p", required_terms=[bad]), node) is not None
    assert node_affinity(PodInfo("p", required_terms=[bad, good]), node) is None


def test_terms_are_ored_expressions_anded_and_selector_required() -> None:
    """Terms OR, expressions inside a term AND, nodeSelector must also match."""
    node = NodeInfo("n", {}, labels=LABELS)
    a = Requirement("zone", "In", ("a",))
    b = Requirement("zone", "In", ("b",))
    gpu = Requirement("gpu", "Exists")
    assert node_affinity(PodInfo("p", required_terms=[Term((b,)), Term((a, gpu))]), node) is None
    assert node_affinity(PodInfo("p", required_terms=[Term((a, b))]), node) is not None
    assert node_affinity(PodInfo("p", required_terms=[Term()]), node) is not None
    selector = PodInfo("p", node_selector={"zone": "b"}, required_terms=[Term((a,))])
    assert node_affinity(selector, node) is not None
    assert node_affinity(PodInfo("p", node_selector={"zone": "a"}), node) is None


FIELD_CASES = [
    # (requirement, matches node "n1")
    (Requirement("metadata.name", "In", ("n1",)), True),
    (Requirement("metadata.name", "NotIn", ("n1",)), False),
    (Requirement("metadata.name", "Exists"), False),
    (Requirement("metadata.name", "In", ()), False),
    # nodeSelectorRequirementsAsFieldSelector (component-helpers nodeaffinity) does not check
    # the key; the node's field set is {"metadata.name": name}, so other keys read as "".
    (Requirement("metadata.uid", "NotIn", ("x",)), True),
    (Requirement("metadata.uid", "In", ("x",)), False),
    (Requirement("metadata.uid", "In", ("",)), True),
    (Requirement("metadata.uid", "NotIn", ("x", "y")), False),
]  # fmt: skip


@pytest.mark.parametrize(("req", "expected"), FIELD_CASES)
def test_match_fields_follow_the_schedulers_field_selector(
    req: Requirement, expected: bool
) -> None:
    """One In/NotIn value compared with the node's field (metadata.name, else empty)."""
    pod = PodInfo("p", required_terms=[Term((), (req,))])
    assert (node_affinity(pod, NodeInfo("n1", {})) is None) is expected


def test_match_fields_metadata_name() -> None:
    """matchFields supports metadata.name In / NotIn with one value; PreFilter narrows."""
    term = Term((), (Requirement("metadata.name", "In", ("n1",)),))
    pod = PodInfo("p", required_terms=[term])
    assert node_affinity(pod, NodeInfo("n1", {})) is None
    assert node_affinity(pod, NodeInfo("n3", {})) is not None
    assert prefilter_node_names(pod) == {"n1"}
    not_in = PodInfo(
        "p", required_terms=[Term((), (Requirement("metadata.name", "NotIn", ("n1",)),))]
    )
    assert node_affinity(not_in, NodeInfo("n1", {})) is not None
    assert node_affinity(not_in, NodeInfo("n2", {})) is None
    two = PodInfo(
        "p", required_terms=[Term((), (Requirement("metadata.name", "In", ("n1", "n2")),))]
    )
    assert node_affinity(two, NodeInfo("n1", {})) is not None  # invalid field selector
    assert prefilter_node_names(two) == {"n1", "n2"}
    other = Term((Requirement("zone", "Exists"),))
    assert prefilter_node_names(PodInfo("p", required_terms=[term, other])) is None
    clash = Term(
        (),
        (
            Requirement("metadata.name", "In", ("n1",)),
            Requirement("metadata.name", "In", ("n2",)),
        ),
    )
    assert prefilter_node_names(PodInfo("p", required_terms=[clash])) == frozenset()


@pytest.mark.parametrize(
    ("text", "value"),
    [("10", 10), ("+5", 5), ("-3", -3), ("9223372036854775807", 2**63 - 1), ("", None),
     ("1.5", None), (" 1", None), ("1_0", None), ("9223372036854775808", None)],
)  # fmt: skip
def test_go_parse_int(text: str, value: int | None) -> None:
    """strconv.ParseInt base 10, 64 bits: sign allowed, no spaces, underscores or overflow."""
    assert go_parse_int(text) == value


# --- NodePorts (T90, T91) ------------------------------------------------------------------

PORT_CASES = [
    ("T90 same UDP ip/port", HostPort("UDP", "127.0.0.1", 8080), [HostPort("UDP", "127.0.0.1", 8080)], True),
    ("T90 other ip", HostPort("TCP", "127.0.0.1", 8080), [HostPort("TCP", "127.0.0.2", 8080)], False),
    ("T90 other protocol", HostPort("UDP", "127.0.0.1", 8080), [HostPort("TCP", "127.0.0.1", 8080)], False),
    ("T91 wildcard wants", HostPort("TCP", "0.0.0.0", 8001), [HostPort("TCP", "127.0.0.1", 8001)], True),
    ("T91 wildcard used", HostPort("UDP", "127.0.0.1", 8001),
     [HostPort("TCP", "0.0.0.0", 8001), HostPort("UDP", "0.0.0.0", 8001)], True),
    ("empty ip is wildcard, empty protocol TCP", HostPort("", "", 80), [HostPort("TCP", "10.0.0.1", 80)], True),
]  # fmt: skip


@pytest.mark.parametrize(("fact", "wanted", "used", "conflict"), PORT_CASES)
def test_host_port_conflicts(
    fact: str, wanted: HostPort, used: list[HostPort], conflict: bool
) -> None:
    """Same protocol+port conflicts when either IP is 0.0.0.0 or they are equal."""
    node = NodeInfo("n", {"pods": 10})
    node.add_pod(PodInfo("existing", host_ports=used))
    status = node_ports(PodInfo("p", host_ports=[wanted]), node)
    assert (status is not None) is conflict, fact
    if status is not None:
        assert status.reasons == (REASON_PORTS,) and status.code == UNSCHEDULABLE


def test_pod_without_host_ports_skips_node_ports_t91() -> None:
    """T91: a pod without host ports is never rejected by NodePorts."""
    node = NodeInfo("n", {"pods": 10})
    node.add_pod(PodInfo("existing", host_ports=[HostPort("TCP", "", 80)]))
    assert node_ports(PodInfo("p"), node) is None


# --- order ----------------------------------------------------------------------------------


def test_first_failing_plugin_only() -> None:
    """A tainted node that is also full reports only the taint (filters stop at the first failure)."""
    node = NodeInfo("n", {"cpu": 1, "pods": 0}, taints=[Taint("k", "v", "NoSchedule")])
    status = run_filters(PodInfo("p", requests={"cpu": 5}), node, FilterConfig("1.35"))
    assert status is not None
    assert status.plugin == "TaintToleration"
    assert status.reasons == ("node(s) had untolerated taint(s)",)
