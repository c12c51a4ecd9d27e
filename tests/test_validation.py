"""Strict validation as ``kubectl --validate=strict`` (podfit.manifests.validation): an
unknown kind of a built-in group and an unknown field are errors naming the file, the
document, the field path and the nearest known name; ``warn`` and ``ignore`` as kubectl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from podfit.cli import main
from podfit.errors import ManifestError
from podfit.manifests import load_objects, load_text
from podfit.manifests.validation import load_schema, nearest, unknown_fields

NODE = """\
apiVersion: v1
kind: Node
metadata: {name: n1}
status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}}
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: nginx
        resources: {requests: {cpu: 500m}}
"""


def errors_of(text: str, name: str = "app.yaml") -> list[tuple[str, str]]:
    with pytest.raises(ManifestError) as info:
        load_text(text, name)
    return [(e.path, e.message) for e in info.value.errors]


def test_a_misspelt_kind_of_a_built_in_group_is_an_error() -> None:
    """The issue's case: ``apps/v1 Deploymnet`` gave "0 of 0 pods scheduled" and exit 0.
    Now: kubectl's "no matches for kind" with the nearest kind, the file and document."""
    text = NODE + "---\n" + DEPLOYMENT.replace("kind: Deployment", "kind: Deploymnet")
    assert errors_of(text) == [
        (
            "kind",
            'no matches for kind "Deploymnet" in version "apps/v1" (did you mean '
            '"Deployment"?) (in Deploymnet web, app.yaml document 2)',
        )
    ]


def test_a_misspelt_field_is_an_error_with_the_nearest_name() -> None:
    """The issue's case: ``resource:`` for ``resources:`` made the pod BestEffort. Now:
    kubectl's strict decoding text (``unknown field "<path>"``) and the nearest name."""
    text = DEPLOYMENT.replace("resources: {", "resource: {")
    assert errors_of(text) == [
        (
            "spec.template.spec.containers[0].resource",
            'unknown field "spec.template.spec.containers[0].resource" (did you mean '
            '"resources"?) (in Deployment web, app.yaml)',
        )
    ]


def test_every_unknown_field_of_a_document_is_reported() -> None:
    text = DEPLOYMENT.replace("replicas: 2", "replica: 2").replace(
        "metadata: {name", "metdata: {name"
    )
    paths = [p for p, _ in errors_of(text)]
    assert paths[:2] == ["metdata", "spec.replica"]  # then: metadata.name Required value


def test_an_api_version_that_does_not_serve_the_kind_names_the_one_that_does() -> None:
    """Deployments left apps/v1beta1 in 1.16: the 1.34 schema has them in apps/v1 only."""
    text = DEPLOYMENT.replace("apps/v1", "apps/v1beta1")
    assert errors_of(text)[0] == (
        "kind",
        'no matches for kind "Deployment" in version "apps/v1beta1" (served as apps/v1) '
        "(in Deployment web, app.yaml)",
    )


def test_warn_mode_reports_the_same_findings_as_warnings() -> None:
    """``--validate=warn``: the object is read as written (the misspelt field ignored)."""
    wl = load_text(DEPLOYMENT.replace("resources: {", "resource: {"), "app.yaml", validate="warn")
    assert len(wl.pods) == 2
    assert wl.warnings == [
        "Deployment web, app.yaml: spec.template.spec.containers[0].resource: "
        'unknown field "spec.template.spec.containers[0].resource" (did you mean "resources"?)'
    ]


def test_ignore_mode_checks_nothing() -> None:
    wl = load_text(DEPLOYMENT.replace("resources: {", "resource: {"), validate="ignore")
    assert len(wl.pods) == 2 and wl.warnings == []


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ManifestError, match='Unsupported value: "loose"'):
        load_text(DEPLOYMENT, validate="loose")


def test_custom_resources_are_skipped_with_one_line_naming_kinds_and_counts() -> None:
    """Groups that are not built in are never errors: one line names kinds and counts."""
    cert = {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "c"}}
    issuer = {"apiVersion": "cert-manager.io/v1", "kind": "Issuer", "metadata": {"name": "i"}}
    wl = load_objects([cert, {**cert, "metadata": {"name": "d"}}, issuer])
    assert wl.warnings == [
        "custom resources not validated: 2 Certificate (cert-manager.io/v1), "
        "1 Issuer (cert-manager.io/v1)"
    ]
    assert [s.kind for s in wl.skipped] == ["Certificate", "Certificate", "Issuer"]


def test_status_and_server_fields_of_a_dump_are_known() -> None:
    """``kubectl get -o json`` output (managedFields, status, ownerReferences) is valid."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "p",
            "uid": "u",
            "resourceVersion": "1",
            "managedFields": [
                {"manager": "kubectl", "operation": "Update", "fieldsV1": {"f:x": {}}}
            ],
            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "n", "uid": "x"}],
        },
        "spec": {"containers": [{"name": "c", "image": "i"}], "nodeName": "n1"},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
    }
    assert len(load_objects([pod]).pods) == 1


def test_free_form_fields_are_not_descended() -> None:
    """Labels, annotations and other maps of strings take any key."""
    schema = load_schema("1.34")
    obj = {"metadata": {"labels": {"anything": "x"}, "annotations": {"a/b": "c"}}}
    assert unknown_fields(schema, obj, schema.kinds["v1"]["ConfigMap"]) == []


def test_nearest_prefers_a_case_insensitive_match() -> None:
    assert nearest("pod", ["Pod", "PodTemplate"]) == "Pod"
    assert nearest("zzz", ["Pod"]) is None


def test_cli_exits_non_zero_on_a_misspelt_kind(tmp_path: Path) -> None:
    """A CI check no longer passes falsely: exit != 0, the message on stderr."""
    path = tmp_path / "app.yaml"
    path.write_text(NODE + "---\n" + DEPLOYMENT.replace("kind: Deployment", "kind: Deploymnet"))
    result = CliRunner().invoke(main, ["schedule", "-f", str(path), "--fail-on-pending"])
    assert result.exit_code not in (0, 3)
    assert 'no matches for kind "Deploymnet" in version "apps/v1"' in result.stderr


# --- the switch on every surface: CLI --validate, HTTP ?validate= / envelope, web form -------

TYPO_POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p"},
    "spec": {"containers": [{"name": "c", "resource": {"requests": {"cpu": "1"}}}]},
}
FINDING = 'unknown field "spec.containers[0].resource" (did you mean "resources"?)'


@pytest.mark.parametrize(("mode", "code"), [("strict", 1), ("warn", 0), ("ignore", 0)])
def test_cli_validate_option(tmp_path: Path, mode: str, code: int) -> None:
    """``--validate`` as kubectl's: strict fails, warn prints the finding, ignore is silent."""
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(TYPO_POD))
    result = CliRunner().invoke(main, ["requests", "-f", str(path), "--validate", mode])
    assert (result.exit_code != 0) == (code != 0), result.output
    assert (FINDING in result.output) == (mode != "ignore")


