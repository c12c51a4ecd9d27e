"""``podfit schedule`` end to end, and ``podfit.schedule`` on Pod/Node objects."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from podfit.cli.schedule_cmd import schedule as schedule_cmd
from podfit.nodes import Node, Taint
from podfit.pods import Container, Pod
from podfit.quantity import parse_quantity
from podfit.scheduler import schedule
from podfit.schemas.schedule import ScheduleResultSchema

DATA = Path(__file__).parent / "data" / "scheduler"
ISSUE_MESSAGE = (
    "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. "
    "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
    "2 No preemption victims found for incoming pod."
)
"""Issue 4's example: what a 1.34 cluster with the DynamicResourceAllocation gate off prints."""
DEFAULT_MESSAGE = ISSUE_MESSAGE.replace(
    "Insufficient cpu. preemption:", "Insufficient cpu. no new claims to deallocate, preemption:"
)
"""The same pod on a default 1.34 cluster: DynamicResources' PostFilter runs before
DefaultPreemption (real 1.34 clusters' FailedScheduling events show this exact text)."""


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        schedule_cmd, ["-f", str(DATA / "work.yaml"), "-f", str(DATA / "nodes.yaml"), *args]
    )
    return result.exit_code, result.output


def test_json_output_is_the_result_document() -> None:
    """-o json prints the ScheduleResult; Pending pods carry 1.34's default message."""
    code, out = invoke("-o", "json")
    assert code == 0
    doc = json.loads(out)
    ScheduleResultSchema().load(doc)
    pending = [p for p in doc["pods"] if p["phase"] == "Pending"]
    assert len(pending) == 1
    assert pending[0]["conditions"][0]["message"] == DEFAULT_MESSAGE
    failed = next(p for p in doc["pods"] if p["name"] == "static-big")
    assert failed["phase"] == "Failed" and failed["reason"] == "OutOfcpu"
    assert [p["name"] for p in doc["pods"][:2]] == ["agent-node-b", "agent-node-c"]


def test_fail_on_pending_exits_3() -> None:
    """Pending pods are not an error unless --fail-on-pending is given."""
    assert invoke()[0] == 0
    assert invoke("--fail-on-pending")[0] == 3


TYPO = """\
apiVersion: example.com/v1
kind: Deploymnet
metadata: {name: web}
spec:
  replicas: 2
  template: {spec: {containers: [{name: app, image: nginx}]}}
"""


@pytest.mark.parametrize("output", ["table", "json"])
def test_an_object_that_creates_no_pods_is_a_warning_on_stderr_and_in_the_result(
    tmp_path: Path, output: str
) -> None:
    """A custom resource is not silently "0 of 0 pods scheduled": every output says it
    was skipped, and why (the JSON document in its ``warnings`` too). (A misspelt
    built-in kind is an error: tests/test_validation.py.)"""
    path = tmp_path / "typo.yaml"
    path.write_text(TYPO, encoding="utf-8")
    result = CliRunner().invoke(schedule_cmd, ["-f", str(path), "-o", output])
    assert result.exit_code == 0, result.output
    custom = "custom resources not validated: 1 Deploymnet (example.com/v1)"
    warning = f"Deploymnet default/web ({path}) skipped: creates no pods"
    assert result.stderr.splitlines() == [f"warning: {custom}", f"warning: {warning}"]
    if output == "json":
        assert json.loads(result.stdout)["warnings"] == [custom, warning]


def test_table_lists_pods_nodes_and_messages() -> None:
    """The table shows pods, nodes, a summary line and each Pending message with its fix."""
    code, out = invoke("-o", "wide")
    assert code == 0
    assert "NODE     PODS" in out
    assert "6 of 8 pods scheduled on 3 nodes, 1 Pending (Kubernetes 1.34, LeastAllocated)" in out
    assert DEFAULT_MESSAGE in out
    assert "fix: shrink cpu to 500m (fits node-b)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], DEFAULT_MESSAGE),
        (["--dra"], DEFAULT_MESSAGE),
        (["--no-dra"], ISSUE_MESSAGE),
        (["--kubernetes-version", "1.35", "--no-dra"], ISSUE_MESSAGE),
        (["--kubernetes-version", "1.35"], DEFAULT_MESSAGE),
    ],
)
def test_dra_option_adds_or_drops_the_dynamic_resources_part(args: list[str], message: str) -> None:
    """DynamicResources is on by default from 1.34; --no-dra reproduces issue 4's example
    byte for byte (a 1.34 cluster with the DynamicResourceAllocation gate off)."""
    code, out = invoke("-o", "json", *args)
    assert code == 0
    pending = [p for p in json.loads(out)["pods"] if p["phase"] == "Pending"]
    assert [p["conditions"][0]["message"] for p in pending] == [message]


