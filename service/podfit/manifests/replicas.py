"""A workload's pods kept as runs of one template: :class:`Replicas` (one template, many
names) and :class:`PodRuns` (the pods of a whole input, as Pods and Replicas in input
order). A consumer that only counts pods (``plan nodes`` without existing nodes: one
conversion per run, :func:`podfit.planning.pending.runs`) never builds a Pod per replica;
any other reads the pods one by one, each made on demand and equal to what
:func:`podfit.pods.replicas` gives (:meth:`PodRuns.materialise`, done once)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from operator import attrgetter
from typing import overload

from podfit.pods import Pod, replicas

__all__ = ["PodRuns", "Replicas", "spec_of"]

spec_of = attrgetter(*(name for name in Pod.__dataclass_fields__ if name != "name"))
"""Every field of a ``Pod`` but its name: equal specs are replicas of one template."""


class Replicas(Sequence[Pod]):
    """``replicas(template, names)`` made on first need: :meth:`pods` builds the list once
    (and appends the new Pods to ``registered``, the list the reader resolves
    PriorityClasses on by identity); :meth:`pod` makes one replica alone."""

    __slots__ = ("_pods", "names", "registered", "template")

    def __init__(self, template: Pod, names: list[str], registered: list[Pod]) -> None:
        self.template = template
        self.names = names
        self.registered = registered
        self._pods: list[Pod] | None = None

    def pods(self) -> list[Pod]:
        """Every replica, in name order (built once). Cost O(names) the first time."""
        if self._pods is None:
            self._pods = replicas(self.template, self.names)
            template = self.template
            self.registered.extend([p for p in self._pods if p is not template])
        return self._pods

    def pod(self, index: int) -> Pod:
        """The replica at ``index``, equal to ``pods()[index]``, without making the others."""
        if self._pods is not None:
            return self._pods[index]
        return replicas(self.template, [self.names[index]])[0]

    def __len__(self) -> int:
        return len(self.names)

    @overload
    def __getitem__(self, index: int) -> Pod: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Pod]: ...
    def __getitem__(self, index: int | slice) -> Pod | Sequence[Pod]:
        return self.pods()[index]

    def __iter__(self) -> Iterator[Pod]:
        return iter(self.pods())


class PodRuns(Sequence[Pod]):
    """The pods of an input as ``segments`` in input order: a Pod is itself, a
    :class:`Replicas` its replicas. Indexing makes one pod; iterating makes them all
    (:meth:`materialise`, once); :meth:`runs` counts runs without making any."""

    __slots__ = ("_pods", "_starts", "segments")

    def __init__(self, segments: Sequence[Pod | Replicas]) -> None:
        self.segments = list(segments)
        starts = []
        total = 0
        for segment in self.segments:
            starts.append(total)
            total += len(segment) if isinstance(segment, Replicas) else 1
        self._starts = starts
        self._starts.append(total)
        self._pods: list[Pod] | None = None

    def materialise(self) -> list[Pod]:
        """Every pod, in input order (built once). Cost O(pods) the first time."""
        if self._pods is None:
            out: list[Pod] = []
            for segment in self.segments:
                if isinstance(segment, Replicas):
                    out.extend(segment.pods())
                else:
                    out.append(segment)
            self._pods = out
        return self._pods

    def names(self) -> Iterator[str]:
        """Every pod's name, in input order, without making the pods."""
        for segment in self.segments:
            if isinstance(segment, Replicas):
                yield from segment.names
            else:
                yield segment.name

    def runs(self) -> Iterator[tuple[int, int]]:
        """(index of the first pod, length) of each run of consecutive pods equal but for
        their name, a pod without an owner a run of its own: the runs of
        :func:`podfit.planning.pending.runs` over the materialised pods. Cost O(segments)
        field comparisons (plus one run per pod of a Replicas without owner)."""
        start = 0
        previous: object = None
        index = 0
        for segment in self.segments:
            if isinstance(segment, Replicas):
                exemplar, count = segment.template, len(segment.names)
            else:
                exemplar, count = segment, 1
            if not count:
                continue
            spec = spec_of(exemplar)
            if exemplar.owner is None:
                for _ in range(count):
                    if index:
                        yield start, index - start
                        start = index
                    index += 1
            else:
                if index and spec != previous:
                    yield start, index - start
                    start = index
                index += count
            previous = spec
        if index:
            yield start, index - start

    def __len__(self) -> int:
        return self._starts[-1]

    @overload
    def __getitem__(self, index: int) -> Pod: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Pod]: ...
    def __getitem__(self, index: int | slice) -> Pod | Sequence[Pod]:
        if self._pods is not None or isinstance(index, slice):
            return self.materialise()[index]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("pod index out of range")
        at = bisect_right(self._starts, index) - 1
        segment = self.segments[at]
        if isinstance(segment, Replicas):
            return segment.pod(index - self._starts[at])
        return segment

    def __iter__(self) -> Iterator[Pod]:
        return iter(self.materialise())
