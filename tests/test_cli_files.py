"""Every subcommand reads ``-f`` the same way (podfit.cli.params.load_files): each name is
a file, directory or ``-``, never manifest text; the loader's warnings reach stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from podfit.cli import main

NODE = (
    "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus:\n"
    "  allocatable: {cpu: '2', memory: 4Gi, pods: '110'}\n"
)
POD = (
    "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  priorityClassName: gold\n"
    "  containers:\n  - name: c\n    resources: {requests: {cpu: 100m}}\n"
)
COMMANDS = [
    ["schedule"],
    ["requests"],
    ["plan", "fit", "-t", "{pod}"],
    ["plan", "nodes", "-s", "aws/m5.large"],
    ["plan", "drain", "--node", "n1"],
]


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.stdout, result.stderr


def run_on(tmp_path: Path, command: list[str], given: Path, content: str) -> tuple[int, str, str]:
    """``command -f given`` with ``given`` holding ``content`` (``{pod}`` in the command is a
    file with one Pod, for ``plan fit -t``)."""
    given.write_text(content, encoding="utf-8")
    template = tmp_path / "template.yaml"
    template.write_text(POD, encoding="utf-8")
    args = [a.replace("{pod}", str(template)) for a in command]
    return run([*args, "-f", str(given)])


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_file_name_that_looks_like_json_is_still_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """`-f '[cluster].yaml'` and `-t '{pod}.yaml'` are files, not inline manifest text."""
    monkeypatch.chdir(tmp_path)
    Path("[cluster].yaml").write_text(NODE + "---\n" + POD, encoding="utf-8")
    Path("{pod}.yaml").write_text(POD.replace("web", "extra"), encoding="utf-8")
    args = [a.replace("{pod}", "{pod}.yaml") for a in command]
    code, out, err = run([*args, "-f", "[cluster].yaml", "-o", "json"])
    assert code == 0, err
    assert json.loads(out)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_loader_warnings_are_never_dropped(tmp_path: Path, command: list[str]) -> None:
    """A missing PriorityClass is assumed priority 0 and every subcommand says so."""
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text(NODE + "---\n" + POD, encoding="utf-8")
    template = tmp_path / "template.yaml"
    template.write_text(POD.replace("web", "extra"), encoding="utf-8")
    args = [a.replace("{pod}", str(template)) for a in command]
    code, out, err = run([*args, "-f", str(cluster)])
    assert code == 0, err
    assert 'PriorityClass "gold" not in the input' in out + err


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "no such file"),  # a missing file
        (b"\xff\xfe\x00junk", "UTF-8"),  # not UTF-8
        (b"kind: Pod\n\tmetadata: {}\n", "tab"),  # YAML indented with a tab
        (b"- 1\n- 2\n", "expected an object"),
    ],
)
def test_unreadable_input_is_one_error_line_not_a_traceback(
    tmp_path: Path, command: list[str], content: bytes | None, fragment: str
) -> None:
    bad = tmp_path / "bad.yaml"
    if content is not None:
        bad.write_bytes(content)
    template = tmp_path / "template.yaml"
    template.write_text(POD, encoding="utf-8")
    args = [a.replace("{pod}", str(template)) for a in command]
    result = CliRunner().invoke(main, [*args, "-f", str(bad)])
    assert result.exit_code in (1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert fragment.lower() in result.stderr.lower()
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_directory_without_manifests_is_an_error_not_an_empty_input(
    tmp_path: Path, command: list[str]
) -> None:
    """Like `kubectl apply -f DIR` ("no objects passed"): exit 1 naming the directory."""
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a manifest", encoding="utf-8")
    template = tmp_path / "template.yaml"
    template.write_text(POD, encoding="utf-8")
    args = [a.replace("{pod}", str(template)) for a in command]
    code, _, err = run([*args, "-f", str(empty)])
    assert code == 1
    assert f"error: {empty}: the directory holds no manifest file" in err


@pytest.mark.parametrize("command", [*COMMANDS, ["nodes"]], ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("content", ["", "\n", "# only a comment\n---\n"])
def test_input_without_any_object_is_an_error_naming_the_file(
    tmp_path: Path, command: list[str], content: str
) -> None:
    """Like the API's 422 "the body holds no document": exit 1, not "0 of 0 pods"."""
    empty = tmp_path / "empty.yaml"
    code, _, err = run_on(tmp_path, command, empty, content)
    assert code == 1
    assert err == f"error: {empty}: the input holds no object (it is empty or only comments)\n"


def test_nodes_reads_a_directory_and_reports_the_loader_warnings(tmp_path: Path) -> None:
    """`podfit nodes -f DIR` reads DIR's manifests like every other subcommand, and the
    loader's warnings reach stderr."""
    (tmp_path / "cluster.yaml").write_text(NODE + "---\n" + POD, encoding="utf-8")
    code, out, err = run(["nodes", "-f", str(tmp_path), "-o", "json"])
    assert code == 0, err
    assert [n["name"] for n in json.loads(out)["nodes"]] == ["n1"]
    assert 'PriorityClass "gold" not in the input' in err


@pytest.mark.parametrize(
    "command",
    [*(c for c in COMMANDS if "drain" not in c), ["nodes"]],  # drain needs node n1
    ids=lambda c: " ".join(c[:2]),
)
@pytest.mark.parametrize(
    "content",
    [
        '{"apiVersion": "v1", "kind": "List", "items": []}',  # kubectl get pods -o json, none
        "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\n"
        "value: 1000\n",
    ],
)
def test_input_holding_objects_but_no_pods_is_read(
    tmp_path: Path, command: list[str], content: str
) -> None:
    """An empty List or a file of PriorityClasses holds objects: no error, as in the API."""
    code, _, err = run_on(tmp_path, command, tmp_path / "objects.yaml", content)
    assert code == 0, err
    assert "holds no object" not in err
