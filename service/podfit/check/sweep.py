"""Variants of a policy over clusters, and the executors that evaluate them.

Every (cluster, variant) is independent: :func:`plan_tasks` cuts them into tasks (chunks
of variants of one cluster sharing a replicas mode, so a worker schedules each base once
per mode) and an executor runs the tasks:

* :class:`Inline` — in this process (``--jobs 1``);
* :class:`Processes` — a local process pool (``--jobs N``; default all cores);
* :class:`Dask` — a ``dask.distributed`` cluster (``--dask-scheduler tcp://HOST:8786``,
  or a ``Client`` of a ``LocalCluster``). The cluster inputs are scattered once to every
  worker; each task returns plain report entries.

Tasks return JSON-ready entries and are put back in task order, so the report is the same
bytes whichever executor ran it.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol

from podfit.check.engine import Base, ClusterInput, evaluate
from podfit.check.policy import ANY_NODE, ANY_ZONE, Policy, Scenario
from podfit.deadline import NO_DEADLINE, Deadline
from podfit.errors import ConfigError, FieldError

__all__ = ["Dask", "Inline", "Processes", "Task", "Variant", "plan_tasks", "variants_of"]

Variant = tuple[int, str, tuple[str, ...]]
"""(scenario index, variant name, removed node names)."""
Task = tuple[int, list[Variant]]
"""(cluster index, its variants to evaluate)."""

ALL_NODES = "all-nodes"


def variants_of(
    cluster: ClusterInput, index: int, scenario: Scenario
) -> tuple[list[Variant], list[str]]:
    """The variants of ``scenario`` (policy index ``index``) on ``cluster`` and the
    scenario's notes: no removal → one variant ``all-nodes``; ``anyNode`` → ``node/<name>``
    per node (input order); ``anyZone`` → ``zone/<value>`` per value of the zone label
    (sorted); ``{nodes: [...]}`` → one ``nodes/<a>,<b>``. Raises ``ConfigError`` for a
    named node the cluster lacks, or ``anyZone`` when no node has the zone label."""
    names = [n.name for n in cluster.nodes]
    remove = scenario.remove
    where = f"scenarios[{index}].remove"
    suffix = f" (cluster {cluster.name})" if cluster.name else ""
    if remove is None:
        return [(index, ALL_NODES, ())], []
    if remove == ANY_NODE:
        return [(index, f"node/{n}", (n,)) for n in names], []
    if remove == ANY_ZONE:
        zones: dict[str, list[str]] = {}
        outside = []
        for node in cluster.nodes:
            zone = node.labels.get(scenario.zone_label)
            if zone is None:
                outside.append(node.name)
            else:
                zones.setdefault(zone, []).append(node.name)
        if not zones:
            raise ConfigError(f"no node has the label {scenario.zone_label}{suffix}", where)
        notes = []
        if outside:
            shown = ", ".join(outside[:5]) + (
                f" and {len(outside) - 5} more" if len(outside) > 5 else ""
            )
            notes.append(
                f"{len(outside)} nodes have no {scenario.zone_label} label "
                f"and are never removed: {shown}"
            )
        return [(index, f"zone/{z}", tuple(zones[z])) for z in sorted(zones)], notes
    assert isinstance(remove, tuple)
    known = set(names)
    errors = [
        FieldError(f"{where}.nodes[{i}]", f'node "{n}" is not in the input{suffix}')
        for i, n in enumerate(remove)
        if n not in known
    ]
    if errors:
        raise ConfigError(errors[0].message, errors[0].path, errors)
    return [(index, "nodes/" + ",".join(remove), remove)], []


def plan_tasks(
    clusters: Sequence[ClusterInput], policy: Policy, chunks: int
) -> tuple[list[Task], dict[tuple[int, int], list[str]]]:
    """Every cluster × variant as tasks of at most ``ceil(n / chunks)`` variants of one
    cluster and one replicas mode, and the notes per (cluster, scenario). Deterministic:
    clusters, then modes in first-use order, then variants in scenario order."""
    tasks: list[Task] = []
    notes: dict[tuple[int, int], list[str]] = {}
    for c, cluster in enumerate(clusters):
        by_mode: dict[str | None, list[Variant]] = {}
        for i, scenario in enumerate(policy.scenarios):
            variants, notes[c, i] = variants_of(cluster, i, scenario)
            by_mode.setdefault(scenario.replicas, []).extend(variants)
        for variants in by_mode.values():
            size = max(1, -(-len(variants) // max(1, chunks)))
            tasks.extend((c, variants[k : k + size]) for k in range(0, len(variants), size))
    return tasks, notes


class Executor(Protocol):
    """Runs tasks; returns each task's entries, in task order."""

    def run(
        self, clusters: Sequence[ClusterInput], policy: Policy, tasks: Sequence[Task]
    ) -> list[list[dict[str, Any]]]: ...

    @property
    def workers(self) -> int: ...


