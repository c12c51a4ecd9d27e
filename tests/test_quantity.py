"""Rules of podfit.quantity beyond the vector table (docs/kubernetes-quantities.md)."""

from __future__ import annotations

import copy
import pickle
from fractions import Fraction

import pytest
from marshmallow import Schema, ValidationError

from podfit.errors import PodfitError, QuantityError
from podfit.quantity import (
    MSG_FORMAT,
    MSG_NUMERIC,
    MSG_SUFFIX,
    Conversion,
    Format,
    Quantity,
    _binary_nanos,
    parse_quantity,
)
from podfit.schemas.fields import QuantityField

DEC, BIN, EXP = Format.DECIMAL_SI, Format.BINARY_SI, Format.DECIMAL_EXPONENT


def q(text: str) -> Quantity:
    return parse_quantity(text)


# ---- parsing: paired tables ---------------------------------------------------------------

GOOD = [
    # (input, canonical, format) — the grammar of §2 and the pinned choices (a)-(e)
    ("100m", "100m", DEC),
    ("0.5", "500m", DEC),
    ("1.5Gi", "1536Mi", BIN),
    ("1e3", "1e3", EXP),
    ("1E3", "1e3", EXP),  # (a) canonical form, never the input echoed
    ("+1", "1", DEC),
    ("01", "1", DEC),
    ("1.", "1", DEC),
    ("1.G", "1G", DEC),
    (".5", "500m", DEC),
    ("1.050", "1050m", DEC),
    ("1000E", "1e21", DEC),  # (b) DecimalSI above E keeps its magnitude
    ("10000E", "10e21", DEC),
    ("1500E", "1500E", DEC),
    ("1e2147483647", "10e2147483646", EXP),  # (c) the largest exponent is accepted
    ("1e-2147483647", "1e-9", EXP),  # (d) exact, rounded up to 1n
    ("1.55e-2147483647", "1e-9", EXP),
    ("1000e2147483647", "10000e2147483646", EXP),  # (e) printed exponent stays parseable
    ("0.1n", "1n", DEC),  # nano round-up away from zero
    ("-0.1n", "-1n", DEC),
    ("8Ei", "9223372036854775807", BIN),  # binary slow path caps at 2^63-1
    ("0.5Ki", "512", BIN),
    (".001Ki", "1024m", BIN),
    (".000001Ki", "1024u", DEC),  # below 1 after rounding: becomes DecimalSI
    ("0Ki", "0", BIN),  # zero keeps its suffix's format but prints 0
    ("-0", "0", DEC),
    ("-", "0", DEC),  # digit-less inputs on the fast path are zero
    ("+.", "0", DEC),
    ("Ki", "0", BIN),
    ("e3", "0", EXP),
    ("0.e3", "0", EXP),
    ("9223372036854775807m", "9223372036854775807m", DEC),
    ("123456789012345678901234567890", "123456789012345678901234567890", DEC),
]

BAD = [
    # (input, Kubernetes' message) — the three errors and the inputs that reach each
    ("", MSG_FORMAT),
    (" 1", MSG_FORMAT),  # whitespace anywhere
    ("1 ", MSG_FORMAT),
    ("1 Gi", MSG_FORMAT),
    ("1\u00a0", MSG_FORMAT),
    ("١", MSG_FORMAT),  # non-ASCII digits
    ("１", MSG_FORMAT),
    ("1_000", MSG_FORMAT),
    ("1,000", MSG_FORMAT),
    ("0x10", MSG_FORMAT),
    ("1.5.5", MSG_FORMAT),
    ("1..5", MSG_FORMAT),
    ("--1", MSG_SUFFIX),  # the second sign is scanned as the exponent sign
    ("1e1e1", MSG_FORMAT),
    ("inf", MSG_FORMAT),
    ("NaN", MSG_FORMAT),
    ("'1'", MSG_FORMAT),
    ("1KB", MSG_FORMAT),
    ("1GiB", MSG_FORMAT),
    ("1K", MSG_SUFFIX),  # K only in Ki
    ("1ki", MSG_SUFFIX),
    ("1mi", MSG_SUFFIX),
    ("1e", MSG_SUFFIX),
    ("1e+", MSG_SUFFIX),
    ("1ee3", MSG_SUFFIX),
    ("1Ee3", MSG_SUFFIX),
    ("1Ki5", MSG_SUFFIX),
    ("1mm", MSG_SUFFIX),
    ("1-", MSG_SUFFIX),
    ("1e2147483648", MSG_SUFFIX),  # (c) exponent outside ±(2^31−1)
    ("1e-2147483648", MSG_SUFFIX),
    ("1e4294967296", MSG_SUFFIX),
    ("1e99999999999999999999", MSG_SUFFIX),
    ("Pi", MSG_NUMERIC),  # digit-less on the slow path
    ("-Pi", MSG_NUMERIC),
    ("Ei", MSG_NUMERIC),
    ("e-10", MSG_NUMERIC),
    (".e-10", MSG_NUMERIC),
]


