"""Benchmark: podfit.quantity.parse_quantity versus kubernetes.utils.parse_quantity.

Run with ``make bench`` or ``.venv/bin/python bench/quantity_bench.py`` (needs the ``bench``
extra: ``pip install -e '.[bench]'``). Prints strings/s for both parsers and the ratio on

1. a realistic manifest mix with heavy repetition (``100m``, ``250m``, ``128Mi``, ``1Gi``, …),
2. 100,000 distinct valid strings (podfit's parse cache is emptied first, so every string
   takes the full parse),

then the time podfit needs for hostile inputs, and how many rows of
tests/data/quantity-vectors.tsv each parser gets wrong (value, or error versus value).
``--profile`` adds where the time goes on the distinct strings: CPU ns per string by shape
for both parsers, and the cumulative cost of the steps of podfit's DecimalSI-integer fast
path (each step timed by subtraction, in the same loop). Speed is measured here only,
never asserted in tests.
"""

from __future__ import annotations

import csv
import gc
import platform
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from podfit import quantity as podfit_quantity
from podfit.errors import QuantityError
from podfit.quantity import parse_quantity

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "data" / "quantity-vectors.tsv"

# (string, weight): how often each spelling appears in requests/limits of real manifests
MANIFEST_MIX: list[tuple[str, int]] = [
    ("100m", 30), ("250m", 20), ("500m", 18), ("50m", 8), ("10m", 6), ("200m", 10),
    ("1", 14), ("2", 10), ("0.5", 8), ("0.1", 5), ("4", 4), ("1500m", 3), ("0.25", 3),
    ("128Mi", 22), ("256Mi", 20), ("512Mi", 18), ("64Mi", 8), ("1Gi", 16), ("2Gi", 10),
    ("4Gi", 5), ("100Mi", 6), ("500M", 3), ("1G", 3), ("10Gi", 4), ("32Mi", 4), ("110", 2),
    ("1.5Gi", 2), ("8Gi", 2), ("300Mi", 3), ("750m", 2),
]  # fmt: skip

HOSTILE = {
    "1e2147483647": "1e2147483647",
    "9e-9999999": "9e-9999999",
    "100,000 digits": "7" * 100_000,
    "100,000-digit fraction + Ki": "0." + "3" * 99_997 + "Ki",
    "100,000 zeros then junk": "0" * 100_000 + "x",
}


def manifest_strings(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    words = [w for w, _ in MANIFEST_MIX]
    weights = [wt for _, wt in MANIFEST_MIX]
    return rng.choices(words, weights, k=n)


def distinct_strings(n: int, seed: int = 2) -> list[str]:
    """n different valid quantities in the shapes manifests use (integers, fractions, suffixes)."""
    rng = random.Random(seed)
    dec = ["", "m", "k", "M", "G", "T"]
    binary = ["Ki", "Mi", "Gi", "Ti"]
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        shape = rng.random()
        if shape < 0.45:
            s = f"{rng.randint(1, 999_999)}{rng.choice(dec)}"
        elif shape < 0.8:
            s = f"{rng.randint(1, 99_999)}{rng.choice(binary)}"
        else:
            s = f"{rng.randint(0, 9_999)}.{rng.randint(1, 999):03d}".rstrip("0")
            s += rng.choice(["", "", "k", "M", "G", "Gi", "Mi"])
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


def timed(parse: Callable[[str], Any], items: Sequence[str], setup: Callable[[], None]) -> float:
    """CPU seconds (process time, so waiting for a busy machine is not counted)."""
    setup()
    gc.collect()
    start = time.process_time()
    for s in items:
        parse(s)
    return time.process_time() - start


def rates(
    ours: Callable[[str], Any],
    theirs: Callable[[str], Any],
    items: Sequence[str],
    setup: Callable[[], None],
    rounds: int = 7,
) -> tuple[float, float]:
    """Strings per second for both parsers: best of ``rounds`` runs, alternating the two so
    that load from other processes affects both alike."""
    best_ours = best_theirs = float("inf")
    for _ in range(rounds):
        best_ours = min(best_ours, timed(ours, items, setup))
        best_theirs = min(best_theirs, timed(theirs, items, no_setup))
    return len(items) / best_ours, len(items) / best_theirs


def clear_cache() -> None:
    podfit_quantity._cache.clear()


def no_setup() -> None:
    pass


_VALUE = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?(?:e(-?[0-9]+))?")


def expected_decimal(text: str) -> tuple[int, int, int] | None:
    """The vector's exact value as (sign, coefficient without trailing zeros, exponent)."""
    m = _VALUE.fullmatch(text)
    if not m:
        return None
    sign, whole, frac, exp = m.groups()
    frac = frac or ""
    digits = (whole + frac).lstrip("0")
    exponent = int(exp or 0) - len(frac)
    if not digits:
        return (0, 0, 0)
    stripped = digits.rstrip("0")
    return (-1 if sign else 1, int(stripped), exponent + len(digits) - len(stripped))


def decimal_parts(d: Decimal) -> tuple[int, int, int] | None:
    if not d.is_finite():
        return None
    sign, digits, exponent = d.as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits)).lstrip("0")
    if not text:
        return (0, 0, 0)
    stripped = text.rstrip("0")
    return (-1 if sign else 1, int(stripped), exponent + len(text) - len(stripped))


