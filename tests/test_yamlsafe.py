"""Safe YAML/JSON reading: aliases refused, bounds enforced, numbers typed as kubectl does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podfit.errors import LimitExceeded, ManifestError, QuantityError
from podfit.manifests import quantity_value
from podfit.yamlsafe import Limits, Number, go_json_float, json_load_all, load_all, safe_load_all

BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)

REFUSED = [
    (BILLION_LAUGHS, LimitExceeded, "anchors"),
    ("a: 1\nb: *x\n", LimitExceeded, "aliases"),
    ("base: &base {cpu: 1}\n", LimitExceeded, "anchors"),
    ("<<: {cpu: 1}\nmemory: 1\n", ManifestError, "merge keys"),
    ("a: 1\na: 2\n", ManifestError, 'duplicate key "a"'),
    ("a: !!python/object/apply:os.system [ls]\n", ManifestError, "not supported"),
    ("a: !custom x\n", ManifestError, "not supported"),
    ("a: [1\n", ManifestError, "invalid YAML"),
    ("a: " + "[" * 70 + "]" * 70 + "\n", LimitExceeded, "nesting deeper than 64"),
    ("---\na: 1\n" * 5, LimitExceeded, "more than 3 YAML documents"),
    (b"\xff\xfe", ManifestError, "not UTF-8"),
]


@pytest.mark.parametrize(("text", "error", "message"), REFUSED)
def test_unsafe_or_malformed_yaml_is_refused(
    text: str | bytes, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        safe_load_all(text, Limits(max_documents=3))


def test_documents_and_empty_documents() -> None:
    assert safe_load_all("a: 1\n---\n---\n# only a comment\n---\nb: [x, 'y']\n") == [
        {"a": 1},
        None,
        None,
        {"b": ["x", "y"]},
    ]


# unquoted YAML scalar -> the JSON text kubectl sends (quantities doc §4)
YAML_NUMBERS = [
    ("0x10", "16"),
    ("010", "8"),
    ("0o10", "8"),
    ("1_000", "1000"),
    ("1.050", "1.05"),
    ("1e3", "1000"),
    ("+1", "1"),
    ("0.1", "0.1"),
    (".5", "0.5"),
    ("1e21", "1e+21"),
    ("1e-7", "1e-7"),
    ("-0.5", "-0.5"),
]


@pytest.mark.parametrize(("scalar", "text"), YAML_NUMBERS)
def test_yaml_numbers_are_re_encoded_like_kubectl(scalar: str, text: str) -> None:
    (doc,) = safe_load_all(f"v: {scalar}\n")
    assert isinstance(doc["v"], Number)
    assert doc["v"].text == text


YAML_STRINGS = ["1:30", "100m", "1Gi", "'1e3'", '"0x10"', "1e400", "a1"]


@pytest.mark.parametrize("scalar", YAML_STRINGS)
def test_yaml_scalars_that_stay_strings(scalar: str) -> None:
    (doc,) = safe_load_all(f"v: {scalar}\n")
    assert isinstance(doc["v"], str)


def test_go_yaml_booleans_and_nulls() -> None:
    (doc,) = safe_load_all("a: yes\nb: off\nc: y\nd: ~\ne:\nf: 'yes'\n")
    assert doc == {"a": True, "b": False, "c": True, "d": None, "e": None, "f": "yes"}


# manifest value -> canonical quantity, via each transport
QUANTITIES = [
    ("yaml", "0x10", "16"),
    ("yaml", "010", "8"),
    ("yaml", "0o10", "8"),
    ("yaml", "1_000", "1k"),
    ("yaml", "1.050", "1050m"),
    ("yaml", "1e3", "1k"),
    ("yaml", "+1", "1"),
    ("yaml", '"1.050"', "1050m"),
    ("yaml", '"1e3"', "1e3"),
    ("yaml", "0.1", "100m"),
    ("json", "1.5", "1500m"),
    ("json", "1e3", "1e3"),
    ("json", "-0.5", "-500m"),
    ("json", "null", "0"),
    ("json", '" 1"', "1"),
    ("json", '"1\\u00a0"', "1"),  # U+00A0 is Go whitespace
]


@pytest.mark.parametrize(("transport", "raw", "canonical"), QUANTITIES)
def test_quantities_arrive_as_kubectl_sends_them(transport: str, raw: str, canonical: str) -> None:
    text = f"v: {raw}\n" if transport == "yaml" else f'{{"v": {raw}}}'
    (doc,) = load_all(text)
    assert str(quantity_value(doc["v"])) == canonical


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("v: .inf\n", "unsupported value"),
        ('{"v": "1 Gi"}', "is not a valid quantity"),
        ('{"v": "1\\u200b"}', "is not a valid quantity"),  # U+200B is not Go whitespace
        ("v: true\n", "not true"),
        ("v: [1]\n", "not array"),
    ],
)
def test_bad_quantity_values_are_refused(text: str, fragment: str) -> None:
    (doc,) = load_all(text)
    with pytest.raises(QuantityError, match=fragment):
        quantity_value(doc["v"])


def test_json_streams_arrays_and_duplicate_fields() -> None:
    assert len(json_load_all('{"a": 1} {"b": 2}\n[{"c": 3}]')) == 3
    with pytest.raises(ManifestError, match='duplicate field "a"'):
        json_load_all('{"a": 1, "a": 2}')
    with pytest.raises(ManifestError, match="invalid JSON"):
        json_load_all('{"a": }')
    with pytest.raises(LimitExceeded, match="nesting"):
        json_load_all('{"a": ' + "[" * 100 + "]" * 100 + "}")


def test_go_json_float_formatting() -> None:
    assert [go_json_float(x) for x in (0.0, 1.05, 1000.0, 1e20, 1e21, 1.5e-7, -2.5)] == [
        "0",
        "1.05",
        "1000",
        "100000000000000000000",
        "1e+21",
        "1.5e-7",
        "-2.5",
    ]


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_go_json_float_round_trips(x: float) -> None:
    """Property: the text parses back to the same float64 (shortest round-trip digits)."""
    assert float(go_json_float(x)) == x