@pytest.mark.parametrize(("text", "canonical", "fmt"), GOOD)
def test_good_inputs_print_their_canonical_form(text: str, canonical: str, fmt: Format) -> None:
    """Every accepted input prints Kubernetes' canonical form and keeps its suffix's format."""
    parsed = q(text)
    assert str(parsed) == canonical
    assert parsed.format is fmt
    assert q(canonical) == parsed


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_inputs_fail_with_kubernetes_message(text: str, message: str) -> None:
    """Rejected inputs raise QuantityError carrying Kubernetes' exact error text and the input."""
    with pytest.raises(QuantityError) as info:
        q(text)
    err = info.value
    assert err.kubernetes_message == message
    assert err.input == text
    assert str(err).endswith(f"is not a valid quantity: {message}")
    assert isinstance(err, ValueError) and isinstance(err, PodfitError)


def test_error_message_quotes_the_input_as_json() -> None:
    """The message starts with the input as a JSON string, so invisible characters show."""
    with pytest.raises(QuantityError, match=r'^"1\\u00a0" is not a valid quantity: '):
        q("1\u00a0")


def test_error_message_shortens_huge_inputs_but_keeps_them_on_the_error() -> None:
    """A 100,000-character input is summarized in the message; ``.input`` keeps all of it."""
    text = "1" * 100_000 + "x"
    with pytest.raises(QuantityError) as info:
        q(text)
    assert len(str(info.value)) < 300
    assert "100001 characters" in str(info.value)
    assert info.value.input == text


@pytest.mark.parametrize("value", [None, 1, 1.5, b"1", ["1"]])
def test_non_strings_are_quantity_errors(value: object) -> None:
    """Only strings are quantities; anything else is a clear QuantityError, not a TypeError."""
    with pytest.raises(QuantityError, match="quantities must be strings"):
        parse_quantity(value)  # type: ignore[arg-type]


# ---- huge inputs: results (speed is measured in bench/, never asserted) --------------------

HUGE = [
    ("1e2147483647", "10e2147483646"),
    ("9e-9999999", "1e-9"),
    ("7" * 100_000, "7" * 100_000),
    ("1" + "0" * 99_999, "1e99999"),  # DecimalSI above E prints in exponent form (b)
    ("0." + "0" * 99_990 + "5Ki", "1n"),
    ("-" + "9" * 100_000 + "e-2147483647", "-1e-9"),
    ("0." + "3" * 99_997 + "Ki", "341333333334n"),
]


@pytest.mark.parametrize(("text", "canonical"), HUGE, ids=[t[:16] for t, _ in HUGE])
def test_huge_inputs_are_answered_exactly(text: str, canonical: str) -> None:
    """Huge exponents and 100,000-digit strings parse to their exact canonical value."""
    assert str(q(text)) == canonical


def test_huge_values_compare_and_hash_without_expanding() -> None:
    """Ordering and hashing work on values of any magnitude (no 10**exponent is built)."""
    big, small = q("1e2147483647"), q("1n")
    assert small < big and -big < small and big > q("9" * 100_000)
    assert big == q("10e2147483646") and hash(big) == hash(q("10e2147483646"))
    digits = q("7" * 100_000)
    assert digits == q("7" * 100_000 + ".0") and hash(digits) == hash(q("7" * 100_000 + ".0"))
    assert digits < q("8" + "0" * 99_999) and digits > q("7" * 99_999 + "6")