def test_dra_is_off_by_default_in_1_33_and_can_be_turned_on() -> None:
    """1.33's default profile has no DynamicResources (gate beta, off); --dra adds it."""
    _, out = invoke("-o", "json", "--kubernetes-version", "1.33")
    assert "no new claims to deallocate" not in out and "preemption: 0/3" in out
    _, out = invoke("-o", "json", "--kubernetes-version", "1.33", "--dra")
    assert "Insufficient cpu. no new claims to deallocate, preemption: 0/3" in out


def test_version_133_names_the_taint() -> None:
    """--kubernetes-version 1.33 prints the key/value taint reason."""
    _, out = invoke("-o", "json", "--kubernetes-version", "1.33")
    assert "node(s) had untolerated taint {machine-check-exception: memory}" in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--weight", "cpu=101"], "error: resources[0].weight: resource weight of cpu"),
        (["--shape", "0-0"], "--shape[0]"),
        (["--strategy", "RequestedToCapacityRatio", "--shape", "50:1,10:2"], "shape[1]"),
    ],
)
def test_bad_options_exit_1_naming_the_field(args: list[str], fragment: str) -> None:
    """Bad scheduler options: exit 1 and an error line naming the field."""
    code, out = invoke(*args)
    assert code == 1
    assert fragment in out


def test_schedule_on_pod_and_node_objects() -> None:
    """podfit.schedule converts quantities once (ceilings) and prints canonical amounts."""
    q = parse_quantity
    alloc = {"cpu": q("2"), "memory": q("4Gi"), "pods": q("10")}
    nodes = [
        Node("a", allocatable=alloc, taints=(Taint("x", "y", "NoSchedule"),)),
        Node("b", allocatable=alloc),
    ]
    container = Container("c", requests={"cpu": q("0.5m"), "memory": q("1.5Gi")}, limits={})
    pods = [Pod(f"p{i}", containers=(container,)) for i in range(3)]
    result = schedule(pods, nodes)
    result.check()
    doc = result.to_dict()
    assert doc["pods"][0]["requests"] == {"cpu": "1m", "memory": "1536Mi"}
    assert [p["node"] for p in doc["pods"]] == ["b", "b", None]
    assert doc["nodes"][1]["requested"]["memory"] == "3Gi"


def test_explain_table_shows_every_nodes_reasons_and_plugin_scores() -> None:
    """--explain in the table: per pod every node, its plugin scores or its filter reasons,
    and the tie rule."""
    code, out = invoke("--explain")
    assert code == 0
    assert "(tie between node-b, node-c: first in input order)" in out
    header = "NODE     RESULT     TOTAL   TaintToleration   NodeAffinity   NodeResourcesFit"
    header += "   PodTopologySpread   InterPodAffinity   NodeResourcesBalancedAllocation"
    assert f"  {header}   REASONS\n" in out
    # the Deployment's pods get the system-default spreading score: 200 each here (no
    # matching pod yet, every raw score equal), so totals are 200 above the old 459
    assert re.search(r"\n  node-b   chosen     659     300               0              72 ", out)
    assert re.search(r"\n  node-a   filtered   -[ -]+node\(s\) had untolerated taint\(s\)\n", out)
    # one feasible node is not scored (as kube-scheduler does): still listed
    assert "  node-c   chosen     -       not scored: the only feasible node\n" in out
    pending = out[out.index("default/web-z9b96sttb5-4 -> <none>") :]
    for node, reason in [
        ("node-a", "node(s) had untolerated taint(s)"),
        ("node-b", "Insufficient cpu"),
        ("node-c", "Insufficient cpu"),
    ]:
        assert f"  {node}   filtered   -       {reason}\n" in pending


