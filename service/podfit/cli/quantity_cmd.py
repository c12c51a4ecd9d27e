"""``podfit quantity``: parse, canonicalize and convert Kubernetes quantities.

    podfit quantity 100m 1.5Gi 0.1 --to Mi
    podfit quantity -f requests.txt -o json        # one quantity per line; '-' is stdin

Each input gets one row (:mod:`podfit.documents.quantities`, the same JSON as
``POST /v1/quantities``): canonical form, Kubernetes' ``Value()`` and ``MilliValue()``,
format and (with ``--to``) the conversion. A bad quantity is reported on its own row with
Kubernetes' error text; the others are still answered, and the exit code is 1.
"""

from __future__ import annotations

import json
from typing import IO, Any

import click

from podfit.cli.output import EXIT_INPUT_ERROR, dump, output_option, table
from podfit.documents.quantities import failed, quantity_row

UNITS = ("n", "u", "m", "", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")


def _check_unit(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None or value in UNITS:
        return value
    shown = ", ".join(repr(u) for u in UNITS)
    raise click.BadParameter(f"unknown unit {value!r}: expected one of {shown}")


def read_lines(stream: IO[str]) -> list[str]:
    """One quantity per line; line endings are removed, blank lines skipped.

    Other whitespace is kept, so a stray space is reported the way Kubernetes reports it.
    """
    return [line.rstrip("\r\n") for line in stream if line.strip()]


def _shown(text: str) -> str:
    """The input as typed, JSON-quoted when it has whitespace or invisible characters."""
    if not text or not text.isprintable() or text != text.strip() or " " in text:
        return json.dumps(text)
    return text


def _table(rows: list[dict[str, Any]], to: str | None) -> str:
    """Columns INPUT, CANONICAL, VALUE, MILLI-VALUE, FORMAT, [IN <unit>], [ERROR]."""
    headers = ["INPUT", "CANONICAL", "VALUE", "MILLI-VALUE", "FORMAT"]
    if to is not None:
        headers.append(f"IN {to or 'BASE UNITS'}")
    with_errors = any(failed(row) for row in rows)
    if with_errors:
        headers.append("ERROR")
    cells: list[list[str]] = []
    for row in rows:
        if "error" in row:
            # the message starts with the JSON-quoted input, which the row already shows
            reason = row["error"]["message"].split(" is not a valid quantity: ", 1)[-1]
            cells.append([_shown(row["input"]), *[""] * (len(headers) - 2), reason])
            continue
        line = [
            _shown(row["input"]),
            row["canonical"],
            _int_cell(row["value"]),
            _int_cell(row["milliValue"]),
            row["format"],
        ]
        error = ""
        if to is not None:
            converted = row["converted"]
            if "error" in converted:
                line.append("")
                error = converted["error"]["message"]
            else:
                rounded = "" if converted["exact"] else " (rounded up)"
                line.append(converted["text"] + rounded)
        if with_errors:
            line.append(error)
        cells.append(line)
    return table(headers, cells)


def _int_cell(value: int | None) -> str:
    return "> int64" if value is None else str(value)


@click.command("quantity")
@click.argument("quantities", nargs=-1)
@click.option(
    "-f",
    "--filename",
    "files",
    type=click.File("r", encoding="utf-8"),
    multiple=True,
    metavar="FILE",
    help="Read one quantity per line from FILE ('-' for stdin); blank lines are skipped.",
)
@click.option(
    "--to",
    callback=_check_unit,
    metavar="UNIT",
    help="Also write each quantity in UNIT (m, k, M, G, Ki, Mi, Gi, …), rounded up if needed.",
)
@output_option()
def quantity(
    quantities: tuple[str, ...], files: tuple[IO[str], ...], to: str | None, output: str
) -> None:
    """Parse Kubernetes quantities exactly as Kubernetes does and print their canonical form.

    \b
    Examples:
      podfit quantity 100m 1.5Gi 0.1 --to Mi
      podfit quantity -f - -o json < quantities.txt
      podfit quantity -- -1.5 +250m      # '--' before a negative quantity
    """
    texts = list(quantities)
    for stream in files:
        try:
            texts.extend(read_lines(stream))
        except UnicodeDecodeError as exc:
            name = getattr(stream, "name", "-")
            raise click.BadParameter(
                f"{name} is not UTF-8 text ({exc.reason} at byte {exc.start})",
                param_hint="'-f'",
            ) from None
    if not texts:
        raise click.UsageError("give at least one quantity, or -f FILE")
    rows = [quantity_row(text, to, index) for index, text in enumerate(texts)]
    if output == "table":
        click.echo(_table(rows, to), nl=False)
    else:
        click.echo(dump({"results": rows}, output), nl=False)
    bad = sum(failed(row) for row in rows)
    if bad:
        click.echo(f"error: {bad} of {len(rows)} quantities could not be answered", err=True)
        raise SystemExit(EXIT_INPUT_ERROR)