def test_adding_values_too_far_apart_is_refused() -> None:
    """Exact sums that would need more than 100,000 digits raise instead of hanging."""
    with pytest.raises(QuantityError, match="too far apart"):
        q("1e2147483647") + q("1n")
    assert q("1e2147483647") + q("0") == q("1e2147483647")


def test_to_int_of_huge_values_reports_the_int64_range() -> None:
    """to_int never builds a giant integer: it reports that the result exceeds int64."""
    for text in ("1e2147483647", "7" * 100_000, "-1e2147483647"):
        with pytest.raises(QuantityError, match="exceeds the int64 range"):
            q(text).to_int()
    assert q("9e-9999999").to_int(-3) == 1


# ---- equality, ordering, hashing ----------------------------------------------------------

EQUAL = [
    ("1Ki", "1024"),
    ("1000m", "1"),
    ("1e3", "1k"),
    ("0.5Gi", "512Mi"),
    ("1E", "1e18"),
    ("0", "0Ki"),
    ("-0", "0"),
    ("1.5", "1500m"),
]
ORDERED = [  # strictly increasing
    "-1e2147483647",
    "-9Ei",
    "-1Gi",
    "-1",
    "-1n",
    "0",
    "1n",
    "999999n",
    "1m",
    "1",
    "1Ki",
    "1025",
    "100Gi",
    "10000T",
    "9Ei",
    "1e21",
    "10e2147483646",
]


@pytest.mark.parametrize(("a", "b"), EQUAL)
def test_equality_and_hash_ignore_the_format(a: str, b: str) -> None:
    """Equal values are equal and hash alike whatever their suffix (1Ki == 1024)."""
    assert q(a) == q(b)
    assert hash(q(a)) == hash(q(b))
    assert len({q(a), q(b)}) == 1


def test_ordering_follows_exact_values() -> None:
    """<, <=, >, >= agree with the exact values across formats and magnitudes."""
    values = [q(t) for t in ORDERED]
    assert sorted(reversed(values)) == values
    for i, a in enumerate(values):
        for b in values[i + 1 :]:
            assert a < b and a <= b and b > a and b >= a and a != b


def test_quantities_compare_with_plain_integers() -> None:
    """A quantity equals the int with the same value (1000m == 1), never a string."""
    assert q("1000m") == 1 and q("1Ki") == 1024 and q("1.5") != 1
    assert q("1") != "1"
    # equal to an int means hashing like it, so dict and set lookups agree
    for text, number in [("1000m", 1), ("1Ki", 1024), ("-1e30", -(10**30)), ("0Ki", 0)]:
        assert hash(q(text)) == hash(number)
    assert {1024: "x"}[q("1Ki")] == "x"


# ---- arithmetic ---------------------------------------------------------------------------

SUMS = [
    # (left, right, sum, format): exact; left operand's format unless the left is zero (§8)
    ("100m", "1Gi", "1073741824100m", DEC),
    ("1Gi", "100m", "1073741824100m", BIN),
    ("0", "1Gi", "1Gi", BIN),
    ("1Ki", "1024", "2Ki", BIN),
    ("1e3", "1k", "2e3", EXP),
    ("500m", "500m", "1", DEC),
    ("1Mi", "1", "1048577", BIN),
    ("9Ei", "9Ei", "18446744073709551614", BIN),  # no cap in arithmetic
    ("1n", "1E", "1000000000000000000000000001n", DEC),
    ("1.050", "0", "1050m", DEC),
    ("9223372036854775807", "1", "9223372036854775808", DEC),  # past int64: still exact
]


@pytest.mark.parametrize(("a", "b", "total", "fmt"), SUMS)
def test_addition_is_exact_with_kubernetes_format_rules(
    a: str, b: str, total: str, fmt: Format
) -> None:
    """a + b is exact and formatted like Kubernetes' Add; (a + b) - b == a."""
    result = q(a) + q(b)
    assert str(result) == total
    assert result.format is fmt
    assert result - q(b) == q(a)


def test_subtraction_and_negation() -> None:
    """Sub keeps the same format rule; negation flips the sign and zero never shows one."""
    assert str(q("0") - q("1Gi")) == "-1Gi"
    assert (q("0") - q("1Gi")).format is BIN
    assert str(-q("1.5Gi")) == "-1536Mi"
    assert str(-q("0")) == "0"
    negated = -q("1Ki")
    assert -negated == q("1Ki")
    most_negative = Quantity.from_int(-(2**63))
    assert str(-most_negative) == "9223372036854775808"
    assert str(q("1") - most_negative) == "9223372036854775809"