class Inline:
    """Every task in this process, one base per (cluster, mode) reused across tasks;
    ``progress`` is called with the number of tasks done after each, and ``deadline`` is
    checked inside every scheduling run (the HTTP view passes its request's)."""

    workers = 1

    def __init__(
        self,
        progress: Callable[[int], None] | None = None,
        deadline: Deadline = NO_DEADLINE,
    ) -> None:
        self.bases: dict[int, dict[str | None, Base]] = {}
        self.progress = progress
        self.deadline = deadline

    def run(
        self, clusters: Sequence[ClusterInput], policy: Policy, tasks: Sequence[Task]
    ) -> list[list[dict[str, Any]]]:
        out = []
        for done, (c, variants) in enumerate(tasks, start=1):
            bases = self.bases.setdefault(c, {})
            out.append(evaluate(clusters[c], policy.scenarios, variants, bases, self.deadline))
            if self.progress is not None:
                self.progress(done)
        return out


# A worker process's state: the inputs (sent once, at start) and its bases.
_STATE: dict[str, Any] = {}


def _init_worker(
    clusters: Sequence[ClusterInput],
    policy: Policy,
    bases: dict[int, dict[str | None, Base]],
) -> None:
    _STATE.clear()
    _STATE.update(clusters=clusters, policy=policy, bases=bases)


def _run_task(task: Task) -> list[dict[str, Any]]:
    c, variants = task
    bases: dict[int, dict[str | None, Base]] = _STATE["bases"]
    return evaluate(
        _STATE["clusters"][c], _STATE["policy"].scenarios, variants, bases.setdefault(c, {})
    )


class Processes:
    """A local process pool of ``jobs`` workers (default: every core). The inputs reach
    each worker once, when it starts.

    Where processes can be forked (POSIX), the bases are scheduled once here, before the
    pool starts, and the workers inherit them (no copy is sent, none is scheduled again):
    the CPU time of a base is spent once rather than once per worker. Elsewhere each
    worker schedules the bases its tasks need."""

    def __init__(self, jobs: int | None = None) -> None:
        self.workers = jobs or os.cpu_count() or 1

    def run(
        self, clusters: Sequence[ClusterInput], policy: Policy, tasks: Sequence[Task]
    ) -> list[list[dict[str, Any]]]:
        if self.workers == 1 or len(tasks) <= 1:
            return Inline().run(clusters, policy, tasks)
        context = None
        bases: dict[int, dict[str | None, Base]] = {}
        if "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            for c, variants in tasks:
                built = bases.setdefault(c, {})
                for s, _, _ in variants:
                    mode = policy.scenarios[s].replicas
                    if mode not in built:
                        built[mode] = Base(clusters[c], mode)
        with ProcessPoolExecutor(
            max_workers=min(self.workers, len(tasks)),
            mp_context=context,
            initializer=_init_worker,
            initargs=(list(clusters), policy, bases),
        ) as pool:
            return list(pool.map(_run_task, tasks))


# A Dask worker's bases, per scattered input (its key), kept while the worker lives.
_DASK_BASES: dict[str, dict[int, dict[str | None, Base]]] = {}
_MAX_DASK_INPUTS = 4


def _dask_task(inputs: tuple[str, list[ClusterInput], Policy], task: Task) -> list[dict[str, Any]]:
    token, clusters, policy = inputs
    bases = _DASK_BASES.get(token)
    if bases is None:
        if len(_DASK_BASES) >= _MAX_DASK_INPUTS:
            _DASK_BASES.clear()
        bases = _DASK_BASES[token] = {}
    c, variants = task
    return evaluate(clusters[c], policy.scenarios, variants, bases.setdefault(c, {}))


DASK_ADDRESS = re.compile(
    r"^((tcp|tls|ws|wss|ucx)://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):"
    r"[0-9]{1,5}$"
)
"""A Dask scheduler address: ``[PROTOCOL://]HOST:PORT`` (tcp when no protocol is given)."""

DASK_MISSING = (
    "--dask-scheduler needs dask.distributed, which is not installed: pip install 'podfit[dask]'"
)


class Dask:
    """Tasks on a ``dask.distributed`` cluster: ``address`` of its scheduler
    (``tcp://HOST:8786``; :meth:`close` when done) or an existing ``client``."""

    def __init__(self, address: str | None = None, client: Any = None) -> None:
        try:
            import distributed
        except ImportError:
            raise ConfigError(DASK_MISSING, "--dask-scheduler") from None
        self._own = client is None
        if client is None:
            try:
                client = distributed.Client(  # type: ignore[no-untyped-call]
                    address, timeout="10s", set_as_default=False
                )
            except (OSError, ValueError) as exc:
                raise ConfigError(
                    f"cannot reach the Dask scheduler {address}: {exc}", "--dask-scheduler"
                ) from None
        self.client = client

    @property
    def workers(self) -> int:
        info = self.client.scheduler_info()
        return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))

    def run(
        self, clusters: Sequence[ClusterInput], policy: Policy, tasks: Sequence[Task]
    ) -> list[list[dict[str, Any]]]:
        payload = pickle.dumps((list(clusters), policy), protocol=pickle.HIGHEST_PROTOCOL)
        token = hashlib.sha256(payload).hexdigest()
        # hash=False: a fresh key per run; a content key could be the one a previous run's
        # release is deleting (the same inputs scattered twice)
        [inputs] = self.client.scatter(
            [(token, list(clusters), policy)], broadcast=True, hash=False
        )
        futures = [self.client.submit(_dask_task, inputs, task, pure=False) for task in tasks]
        return list(self.client.gather(futures))

    def close(self) -> None:
        """Close the client this executor opened (one given to it stays open)."""
        if self._own:
            self.client.close()
