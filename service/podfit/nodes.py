"""Nodes: allocatable resources, labels, taints — and named cloud node shapes (presets).

A node's ``allocatable`` is what the scheduler fills (``status.allocatable``, defaulting to
``capacity`` when absent). ``pods`` allocatable is the max pod count; a node without it
admits no pod at all ("Too many pods").

Presets (``aws/m5.large``, ``gke/e2-standard-4``, ``aks/Standard_D4s_v3``…) come from
``data/node-presets.tsv`` (derived from ``data/node-shapes.tsv``); their allocatable is
computed by the provider's reservation formula and shown term by term::

    allocatable = capacity − kube-reserved − system-reserved − eviction threshold
"""

from __future__ import annotations

import functools
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from podfit.errors import ManifestError
from podfit.quantity import Format, Quantity, parse_quantity
from podfit.resources import CPU, MEMORY, PODS, to_amounts

NO_SCHEDULE = "NoSchedule"
PREFER_NO_SCHEDULE = "PreferNoSchedule"
NO_EXECUTE = "NoExecute"
TAINT_EFFECTS = (NO_SCHEDULE, PREFER_NO_SCHEDULE, NO_EXECUTE)

#: The label the kubelet puts on every node it registers (value: the node's hostname,
#: which podfit takes to be the node's name).
HOSTNAME_LABEL = "kubernetes.io/hostname"


@dataclass(frozen=True, slots=True)
class Taint:
    """``spec.taints[]``: ``key=value:effect``."""

    key: str
    value: str = ""
    effect: str = NO_SCHEDULE

    def __str__(self) -> str:
        return (
            f"{self.key}={self.value}:{self.effect}" if self.value else f"{self.key}:{self.effect}"
        )


@dataclass(frozen=True, slots=True)
class Node:
    """A node: ``allocatable`` is what pods may use; ``capacity`` what the machine has."""

    name: str
    allocatable: Mapping[str, Quantity] = field(default_factory=dict)
    capacity: Mapping[str, Quantity] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    taints: tuple[Taint, ...] = ()
    unschedulable: bool = False


def allocatable_amounts(node: Node) -> dict[str, int]:
    """Allocatable as scheduler integers: cpu millicores, others base units (rounded up).

    Raises ``QuantityError`` when a value exceeds int64.
    """
    return to_amounts(node.allocatable)


# ---------------------------------------------------------------------------------------------
# Presets and the allocatable calculator

_MI = 1024 * 1024
_GI = 1024 * _MI


@dataclass(frozen=True, slots=True)
class Reservation:
    """One subtracted term: ``name`` (kube-reserved, system-reserved, eviction threshold),
    ``resource``, ``amount`` (cpu millicores / bytes) and how it was derived."""

    name: str
    resource: str
    amount: int
    rule: str


