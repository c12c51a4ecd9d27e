"""``podfit requests`` and ``podfit nodes`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from podfit.cli import main


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_requests_json_has_the_documented_shape(fixtures_dir: Path) -> None:
    code, out, _ = run("requests", "-f", str(fixtures_dir / "pod-downward-api.yaml"), "-o", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"pods", "total", "skipped"}
    (pod,) = data["pods"]
    assert set(pod) >= {
        "namespace",
        "name",
        "owner",
        "requests",
        "limits",
        "qosClass",
        "explain",
        "containers",
    }
    assert pod["requests"] == {"cpu": "100m", "memory": "100M"}
    assert pod["limits"] == {"cpu": "500m", "memory": "500M"}
    assert pod["qosClass"] == "Burstable"
    env = pod["containers"][0]["env"]
    assert (env["CPU_REQUEST"], env["CPU_LIMIT"]) == ("1", "1")  # the seed example
    assert data["total"]["requests"] == {"cpu": "100m", "memory": "100M"}


def test_requests_totals_over_several_files_and_skipped_kinds(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    extra = tmp_path / "svc.yaml"
    extra.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: web}\n")
    code, out, _ = run(
        "requests",
        "-f",
        str(fixtures_dir / "workloads" / "online-boutique.yaml"),
        "-f",
        str(extra),
        "-o",
        "yaml",
    )
    assert code == 0
    data = yaml.safe_load(out)
    # 1570m / 1368Mi: derivation in test_manifests.test_online_boutique_totals
    assert data["total"] == {
        "requests": {"cpu": "1570m", "memory": "1368Mi"},
        "limits": {"cpu": "2825m", "memory": "2542Mi"},
        "pods": 12,
    }
    assert data["skipped"][0]["kind"] == "Service"


def test_requests_reads_stdin_and_marks_terminal_pods() -> None:
    pods = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": name, "namespace": "ns"},
                "spec": {"nodeName": "n1", "containers": [{"name": "c", "resources": res}]},
                "status": {"phase": phase},
            }
            for name, phase, res in (
                ("a", "Running", {"requests": {"cpu": "1"}}),
                ("b", "Succeeded", {"requests": {"cpu": "2"}}),
            )
        ],
    }
    code, out, _ = run("requests", "-f", "-", "-o", "json", stdin=json.dumps(pods))
    assert code == 0
    data = json.loads(out)
    assert [(p["name"], p["counted"], p["phase"]) for p in data["pods"]] == [
        ("a", True, "Running"),
        ("b", False, "Succeeded"),
    ]
    assert data["total"]["requests"] == {"cpu": "1"} and data["total"]["pods"] == 1


def test_requests_table_shows_owner_qos_reason_and_env(fixtures_dir: Path) -> None:
    code, out, _ = run(
        "requests",
        "-f",
        str(fixtures_dir / "pod-combined.yaml"),
        "-f",
        str(fixtures_dir / "workloads" / "helm-prometheus.yaml"),
    )
    assert code == 0
    assert "NAMESPACE" in out and "QOS" in out
    assert 'cpu: init container "migrate"' in out
    assert "StatefulSet/prometheus-alertmanager" in out
    assert "CPU_REQUEST=1" in out
    assert "DaemonSets" in out and "prometheus-prometheus-node-exporter" in out


def test_requests_errors_name_the_field_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "  - {name: a}\n  - {name: b, resources: {requests: {cpu: '-1'}}}\n"
    )
    code, out, err = run("requests", "-f", str(bad))
    assert code == 1 and out == ""
    assert "error: spec.containers[1].resources.requests.cpu: -1: must be greater" in err


def test_missing_file_is_a_usage_or_input_error(tmp_path: Path) -> None:
    code, _, err = run("requests", "-f", str(tmp_path / "nope.yaml"))
    assert code == 1 and "cannot read" in err


def test_nodes_from_a_file_and_a_preset_with_the_calculation(fixtures_dir: Path) -> None:
    code, out, _ = run(
        "nodes",
        "-f",
        str(fixtures_dir / "nodes-small.yaml"),
        "--preset",
        "gke/e2-standard-4",
        "--count",
        "2",
        "-o",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    names = [n["name"] for n in data["nodes"]]
    assert names == ["general-0", "general-1", "big", "gpu-0", "e2-standard-4-0", "e2-standard-4-1"]
    assert data["nodes"][0]["allocatable"] == {"cpu": "1930m", "memory": "6966Mi", "pods": "29"}
    (preset,) = data["presets"]
    terms = [(r["resource"], r["term"]) for r in preset["calculation"]]
    assert ("memory", "− kube-reserved") in terms and ("memory", "− eviction threshold") in terms


def test_nodes_table_and_errors() -> None:
    code, out, _ = run("nodes", "--preset", "aws/m5.large")
    assert code == 0 and "m5.large   1.93   6.8Gi" in out and "= allocatable" in out
    code, _, err = run("nodes", "--preset", "aws/m5.larg")
    assert code == 1 and 'unknown node preset "aws/m5.larg"' in err
    code, _, _ = run("nodes")
    assert code == 2
    code, out, _ = run("nodes", "--list-presets")
    assert code == 0 and "aws/m5.large" in out.split()


def test_an_unreadable_or_endless_file_is_named_once(tmp_path: Path) -> None:
    """The error line is ``error: <file>: <message>``: the file is the error's path and is
    not repeated in the message (it used to read ``/dev/zero: /dev/zero: larger ...``)."""
    missing = tmp_path / "nope.yaml"
    code, _, err = run("requests", "-f", str(missing))
    assert code == 1
    assert err == f"error: {missing}: cannot read the file: No such file or directory\n"
    code, _, err = run("requests", "-f", "/dev/zero")
    assert code == 1
    assert err.count("/dev/zero") == 1
    assert err.startswith("error: /dev/zero: larger than ") and err.endswith(" bytes\n")
