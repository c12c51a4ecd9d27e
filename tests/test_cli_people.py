"""The CLI for people (issue 14): human units in every table, the fill limit named when
it is what blocks a pod, one warning per kind of skipped object, ``-o name``,
``--kubernetes-version``, ``--explain`` tables, and ``--fail-on-pending`` on the plan
commands."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from podfit.cli import main

ROOT = Path(__file__).parent.parent
WEB_DATA = Path(__file__).parent / "data" / "web"
SHOP = str(WEB_DATA / "shop.yaml")
NODES = str(WEB_DATA / "nodes.yaml")


def podfit(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_plan_nodes_names_the_fill_limit_when_it_is_what_blocks_a_pod() -> None:
    """batch-huge asks 12 cpu: an empty 16-cpu node has room, 70 % of it (11.2) has not."""
    code, out, _ = podfit(
        "plan", "nodes", "-f", SHOP, "-s", "big:cpu=16,memory=64Gi,pods=110", "--headroom", "70"
    )
    assert code == 0
    assert (
        "default/batch-huge cannot be placed: does not fit an empty node: cpu request 12 is "
        "over the 70% fill limit (it allows 11.2 of the 16 free)"
    ) in out
    # a GPU the shape has none of is still the scheduler's word
    assert "default/trainer cannot be placed: does not fit an empty node: " in out
    assert "Insufficient nvidia.com/gpu" in out


def test_without_headroom_the_same_pod_fits() -> None:
    code, out, _ = podfit("plan", "nodes", "-f", SHOP, "-s", "big:cpu=16,memory=64Gi,pods=110")
    assert code == 0
    assert "batch-huge cannot be placed" not in out
    assert re.search(r"fill limit", out) is None


def test_kubernetes_version_is_the_option_name() -> None:
    code, out, err = podfit("schedule", "-f", SHOP, "-f", NODES, "--kubernetes-version", "1.33")
    assert code == 0 and err.count("deprecated") == 0
    assert "(Kubernetes 1.33," in out
    assert "--kubernetes-version" in podfit("schedule", "--help")[1]
    assert "--kubernetes-version" in podfit("plan", "nodes", "--help")[1]


def test_the_old_version_spelling_still_works_with_a_deprecation_note() -> None:
    code, out, err = podfit("schedule", "-f", SHOP, "-f", NODES, "--version", "1.33")
    assert code == 0
    assert "(Kubernetes 1.33," in out
    assert (
        "warning: --version is deprecated for the Kubernetes version; use --kubernetes-version"
        in err
    )
    help_text = podfit("schedule", "--help")[1]
    assert "--version " not in help_text.replace("--kubernetes-version", "")


def test_disagreeing_spellings_are_a_usage_error() -> None:
    args = ["schedule", "-f", SHOP, "-f", NODES, "--version", "1.33"]
    code, _, err = podfit(*args, "--kubernetes-version", "1.35")
    assert code == 2
    assert "--kubernetes-version 1.35 and --version 1.33 disagree" in err


def test_podfit_version_is_podfits_own() -> None:
    from podfit import __version__

    code, out, _ = podfit("--version")
    assert code == 0 and __version__ in out