@dataclass(frozen=True, slots=True)
class Preset:
    """A named cloud node shape and its allocatable calculation."""

    name: str
    provider: str
    instance_type: str
    formula: str
    capacity_cpu: int  # millicores
    capacity_memory: int  # bytes
    max_pods: int
    extended: Mapping[str, int]
    capacity_basis: str
    source: str
    terms: tuple[Reservation, ...]

    @property
    def allocatable_cpu(self) -> int:
        """Capacity cpu minus every cpu term (millicores)."""
        return self.capacity_cpu - sum(t.amount for t in self.terms if t.resource == CPU)

    @property
    def allocatable_memory(self) -> int:
        """Capacity memory minus every memory term (bytes)."""
        return self.capacity_memory - sum(t.amount for t in self.terms if t.resource == MEMORY)

    def capacity(self) -> dict[str, Quantity]:
        """``status.capacity`` as the kubelet would report it."""
        out = {
            CPU: Quantity.from_milli(self.capacity_cpu, Format.DECIMAL_SI),
            MEMORY: _memory_quantity(self.capacity_memory),
            PODS: Quantity.from_int(self.max_pods),
        }
        out.update({n: Quantity.from_int(v) for n, v in self.extended.items()})
        return out

    def allocatable(self) -> dict[str, Quantity]:
        """``status.allocatable``: capacity minus the reservation terms."""
        out = self.capacity()
        out[CPU] = Quantity.from_milli(self.allocatable_cpu, Format.DECIMAL_SI)
        out[MEMORY] = _memory_quantity(self.allocatable_memory)
        return out

    def explain(self) -> list[dict[str, str]]:
        """The calculation, term by term, as rows ``{resource, term, amount, rule}``."""
        rows: list[dict[str, str]] = []
        for res, cap, alloc in (
            (CPU, self.capacity_cpu, self.allocatable_cpu),
            (MEMORY, self.capacity_memory, self.allocatable_memory),
        ):
            rows.append(
                {
                    "resource": res,
                    "term": "capacity",
                    "amount": _fmt(res, cap),
                    "rule": self.capacity_basis if res == MEMORY else "vCPUs",
                }
            )
            terms = [t for t in self.terms if t.resource == res]
            if not any(t.name == "system-reserved" for t in terms):
                pos = sum(1 for t in terms if t.name == "kube-reserved")
                terms.insert(pos, Reservation("system-reserved", res, 0, "not set by default"))
            for t in terms:
                if t.resource == res:
                    rows.append(
                        {
                            "resource": res,
                            "term": f"− {t.name}",
                            "amount": _fmt(res, t.amount),
                            "rule": t.rule,
                        }
                    )
            rows.append(
                {"resource": res, "term": "= allocatable", "amount": _fmt(res, alloc), "rule": ""}
            )
        return rows

    def node(self, name: str | None = None, labels: Mapping[str, str] | None = None) -> Node:
        """A Node of this shape (labels: instance type and provider unless given)."""
        default_labels = {
            "node.kubernetes.io/instance-type": self.instance_type,
            "kubernetes.io/hostname": name or self.instance_type,
        }
        return Node(
            name=name or self.instance_type,
            allocatable=self.allocatable(),
            capacity=self.capacity(),
            labels=dict(labels) if labels is not None else default_labels,
        )


def _memory_quantity(amount: int) -> Quantity:
    return Quantity.from_int(amount, Format.BINARY_SI)


def _fmt(resource: str, amount: int) -> str:
    if resource == CPU:
        return str(Quantity.from_milli(amount, Format.DECIMAL_SI))
    return str(_memory_quantity(amount))


# --- provider reservation formulas (each a small pure function) -------------------------------


def cpu_reserved_ladder(cores: int) -> int:
    """kube-reserved cpu (EKS, GKE): 6% of the first core, 1% of the second, 0.5% of cores
    3–4, 0.25% above 4 — in millicores, rounded up (for n ≥ 4 whole cores:
    60 + 10 + 5·2 + 2.5·(n−4), e.g. 90m for 8 cores)."""
    m = Fraction(0)
    for lo, hi, pct in ((0, 1, 6), (1, 2, 1), (2, 4, Fraction(1, 2)), (4, 10**9, Fraction(1, 4))):
        if cores > lo:
            m += (min(cores, hi) - lo) * 1000 * Fraction(pct) / 100
    return _ceil(m)


#: AKS kube-reserved cpu by core count (learn.microsoft.com/azure/aks/node-resource-reservations)
AKS_CPU_RESERVED = {1: 60, 2: 100, 4: 140, 8: 180, 16: 260, 32: 420, 64: 740}


def memory_reserved_ladder(capacity: int) -> int:
    """GKE / AKS<1.29 kube-reserved memory: 255Mi below 1Gi, else 25% of the first 4Gi, 20%
    of the next 4Gi, 10% of the next 8Gi, 6% of the next 112Gi, 2% above 128Gi (bytes,
    rounded up)."""
    if capacity < _GI:
        return 255 * _MI
    steps = ((0, 4, 25), (4, 8, 20), (8, 16, 10), (16, 128, 6), (128, 10**9, 2))
    m = Fraction(0)
    for lo, hi, pct in steps:
        if capacity > lo * _GI:
            m += (min(capacity, hi * _GI) - lo * _GI) * Fraction(pct, 100)
    return _ceil(m)


