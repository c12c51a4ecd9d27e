"""``POST /v1/check``: the CLI's policy and report over HTTP — 200 with the CheckReport
whether it passes or not, a bad policy a 422 naming ``policy.<path>``, the same bytes as
``podfit check -o json`` for the same cluster."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from flask.testing import FlaskClient

from podfit.cli import main

ROOT = Path(__file__).parent.parent
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
EXAMPLE: dict[str, Any] = SPEC["paths"]["/v1/check"]["post"]["requestBody"]["content"][
    "application/json"
]["examples"]["zoneAtPeak"]["value"]


def test_the_example_fails_only_the_zone_loss_at_peak(client: FlaskClient) -> None:
    response = client.post("/v1/check", json=EXAMPLE)
    assert response.status_code == 200
    report = response.json
    assert report is not None and report["passed"] is False
    failing = [
        (s["name"], v["name"], len(v["pending"]))
        for s in report["scenarios"]
        for v in s["variants"]
        if not v["passed"]
    ]
    # at peak 6 × 1 cpu; zone a gone leaves b1's 4 cpu: two Pending
    assert failing == [("lose-a-zone-at-peak", "zone/a", 2)]


def test_the_answer_is_the_clis_json_report(client: FlaskClient, tmp_path: Path) -> None:
    files = {
        "nodes.json": {"nodes": EXAMPLE["nodes"]},  # compact nodes
        "objects.json": EXAMPLE["pods"],  # a JSON array of objects
        "policy.json": EXAMPLE["policy"],
    }
    for name, doc in files.items():
        (tmp_path / name).write_text(json.dumps(doc), encoding="utf-8")
    nodes, objects, policy = (str(tmp_path / name) for name in files)
    cli = CliRunner().invoke(
        main,
        ["check", "-f", nodes, "-f", objects, "--policy", policy, "-o", "json", "--jobs", "1"],
    )
    assert cli.exit_code == 3
    http = client.post("/v1/check", json=EXAMPLE).json
    assert http is not None
    local = json.loads(cli.stdout)
    # the warnings name where each object was read: the body's path or the file
    assert http.pop("warnings")[0].startswith("HorizontalPodAutoscaler default/web (pods[1])")
    assert local.pop("warnings")[0].endswith(
        "objects.json [1]) skipped: creates no pods; read: scales Deployment/web between 2 and 6"
    )
    assert http == local


def test_without_a_policy_the_default_one_runs(client: FlaskClient) -> None:
    body = {k: v for k, v in EXAMPLE.items() if k != "policy"}
    report = client.post("/v1/check", json=body).json
    assert report is not None
    assert [s["name"] for s in report["scenarios"]] == ["as-is", "hpa-max", "lose-any-node"]


def test_a_bad_policy_is_422_naming_the_field(client: FlaskClient) -> None:
    body = dict(EXAMPLE)
    body["policy"] = {
        "apiVersion": "podfit/v1",
        "kind": "CheckPolicy",
        "scenarios": [
            {"name": "x", "maxRequested": {"cpu": "0%"}},
            {"name": "y", "remove": {"nodes": ["zz"]}},
        ],
    }
    response = client.post("/v1/check", json=body)
    assert response.status_code == 422
    problem = response.json
    assert problem is not None
    assert [(e["path"], e["message"]) for e in problem["errors"]] == [
        ("policy.scenarios[0].maxRequested.cpu", "must be above 0% and at most 100%, not 0%")
    ]
    body["policy"]["scenarios"] = [{"name": "y", "remove": {"nodes": ["zz"]}}]
    response = client.post("/v1/check", json=body)
    assert response.status_code == 422
    assert response.json is not None
    assert response.json["errors"][0]["path"] == "policy.scenarios[0].remove.nodes[0]"


def test_a_baseline_is_compared(client: FlaskClient) -> None:
    before = client.post("/v1/check", json=EXAMPLE).json
    body = dict(EXAMPLE, baseline=before)
    report = client.post("/v1/check", json=body).json
    assert report is not None
    assert report["baseline"] == {"newFailures": [], "fixed": [], "newlyPending": []}
    bad = client.post("/v1/check", json=dict(EXAMPLE, baseline={"kind": "Nope"}))
    assert bad.status_code == 422


def test_the_scheduler_options_of_the_envelope_apply(client: FlaskClient) -> None:
    report = client.post("/v1/check", json=dict(EXAMPLE, kubernetesVersion="1.33")).json
    assert report is not None
    [pending, *_] = [p for s in report["scenarios"] for v in s["variants"] for p in v["pending"]]
    assert "no new claims to deallocate" not in pending["message"]
    bad = client.post("/v1/check", json=dict(EXAMPLE, strategy="Nope"))
    assert bad.status_code == 422
    assert bad.json is not None and bad.json["errors"][0]["path"] == "strategy"


def test_the_time_limit_is_checked_between_the_chunks_of_variants(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long check answers 503 once PODFIT_REQUEST_TIME_LIMIT is used up, not later:
    the view checks the clock after every chunk of variants."""
    phases: list[str] = []
    monkeypatch.setattr("podfit.http.check.check_time", phases.append)
    assert client.post("/v1/check", json=EXAMPLE).status_code == 200
    tasks = phases.count("running the check's variants")
    assert phases[:2] == ["reading the body", "loading the manifests"]
    assert tasks == 4  # four variants (as-is, zone/a, zone/b, headroom), one per chunk here


