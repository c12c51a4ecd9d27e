"""Properties of podfit.quantity over generated inputs (hypothesis, bounded examples).

Reference values come from ``fractions.Fraction`` arithmetic on the same digits, so these
tests check the parser, printer, ordering and sums against plain exact rational numbers.
"""

from __future__ import annotations

import re
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from podfit.errors import QuantityError
from podfit.quantity import Format, Quantity, _binary_nanos, parse_quantity

EXAMPLES = settings(max_examples=200, deadline=None)

DEC_SUFFIXES = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E"]
BIN_SUFFIXES = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]

_digits = st.text("0123456789", max_size=24)
_exponent = st.builds(
    lambda letter, sign, n: f"{letter}{sign}{n}",
    st.sampled_from("eE"),
    st.sampled_from(["", "+", "-"]),
    st.integers(0, 40),
)
_suffix = st.one_of(st.sampled_from(DEC_SUFFIXES + BIN_SUFFIXES), _exponent)


@st.composite
def quantity_texts(draw: st.DrawFn) -> str:
    """Strings in Kubernetes' grammar: [sign] digits [. digits] suffix (some are invalid)."""
    sign = draw(st.sampled_from(["", "+", "-"]))
    whole = draw(_digits)
    frac = draw(st.one_of(st.none(), _digits))
    text = sign + whole + ("" if frac is None else "." + frac) + draw(_suffix)
    return text


def parsed(text: str) -> Quantity:
    try:
        return parse_quantity(text)
    except QuantityError:
        assume(False)
        raise


quantities = quantity_texts().map(parsed)
built = st.builds(
    Quantity.from_scaled,
    st.integers(-(10**30), 10**30),
    st.integers(-9, 30),
    st.sampled_from(list(Format)),
)
# BinarySI values above 2^63−1 exist only through arithmetic: parsing their binary spelling
# caps them, in Kubernetes too, so the round-trip properties are stated below that bound.
built_parseable = built.filter(
    lambda q: q.format is not Format.BINARY_SI or abs(q.as_fraction()) <= 2**63 - 1
)
any_quantity = st.one_of(quantities, built_parseable)