def _ceil(x: Fraction) -> int:
    return -((-x.numerator) // x.denominator)


def _terms(formula: str, cores: int, memory: int, max_pods: int) -> tuple[Reservation, ...]:
    if formula == "eks":
        return (
            Reservation("kube-reserved", CPU, cpu_reserved_ladder(cores), "6/1/0.5/0.25% ladder"),
            Reservation(
                "kube-reserved",
                MEMORY,
                (11 * max_pods + 255) * _MI,
                f"11Mi × {max_pods} max pods + 255Mi",
            ),
            Reservation("eviction threshold", MEMORY, 100 * _MI, "memory.available<100Mi"),
        )
    if formula == "gke":
        return (
            Reservation("kube-reserved", CPU, cpu_reserved_ladder(cores), "6/1/0.5/0.25% ladder"),
            Reservation(
                "kube-reserved",
                MEMORY,
                memory_reserved_ladder(memory),
                "25/20/10/6/2% ladder of capacity",
            ),
            Reservation("eviction threshold", MEMORY, 100 * _MI, "memory.available<100Mi"),
        )
    if formula == "aks":
        if cores not in AKS_CPU_RESERVED:
            raise ManifestError(f"no AKS cpu reservation for {cores} cores", path="preset")
        per_pods = (20 * max_pods + 50) * _MI
        quarter = memory // 4
        mem = min(per_pods, quarter)
        rule = f"min(20Mi × {max_pods} max pods + 50Mi, 25% of capacity)" + (
            " = 25% of capacity" if mem == quarter and quarter < per_pods else ""
        )
        return (
            Reservation("kube-reserved", CPU, AKS_CPU_RESERVED[cores], "AKS cpu table"),
            Reservation("kube-reserved", MEMORY, mem, rule),
            Reservation("eviction threshold", MEMORY, 100 * _MI, "memory.available<100Mi"),
        )
    if formula == "aks-legacy":
        if cores not in AKS_CPU_RESERVED:
            raise ManifestError(f"no AKS cpu reservation for {cores} cores", path="preset")
        return (
            Reservation("kube-reserved", CPU, AKS_CPU_RESERVED[cores], "AKS cpu table"),
            Reservation(
                "kube-reserved",
                MEMORY,
                memory_reserved_ladder(memory),
                "25/20/10/6/2% ladder of capacity",
            ),
            Reservation("eviction threshold", MEMORY, 750 * _MI, "memory.available<750Mi"),
        )
    if formula == "none":
        return ()
    raise ManifestError(f"unknown reservation formula {formula!r}", path="preset")


@functools.cache
def _preset_table() -> dict[str, Preset]:
    import csv  # the presets' table only: a command that names no preset reads none
    import io

    # the package's loader reads its data file (importlib.resources would import zipfile)
    raw = pkgutil.get_data("podfit", "data/node-presets.tsv")
    assert raw is not None, "podfit/data/node-presets.tsv is part of the package"
    text = raw.decode("utf-8")
    rows = csv.DictReader(
        io.StringIO("".join(ln for ln in text.splitlines(True) if not ln.startswith("#"))),
        delimiter="\t",
    )
    table: dict[str, Preset] = {}
    for row in rows:
        cores = int(row["cpu"])
        memory = parse_quantity(row["memory"]).to_int(0)
        max_pods = int(row["max_pods"])
        extended = {}
        if row["extended"] and row["extended"] != "-":
            for item in row["extended"].split(","):
                key, _, val = item.partition("=")
                extended[key] = int(val)
        table[row["name"]] = Preset(
            name=row["name"],
            provider=row["provider"],
            instance_type=row["name"].split("/", 1)[1],
            formula=row["formula"],
            capacity_cpu=cores * 1000,
            capacity_memory=memory,
            max_pods=max_pods,
            extended=extended,
            capacity_basis=row["capacity_basis"],
            source=row["source"],
            terms=_terms(row["formula"], cores, memory, max_pods),
        )
    return table


def preset_names() -> list[str]:
    """All preset names, sorted."""
    return sorted(_preset_table())


def node_preset(name: str) -> Preset:
    """The preset called ``name`` (``aws/m5.large``); case-insensitive on the provider part.

    Raises ``ManifestError`` naming the close matches when unknown.
    """
    table = _preset_table()
    if name in table:
        return table[name]
    lowered = {k.lower(): k for k in table}
    if name.lower() in lowered:
        return table[lowered[name.lower()]]
    suffix = name.rsplit("/", 1)[-1].lower()
    close = [k for k in sorted(table) if k.lower().endswith("/" + suffix)]
    if not close:  # a misspelling: the nearest names (difflib ratio >= 0.6)
        import difflib  # only to name the closest presets of a misspelt one

        near = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.6)
        close = [lowered[k] for k in near]
    hint = (
        f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(sorted(table))}"
    )
    raise ManifestError(f'unknown node preset "{name}"{hint}', path="preset")
