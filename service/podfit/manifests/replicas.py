"""A workload's pods kept as runs of one template: :class:`Replicas` (one template, many
names) and :class:`PodRuns` (the pods of a whole input, as Pods and Replicas in input
order). A consumer that only counts pods (``plan nodes`` without existing nodes: one
conversion per run, :func:`podfit.planning.pending.runs`) never builds a Pod per replica;
any other reads the pods one by one, each made on demand and equal to what
:func:`podfit.pods.replicas` gives (:meth:`PodRuns.materialise`, done once)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator, Sequence
from operator import attrgetter
from typing import overload

from podfit.pods import Pod, replicas

__all__ = ["NameRange", "NameRanges", "PodRuns", "Replicas", "spec_of"]

spec_of = attrgetter(*(name for name in Pod.__dataclass_fields__ if name != "name"))
"""Every field of a ``Pod`` but its name: equal specs are replicas of one template."""


class NameRange(Sequence[str]):
    """The names ``prefix + str(i) + suffix`` for ``i`` in ``range(size)`` (a workload's
    replicas, ``web-7d4b9c-0`` …), each made when read; membership is decided by parsing
    the name, so a workload of 50,000 replicas costs no 50,000 strings until its pods
    are made."""

    __slots__ = ("prefix", "size", "suffix")

    def __init__(self, prefix: str, suffix: str, size: int) -> None:
        self.prefix = prefix
        self.suffix = suffix
        self.size = size

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return list(self)[index]
        i = range(self.size)[index]  # IndexError past either end, as a list's
        return f"{self.prefix}{i}{self.suffix}"

    def __iter__(self) -> Iterator[str]:
        prefix, suffix = self.prefix, self.suffix
        return iter([f"{prefix}{i}{suffix}" for i in range(self.size)])

    def __contains__(self, name: object) -> bool:
        """Whether ``name`` is one of the names: the prefix, a decimal index below
        ``size`` written as ``str`` writes it (no sign, no leading zero), the suffix."""
        if not isinstance(name, str):
            return False
        start, end = len(self.prefix), len(name) - len(self.suffix)
        if end <= start or not (name.startswith(self.prefix) and name.endswith(self.suffix)):
            return False
        digits = name[start:end]
        if not (digits.isascii() and digits.isdigit()) or (digits[0] == "0" and digits != "0"):
            return False
        return len(digits) <= len(str(self.size)) and int(digits) < self.size

    def may_share(self, other: NameRange) -> bool:
        """False when no name can be in both (neither prefix starts the other, or neither
        suffix ends the other); True says only that one may."""
        prefixes = self.prefix.startswith(other.prefix) or other.prefix.startswith(self.prefix)
        suffixes = self.suffix.endswith(other.suffix) or other.suffix.endswith(self.suffix)
        return prefixes and suffixes and bool(self.size) and bool(other.size)

    def shares_with(self, other: NameRange) -> bool:
        """Whether a name is in both. Cost O(1) when :meth:`may_share` rules it out, else
        O(the smaller size)."""
        if not self.may_share(other):
            return False
        small, large = (self, other) if self.size <= other.size else (other, self)
        return any(name in large for name in small)


class NameRanges:
    """Many :class:`NameRange` (the workloads of one namespace), found by prefix: a name
    can only be in a range whose prefix starts it, and two ranges can only share a name
    when one prefix starts the other, so a look-up visits those ranges only."""

    __slots__ = ("_by_prefix", "_prefixes")

    def __init__(self) -> None:
        self._by_prefix: dict[str, list[NameRange]] = {}
        self._prefixes: list[str] = []  # sorted

    def add(self, names: NameRange) -> None:
        """Hold ``names``. Cost O(log ranges) plus the sorted insertion."""
        found = self._by_prefix.get(names.prefix)
        if found is None:
            self._by_prefix[names.prefix] = [names]
            insort(self._prefixes, names.prefix)
        else:
            found.append(names)

    def _starting(self, name: str) -> Iterator[NameRange]:
        """The ranges whose prefix starts ``name`` (is ``name``'s first k characters for
        some k < len(name)). Cost O(len(name)) look-ups."""
        by_prefix = self._by_prefix
        for k in range(len(name)):
            yield from by_prefix.get(name[:k], ())

    def __contains__(self, name: str) -> bool:
        """Whether ``name`` is in one of the ranges."""
        return any(name in r for r in self._starting(name))

    def shares_with(self, names: NameRange) -> bool:
        """Whether a name of ``names`` is in one of the ranges: those whose prefix starts
        ``names``'s, or starts with it (:meth:`NameRange.shares_with` each)."""
        if any(r.shares_with(names) for r in self._starting(names.prefix)):
            return True
        prefix, prefixes = names.prefix, self._prefixes
        at = bisect_left(prefixes, prefix)
        while at < len(prefixes) and prefixes[at].startswith(prefix):
            if any(r.shares_with(names) for r in self._by_prefix[prefixes[at]]):
                return True
            at += 1
        return False


class Replicas(Sequence[Pod]):
    """``replicas(template, names)`` made on first need: :meth:`pods` builds the list once
    (and appends the new Pods to ``registered``, the list the reader resolves
    PriorityClasses on by identity); :meth:`pod` makes one replica alone."""

    __slots__ = ("_pods", "names", "registered", "template")

    def __init__(self, template: Pod, names: Sequence[str], registered: list[Pod]) -> None:
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

    def distinct_names(self) -> bool:
        """Whether no two pods share a name (whatever their namespace). The names of each
        workload's :class:`NameRange` are told apart by their prefixes and suffixes, the
        other names against them; with too many of both, every name is compared. Cost
        O(named pods × ranges + ranges²) plus the names two ranges may share, else
        O(pods)."""
        ranges: list[NameRange] = []
        named: list[str] = []
        for segment in self.segments:
            if isinstance(segment, Replicas) and isinstance(segment.names, NameRange):
                ranges.append(segment.names)
            elif isinstance(segment, Replicas):
                named.extend(segment.names)
            else:
                named.append(segment.name)
        if len(set(named)) < len(named):
            return False
        if len(named) * len(ranges) + len(ranges) ** 2 <= 4 * len(self):
            if any(name in r for r in ranges for name in named):
                return False
            return not any(a.shares_with(b) for i, a in enumerate(ranges) for b in ranges[:i])
        return len(set(self.names())) == len(self)

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