def _misspelt_field() -> dict[str, Any]:
    body = json.loads(json.dumps(EXAMPLE))
    container = body["pods"][0]["spec"]["template"]["spec"]["containers"][0]
    container["resource"] = container.pop("resources")  # the misspelling of issue 13
    return body


@pytest.mark.parametrize(
    ("query", "field", "status"),
    [("", None, 422), ("?validate=warn", None, 200), ("", "ignore", 200)],
)
def test_validate_is_strict_by_default_and_switchable_like_schedule(
    client: FlaskClient, query: str, field: str | None, status: int
) -> None:
    """``/v1/check`` takes ``validate`` in the query and the envelope, like ``/v1/schedule``:
    an unknown field is a 422 by default, read as written with ``warn`` or ``ignore``."""
    body = _misspelt_field()
    if field is not None:
        body["validate"] = field
    response = client.post("/v1/check" + query, json=body)
    assert response.status_code == status, response.json
    if status == 422:
        assert "resource" in json.dumps(response.json)


@pytest.mark.parametrize(("mode", "code"), [("strict", 1), ("warn", 0), ("ignore", 0)])
def test_cli_check_takes_validate(tmp_path: Path, mode: str, code: int) -> None:
    """``podfit check --validate`` as the other commands: strict refuses a misspelt field."""
    body = _misspelt_field()
    path = tmp_path / "cluster.yaml"
    path.write_text(
        yaml.safe_dump_all([{"kind": "List", "apiVersion": "v1", "items": body["pods"]}])
        + "---\n"
        + yaml.safe_dump_all(
            [
                {
                    "apiVersion": "v1",
                    "kind": "Node",
                    "metadata": {"name": n["name"], "labels": n["labels"]},
                    "status": {"allocatable": n["allocatable"]},
                }
                for n in body["nodes"]
            ]
        ),
        encoding="utf-8",
    )
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "apiVersion: podfit/v1\nkind: CheckPolicy\nscenarios:\n- name: as-is\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        main, ["check", "-f", str(path), "--policy", str(policy), "--validate", mode]
    )
    assert result.exit_code == code, result.output


def test_a_baseline_with_a_malformed_pending_entry_is_refused(client: FlaskClient) -> None:
    """A baseline's pending entries must be objects: a string there is a 422 naming
    ``baseline``, never a 500 from the comparison."""
    before = client.post("/v1/check", json=EXAMPLE).json
    assert before is not None
    before["scenarios"][0]["variants"][0]["pending"] = ["web-1"]
    bad = client.post("/v1/check", json=dict(EXAMPLE, baseline=before))
    assert bad.status_code == 422
    assert bad.json is not None and bad.json["errors"][0]["path"] == "baseline"
