"""Shared output helpers for every ``podfit`` subcommand.

One way to print tables, JSON and YAML, and one way to turn a ``PodfitError`` into a
message on stderr and exit code 1, so all subcommands behave alike.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click
import yaml

from podfit.errors import PodfitError

if TYPE_CHECKING:  # podfit quantity, which prints through here, reads no manifests
    from podfit.manifests import Skipped, Workload

P = ParamSpec("P")
R = TypeVar("R")

EXIT_INPUT_ERROR = 1
EXIT_PENDING = 3

FORMATS = ("table", "json", "yaml")


def output_option(
    *extra: str, default: str = "table"
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """The ``-o/--output`` option of every subcommand: table, json, yaml and ``extra``."""
    return click.option(
        "-o",
        "--output",
        "output",
        type=click.Choice([*FORMATS, *extra]),
        default=default,
        show_default=True,
        help="Output format.",
    )


def names(kind: str, items: Iterable[str]) -> str:
    """``-o name`` as kubectl prints it: one ``kind/NAME`` line per object (no namespace).

    >>> names("pod", ["web-0", "web-1"])
    'pod/web-0\\npod/web-1\\n'
    """
    return "".join(f"{kind}/{name}\n" for name in items)


def dump(data: Any, fmt: str) -> str:
    """Serialize ``data`` (plain JSON types) as deterministic JSON or YAML text."""
    if fmt == "json":
        return _json_text(data)
    if fmt == "yaml":
        return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120))
    raise ValueError(f"unknown structured format {fmt!r}")


_DIGITS_AS_ONE = bytes.maketrans(b"23456789E", b"11111111e")
"""Maps the digits 1-9 to ``1`` and ``E`` to ``e`` (``0`` and ``.`` stay): in the mapped
text ``0e``/``1e`` is a digit before an exponent and ``0.0000`` is itself."""


def _float_forms(raw: bytes) -> bool:
    """Where orjson may have written a number in another form than Python's ``repr``: a
    digit before an exponent (``1e-7``; Python ``1e-07``) or ``0.0000`` (a decimal below
    1e-4: ``0.00001``; Python ``1e-05``), the regular expression ``[0-9][eE]|0\\.0000``
    found with one byte translation and three substring searches (C loops; the regular
    expression tries each position in turn). A string that happens to hold such text
    only costs the slower encoder. Cost: linear in ``raw``."""
    mapped = raw.translate(_DIGITS_AS_ONE)
    return b"0e" in mapped or b"1e" in mapped or b"0.0000" in mapped


def _json_text(data: Any) -> str:
    """``json.dumps(data, indent=2, ensure_ascii=False)`` and a newline, byte for byte,
    written by orjson (C, about ten times faster on a plan of thousands of nodes): same
    indentation, separators, escapes and key order. What orjson refuses (an integer
    beyond 64 bits, a non-string key, an unpaired surrogate) or may format otherwise (a
    float with an exponent: :func:`_float_forms`) goes through the standard encoder.
    Documents hold finite numbers only (Python would write ``NaN``, orjson ``null``).
    Cost: linear in the document, plus one scan of the bytes."""
    import orjson  # only the JSON output needs it

    try:
        raw = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:
        raw = b""
    if raw and not _float_forms(raw):
        return raw.decode("utf-8")
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Render a left-aligned plain-text table (kubectl style: columns separated by 3 spaces)."""
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in r] for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "   ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines) + "\n"


def echo_warnings(warnings: Iterable[str]) -> None:
    """Each warning once, in order, as a ``warning: TEXT`` line on stderr: how every
    subcommand reports what its input and its answer do not account for."""
    for warning in dict.fromkeys(warnings):
        click.echo(f"warning: {warning}", err=True)


MAX_SKIPPED_NAMES = 3


def skipped_lines(skipped: Sequence[Skipped]) -> list[str]:
    """The skipped objects (create no pods) as warning lines, one per kind and reason, in
    order of first appearance: a lone object is named with where it was read
    (:meth:`Skipped.warning`); several say how many, and name the first
    :data:`MAX_SKIPPED_NAMES` (``12 Service objects skipped: creates no pods (default/a,
    default/b, default/c and 9 more)``), so a namespace dump is a few lines, not hundreds."""
    groups: dict[tuple[str, str], list[Skipped]] = {}
    for item in skipped:
        groups.setdefault((item.kind, item.general_reason), []).append(item)
    lines = []
    for (kind, reason), items in groups.items():
        if len(items) == 1:
            lines.append(items[0].warning())
            continue
        names = [f"{s.namespace}/{s.name}" if s.namespace else s.name for s in items]
        shown = ", ".join(names[:MAX_SKIPPED_NAMES])
        if len(names) > MAX_SKIPPED_NAMES:
            shown += f" and {len(names) - MAX_SKIPPED_NAMES} more"
        lines.append(f"{len(items)} {kind} objects skipped: {reason} ({shown})")
    return lines


def echo_report_warnings(warnings: Iterable[str], *workloads: Workload) -> None:
    """A result's or report's ``warnings`` on stderr in their order, its skipped objects
    last (where the document has them), grouped by kind (:func:`skipped_lines`) instead of
    one line each."""
    skipped = [s for w in workloads for s in w.skipped]
    one_each = {s.warning() for s in skipped}
    echo_warnings([*(w for w in warnings if w not in one_each), *skipped_lines(skipped)])


def handles_input_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Report a ``PodfitError`` as ``error: <path>: <message>`` lines on stderr and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except PodfitError as exc:
            for err in exc.errors:
                click.echo(f"error: {err}", err=True)
            sys.exit(EXIT_INPUT_ERROR)

    return wrapper