def accuracy(
    client_parse: Callable[[str], Any],
) -> tuple[int, int, int, dict[str, int], list[str]]:
    """(rows, podfit wrong, client wrong, client mistakes by kind, a few examples)."""
    with VECTORS.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    podfit_wrong = client_wrong = 0
    kinds = {"accepts an invalid quantity": 0, "rejects a valid one": 0, "wrong value": 0}
    examples: list[str] = []
    for row in rows:
        text, canonical = row["input"], row["canonical"]
        want_error = canonical.startswith("ERROR:")
        want = None if want_error else expected_decimal(row["value"])
        try:
            got = str(parse_quantity(text))
            podfit_ok = (not want_error) and got == canonical
        except QuantityError as exc:
            podfit_ok = want_error and exc.kubernetes_message == canonical[6:]
        podfit_wrong += not podfit_ok
        try:
            d = client_parse(text)
            client_ok = (not want_error) and decimal_parts(d) == want
            shown = f"{d}"
            kind = "accepts an invalid quantity" if want_error else "wrong value"
        except Exception as exc:  # the client raises ValueError and others
            client_ok = want_error
            shown = f"{type(exc).__name__}"
            kind = "rejects a valid one"
        if not client_ok:
            client_wrong += 1
            kinds[kind] += 1
            if len(examples) < 8 and len(text) < 30:
                expect = canonical if want_error else row["value"]
                examples.append(f"{text!r}: client {shown[:30]}, Kubernetes {expect[:40]}")
    return len(rows), podfit_wrong, client_wrong, kinds, examples


def per_string_ns(
    parse: Callable[[str], Any], items: Sequence[str], setup: Callable[[], None]
) -> float:
    """Best of 7 CPU times, in nanoseconds per string."""
    return min(timed(parse, items, setup) for _ in range(7)) / len(items) * 1e9


