"""Rules for the optional exact mode (OR-tools CP-SAT, the ``optimal`` extra)."""

from __future__ import annotations

import importlib

import pytest

from podfit.errors import ConfigError
from podfit.planning import exact
from podfit.planning.binpack import (
    BinProblem,
    HostPort,
    NodeTemplate,
    PodGroup,
    estimate,
    pack,
)
from podfit.planning.instances import falkenauer_triplets, one_dimensional_problem

needs_ortools = pytest.mark.skipif(
    not exact.ortools_available(),
    reason="ortools is not installed (pip install 'podfit[optimal]'); exact mode untested",
)


def test_missing_ortools_gives_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the extra, the exact mode says how to install it instead of a traceback."""
    real = importlib.import_module

    def fake(name: str, *args: object) -> object:
        if name.startswith("ortools"):
            raise ImportError(name)
        return real(name)

    monkeypatch.setattr(exact.importlib, "import_module", fake)
    assert not exact.ortools_available()
    problem = BinProblem(("cpu",), NodeTemplate("t", (10,)), (PodGroup("a", (6,), 3),))
    with pytest.raises(ConfigError, match=r"podfit\[optimal\]") as err:
        exact.solve_exact(problem)
    assert err.value.path == "algorithm"


def test_time_limit_is_validated() -> None:
    """A non-positive time limit is a ConfigError naming the field."""
    problem = BinProblem(("cpu",), NodeTemplate("t", (10,)), (PodGroup("a", (6,), 3),))
    with pytest.raises(ConfigError) as err:
        exact.solve_exact(problem, time_limit=0)
    assert err.value.path == "timeLimitSeconds"


@needs_ortools
def test_exact_mode_finds_the_optimum_where_best_fit_does_not() -> None:
    """Sizes 5,5,4,4,3,3 on 12: exact proves 2 nodes where the autoscaler's FFD needs 3."""
    problem = BinProblem(
        ("cpu",),
        NodeTemplate("t", (12,)),
        (PodGroup("five", (5,), 2), PodGroup("four", (4,), 2), PodGroup("three", (3,), 2)),
    )
    assert estimate(problem).node_count == 3
    result = exact.solve_exact(problem, time_limit=5)
    assert result.proven and result.packing.node_count == 2 == result.lower_bound
    assert sorted(result.packing.nodes[0].pods) == [("five", 1), ("four", 1), ("three", 1)]


@needs_ortools
def test_exact_mode_respects_host_port_conflicts() -> None:
    """Two groups sharing hostPort 80 never share a node, even when cpu would allow it."""
    port = (HostPort.of(80),)
    problem = BinProblem(
        ("cpu",),
        NodeTemplate("t", (100,)),
        (PodGroup("a", (10,), 2, port), PodGroup("b", (10,), 1, port), PodGroup("c", (10,), 3)),
    )
    result = exact.solve_exact(problem, time_limit=5)
    assert result.proven and result.packing.node_count == 3


@needs_ortools
def test_exact_mode_proves_a_small_triplet_instance() -> None:
    """Triplets (30 pods): exact is never worse than our packer; proven iff it hits n/3."""
    problem = one_dimensional_problem(falkenauer_triplets(30, 4))
    result = exact.solve_exact(problem, time_limit=5)
    assert result.lower_bound == 10
    assert result.packing.node_count <= pack(problem).node_count
    assert result.proven == (result.packing.node_count == 10)