def test_zero_constant() -> None:
    """Quantity.ZERO is 0 DecimalSI; ZERO + x takes x's value and format."""
    assert Quantity.ZERO.is_zero() and str(Quantity.ZERO) == "0" and Quantity.ZERO.sign() == 0
    total = Quantity.ZERO
    for text in ("128Mi", "256Mi", "0.5Gi"):
        total = total + q(text)
    assert str(total) == "896Mi" and total.format is BIN


def test_sign_and_is_zero() -> None:
    """sign() is -1/0/1 and is_zero() is true only for an exact zero."""
    assert [q(t).sign() for t in ("-1n", "0", "1n", "-" + "9" * 5000)] == [-1, 0, 1, -1]
    assert q("0.000Ki").is_zero() and not q("1n").is_zero()


# ---- integers: to_int (podfit's) and Go's Value()/MilliValue()/ScaledValue() --------------

TO_INT = [
    # (input, scale, exact ceiling of value / 10^scale)
    ("100m", -3, 100),
    ("0.1", 0, 1),
    ("1.050", 0, 2),
    ("0.3Gi", 0, 322122548),
    ("0.5m", -3, 1),
    ("1.2345", -3, 1235),
    ("5Gi", 0, 5368709120),
    ("-1.5", 0, -1),  # a ceiling, also for negative values
    ("-0.5n", -3, 0),
    ("9223372036854775807", 0, 9223372036854775807),
    ("9223372036854775807m", -3, 9223372036854775807),
    ("1.5Gi", 6, 1611),
]
TO_INT_OVERFLOW = [
    ("9223372036854775808", 0),
    ("-9223372036854775808", 0),  # ±(2^63−1) is the accepted range
    ("9223372036854775807", -3),
    ("1e19", 0),
    ("10E", 0),
]


@pytest.mark.parametrize(("text", "scale", "expected"), TO_INT)
def test_to_int_is_the_exact_ceiling(text: str, scale: int, expected: int) -> None:
    """to_int(scale) is ⌈value / 10^scale⌉ — the scheduler's millicores and bytes."""
    assert q(text).to_int(scale) == expected


@pytest.mark.parametrize(("text", "scale"), TO_INT_OVERFLOW)
def test_to_int_outside_int64_raises(text: str, scale: int) -> None:
    """Results outside ±(2^63−1) raise QuantityError naming the quantity."""
    with pytest.raises(QuantityError, match=r"exceeds the int64 range"):
        q(text).to_int(scale)


MAX64, MIN64 = 2**63 - 1, -(2**63)
SCALED = [
    # (input, scale, ScaledValue): rounded away from zero, saturating at the int64 limits —
    # current upstream (kubernetes/kubernetes #138510, #141305; docs §7 shows the older
    # wrap-around and round-up-for-negatives behaviour of apimachinery eed236ce)
    ("0.1", 0, 1),
    ("0.3Gi", 0, 322122548),
    ("1.2345", -3, 1235),
    ("-1.5", 0, -2),
    ("-0.5", 0, -1),
    ("-2.5", 0, -3),
    ("-1.2345", 0, -2),
    ("-1.2345", -3, -1235),
    ("-1.024Ki", 0, -1049),  # eed236ce: -1047
    ("-0.001Ki", 0, -2),  # eed236ce: 0
    ("-0.3Gi", 0, -322122548),  # eed236ce: -322122546
    ("-0.5n", 0, -1),  # eed236ce: +1
    ("-0.5n", -3, -1),
    ("1000E", 0, MAX64),  # eed236ce: 0
    ("1e19", 0, MAX64),
    ("-1e19", 0, MIN64),
    ("999999999999999999999", 0, MAX64),  # eed236ce: the low 64 bits
    ("9223372036854775807", 0, MAX64),
    ("9223372036854775807", -3, MAX64),  # eed236ce: -1000
    ("-9223372036854775808", 0, MIN64),
    ("9Ei", -3, MAX64),
    ("1e2147483647", 0, MAX64),
    ("7" * 5000, 0, MAX64),
    ("1.5Gi", 6, 1611),
]


