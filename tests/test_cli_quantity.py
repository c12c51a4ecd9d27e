"""``podfit quantity``: one row per input, bad rows reported in place, exit code 1 on any."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from podfit.cli import main
from podfit.cli.params import QUANTITY
from podfit.quantity import parse_quantity


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["quantity", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_table_shows_canonical_values_format_and_conversion() -> None:
    """The issue's example: one row per input with canonical, Value(), MilliValue(), format
    and the conversion (flagged when rounded up)."""
    code, out, _ = run("100m", "1.5Gi", "0.1", "--to", "Mi")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["INPUT", "CANONICAL", "VALUE", "MILLI-VALUE", "FORMAT", "IN", "Mi"]
    assert lines[1].split() == ["100m", "100m", "1", "100", "DecimalSI", "1Mi", "(rounded", "up)"]
    assert lines[2].split() == [
        "1.5Gi",
        "1536Mi",
        "1610612736",
        "1610612736000",
        "BinarySI",
        "1536Mi",
    ]
    assert lines[3].split()[:5] == ["0.1", "100m", "1", "100", "DecimalSI"]
    assert len(lines) == 4


def test_bad_quantity_is_reported_on_its_row_and_others_still_answered() -> None:
    """A bad input gets Kubernetes' message in its row (then podfit's hint, if any); later
    inputs are still parsed; exit 1."""
    code, out, err = run("1K", "2Gi", " 1")
    assert code == 1
    rows = out.splitlines()
    assert rows[0].split()[-1] == "ERROR"
    assert rows[1].startswith("1K ") and rows[1].endswith(
        "unable to parse quantity's suffix (did you mean 1k or 1Ki?)"
    )
    assert rows[2].split()[:2] == ["2Gi", "2Gi"]
    assert rows[3].startswith('" 1" ') and "regular expression" in rows[3]
    assert "2 of 3 quantities could not be answered" in err


def test_json_output_has_one_result_per_input() -> None:
    """-o json: results in input order; a bad one is {"input", "error": {"path", "message"}}."""
    code, out, _ = run("1.050", "1K", "--to", "", "-o", "json")
    assert code == 1
    results = json.loads(out)["results"]
    assert results[0] == {
        "input": "1.050",
        "canonical": "1050m",
        "format": "DecimalSI",
        "value": 2,
        "milliValue": 1050,
        "converted": {"to": "", "text": "2", "exact": False},
    }
    assert results[1] == {
        "input": "1K",
        "error": {
            "path": "quantities[1]",
            "message": '"1K" is not a valid quantity: unable to parse quantity\'s suffix'
            " (did you mean 1k or 1Ki?)",
        },
    }


def test_yaml_output_matches_json() -> None:
    """-o yaml carries the same data as -o json."""
    _, as_json, _ = run("128Mi", "-o", "json")
    _, as_yaml, _ = run("128Mi", "-o", "yaml")
    assert yaml.safe_load(as_yaml) == json.loads(as_json)


def test_values_outside_int64_are_null_not_clamped() -> None:
    """Value()/MilliValue() that do not fit an int64 are null, not a clamped number."""
    code, out, _ = run("1Ei", "1e2147483647", "-o", "json")
    assert code == 0
    first, second = json.loads(out)["results"]
    assert first["value"] == 1152921504606846976 and first["milliValue"] is None
    assert second["canonical"] == "10e2147483646" and second["value"] is None


def test_impossible_conversion_is_an_error_in_the_row() -> None:
    """A value too large to write in the unit keeps its row, flags the conversion, exits 1."""
    code, out, _ = run("1e2147483647", "--to", "Mi", "-o", "json")
    assert code == 1
    converted = json.loads(out)["results"][0]["converted"]
    assert converted["to"] == "Mi" and "too large to write in Mi" in converted["error"]["message"]


def test_file_and_stdin_read_one_quantity_per_line(tmp_path: Path) -> None:
    """-f FILE and -f - read one quantity per line; blank lines are skipped."""
    listing = tmp_path / "quantities.txt"
    listing.write_text("250m\n\n  \n1Gi\r\n", encoding="utf-8")
    code, out, _ = run("-f", str(listing), "-o", "json")
    assert code == 0
    assert [r["canonical"] for r in json.loads(out)["results"]] == ["250m", "1Gi"]
    code, out, _ = run("100m", "-f", "-", "-o", "json", stdin="2\nbad\n")
    assert code == 1
    assert [r["input"] for r in json.loads(out)["results"]] == ["100m", "2", "bad"]


def test_negative_quantities_after_double_dash() -> None:
    """Negative quantities are accepted after '--'."""
    code, out, _ = run("-o", "json", "--", "-1.5", "+250m")
    assert code == 0
    assert [r["canonical"] for r in json.loads(out)["results"]] == ["-1500m", "250m"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((), "give at least one quantity"),
        (("1", "--to", "MB"), "unknown unit 'MB'"),
        (("1", "-o", "xml"), "Invalid value for '-o'"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], fragment: str) -> None:
    """Missing input, unknown units and formats are usage errors (exit code 2)."""
    code, _, err = run(*args)
    assert code == 2
    assert fragment in err


def test_quantity_param_type_uses_the_parse_message() -> None:
    """The click QUANTITY type parses exactly and fails with parse_quantity's message."""

    @click.command()
    @click.option("--cpu", type=QUANTITY, required=True)
    def show(cpu: object) -> None:
        click.echo(repr(cpu))

    ok = CliRunner().invoke(show, ["--cpu", "1.050"])
    assert ok.exit_code == 0 and ok.stdout.strip() == "Quantity('1050m')"
    bad = CliRunner().invoke(show, ["--cpu", "1K"])
    assert bad.exit_code == 2
    assert '"1K" is not a valid quantity: unable to parse quantity\'s suffix' in bad.stderr
    assert QUANTITY.convert(parse_quantity("2"), None, None) == parse_quantity("2")


def test_unreadable_file_is_a_usage_error(tmp_path: Path) -> None:
    """A file that is not UTF-8 text is a usage error naming the file, not a traceback."""
    binary = tmp_path / "quantities.bin"
    binary.write_bytes(b"100m\n\xff\xfe\n")
    code, _, err = run("-f", str(binary))
    assert code == 2
    assert "is not UTF-8 text" in err
