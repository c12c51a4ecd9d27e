"""Shared output helpers for every ``podfit`` subcommand.

One way to print tables, JSON and YAML, and one way to turn a ``PodfitError`` into a
message on stderr and exit code 1, so all subcommands behave alike.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ParamSpec, TypeVar

import click
import yaml

from podfit.errors import PodfitError

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


def dump(data: Any, fmt: str) -> str:
    """Serialize ``data`` (plain JSON types) as deterministic JSON or YAML text."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120))
    raise ValueError(f"unknown structured format {fmt!r}")


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