def test_http_validate_query_and_envelope_field(client: FlaskClient) -> None:
    """Strict by default (422); ``?validate=warn`` or ``"validate": "warn"`` in the envelope
    make the finding a warning; the query overrides the field; another value is a 422."""
    strict = client.post("/v1/requests", json={"pods": [TYPO_POD]})
    assert strict.status_code == 422
    assert FINDING in strict.json["detail"]
    warned = client.post("/v1/requests?validate=warn", json={"pods": [TYPO_POD]})
    assert warned.status_code == 200
    assert any(FINDING in w for w in warned.json["warnings"])
    body = {"pods": [TYPO_POD], "nodes": [], "validate": "ignore"}
    assert client.post("/v1/schedule", json=body).json["warnings"] == []
    assert client.post("/v1/schedule?validate=strict", json=body).status_code == 422
    bad = client.post("/v1/schedule", json={**body, "validate": "loose"})
    assert bad.status_code == 422
    assert bad.json["errors"][0]["path"] == "validate"


def test_web_form_validate_choice(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<select name="validate" id="validate">' in page
    text = json.dumps(TYPO_POD)
    strict = client.post("/", data={"workloads": text})
    assert strict.status_code == 422
    warned = client.post("/", data={"workloads": text, "validate": "warn"})
    assert warned.status_code == 200


# --- integer fields: only an integer literal of the field's size decodes ---------------------


def spread(max_skew: str) -> str:
    return (
        '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {'
        '"containers": [{"name": "c"}], "topologySpreadConstraints": [{"maxSkew": '
        + max_skew
        + ', "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}]}}'
    )


@pytest.mark.parametrize(
    ("value", "what"),
    [("1e400", "number 1e400"), ("2147483648", "number 2147483648"), ("1.5", "number 1.5"),
     ('"1"', "string")],
)  # fmt: skip
def test_integer_fields_decode_as_the_api_server_decodes_them(value: str, what: str) -> None:
    """Issue 17: ``maxSkew: 1e400`` was accepted. The API server's JSON decoder refuses it
    with Go's text (struct name, field path without list indices, Go type)."""
    with pytest.raises(ManifestError) as info:
        load_text(spread(value))
    (error,) = info.value.errors
    assert error.path == "spec.topologySpreadConstraints[0].maxSkew"
    assert error.message.startswith(
        f"json: cannot unmarshal {what} into Go struct field "
        "TopologySpreadConstraint.spec.topologySpreadConstraints.maxSkew of type int32"
    )


def test_decoding_errors_stay_errors_in_warn_mode() -> None:
    """``--validate=warn`` softens unknown fields, not values the server cannot decode."""
    with pytest.raises(ManifestError, match="cannot unmarshal number 1e400"):
        load_text(spread("1e400"), validate="warn")
    assert len(load_text(spread("2147483647")).pods) == 1


def test_the_readers_own_text_gives_way_to_the_decoding_error() -> None:
    """One error per field: the decoder's (the API server stops there)."""
    pod = spread("1").replace('"containers"', '"priority": 1e400, "containers"')
    with pytest.raises(ManifestError) as info:
        load_text(pod)
    assert [(e.path, e.message.split(" (in ")[0]) for e in info.value.errors] == [
        (
            "spec.priority",
            "json: cannot unmarshal number 1e400 into Go struct field PodSpec.spec.priority "
            "of type int32",
        )
    ]


@pytest.mark.parametrize(
    "command",
    [
        ["schedule"],
        ["plan", "fit", "-t", "{path}"],
        ["plan", "nodes", "-s", "aws/m5.large"],
        ["plan", "drain", "--any-node"],
        ["plan", "consolidate"],
    ],
)
def test_every_command_reading_manifests_takes_validate(tmp_path: Path, command: list[str]) -> None:
    """The switch is on every command that reads manifests: strict refuses the misspelt
    field (exit 1); with warn the finding is no error (the command goes on)."""
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(TYPO_POD))
    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "n1"},
        "status": {"allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"}},
    }
    nodes = tmp_path / "nodes.json"
    nodes.write_text(json.dumps(node))
    args = [a.replace("{path}", str(path)) for a in command] + ["-f", str(path), "-f", str(nodes)]
    strict = CliRunner().invoke(main, [*args, "--validate", "strict"])
    assert strict.exit_code == 1 and FINDING in strict.output, strict.output
    warn = CliRunner().invoke(main, [*args, "--validate", "warn"])
    assert "no such option" not in warn.output, warn.output
    assert "error: spec.containers[0].resource" not in warn.output, warn.output
