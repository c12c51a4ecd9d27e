"""Resource names and resource lists (``resource name -> Quantity``), as Kubernetes uses them.

A *resource list* is a plain ``dict[str, Quantity]`` (``corev1.ResourceList``); the helpers
here never mutate their arguments. The scheduler works with integers per resource: **cpu in
millicores**, everything else (memory, ephemeral-storage, hugepages-*, extended resources,
pods) **in base units** — :func:`to_amount` converts, rounding up exactly like Kubernetes'
``MilliValue()`` / ``Value()`` for non-negative values, and refuses values past int64.

Name classes follow ``k8s.io/kubernetes/pkg/apis/core/v1/helper``:

>>> is_extended("nvidia.com/gpu"), is_extended("cpu"), is_extended("kubernetes.io/x")
(True, False, False)
>>> is_hugepages("hugepages-2Mi"), is_scalar("hugepages-2Mi"), is_scalar("memory")
(True, True, False)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from podfit.quantity import Format, Quantity

CPU = "cpu"
MEMORY = "memory"
EPHEMERAL_STORAGE = "ephemeral-storage"
PODS = "pods"
HUGEPAGES_PREFIX = "hugepages-"
ATTACHABLE_VOLUMES_PREFIX = "attachable-volumes-"
NATIVE_DOMAIN = "kubernetes.io/"

ResourceList = dict[str, Quantity]

_BINARY_NAMES = frozenset({MEMORY, EPHEMERAL_STORAGE})


def is_hugepages(name: str) -> bool:
    """``hugepages-<size>`` (``IsHugePageResourceName``)."""
    return name.startswith(HUGEPAGES_PREFIX)


def is_native(name: str) -> bool:
    """No domain, or a ``kubernetes.io/`` domain (``IsNativeResource``)."""
    return "/" not in name or NATIVE_DOMAIN in name


def is_extended(name: str) -> bool:
    """A domain-prefixed name outside ``kubernetes.io`` (``IsExtendedResourceName``)."""
    return not is_native(name) and not name.startswith("requests.")


def is_scalar(name: str) -> bool:
    """Extended, hugepages, prefixed native or attachable-volumes (``IsScalarResourceName``).

    The scheduler keeps these in ``ScalarResources`` rather than its cpu/memory fields.
    """
    return (
        is_extended(name)
        or is_hugepages(name)
        or ("/" in name and NATIVE_DOMAIN in name)
        or name.startswith(ATTACHABLE_VOLUMES_PREFIX)
    )


def is_overcommit_allowed(name: str) -> bool:
    """Requests may be below limits only for native, non-hugepages resources."""
    return is_native(name) and not is_hugepages(name)


def fits(request: int, free: int) -> bool:
    """NodeResourcesFit's per-resource rule (``fitsRequest``): ``request`` fits what is free
    (allocatable minus what is already requested) when ``request <= free``. Equality fits;
    an overcommitted node (negative ``free``) fits no positive request. Upstream never
    checks a request of 0, so callers skip those. Integers, never floats.

    >>> fits(500, 500), fits(501, 500), fits(1, -3)
    (True, False, False)
    """
    return request <= free


def copies_that_fit(request: int, free: int) -> int:
    """How many copies of ``request`` (> 0) fit in ``free`` one after another under
    :func:`fits`: ``free // request``, 0 when not even one does. O(1).

    >>> copies_that_fit(300, 1000), copies_that_fit(300, 200), copies_that_fit(300, -1)
    (3, 0, 0)
    """
    return free // request if fits(request, free) else 0


def first_unfit(
    requests: Iterable[tuple[str, int]], allocatable: Mapping[str, int], used: Mapping[str, int]
) -> str | None:
    """The first resource of ``requests`` ((name, amount > 0) pairs) that does not fit in
    ``allocatable - used`` by :func:`fits` (a missing entry counts 0), or None when all
    fit. The comparison of :func:`fits` is written out here because this is the check
    the scheduler's fast path makes once per node per bind;
    ``tests/test_resources.py`` holds it to :func:`fits`. O(len(requests)).
    """
    for name, want in requests:
        if want > allocatable.get(name, 0) - used.get(name, 0):
            return name
    return None


def to_amount(name: str, quantity: Quantity) -> int:
    """The scheduler's integer for ``quantity`` of resource ``name``.

    cpu → millicores (``ceil(value*1000)``), everything else → base units (``ceil(value)``).
    Exact; raises ``QuantityError`` when the result is outside the int64 range (Kubernetes
    would silently wrap or return 0 there). Cost: O(digits), integer arithmetic only.
    """
    return quantity.to_int(-3) if name == CPU else quantity.to_int(0)


@functools.lru_cache(maxsize=65536)
def format_amount(name: str, amount: int) -> str:
    """The canonical text of an integer ``amount`` of resource ``name``.

    cpu prints as a DecimalSI milli-quantity (``1500`` → ``1500m``, ``2000`` → ``2``);
    memory, ephemeral-storage and hugepages print BinarySI (``1073741824`` → ``1Gi``);
    other resources DecimalSI. Cached (a pure function; a ScheduleResult of 1,000 replicas
    formats the same few amounts thousands of times).
    """
    return str(amount_quantity(name, amount))


def amount_quantity(name: str, amount: int) -> Quantity:
    """The Quantity for an integer ``amount`` of ``name`` (see :func:`format_amount`)."""
    if name == CPU:
        return Quantity.from_milli(amount, Format.DECIMAL_SI)
    if name in _BINARY_NAMES or is_hugepages(name):
        return Quantity.from_int(amount, Format.BINARY_SI)
    return Quantity.from_int(amount, Format.DECIMAL_SI)


def to_amounts(resources: Mapping[str, Quantity]) -> dict[str, int]:
    """:func:`to_amount` for every entry, keys in sorted order."""
    return {name: to_amount(name, resources[name]) for name in sorted(resources)}


def add(a: Mapping[str, Quantity], b: Mapping[str, Quantity]) -> ResourceList:
    """Per-resource exact sum; a key present in either list is present in the result."""
    out = dict(a)
    for name, q in b.items():
        out[name] = out[name] + q if name in out else q
    return out


def maximum(a: Mapping[str, Quantity], b: Mapping[str, Quantity]) -> ResourceList:
    """Per-resource maximum (``max(a[r], b[r])``); keys of either list are kept."""
    out = dict(a)
    for name, q in b.items():
        if name not in out or q > out[name]:
            out[name] = q
    return out


def total(lists: Iterable[Mapping[str, Quantity]]) -> ResourceList:
    """Exact sum of many resource lists."""
    out: ResourceList = {}
    for rl in lists:
        out = add(out, rl)
    return out


def canonical(resources: Mapping[str, Quantity]) -> dict[str, str]:
    """``{name: canonical text}`` in sorted key order (for output)."""
    return {name: str(resources[name]) for name in sorted(resources)}