@pytest.mark.parametrize(("text", "scale", "expected"), SCALED, ids=[r[0][:20] for r in SCALED])
def test_scaled_value_rounds_away_from_zero_and_saturates(
    text: str, scale: int, expected: int
) -> None:
    """value()/milli_value()/scaled_value() are Kubernetes' accessors: |value| rounded up,
    sign kept, and clamped to the int64 range instead of wrapping."""
    parsed = q(text)
    assert parsed.scaled_value(scale) == expected
    if scale == 0:
        assert parsed.value() == expected
    if scale == -3:
        assert parsed.milli_value() == expected


# ---- constructors -------------------------------------------------------------------------

CONSTRUCTED = [
    (Quantity.from_milli(1500), "1500m", DEC),
    (Quantity.from_milli(250), "250m", DEC),
    (Quantity.from_int(1024, BIN), "1Ki", BIN),
    (Quantity.from_int(134217728, BIN), "128Mi", BIN),
    (Quantity.from_int(1000), "1k", DEC),
    (Quantity.from_int(2**70), "1180591620717411303424", DEC),
    (Quantity.from_scaled(15, 8, DEC), "1500M", DEC),
    (Quantity.from_scaled(5, -12), "1n", DEC),  # below 1n: rounded up like parsing
    (Quantity.from_scaled(-5, -12), "-1n", DEC),
    (Quantity.from_scaled(3, 0, EXP), "3", EXP),
]


@pytest.mark.parametrize(("built", "canonical", "fmt"), CONSTRUCTED)
def test_constructors_match_kubernetes_new_quantity(
    built: Quantity, canonical: str, fmt: Format
) -> None:
    """from_int/from_milli/from_scaled build exact values that print canonically."""
    assert str(built) == canonical
    assert built.format is fmt
    assert q(canonical) == built


def test_from_scaled_rejects_exponents_outside_int32() -> None:
    """The scale obeys the same ±(2^31−1) bound as parsed exponents."""
    with pytest.raises(QuantityError):
        Quantity.from_scaled(1, 2**31)
    with pytest.raises(TypeError):
        Quantity.from_int(1.5)  # type: ignore[arg-type]


def test_binary_values_past_exbi_keep_their_magnitude() -> None:
    """BinarySI above Ei keeps the surplus in the mantissa (Kubernetes would drop the suffix)."""
    assert str(q("1Ki") + Quantity.from_int(2**70 - 1024)) == "1024Ei"


# ---- conversion and fractions -------------------------------------------------------------

CONVERSIONS = [
    ("1.5Gi", "Mi", "1536Mi", True),
    ("0.1", "Mi", "1Mi", False),  # rounded up
    ("1.5", "m", "1500m", True),
    ("100M", "Mi", "96Mi", False),
    ("1Gi", "G", "2G", False),
    ("128Mi", "", "134217728", True),
    ("250m", "", "1", False),
    ("-1.5", "", "-1", False),  # ceiling
    ("1Ei", "Ki", "1125899906842624Ki", True),
]


@pytest.mark.parametrize(("text", "unit", "converted", "exact"), CONVERSIONS)
def test_convert_is_exact_or_rounded_up_and_flagged(
    text: str, unit: str, converted: str, exact: bool
) -> None:
    """convert(unit) writes the value in unit, exactly or rounded up with exact=False."""
    assert q(text).convert(unit) == Conversion(converted, exact)


def test_convert_refuses_unknown_units_and_impossible_lengths() -> None:
    """Unknown units and results longer than 4300 digits are QuantityErrors."""
    with pytest.raises(QuantityError, match="unknown unit 'MB'"):
        q("1").convert("MB")
    with pytest.raises(QuantityError, match="too large to write in Mi"):
        q("1e2147483647").convert("Mi")


def test_as_fraction_is_exact() -> None:
    """as_fraction() returns the exact rational value."""
    assert q("1.5Gi").as_fraction() == Fraction(1610612736)
    assert q("100m").as_fraction() == Fraction(1, 10)
    assert q("-0.1n").as_fraction() == Fraction(-1, 10**9)


# ---- value object behaviour ---------------------------------------------------------------


def test_quantities_are_immutable() -> None:
    """No public attribute can be set and no new attribute added."""
    parsed = q("1Gi")
    with pytest.raises(AttributeError):
        parsed.format = DEC  # type: ignore[misc]
    with pytest.raises(AttributeError):
        parsed.extra = 1  # type: ignore[attr-defined]