def reference(text: str) -> Fraction:
    """The exact value Kubernetes assigns, computed independently with Fractions (§5)."""
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    number = ""
    while body and (body[0].isdigit() or body[0] == "."):
        number, body = number + body[0], body[1:]
    whole, _, frac = number.partition(".")
    value = Fraction(int(whole + frac or "0"), 10 ** len(frac))
    if body in BIN_SUFFIXES:
        value *= 2 ** (10 * (BIN_SUFFIXES.index(body) + 1))
    elif body in DEC_SUFFIXES:
        value *= Fraction(10) ** {"": 0, "n": -9, "u": -6, "m": -3, "k": 3}.get(
            body, 3 * (DEC_SUFFIXES.index(body) - 3)
        )
    else:
        value *= Fraction(10) ** int(body[1:])
    if value == 0:
        return Fraction(0)
    nanos = value * 10**9
    rounded = -(-nanos.numerator // nanos.denominator)  # magnitude up to whole nanos
    exact_fast = (
        body not in BIN_SUFFIXES
        and len(whole.lstrip("0") or "0") + len(frac) <= 18
        and nanos.denominator == 1
    )
    if not exact_fast:
        value = Fraction(rounded, 10**9)
        if body in BIN_SUFFIXES and value > 2**63 - 1:
            value = Fraction(2**63 - 1)
    return sign * value


@EXAMPLES
@given(quantity_texts())
def test_parsed_value_matches_exact_rational_reference(text: str) -> None:
    """parse_quantity's value is the input's exact value, nano-rounded up and capped (§5)."""
    q = parsed(text)
    assert q.as_fraction() == reference(text)


@EXAMPLES
@given(any_quantity)
def test_printing_then_parsing_gives_the_same_value(q: Quantity) -> None:
    """parse(str(q)) == q: the canonical form always reads back to the same value."""
    assert parse_quantity(str(q)) == q


@EXAMPLES
@given(any_quantity)
def test_canonical_printing_is_idempotent(q: Quantity) -> None:
    """A canonical string prints as itself once parsed. Only a BinarySI value printed
    without a binary suffix (``2000``) may respell once, as DecimalSI (``2k``)."""
    once = str(parse_quantity(str(q)))
    assert str(parse_quantity(once)) == once
    if q.format is not Format.BINARY_SI:
        assert once == str(q)


@EXAMPLES
@given(any_quantity, any_quantity)
def test_ordering_agrees_with_exact_values(a: Quantity, b: Quantity) -> None:
    """<, ==, > and hash agree with the exact rational values, whatever the formats."""
    fa, fb = a.as_fraction(), b.as_fraction()
    assert (a < b) == (fa < fb)
    assert (a == b) == (fa == fb)
    assert (a > b) == (fa > fb)
    assert (a <= b) == (fa <= fb)
    if a == b:
        assert hash(a) == hash(b)


@EXAMPLES
@given(any_quantity, any_quantity)
def test_sum_is_exact_and_reversible(a: Quantity, b: Quantity) -> None:
    """(a + b) is the exact sum, and a + b - b == a."""
    total = a + b
    assert total.as_fraction() == a.as_fraction() + b.as_fraction()
    assert total - b == a
    expected_format = b.format if a.is_zero() else a.format
    assert total.format is expected_format


@EXAMPLES
@given(any_quantity, st.integers(-12, 12))
def test_to_int_is_the_ceiling_or_an_int64_error(q: Quantity, scale: int) -> None:
    """to_int(scale) == ⌈value / 10^scale⌉ when that fits ±(2^63−1), else QuantityError."""
    exact = q.as_fraction() / Fraction(10) ** scale
    ceiling = -(-exact.numerator // exact.denominator)
    if abs(ceiling) <= 2**63 - 1:
        assert q.to_int(scale) == ceiling
    else:
        try:
            q.to_int(scale)
        except QuantityError:
            return
        raise AssertionError("expected an int64 range error")


@EXAMPLES
@given(any_quantity, st.integers(-12, 12))
def test_scaled_value_rounds_away_from_zero_and_saturates(q: Quantity, scale: int) -> None:
    """ScaledValue is |value / 10^scale| rounded up with the sign kept, clamped to int64."""
    exact = abs(q.as_fraction()) / Fraction(10) ** scale
    magnitude = -(-exact.numerator // exact.denominator)
    expected = max(-(2**63), min(2**63 - 1, q.sign() * magnitude))
    assert q.scaled_value(scale) == expected


@EXAMPLES
@given(
    st.text("0123456789", min_size=1, max_size=120).filter(lambda s: s[0] != "0" and s[-1] != "0"),
    st.integers(10, 130),
    st.sampled_from([10, 20, 30, 40, 50, 60]),
    st.integers(20, 40),
)
def test_binary_nano_rounding_with_few_digits_kept(
    digits: str, places: int, bits: int, keep: int
) -> None:
    """The long-fraction BinarySI rounding equals the exact ⌈digits·2^bits·10^(9−places)⌉."""
    assume(len(digits) - places <= 19)
    exact = Fraction(int(digits) << bits, 10**places) * 10**9
    assert _binary_nanos(digits, places, bits, keep=keep) == -(
        -exact.numerator // exact.denominator
    )


def go_scanner_outcome(s: str) -> str:
    """Which of Kubernetes' three errors (or "ok") an input gets, by a character-by-character
    port of the scanner in docs §2-§5, independent of the parser's regular expression."""
    digits = "0123456789"
    if not s:
        return "format"
    end, pos = len(s), 0
    if s[0] in "+-":
        pos = 1
    while pos < end and s[pos] == "0":
        pos += 1
    if pos >= end:
        return "ok"  # only a sign and zeros: zero
    start = pos
    while pos < end and s[pos] in digits:
        pos += 1
    n_digits = (pos - start) or 1
    frac = ""
    suffix = ""
    if pos < end and s[pos] == ".":
        pos += 1
        fstart = pos
        while pos < end and s[pos] in digits:
            pos += 1
        frac = s[fstart:pos]
    if pos < end:
        sstart = pos
        while pos < end and s[pos] in "eEinumkKMGTP":
            pos += 1
        if pos < end and s[pos] in "+-":
            pos += 1
        while pos < end and s[pos] in digits:
            pos += 1
        if pos < end:
            return "format"
        suffix = s[sstart:]
    value_text = s[: len(s) - len(suffix)]
    has_digits = any(ch in digits for ch in value_text)
    dec = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
    binary = {"Ki": 11, "Mi": 8, "Gi": 5, "Ti": 2, "Pi": -1, "Ei": -1}  # fast-path digit limit
    if suffix in dec:
        slow = n_digits + len(frac) > 18 or dec[suffix] - len(frac) < -9
    elif suffix in binary:
        slow = bool(frac) or n_digits > binary[suffix]
    elif re.fullmatch(r"[eE][+-]?[0-9]+", suffix):
        exponent = int(suffix[1:])
        if abs(exponent) > 2147483647:
            return "suffix"  # pinned choice (c)
        slow = n_digits + len(frac) > 18 or exponent - len(frac) < -9
    else:
        return "suffix"
    return "numeric" if slow and not has_digits else "ok"


_OUTCOMES = {
    "quantities must match the regular expression": "format",
    "unable to parse quantity's suffix": "suffix",
    "unable to parse numeric part of quantity": "numeric",
}


@settings(max_examples=300, deadline=None)
@given(st.text("0123456789.+-eEinumkKMGTPx ", max_size=8))
def test_scanner_agrees_with_a_character_by_character_port(text: str) -> None:
    """Accept/reject and the error kind match a direct port of Kubernetes' scanner loop."""
    try:
        parse_quantity(text)
        outcome = "ok"
    except QuantityError as exc:
        outcome = next(v for k, v in _OUTCOMES.items() if exc.kubernetes_message.startswith(k))
    assert outcome == go_scanner_outcome(text)