def profile(client_parse: Callable[[str], Any], distinct: Sequence[str]) -> None:
    """Where the time goes on the distinct strings (see the module docstring)."""
    shapes = {
        "DecimalSI integer (250m, 7, 3k)": [s for s in distinct if s[-1] != "i" and "." not in s],
        "BinarySI integer (128Mi)": [s for s in distinct if s[-1] == "i" and "." not in s],
        "decimal fraction (0.5, 1.25G)": [s for s in distinct if s[-1] != "i" and "." in s],
        "binary fraction (1.5Gi)": [s for s in distinct if s[-1] == "i" and "." in s],
    }
    print()
    print(f"{'shape (cache emptied)':36} {'strings':>8} {'podfit ns':>10} {'client ns':>10}")
    for name, items in shapes.items():
        ours = per_string_ns(parse_quantity, items, clear_cache)
        theirs = per_string_ns(client_parse, items, no_setup)
        print(f"{name:36} {len(items):8,} {ours:10.0f} {theirs:10.0f}")

    # The DecimalSI-integer fast path, rebuilt one step at a time (same code as
    # parse_quantity); each line's cost is the difference to the line before.
    items = shapes["DecimalSI integer (250m, 7, 3k)"]
    last = podfit_quantity._LAST
    but_last = podfit_quantity._BUT_LAST
    alloc = podfit_quantity._alloc
    dec_si = podfit_quantity.Format.DECIMAL_SI
    cache = podfit_quantity._cache

    def call(text: str) -> None:
        return None

    def suffix(text: str) -> int | None:
        try:
            p = last[text[-1]]
        except (LookupError, TypeError):
            return None
        if type(text) is not str:
            return None
        return p

    def validate(text: str) -> bool:
        p = last[text[-1]]
        if type(text) is not str or p is None:
            return False
        body = text[but_last] if p else text
        return body.isdigit() and body.isascii() and len(body) <= 18

    def convert(text: str) -> int:
        p = last[text[-1]]
        if type(text) is not str or p is None:
            return 0
        body = text[but_last] if p else text
        if body.isdigit() and body.isascii() and len(body) <= 18:
            return int(body)
        return 0

    def build(text: str) -> object:
        p = last[text[-1]]
        if type(text) is not str or p is None:
            return None
        body = text[but_last] if p else text
        if body.isdigit() and body.isascii() and len(body) <= 18:
            q = alloc()
            q._c = int(body)
            q._e = p
            q._f = dec_si
            return q
        return None

    def cached(text: str) -> object:
        if text in cache:
            return cache[text]
        return build(text)

    def client_decimal(text: str) -> Decimal:
        return Decimal(text.rstrip("numkMGTPE"))

    print()
    print("podfit's DecimalSI-integer fast path, cumulative CPU ns per string:")
    steps = [
        ("loop + call", call),
        ("+ suffix look-up (last character), type check", suffix),
        ("+ slice, isdigit, isascii, length", validate),
        ("+ int()", convert),
        ("+ Quantity object (_alloc(), 3 slots)", build),
        ("+ cache look-up (a miss)", cached),
        ("+ cache insert (= parse_quantity)", parse_quantity),
    ]
    for label, fn in steps:
        print(f"  {label:48} {per_string_ns(fn, items, clear_cache):6.0f}")
    print("client, same strings:")
    print(f"  {'Decimal(digits) alone':48} {per_string_ns(client_decimal, items, no_setup):6.0f}")
    full = per_string_ns(client_parse, items, no_setup)
    print(f"  {'kubernetes.utils.parse_quantity':48} {full:6.0f}")


def main() -> int:
    try:
        from kubernetes.utils import parse_quantity as client_parse
    except ImportError:
        print("kubernetes is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    import kubernetes

    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"kubernetes client {kubernetes.__version__}"
    )
    mix = manifest_strings(200_000)
    distinct = distinct_strings(100_000)
    for s in distinct:  # every benchmark string is valid for both parsers
        client_parse(s)
        parse_quantity(s)

    results = []
    for name, items, setup in (
        ("manifest mix (200,000 strings, 30 spellings)", mix, no_setup),
        ("100,000 distinct valid strings (cache emptied)", distinct, clear_cache),
    ):
        ours, theirs = rates(parse_quantity, client_parse, items, setup)
        results.append((name, ours, theirs))
    print()
    print(f"{'workload':50} {'podfit /s':>12} {'client /s':>12} {'ratio':>7}")
    for name, ours, theirs in results:
        print(f"{name:50} {ours:12,.0f} {theirs:12,.0f} {ours / theirs:6.1f}x")

    print()
    print("hostile inputs (podfit, parse + str, best of 5):")
    for label, text in HOSTILE.items():
        best = float("inf")
        outcome = ""
        for _ in range(5):
            clear_cache()
            start = time.perf_counter()
            try:
                outcome = str(parse_quantity(text))[:24]
            except QuantityError as exc:
                outcome = "error: " + exc.kubernetes_message[:30]
            best = min(best, time.perf_counter() - start)
        print(f"  {label:32} {best * 1000:8.3f} ms  -> {outcome}")

    rows, podfit_wrong, client_wrong, kinds, examples = accuracy(client_parse)
    print()
    one_in = rows / max(client_wrong, 1)
    print(
        f"vector rows: {rows}; podfit wrong: {podfit_wrong}; kubernetes client wrong: "
        f"{client_wrong} ({client_wrong / rows:.0%}, about one in {one_in:.1f})"
    )
    print("  client mistakes: " + ", ".join(f"{n} {kind}" for kind, n in kinds.items()))
    for line in examples:
        print(f"  {line}")
    if "--profile" in sys.argv[1:]:
        profile(client_parse, distinct)
    return 0


if __name__ == "__main__":
    sys.exit(main())