def test_repr_pickle_and_copy() -> None:
    """repr shows the canonical form; pickling and copying keep value and format."""
    parsed = q("1.5Gi")
    assert repr(parsed) == "Quantity('1536Mi')"
    for clone in (pickle.loads(pickle.dumps(parsed)), copy.deepcopy(parsed)):
        assert clone == parsed and clone.format is BIN and str(clone) == "1536Mi"
    assert f"{parsed:>8}" == "  1536Mi"


def test_constructor_parses_text() -> None:
    """Quantity("1.5Gi") is parse_quantity("1.5Gi"), errors included."""
    assert Quantity("1.5Gi") == q("1536Mi") and str(Quantity("1.050")) == "1050m"
    with pytest.raises(QuantityError, match="unable to parse quantity's suffix"):
        Quantity("1K")


def test_repeated_parses_share_one_result() -> None:
    """Parsing the same string twice gives equal (cached, immutable) quantities."""
    assert parse_quantity("250m") is parse_quantity("250m")


# ---- Rounding helper for very long binary fractions ---------------------------------------


@pytest.mark.parametrize(
    ("digits", "places", "bits"),
    [
        ("3" * 200, 200, 10),
        ("9" * 150, 149, 60),
        ("1" + "0" * 70 + "1", 72, 20),
        ("99999999999999999999" + "9" * 90, 110, 10),
    ],
)
def test_binary_nano_rounding_with_truncated_digits_is_exact(
    digits: str, places: int, bits: int
) -> None:
    """Keeping only the leading digits still gives the exact ⌈value·10^9⌉."""
    exact = Fraction(int(digits) << bits, 10**places) * 10**9
    expected = -(-exact.numerator // exact.denominator)
    assert _binary_nanos(digits, places, bits, keep=30) == expected
    assert _binary_nanos(digits, places, bits) == expected


# ---- marshmallow field: the API edge ------------------------------------------------------


class _Requests(Schema):
    cpu = QuantityField(required=True)


def test_quantity_field_reads_and_writes_canonical_quantities() -> None:
    """QuantityField loads strings and JSON integers, and dumps the canonical form."""
    loaded = _Requests().load({"cpu": "1.050"})
    assert loaded["cpu"] == q("1050m")
    assert _Requests().dump(loaded) == {"cpu": "1050m"}
    assert _Requests().load({"cpu": 2})["cpu"] == q("2")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1K", '"1K" is not a valid quantity: unable to parse quantity\'s suffix'),
        (" 1", "quantities must match the regular expression"),
        (1.5, "not the number 1.5"),
        (True, "not a boolean"),
        (None, "may not be null"),
        ([1], "not an array"),
    ],
)
def test_quantity_field_reports_the_parse_message(value: object, fragment: str) -> None:
    """Bad values fail validation with the same text parse_quantity raises."""
    with pytest.raises(ValidationError) as info:
        _Requests().load({"cpu": value})
    messages = info.value.messages
    assert isinstance(messages, dict)
    assert any(fragment in message for message in messages["cpu"])


def test_field_path_keeps_the_kubernetes_message() -> None:
    """Prefixing a field path (err.at) keeps the input and Kubernetes' own text."""
    with pytest.raises(QuantityError) as info:
        q("1K")
    located = info.value.at("spec.containers[0].resources.requests.cpu")
    assert isinstance(located, QuantityError)
    assert str(located).startswith('spec.containers[0].resources.requests.cpu: "1K" is not')
    assert located.kubernetes_message == MSG_SUFFIX and located.input == "1K"


@pytest.mark.parametrize("text", ["1K", "", "1.2.3", "x", "1e", "--1"])
def test_a_bad_quantity_traceback_shows_only_the_quantity_error(text: str) -> None:
    """The fast path sends unusual inputs to the general scanner from an ``except`` clause;
    the look-up error that did so must not appear as "During handling of the above
    exception, another exception occurred" under the user's QuantityError."""
    import traceback

    with pytest.raises(QuantityError) as info:
        parse_quantity(text)
    shown = "".join(traceback.format_exception(info.value))
    assert "During handling" not in shown
    assert shown.count("Traceback") == 1
