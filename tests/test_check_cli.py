"""``podfit check`` on the command line: exit codes (0 pass, 3 fail, 1 bad input, 2 usage),
the JSON/YAML report, JUnit XML valid against the JUnit schema CI servers read, the
baseline comparison, several clusters, and the local process pool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xmlschema
import yaml
from click.testing import CliRunner

from podfit.cli import main

DATA = Path(__file__).parent / "data" / "check"


def nodes(*specs: tuple[str, str, str]) -> str:
    return "".join(
        f"---\napiVersion: v1\nkind: Node\nmetadata:\n  name: {name}\n"
        f"  labels: {{topology.kubernetes.io/zone: {zone}}}\n"
        f"status:\n  allocatable: {{cpu: '{cpu}', memory: 8Gi, pods: '110'}}\n"
        for name, cpu, zone in specs
    )


def deployment(name: str, replicas: int, cpu: str) -> str:
    return (
        f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n"
        f"  replicas: {replicas}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n"
        "    spec:\n      containers:\n      - name: c\n"
        f"        resources: {{requests: {{cpu: '{cpu}', memory: 256Mi}}}}\n"
    )


ROOMY = nodes(("a", "4", "z1"), ("b", "4", "z2"), ("c", "4", "z3")) + deployment("web", 3, "1")
"""Three nodes of 4 cpu, 3 × 1 cpu: losing any node still fits."""
TIGHT = nodes(("a", "4", "z1"), ("b", "4", "z2")) + deployment("web", 3, "1500m")
"""Two nodes of 4 cpu, 3 × 1500m: losing either leaves a pod Pending."""


HEAD = "apiVersion: podfit/v1\nkind: CheckPolicy\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.stdout, result.stderr


def test_exit_0_when_every_scenario_passes_and_3_when_one_fails(tmp_path: Path) -> None:
    code, out, _ = run(["check", "-f", str(write(tmp_path, "ok.yaml", ROOMY)), "--jobs", "1"])
    assert code == 0
    assert out.splitlines()[:3] == [
        "SCENARIO        VARIANTS   FAILED   RESULT",
        "as-is           1          0        pass",
        "lose-any-node   3          0        pass",
    ]
    code, out, _ = run(["check", "-f", str(write(tmp_path, "tight.yaml", TIGHT)), "--jobs", "1"])
    assert code == 3
    assert "lose-any-node   2          2        FAIL" in out
    assert "0/1 nodes are available: 1 Insufficient cpu." in out


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        (
            f"{HEAD}scenarios: [{{name: a, remove: everything}}]\n",
            'scenarios[0].remove: must be anyNode, anyZone or {nodes: [...]}, not "everything"',
        ),
        (
            f"{HEAD}scenarios: [{{name: a, remove: {{nodes: [zz]}}}}]\n",
            'scenarios[0].remove.nodes[0]: node "zz" is not in the input',
        ),
        ("[unclosed", ""),
    ],
)
def test_a_bad_policy_is_exit_1_with_the_path(tmp_path: Path, policy: str, message: str) -> None:
    """The policy file's name, then the field path in it, then what is wrong."""
    cluster = write(tmp_path, "c.yaml", ROOMY)
    path = write(tmp_path, "p.yaml", policy)
    code, out, err = run(["check", "-f", str(cluster), "--policy", str(path)])
    assert code == 1 and out == ""
    assert err.startswith(f"error: {path}: {message}")


