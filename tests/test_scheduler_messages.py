"""FailedScheduling messages: FitError formatting facts T74–T78 and the preemption part."""

# ruff: noqa: E501  (parametrize tables keep one case per line)
from __future__ import annotations

from podfit.scheduler.messages import (
    dra_default,
    fit_error_message,
    kubelet_insufficient_message,
    not_eligible_message,
    preemption_message,
    sorted_histogram,
)
from podfit.scheduler.profile import postfilter_message


def test_prefilter_rejection_replaces_histogram_t74() -> None:
    """T74: a PreFilter message replaces the per-node histogram."""
    got = fit_error_message(
        3, {"ignored": 3}, prefilter_message="Node(s) failed PreFilter plugin FalsePreFilter"
    )
    assert got == "0/3 nodes are available: Node(s) failed PreFilter plugin FalsePreFilter."


def test_postfilter_message_appended_without_period_t75() -> None:
    """T75: the PostFilter message follows after a space, with no period of its own."""
    got = fit_error_message(
        3,
        {},
        prefilter_message="Node(s) failed PreFilter plugin FalsePreFilter",
        postfilter_message="Error running PostFilter plugin FailedPostFilter",
    )
    assert got == (
        "0/3 nodes are available: Node(s) failed PreFilter plugin FalsePreFilter. "
        "Error running PostFilter plugin FailedPostFilter"
    )


def test_filter_histogram_with_postfilter_t76() -> None:
    """T76: 3 nodes failing one Filter plugin, plus a PostFilter message."""
    got = fit_error_message(
        3,
        {"Node(s) failed Filter plugin FalseFilter-1": 3},
        postfilter_message="Error running PostFilter plugin FailedPostFilter",
    )
    assert got == (
        "0/3 nodes are available: 3 Node(s) failed Filter plugin FalseFilter-1. "
        "Error running PostFilter plugin FailedPostFilter"
    )


def test_histogram_sorted_as_strings_t77() -> None:
    """T77: entries sorted lexicographically by their rendered text."""
    got = fit_error_message(
        3,
        {
            "Node(s) failed Filter plugin FalseFilter-1": 2,
            "Node(s) failed Filter plugin FalseFilter-2": 1,
        },
    )
    assert got == (
        "0/3 nodes are available: 1 Node(s) failed Filter plugin FalseFilter-2, "
        "2 Node(s) failed Filter plugin FalseFilter-1."
    )


def test_single_node_permit_t78() -> None:
    """T78: one node, one reason."""
    got = fit_error_message(1, {"Node failed Permit plugin Permit-1": 1})
    assert got == "0/1 nodes are available: 1 Node failed Permit plugin Permit-1."


def test_counts_are_part_of_the_sort_key() -> None:
    """``10 Insufficient cpu`` sorts before ``2 Insufficient memory``; uppercase before lowercase."""
    assert sorted_histogram(
        {"Insufficient memory": 2, "Insufficient cpu": 10, "node(s) were unschedulable": 1,
         "Too many pods": 1}
    ) == ["1 Too many pods", "1 node(s) were unschedulable", "10 Insufficient cpu",
          "2 Insufficient memory"]  # fmt: skip


def test_issue_example_message() -> None:
    """The issue's 1.34 example, rebuilt from its histograms."""
    main = {"node(s) had untolerated taint(s)": 1, "Insufficient cpu": 2}
    pre = {"Preemption is not helpful for scheduling": 1,
           "No preemption victims found for incoming pod": 2}  # fmt: skip
    got = fit_error_message(3, main, postfilter_message=preemption_message(3, pre))
    assert got == (
        "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. "
        "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
        "2 No preemption victims found for incoming pod."
    )


def test_preemption_policy_never() -> None:
    """preemptionPolicy: Never yields the fixed not-eligible text."""
    got = fit_error_message(1, {"Insufficient cpu": 1}, postfilter_message=not_eligible_message())
    assert got == (
        "0/1 nodes are available: 1 Insufficient cpu. "
        "preemption: not eligible due to preemptionPolicy=Never."
    )


def test_kubelet_message() -> None:
    """The kubelet's InsufficientResourceError text (the issue's example)."""
    assert kubelet_insufficient_message("cpu", 2000, 3000, 4000) == (
        "Node didn't have enough resource: cpu, requested: 2000, used: 3000, capacity: 4000"
    )


def test_postfilter_message_has_the_dra_note_from_1_34() -> None:
    """From 1.34 DynamicResources' PostFilter (before DefaultPreemption) adds
    ``no new claims to deallocate`` for a pod without claims, joined with ", ". Upstream
    integration test (test/integration, DRA extended resources) expects
    "0/8 nodes are available: 8 Insufficient my-example.com/my-extended-resource. no new
    claims to deallocate, preemption: 0/8 nodes are available: 8 Preemption is not helpful
    for scheduling."; EKS v1.34.2 events show the same shape."""
    pre = preemption_message(8, {"Preemption is not helpful for scheduling": 8})
    assert dra_default("1.34") and dra_default("1.35")
    post = postfilter_message(True, pre)
    got = fit_error_message(
        8, {"Insufficient my-example.com/my-extended-resource": 8}, postfilter_message=post
    )
    assert got == (
        "0/8 nodes are available: 8 Insufficient my-example.com/my-extended-resource. "
        "no new claims to deallocate, preemption: 0/8 nodes are available: "
        "8 Preemption is not helpful for scheduling."
    )


def test_postfilter_message_without_dra_and_empty_when_preemption_succeeds() -> None:
    """1.33 runs no DynamicResources plugin by default (nor does a cluster with the gate
    off); a successful preemption returns before any message is built, DRA or not."""
    pre = not_eligible_message()
    assert not dra_default("1.33")
    assert postfilter_message(False, pre) == pre
    for dra in (False, True):
        assert postfilter_message(dra, "") == ""


def test_postfilter_message_after_a_prefilter_rejection_is_the_dra_state_error() -> None:
    """A PreFilter rejection stops the PreFilter loop before DynamicResources writes its
    state; its PostFilter then fails with CycleState's ``not found`` and that Error ends
    the PostFilter loop (DefaultPreemption never runs). Without DRA: preemption's text."""
    pre = preemption_message(2, {"Preemption is not helpful for scheduling": 2})
    assert postfilter_message(True, pre, prefilter_rejected=True) == "not found"
    assert postfilter_message(False, pre, prefilter_rejected=True) == pre