def test_pod_level_resources_only_from_1_34() -> None:
    """spec.resources replaces container requests from 1.34 (beta); 1.33 ignores it (alpha off)."""
    q = parse_quantity
    node = Node("n", allocatable={"cpu": q("1"), "memory": q("1Gi"), "pods": q("10")})
    container = Container("c", requests={"cpu": q("100m")}, limits={})
    pod = Pod("p", containers=(container,), pod_requests={"cpu": q("2")})
    assert schedule([pod], [node]).pods[0].phase == "Pending"
    old = schedule([pod], [node], version="1.33")
    assert old.pods[0].node == "n"
    assert old.to_dict()["pods"][0]["requests"] == {"cpu": "100m"}


def test_duplicate_node_names_are_an_input_error() -> None:
    """Two nodes with one name are ambiguous: ManifestError naming the second one."""
    from podfit.errors import ManifestError

    alloc = {"cpu": parse_quantity("1"), "pods": parse_quantity("10")}
    with pytest.raises(ManifestError) as info:
        schedule([], [Node("a", allocatable=alloc), Node("a", allocatable=alloc)])
    assert info.value.path == "nodes[1].metadata.name"
    assert 'duplicate node name "a" (also nodes[0])' in str(info.value)


def test_yaml_output_has_no_aliases() -> None:
    """Pending replicas share a computed shortfall, yet the YAML repeats it in full."""
    import yaml

    code, out = invoke("-o", "yaml", "--weight", "cpu=1", "--weight", "memory=1")
    assert code == 0
    assert "&id" not in out and "*id" not in out
    q = parse_quantity
    alloc = {"cpu": q("1"), "memory": q("1Gi"), "pods": q("10")}
    big = Container("c", requests={"cpu": q("2")}, limits={})
    result = schedule(
        [Pod("a", containers=(big,)), Pod("b", containers=(big,))], [Node("n", allocatable=alloc)]
    )
    text = yaml.safe_dump(result.to_dict())
    assert "&id" not in text and "*id" not in text


def test_the_shared_document_is_the_same_document() -> None:
    """to_dict(shared=True) (what the HTTP API serializes) lets replicas with one outcome
    share requests, conditions and shortfall objects; the content is identical."""
    q = parse_quantity
    alloc = {"cpu": q("3"), "memory": q("1Gi"), "pods": q("10")}
    one = Container("c", requests={"cpu": q("1")}, limits={})
    pods = [Pod(f"r{i}", owner="Deployment/r", containers=(one,)) for i in range(5)]
    result = schedule(pods, [Node("n", allocatable=alloc)])
    plain, shared = result.to_dict(), result.to_dict(shared=True)
    assert plain == shared
    phases = [p["phase"] for p in shared["pods"]]
    assert phases == ["Running"] * 3 + ["Pending"] * 2
    placed, pending = shared["pods"][:3], shared["pods"][3:]
    assert placed[0]["requests"] is placed[1]["requests"] is placed[2]["requests"]
    assert pending[0]["shortfall"] is pending[1]["shortfall"]
    assert pending[0]["conditions"] is pending[1]["conditions"]
    assert placed[0]["conditions"] is not pending[0]["conditions"]
    own = plain["pods"]
    assert own[0]["requests"] is not own[1]["requests"]
    assert own[3]["shortfall"] is not own[4]["shortfall"]


def test_ignored_resource_group_lets_the_gpu_pod_in(tmp_path: Path) -> None:
    """--ignored-resource-group nvidia.com: NodeResourcesFit skips the GPU request."""
    pod = tmp_path / "pod.yaml"
    pod.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: g}\nspec:\n  containers:\n"
        "  - name: c\n    image: x\n    resources:\n"
        "      limits: {nvidia.com/gpu: 1}\n      requests: {cpu: 100m}\n"
    )
    args = ["-f", str(pod), "-f", str(DATA / "nodes.yaml"), "-o", "json"]
    out = CliRunner().invoke(schedule_cmd, args).output
    assert json.loads(out)["pods"][0]["phase"] == "Pending"
    out = CliRunner().invoke(schedule_cmd, [*args, "--ignored-resource-group", "nvidia.com"]).output
    assert json.loads(out)["pods"][0]["node"] == "node-b"


def test_library_entry_point_is_exported() -> None:
    """``podfit.schedule`` is the library entry point (loaded lazily)."""
    import podfit

    assert podfit.schedule is schedule