@pytest.mark.parametrize(
    "args",
    [
        [],  # neither -f nor --cluster
        ["--cluster", "nameonly"],
        ["-f", "{c}", "--cluster", "x={c}"],
        ["-f", "{c}", "--jobs", "0"],
        ["-f", "{c}", "--jobs", "2", "--dask-scheduler", "tcp://127.0.0.1:1"],
        ["--cluster", "x={c}", "--cluster", "x={c}"],
        ["-f", "{c}", "--dask-scheduler", "notanaddress"],  # no port: refused before connecting
        ["-f", "{c}", "--dask-scheduler", "foo://host:8786"],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    cluster = str(write(tmp_path, "c.yaml", ROOMY))
    code, _, _ = run(["check", *[a.replace("{c}", cluster) for a in args]])
    assert code == 2


def test_json_report_is_the_same_bytes_with_one_or_two_processes(tmp_path: Path) -> None:
    cluster = str(write(tmp_path, "tight.yaml", TIGHT))
    _, one, _ = run(["check", "-f", cluster, "-o", "json", "--jobs", "1"])
    _, two, _ = run(["check", "-f", cluster, "-o", "json", "--jobs", "2"])
    assert one == two
    report = json.loads(one)
    assert (report["apiVersion"], report["kind"], report["passed"]) == (
        "podfit/v1",
        "CheckReport",
        False,
    )
    _, as_yaml, _ = run(["check", "-f", cluster, "-o", "yaml", "--jobs", "1"])
    assert yaml.safe_load(as_yaml) == report


def test_junit_has_one_testcase_per_variant_and_validates_against_the_junit_schema(
    tmp_path: Path,
) -> None:
    cluster = str(write(tmp_path, "tight.yaml", TIGHT))
    junit = tmp_path / "out" / "junit.xml"
    junit.parent.mkdir()
    code, _, _ = run(["check", "-f", cluster, "--junit", str(junit), "--jobs", "1"])
    assert code == 3
    schema = xmlschema.XMLSchema(DATA / "junit.xsd")
    schema.validate(str(junit))
    doc = schema.to_dict(str(junit))
    assert isinstance(doc, dict)
    [suite] = doc["testsuite"]
    assert (suite["@name"], suite["@tests"], suite["@failures"]) == ("podfit check", "3", "2")
    cases = [(c["@classname"], c["@name"], "failure" in c) for c in suite["testcase"]]
    assert cases == [
        ("as-is", "as-is all-nodes", False),
        ("lose-any-node", "lose-any-node node/a", True),
        ("lose-any-node", "lose-any-node node/b", True),
    ]
    [failure] = suite["testcase"][1]["failure"]
    assert (failure["@type"], failure["@message"]) == ("Pending", "1 pod Pending, 0 violations")
    assert ": 0/1 nodes are available: 1 Insufficient cpu." in failure["$"]


def test_the_schema_rejects_what_ci_servers_reject() -> None:
    """The schema is not vacuous: a testsuite without its counts is invalid."""
    schema = xmlschema.XMLSchema(DATA / "junit.xsd")
    assert not schema.is_valid(
        '<testsuites><testsuite name="x"><testcase name="t"/></testsuite></testsuites>'
    )
    assert schema.is_valid(
        '<testsuites><testsuite name="x" tests="1" failures="0" errors="0">'
        '<testcase name="t"/></testsuite></testsuites>'
    )


def test_baseline_lists_new_failures_fixed_ones_and_newly_pending_pods(tmp_path: Path) -> None:
    roomy = str(write(tmp_path, "roomy.yaml", ROOMY))
    before = write(
        tmp_path, "before.json", run(["check", "-f", roomy, "-o", "json", "--jobs", "1"])[1]
    )
    # the change: web grows to 1500m, node c goes away
    tight = str(write(tmp_path, "tight.yaml", TIGHT))
    code, out, _ = run(
        ["check", "-f", tight, "-o", "json", "--jobs", "1", "--baseline", str(before)]
    )
    assert code == 3
    baseline = json.loads(out)["baseline"]
    assert baseline["newFailures"] == ["lose-any-node node/a", "lose-any-node node/b"]
    assert baseline["fixed"] == []
    assert [p["variant"] for p in baseline["newlyPending"]] == [
        "lose-any-node node/a",
        "lose-any-node node/b",
    ]
    # and back: the failures are fixed
    after = write(tmp_path, "after.json", out)
    code, out, _ = run(["check", "-f", roomy, "--jobs", "1", "--baseline", str(after)])
    assert code == 0
    assert "since the baseline: 0 new failures, 2 fixed, 0 pods newly Pending" in out


def test_a_baseline_that_is_not_a_check_report_is_bad_input(tmp_path: Path) -> None:
    cluster = str(write(tmp_path, "c.yaml", ROOMY))
    bad = write(tmp_path, "b.json", '{"apiVersion": "podfit/v1", "kind": "ScheduleResult"}')
    code, _, err = run(["check", "-f", cluster, "--baseline", str(bad)])
    assert code == 1
    assert err == (
        "error: --baseline: is not a podfit/v1 CheckReport "
        "(the JSON that podfit check -o json writes)\n"
    )


def test_several_clusters_are_named_in_the_report(tmp_path: Path) -> None:
    roomy = write(tmp_path, "roomy.yaml", ROOMY)
    tight = write(tmp_path, "tight.yaml", TIGHT)
    code, out, _ = run(
        [
            "check",
            "--cluster",
            f"prod={roomy}",
            "--cluster",
            f"edge={tight}",
            "-o",
            "json",
            "--jobs",
            "2",
        ]
    )
    assert code == 3
    report = json.loads(out)
    assert [(s["cluster"], s["name"], s["passed"]) for s in report["scenarios"]] == [
        ("prod", "as-is", True),
        ("prod", "lose-any-node", True),
        ("edge", "as-is", True),
        ("edge", "lose-any-node", False),
    ]


def test_a_missing_cluster_path_is_bad_input(tmp_path: Path) -> None:
    code, _, err = run(["check", "--cluster", f"prod={tmp_path / 'nope.yaml'}"])
    assert code == 1
    assert err.startswith("error: --cluster prod=")


def test_the_pre_commit_hook_runs_podfit_check() -> None:
    [hook] = yaml.safe_load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "podfit-check"
    assert hook["entry"].split()[:2] == ["podfit", "check"]
    assert hook["pass_filenames"] is False


HPA_AND_PDB = """
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 5
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 3
  selector: {matchLabels: {app: web}}
"""


def test_hpas_and_pdbs_come_from_the_manifests(tmp_path: Path) -> None:
    """The default policy gains hpa-max from the HPA; the PDB (minAvailable 3 of 3) makes
    every drain that evicts a web pod fail."""
    cluster = write(tmp_path, "c.yaml", ROOMY + HPA_AND_PDB)
    code, out, _ = run(["check", "-f", str(cluster), "-o", "json", "--jobs", "1"])
    assert code == 3
    report = json.loads(out)
    by_name = {s["name"]: s for s in report["scenarios"]}
    assert list(by_name) == ["as-is", "hpa-max", "lose-any-node"]
    assert by_name["hpa-max"]["passed"] is True  # 5 × 1 cpu fit 3 × 4 cpu
    types = {
        v["name"]: [x["type"] for x in v["violations"]]
        for v in by_name["lose-any-node"]["variants"]
    }
    assert types == {
        "node/a": ["PodDisruptionBudget"],
        "node/b": ["PodDisruptionBudget"],
        "node/c": ["PodDisruptionBudget"],
    }


def test_the_scheduler_options_are_those_of_podfit_schedule(tmp_path: Path) -> None:
    """--version 1.33 (no DynamicResources plugin) changes the FailedScheduling text as it
    does for podfit schedule."""
    cluster = str(write(tmp_path, "tight.yaml", TIGHT))
    _, default, _ = run(["check", "-f", cluster, "--jobs", "1"])
    _, old, _ = run(["check", "-f", cluster, "--jobs", "1", "--version", "1.33"])
    assert "Insufficient cpu. no new claims to deallocate, preemption:" in default
    assert "Insufficient cpu. preemption:" in old


def test_hpa_max_scales_a_live_deployment_through_its_replicaset() -> None:
    """Running pods owned by the Deployment's ReplicaSet are the HPA target's replicas:
    at 5 (from 2), 5 × 1 cpu on one 4-cpu node leaves one Pending; at 1 the other goes."""
    code, out, _ = run(
        ["check", "-f", str(DATA / "live-snapshot.yaml"), "-o", "json", "--jobs", "1"]
    )
    assert code == 3
    by_name = {s["name"]: s for s in json.loads(out)["scenarios"]}
    [peak] = by_name["hpa-max"]["variants"]
    assert [p["name"] for p in peak["pending"]] == ["web-hpa-2"]
    assert by_name["as-is"]["passed"] is True
