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


# --- human units in every table ----------------------------------------------------------------

RAW = re.compile(r"\b\d{7,}\b|\b\d{5,}(?:Ki|m)\b|\bNone\b")


def test_schedule_tables_use_the_unit_rule() -> None:
    code, out, _ = podfit("schedule", "-f", SHOP, "-f", NODES)
    assert code == 0
    assert RAW.search(out) is None, RAW.search(out)
    # placements with kube-scheduler's default spreading of the shop's Deployments
    assert re.search(r"\ngpu-1\s+4/110\s+4/7.91\s+13Gi/30Gi\s", out)  # not 4000m/7910m
    assert "cpu request 12, largest free 3.91 on gpu-1" in out


def test_requests_and_nodes_tables_use_the_unit_rule() -> None:
    code, out, _ = podfit("requests", "-f", str(ROOT / "fixtures" / "pod-combined.yaml"))
    assert code == 0
    assert "cpu=510m, memory=143.36Mi" in out  # not memory=150331648
    code, out, _ = podfit("nodes", "-f", str(ROOT / "fixtures" / "nodes-small.yaml"))
    assert code == 0
    assert re.search(r"\ngpu-0\s+3.92\s+14.66Gi\s+29\s", out)  # not 15378716Ki
    assert RAW.search(out) is None


def test_plan_tables_use_the_unit_rule() -> None:
    shape = "big:cpu=16,memory=64Gi,pods=110,nvidia.com/gpu=2"
    code, out, _ = podfit("plan", "nodes", "-f", SHOP, "-s", shape)
    assert code == 0
    assert re.search(r"\nbig-1\s+.*\s16\s+18Gi\n", out)  # a planned node's requests
    assert RAW.search(out) is None
    template = str(ROOT / "fixtures" / "pod-requests-limits.yaml")
    code, out, _ = podfit("plan", "fit", "-f", SHOP, "-f", NODES, "-t", template)
    assert code == 0
    assert RAW.search(out) is None


# --- one warning per kind of skipped object -----------------------------------------------------


def services(count: int) -> str:
    return "---\n".join(
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: svc-{i}, namespace: shop}}\n"
        "spec: {ports: [{port: 80}]}\n"
        for i in range(count)
    )


def test_a_namespace_dump_warns_once_per_kind_of_skipped_object(tmp_path: Path) -> None:
    dump = tmp_path / "dump.yaml"
    dump.write_text(
        services(12) + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"
    )
    for args in (["schedule"], ["schedule", "-o", "json"], ["plan", "drain", "--any-node"]):
        code, _, err = podfit(*args, "-f", str(dump), "-f", NODES)
        assert code == 0, err
        lines = [line for line in err.splitlines() if "skipped" in line]
        assert len(lines) == 2, (args, err)
        assert lines[0].startswith("warning: 12 Service objects skipped: creates no pods")
        assert lines[0].endswith(" (shop/svc-0, shop/svc-1, shop/svc-2 and 9 more)")
        assert lines[1] == (
            f"warning: ConfigMap default/settings ({dump} document 13) skipped: creates no pods"
        )


# --- -o name ------------------------------------------------------------------------------------


def test_o_name_prints_kind_slash_name_as_kubectl() -> None:
    code, out, _ = podfit("schedule", "-f", SHOP, "-f", NODES, "-o", "name")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 10 and all(line.startswith("pod/") for line in lines)
    assert "pod/batch-huge" in lines
    assert podfit("nodes", "-f", NODES, "-o", "name")[1] == (
        "node/general-1\nnode/general-2\nnode/gpu-1\n"
    )


# --- --fail-on-pending on the plan commands -----------------------------------------------------


def test_plan_nodes_fails_on_pending_only_when_no_shape_places_every_pod() -> None:
    fits = ["plan", "nodes", "-f", SHOP, "-f", NODES, "-s", "big:cpu=16,memory=64Gi,pods=110"]
    assert podfit(*fits, "--fail-on-pending")[0] == 0
    gpu_less = ["plan", "nodes", "-f", SHOP, "-s", "aws/m5.large", "--fail-on-pending"]
    assert podfit(*gpu_less)[0] == 3  # the trainer needs a GPU no m5.large has
    assert podfit(*gpu_less[:-1])[0] == 0


def test_plan_fit_and_drain_fail_on_pending_with_exit_3() -> None:
    template = str(ROOT / "fixtures" / "pod-plain.yaml")
    # batch-huge (12 cpu) is Pending in this cluster already
    fit = ["plan", "fit", "-f", SHOP, "-f", NODES, "-t", template]
    assert podfit(*fit)[0] == 0
    assert podfit(*fit, "--fail-on-pending")[0] == 3
    drain = ["plan", "drain", "-f", SHOP, "-f", NODES, "--any-node", "--fail-on-pending"]
    assert podfit(*drain)[0] == 3


def test_plan_commands_take_the_scheduling_options() -> None:
    for command in ("fit", "nodes", "drain"):
        help_text = podfit("plan", command, "--help")[1]
        for option in ("--strategy", "--kubernetes-version", "--dra", "--fail-on-pending"):
            assert option in help_text, (command, option)


def test_the_requests_explanation_reads_by_the_unit_rule() -> None:
    """The "Why" sentences (also the API's ``explain.*.text``) carry no raw byte counts."""
    code, out, _ = podfit("requests", "-f", str(ROOT / "fixtures" / "pod-combined.yaml"))
    assert code == 0
    assert (
        "memory 143.36Mi: containers sum to 127.36Mi incl. sidecars 32Mi, not below the init "
        "peak 64Mi; plus overhead 16Mi"
    ) in out
    assert RAW.search(out) is None
