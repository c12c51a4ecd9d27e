"""The command line starts with what the command uses: ``--help`` and completion come from
one table (each command's own short help, none imported), and the process (``python -m
podfit``) exits with the command's code and its whole output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from podfit.cli import _COMMANDS, _short_help, main
from podfit.cli.output import _float_forms

SERVICE = Path(__file__).resolve().parent.parent / "service"


def _python(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SERVICE), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, input=stdin, check=False
    )


@pytest.mark.parametrize("name", sorted(_COMMANDS))
def test_the_table_holds_each_commands_own_short_help(name: str) -> None:
    """The table's text is the first paragraph of the command's help: click shortens both
    alike, at any width."""
    command = main.get_command(click.Context(main), name)
    assert command is not None and command.help is not None
    assert _COMMANDS[name][1] == command.help.split("\n\n")[0].strip()
    for limit in (20, 45, 60, 200):
        assert _short_help(name, limit) == command.get_short_help_str(limit)


def test_help_lists_every_command_without_importing_one() -> None:
    """``podfit --help`` names every command with its short help and imports none of the
    subcommand modules."""
    probe = (
        "import sys\nfrom podfit.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('podfit.')))"
    )
    out = _python("-c", probe)
    assert out.returncode == 0, out.stderr
    *help_lines, modules = out.stdout.strip().splitlines()
    assert json.loads(modules.replace("'", '"')) == ["podfit.cli"]
    listed = [line.split()[0] for line in help_lines[help_lines.index("Commands:") + 1 :]]
    assert listed == sorted(_COMMANDS)


def test_completion_offers_the_commands_with_their_short_help() -> None:
    """Shell completion of a subcommand name, as click completes a group."""
    env = {"_PODFIT_COMPLETE": "zsh_complete", "COMP_WORDS": "podfit p", "COMP_CWORD": "1"}
    result = CliRunner().invoke(main, [], prog_name="podfit", env=env)
    assert result.output.split("\n")[:3] == ["plain", "plan", _short_help("plan")]


def test_the_process_exits_with_the_commands_code_and_whole_output(tmp_path: Path) -> None:
    """``python -m podfit`` (run): 0 with the full document on stdout, 1 for bad input
    (the message on stderr), 2 for a usage error."""
    manifest = tmp_path / "web.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
        "  replicas: 300\n  selector: {matchLabels: {app: web}}\n  template:\n"
        "    metadata: {labels: {app: web}}\n    spec:\n"
        "      containers: [{name: c, image: i, resources: {requests: {cpu: 50m}}}]\n",
        encoding="utf-8",
    )
    ok = _python(
        "-m", "podfit", "plan", "nodes", "-f", str(manifest), "-s", "s:cpu=1,pods=110", "-o", "json"
    )
    assert ok.returncode == 0, ok.stderr
    doc = json.loads(ok.stdout)
    assert doc["summary"]["best"]["nodes"] == 15  # 300 × 50m on 1-CPU nodes
    bad = _python("-m", "podfit", "plan", "nodes", "-f", str(tmp_path / "none.yaml"), "-s", "s")
    assert bad.returncode == 1 and "error:" in bad.stderr
    usage = _python("-m", "podfit", "plan", "nodes", "--no-such-option")
    assert usage.returncode == 2 and "No such option" in usage.stderr


_REGEX = re.compile(rb"[0-9][eE]|0\.0000")


@given(st.binary(max_size=24) | st.text(alphabet="0123456789eE.-+x ", max_size=24).map(str.encode))
def test_float_forms_finds_what_the_regular_expression_finds(raw: bytes) -> None:
    """The JSON writer's check for orjson's other number forms is the regular expression
    ``[0-9][eE]|0\\.0000``, byte for byte."""
    assert _float_forms(raw) == bool(_REGEX.search(raw))


def test_plan_nodes_imports_no_other_planner() -> None:
    """``plan fit`` and ``plan drain`` load their planners when they run; the constants
    their options show are the planners' own."""
    import podfit.cli.plan_cmd as plan_cmd
    from podfit.planning import fit, whatif

    assert plan_cmd._FIT_MODES == fit.MODES
    assert plan_cmd.ZONE == whatif.DEFAULT_ZONE_LABEL
    assert plan_cmd.how_many_fit is fit.how_many_fit and plan_cmd.what_if is whatif.what_if
    probe = (
        "import sys\nimport podfit.cli.plan_cmd\n"
        "print(sorted(m for m in sys.modules if m.startswith('podfit.planning.')))"
    )
    out = _python("-c", probe)
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout.replace("'", '"'))
    assert not {"podfit.planning.fit", "podfit.planning.whatif", "podfit.planning.drain"} & set(
        loaded
    )
