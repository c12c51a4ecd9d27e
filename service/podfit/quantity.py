"""Kubernetes resource quantities (``100m``, ``0.5``, ``1.5Gi``, ``1e3``), exactly as Kubernetes.

This is a re-implementation of ``ParseQuantity`` and ``Quantity`` from
``k8s.io/apimachinery/pkg/api/resource``. It gives the same value, format and error
text as Kubernetes for every input, with the pinned choices of
docs/kubernetes-quantities.md: the canonical spelling is always printed, DecimalSI
values above ``E`` print in exponent form, and exponents outside ±(2^31−1) are rejected.

Grammar (a byte-level scanner, no whitespace anywhere)::

    quantity = [sign] digits ["." digits] suffix          digits may be empty
    sign     = "+" | "-"
    suffix   = decimalSI | binarySI | exponent | ""
    decimalSI = "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E"     (10^-9 … 10^18)
    binarySI  = "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei"                 (2^10 … 2^60)
    exponent  = ("e" | "E") [sign] digit {digit}      value in [-2147483647, 2147483647]

The format is DecimalSI, BinarySI or DecimalExponent after the kind of suffix.
Errors carry Kubernetes' own text: the *format* error (the regular-expression message)
when the scanner meets an unexpected character, the *suffix* error for an unknown suffix,
the *numeric* error for a digit-less number that Kubernetes reads on its slow path
(``Pi``, ``e-10``).

Exactness: **no float anywhere**. A value is an integer coefficient times a power of ten
(``c·10^e``), so sums and comparisons are exact, and huge exponents (``1e2147483647``)
are kept as numbers, never expanded into ``10**2147483647``.

Rounding (as Kubernetes):

- Inputs Kubernetes holds as an int64 times a power of ten are exact: at most 18 digits and
  nothing finer than ``1n``; for binary suffixes, no fraction and few digits (never
  ``Pi``/``Ei``). All others are rounded **up, away from zero, to a whole ``1n``**:
  ``0.1n`` → ``1n``, ``-0.1n`` → ``-1n``, ``0.000000000001Ki`` → ``2n``. Zero never is.
- Those BinarySI inputs are capped at 2^63−1 (``8Ei``) and become DecimalSI when their
  magnitude is below 1 (``.000001Ki`` → ``1024u``).
- ``to_int(scale)`` is the exact ceiling of value/10^scale (cpu: ``to_int(-3)``
  millicores; everything else: ``to_int()``), or a ``QuantityError`` past int64.
- ``value()``/``milli_value()``/``scaled_value()`` are Kubernetes' int64 accessors as
  upstream has them now: magnitude rounded up (away from zero), clamped to the int64
  range (kubernetes/kubernetes #138510, #141305; older releases wrapped around).

Printing (``str``): zero is ``0``; otherwise the exponent drops to a multiple of 3 and
DecimalSI takes its suffix (``n`` … ``E``, exponent form above ``E``), DecimalExponent
writes ``e<exponent>``, and BinarySI divides out powers of 1024 (``Ki`` … ``Ei``) unless the
value is below 1024 in magnitude or not whole, which print as DecimalSI.

>>> str(parse_quantity("0.1")), str(parse_quantity("1.5Gi")), str(parse_quantity("1.050"))
('100m', '1536Mi', '1050m')
>>> parse_quantity("1Ki") == parse_quantity("1024"), parse_quantity("1000m") == 1
(True, True)
>>> parse_quantity("100m").to_int(-3), parse_quantity("0.1").to_int()
(100, 1)
>>> parse_quantity("1e2147483647"), parse_quantity("9e-9999999")
(Quantity('10e2147483646'), Quantity('1e-9'))
>>> str(parse_quantity("0.1n")), str(parse_quantity("8Ei")), str(parse_quantity("1000E"))
('1n', '9223372036854775807', '1e21')
>>> str(parse_quantity("100m") + parse_quantity("1Gi")), parse_quantity("1.5Gi").convert("Mi")
('1073741824100m', Conversion(text='1536Mi', exact=True))
>>> parse_quantity("1K")
Traceback (most recent call last):
...
podfit.errors.QuantityError: "1K" is not a valid quantity: unable to parse quantity's suffix
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from enum import StrEnum
from fractions import Fraction
from typing import ClassVar, Final, NamedTuple

from podfit.errors import QuantityError

__all__ = [
    "MSG_FORMAT",
    "MSG_NUMERIC",
    "MSG_SUFFIX",
    "Conversion",
    "Format",
    "Quantity",
    "parse_quantity",
]


class Format(StrEnum):
    """How a quantity prints: the kind of suffix it was written with."""

    DECIMAL_SI = "DecimalSI"
    BINARY_SI = "BinarySI"
    DECIMAL_EXPONENT = "DecimalExponent"


#: Kubernetes' three parse errors, verbatim.
MSG_FORMAT: Final = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
MSG_SUFFIX: Final = "unable to parse quantity's suffix"
MSG_NUMERIC: Final = "unable to parse numeric part of quantity"

_DEC_SI: Final = Format.DECIMAL_SI
_BIN_SI: Final = Format.BINARY_SI
_DEC_EXP: Final = Format.DECIMAL_EXPONENT

_INT64_MAX: Final = (1 << 63) - 1
_INT64_MIN: Final = -(1 << 63)
_HASH_MODULUS: Final = sys.hash_info.modulus
_EXP_LIMIT: Final = 2147483647  # pinned (c): |exponent| must fit an int32 (minus its minimum)
_MAX_PRINTED_EXP: Final = 2147483646  # pinned (e): printed exponents stay parseable
_MAX_SHIFT: Final = 100_000  # widest exact alignment (decimal places) arithmetic may build
_MAX_PRINT_DIGITS: Final = 4300  # BinarySI / conversions print at most this many digits
_BIG_DIGITS: Final = 4000  # coefficients longer than this stay a digit string until needed
# 512: far more than the few dozen spellings manifests repeat, and few enough that the
# retained results stay below CPython's generation-0 GC threshold (700) and in CPU cache;
# with 4096, streams of distinct strings parsed ~10% slower (bench/quantity_bench.py)
_CACHE_MAX: Final = 512
_CACHE_KEY_MAX: Final = 64

_DEC_SUFFIX: Final[dict[str, int]] = {
    "": 0,
    "n": -9,
    "u": -6,
    "m": -3,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_DEC_BY_EXP: Final[dict[int, str]] = {v: k for k, v in _DEC_SUFFIX.items()}
_BIN_SUFFIX: Final[dict[str, int]] = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_BIN_BY_POWER: Final[dict[int, str]] = {v // 10: k for k, v in _BIN_SUFFIX.items()}
# Kubernetes' fast path for BinarySI takes at most this many integer digits (Pi, Ei: never).
_BIN_FAST_DIGITS: Final[dict[int, int]] = {10: 11, 20: 8, 30: 5, 40: 2}

# The scanner of §2 as one linear-time regular expression (possessive: no backtracking).
_SCAN: Final = re.compile(
    r"([+-]?)([0-9]*+)(?:\.([0-9]*+))?([eEinumkKMGTP]*+)([+-]?[0-9]*+)", re.ASCII
).fullmatch
_EXPONENT: Final = re.compile(r"([+-]?)0*+([0-9]*+)", re.ASCII).fullmatch


class Conversion(NamedTuple):
    """A quantity written in a chosen unit: ``text`` (e.g. ``1536Mi``) and whether it is exact."""

    text: str
    exact: bool


class _Digits:
    """A coefficient too long to turn into an ``int`` cheaply (thousands of digits).

    CPython converts between ``str`` and ``int`` in quadratic time, so a 100,000-digit
    input keeps its digits as text; arithmetic materializes the integer on demand.
    """

    __slots__ = ("digits", "neg")

    def __init__(self, neg: bool, digits: str) -> None:
        self.neg = neg
        self.digits = digits  # no leading or trailing zeros


_Coef = int | _Digits


class _QuantityType(type):
    """The type of ``Quantity``: calling the class, ``Quantity("1.5Gi")``, parses the text.

    The parsing constructor lives here rather than in ``Quantity.__new__`` so that
    Quantity keeps object's own allocator: the parser then creates bare instances with
    ``_alloc()`` (type.__call__ bound to Quantity, C code only), about 30 ns faster per
    quantity than ``object.__new__(Quantity)``, which goes through a generic wrapper.
    """

    def __call__(cls, text: str) -> Quantity:
        """``Quantity("1.5Gi")`` is ``parse_quantity("1.5Gi")``."""
        return parse_quantity(text)


class Quantity(metaclass=_QuantityType):
    """An exact, immutable Kubernetes quantity: ``value = coefficient × 10^exponent``.

    Equality, ordering and hashing use the exact value and ignore the format
    (``1Ki == 1024``, and ``== 1024`` with the same hash). ``str()`` is the canonical
    Kubernetes form. There are no setters: operations return new quantities. Build one
    with :func:`parse_quantity`, ``from_int``, ``from_milli`` or ``from_scaled``.
    """

    __slots__ = ("_c", "_e", "_f")
    # _c, _e: the value is _c * 10**_e (not necessarily normalized).
    # _f: the Format.

    _c: _Coef
    _e: int
    _f: Format

    ZERO: ClassVar[Quantity]  # set below

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self._c, self._e, self._f))

    # ---- constructors -------------------------------------------------------------------

    @classmethod
    def from_int(cls, n: int, fmt: Format = _DEC_SI) -> Quantity:
        """``n`` base units (bytes, cores, pods), like Kubernetes' ``NewQuantity``."""
        return cls.from_scaled(n, 0, fmt)

    @classmethod
    def from_milli(cls, n: int, fmt: Format = _DEC_SI) -> Quantity:
        """``n`` thousandths (millicores), like Kubernetes' ``NewMilliQuantity``."""
        return cls.from_scaled(n, -3, fmt)

    @classmethod
    def from_scaled(cls, n: int, scale: int, fmt: Format = _DEC_SI) -> Quantity:
        """``n × 10^scale``, like Kubernetes' ``NewScaledQuantity``.

        ``scale`` must lie in ±(2^31−1). Below ``1n`` (scale < −9) the value is rounded up,
        away from zero, to whole nano units as ParseQuantity does, so that every Quantity
        prints in a form that parses back to itself.
        """
        if type(n) is not int:
            if isinstance(n, int) and not isinstance(n, bool):
                n = int(n)
            else:
                raise TypeError(f"expected an int, got {type(n).__name__}")
        if not -_EXP_LIMIT <= scale <= _EXP_LIMIT:
            raise QuantityError(f"scale {scale} is outside ±{_EXP_LIMIT}")
        fmt = Format(fmt)
        if scale < -9 and n:
            n = _ceil_away(n, -9 - scale)
            scale = -9
        return _new(n, scale, fmt)

    # ---- basic accessors ----------------------------------------------------------------

    @property
    def format(self) -> Format:
        """DecimalSI, BinarySI or DecimalExponent (decides how the value prints)."""
        return self._f

    def sign(self) -> int:
        """-1, 0 or 1."""
        c = self._c
        if type(c) is int:
            return (c > 0) - (c < 0)
        assert isinstance(c, _Digits)
        return -1 if c.neg else 1

    def is_zero(self) -> bool:
        """True when the value is exactly zero (in any format)."""
        return self._c == 0

    def as_fraction(self) -> Fraction:
        """The exact value as a ``Fraction`` (cost grows with the exponent's size)."""
        c, e = self._normalized()
        if abs(e) > _MAX_SHIFT:
            raise QuantityError(
                f"{json.dumps(_shorten(str(self)))} is too large to write out as a fraction"
            )
        ci = _as_int(c)
        return Fraction(ci * 10**e) if e >= 0 else Fraction(ci, 10**-e)

    # ---- integers for the scheduler -----------------------------------------------------

    def to_int(self, scale: int = 0) -> int:
        """Exact ceiling of value / 10^scale as an int64 (cpu: ``to_int(-3)`` millicores).

        Raises ``QuantityError`` when the result is outside ±(2^63−1). Cost: O(digits).
        """
        c, e = self._c, self._e
        if type(c) is int:
            if not c:
                return 0
            k = e - scale
            if k >= 0:
                if k <= 18:
                    r = c * _POW10[k]
                    if -_INT64_MAX <= r <= _INT64_MAX:
                        return r
                raise self._range_error(scale)
            r = _ceil_div_pow10(c, -k)
        else:
            assert isinstance(c, _Digits)
            k = e - scale
            if len(c.digits) + k > 19:  # at least 10^19 units
                raise self._range_error(scale)
            r = _ceil_div_pow10(_as_int(c), -k)
        if -_INT64_MAX <= r <= _INT64_MAX:
            return r
        raise self._range_error(scale)

    def _range_error(self, scale: int) -> QuantityError:
        unit = "" if scale == 0 else f" in units of 1e{scale}"
        return QuantityError(f"{json.dumps(_shorten(str(self)))}{unit} exceeds the int64 range")

    # ---- Go's int64 methods -------------------------------------------------------------

    def value(self) -> int:
        """Kubernetes' ``Value()``: ``scaled_value(0)``."""
        return self.scaled_value(0)

    def milli_value(self) -> int:
        """Kubernetes' ``MilliValue()``: ``scaled_value(-3)``."""
        return self.scaled_value(-3)

    def scaled_value(self, scale: int) -> int:
        """Kubernetes' ``ScaledValue(scale)``: value / 10^scale rounded away from zero,
        saturating at the int64 limits instead of overflowing.

        This is current upstream behaviour (kubernetes/kubernetes #138510 rounds negative
        values away from zero on both internal paths; #141305 saturates instead of wrapping).
        Older releases, and docs/kubernetes-quantities.md §7 (apimachinery eed236ce), wrap
        on overflow and round some negative values up. Prefer ``to_int``, which raises.
        """
        c, e = self._c, self._e
        k = e - scale
        if type(c) is int:
            if not c:
                return 0
            if k >= 0:
                r = c * _POW10[k] if k <= 18 else (_INT64_MAX + 1 if c > 0 else _INT64_MIN - 1)
            else:
                r = _ceil_away(c, -k)
        else:
            assert isinstance(c, _Digits)
            if len(c.digits) + k > 19:  # at least 10^19 units
                return _INT64_MIN if c.neg else _INT64_MAX
            r = _ceil_away(_as_int(c), -k)
        if r > _INT64_MAX:
            return _INT64_MAX
        if r < _INT64_MIN:
            return _INT64_MIN
        return r

    # ---- printing -----------------------------------------------------------------------

    def __str__(self) -> str:
        c, e = self._normalized()
        if c == 0:
            return "0"
        fmt = self._f
        if fmt is _BIN_SI:
            text = _binary_text(c, e)
            if text is not None:
                return text
            fmt = _DEC_SI
        neg, digits = _sign_digits(c)
        ep = (e // 3) * 3
        if ep > _MAX_PRINTED_EXP:
            ep = _MAX_PRINTED_EXP
        if e != ep:
            digits += "0" * (e - ep)
        if neg:
            digits = "-" + digits
        if fmt is _DEC_SI:
            suffix = _DEC_BY_EXP.get(ep)
            if suffix is not None:
                return digits + suffix
        return digits if ep == 0 else f"{digits}e{ep}"

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def convert(self, unit: str) -> Conversion:
        """Write the value in ``unit`` (``Mi``, ``m``, ``G``, ``""`` for base units …).

        ``1.5Gi`` → ``Conversion('1536Mi', exact=True)``; otherwise the count is rounded up
        (ceiling) and ``exact`` is False: ``0.1`` in ``Mi`` → ``1Mi``.
        """
        c, e = self._normalized()
        ci = c
        if unit in _BIN_SUFFIX:
            bits = _BIN_SUFFIX[unit]
            if e > _MAX_PRINT_DIGITS:
                raise self._too_large(unit)
            ci = _as_int(c)
            if e >= 0:
                num, den = ci * 10**e, 1 << bits
            elif -e > _MAX_SHIFT:
                return Conversion(f"{1 if ci > 0 else 0}{unit}", False)
            else:
                num, den = ci, (10**-e) << bits
        elif unit in _DEC_SUFFIX:
            k = e - _DEC_SUFFIX[unit]
            if k > _MAX_PRINT_DIGITS:
                raise self._too_large(unit)
            ci = _as_int(c)
            if k >= 0:
                num, den = ci * 10**k, 1
            elif -k > _MAX_SHIFT:
                return Conversion(f"{1 if ci > 0 else 0}{unit}", False)
            else:
                num, den = ci, 10**-k
        else:
            units = ", ".join(repr(u) for u in [*_DEC_SUFFIX, *_BIN_SUFFIX])
            raise QuantityError(f"unknown unit {unit!r}: expected one of {units}")
        q, r = divmod(num, den)
        if r:
            q += 1
        if abs(q) >= _POW10_PRINT_LIMIT:
            raise self._too_large(unit)
        return Conversion(f"{q}{unit}", r == 0)

    def _too_large(self, unit: str) -> QuantityError:
        return QuantityError(
            f"{json.dumps(_shorten(str(self)))} is too large to write in {unit or 'base units'}"
            f" (more than {_MAX_PRINT_DIGITS} digits)"
        )

    # ---- comparison and hashing ---------------------------------------------------------

    def _normalized(self) -> tuple[_Coef, int]:
        """(coefficient without trailing zeros, exponent); zero is (0, 0)."""
        c, e = self._c, self._e
        if type(c) is int:
            if not c:
                return 0, 0
            if c % 10:
                return c, e
            return _strip_zeros(c, e)
        return c, e

    def __hash__(self) -> int:
        """Hash of the exact value: equal quantities (and an equal int) hash alike."""
        c, e = self._normalized()
        if isinstance(c, int):
            if e < 0:
                return hash((c, e))
            if e <= 18:
                return hash(c * _POW10[e])
            neg, mag = c < 0, abs(c) % _HASH_MODULUS
        else:
            if e < 0:
                return hash((_digits_hash(c), e))
            neg, mag = c.neg, _digits_mod(c, _HASH_MODULUS)
        # an integer too long to build: hash(c · 10^e) from residues, as int.__hash__ does
        h = mag * pow(10, e, _HASH_MODULUS) % _HASH_MODULUS
        if neg:
            h = -h
        return -2 if h == -1 else h

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Quantity):
            if self._e == other._e and type(self._c) is int and type(other._c) is int:
                return self._c == other._c
            return _cmp(self, other) == 0
        if isinstance(other, int) and not isinstance(other, bool):
            return _cmp(self, _new(other, 0, _DEC_SI)) == 0
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __lt__(self, other: Quantity) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return _cmp(self, other) < 0

    def __le__(self, other: Quantity) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return _cmp(self, other) <= 0

    def __gt__(self, other: Quantity) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return _cmp(self, other) > 0

    def __ge__(self, other: Quantity) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return _cmp(self, other) >= 0

    # ---- arithmetic ---------------------------------------------------------------------

    def __add__(self, other: Quantity) -> Quantity:
        """Exact sum; keeps the left operand's format unless the left operand is zero."""
        if not isinstance(other, Quantity):
            return NotImplemented
        return _add(self, other, other)

    def __sub__(self, other: Quantity) -> Quantity:
        """Exact difference; format rule as for ``+``."""
        if not isinstance(other, Quantity):
            return NotImplemented
        return _add(self, -other, other)

    def __neg__(self) -> Quantity:
        c = self._c
        if type(c) is int:
            c = -c
        else:
            assert isinstance(c, _Digits)
            c = _Digits(not c.neg, c.digits)
        return _new(c, self._e, self._f)

    def __pos__(self) -> Quantity:
        return self


def _rebuild(c: _Coef, e: int, f: Format) -> Quantity:
    return _new(c, e, f)


# A bare Quantity with its slots unset: the ordinary type call, skipping the parsing
# __call__ of _QuantityType (callers fill all three slots at once).
_alloc: Callable[[], Quantity] = type.__call__.__get__(Quantity)


def _new(c: _Coef, e: int, f: Format) -> Quantity:
    q = _alloc()
    q._c = c
    q._e = e
    q._f = f
    return q


Quantity.ZERO = _new(0, 0, _DEC_SI)

_POW10: Final[list[int]] = [10**i for i in range(40)]
_POW10_PRINT_LIMIT: Final[int] = 10**_MAX_PRINT_DIGITS
_BIG_LIMIT: Final[int] = 10**_BIG_DIGITS


# ---- parsing ------------------------------------------------------------------------------

_cache: dict[str, Quantity] = {}
# Last character -> power of ten of a DecimalSI suffix: 0 for a digit or "." (no suffix; no
# letter has power 0), None for "i" (every BinarySI suffix ends in it). Any other last
# character is a KeyError: the general scanner decides.
_LAST: Final[dict[str, int | None]] = {
    **{c: 0 for c in "0123456789."},
    **{k: v for k, v in _DEC_SUFFIX.items() if k},
    "i": None,
}
# first letter of a binary suffix -> (bits, most integer digits Kubernetes' int64 fast path takes)
_BIN_FAST: Final[dict[str, tuple[int, int]]] = {
    k[0]: (v, _BIN_FAST_DIGITS.get(v, 0)) for k, v in _BIN_SUFFIX.items()
}
# (2^63 − 1) · 10^f: the BinarySI cap for a value written as v · 10^-f
_BIN_CAP: Final[list[int]] = [_INT64_MAX * 10**f for f in range(10)]
# text[:-1] and text[:-2] with prebuilt slices: saves building a slice object per call
_BUT_LAST: Final = slice(None, -1)
_BUT_LAST_TWO: Final = slice(None, -2)


def parse_quantity(text: str) -> Quantity:
    """Parse a Kubernetes quantity string (``ParseQuantity``) into an exact ``Quantity``.

    Raises ``QuantityError`` (a ``ValueError``) with Kubernetes' own message, e.g.
    ``"1K" is not a valid quantity: unable to parse quantity's suffix``. Any input costs
    O(len(text)). Results are immutable, so short strings are cached (manifests repeat a
    few dozen spellings: ``100m``, ``128Mi``, …); the cache holds at most 512 entries and
    is emptied when full.
    """
    # Fast paths, inlined for speed, for the unsigned shapes manifests use. One look-up of
    # the last character finds the suffix; isdigit/isascii validate and int() converts at
    # C speed; the object is filled slot by slot. Anything else (signs, exponents, long
    # or too fine numbers, errors) takes the general scanner. Fast-path inputs are at most
    # 32 characters, so they are cached without a length check.
    try:
        if text in _cache:
            return _cache[text]
        p = _LAST[text[-1]]
    except (LookupError, TypeError):  # empty, an unusual last character, or unhashable
        return _parse_and_cache(text)
    if type(text) is not str:
        return _parse_and_cache(text)
    if p is not None:
        body = text[_BUT_LAST] if p else text
        if body.isdigit():
            # DecimalSI integer in Kubernetes' int64 fast path (at most 18 digits): exact
            if not (body.isascii() and len(body) <= 18):
                return _parse_and_cache(text)
            q = _alloc()
            q._c = int(body)
            q._e = p
            q._f = _DEC_SI
        else:
            # [digits].digits: all digits times 10^(p − fraction digits), when Kubernetes'
            # int64 fast path keeps it exact (at most 18 digits, nothing finer than 1n).
            # A second "." or any non-digit fails isdigit().
            whole, _, frac = body.partition(".")
            digits = whole + frac
            e = p - len(frac)
            if not (len(digits) <= 18 and e >= -9 and digits.isdigit() and digits.isascii()):
                return _parse_and_cache(text)
            q = _alloc()
            q._c = int(digits)
            q._e = e
            q._f = _DEC_SI
    else:
        try:
            bits, most = _BIN_FAST[text[-2]]
        except LookupError:  # "i" alone, or no binary suffix
            return _parse_and_cache(text)
        body = text[_BUT_LAST_TWO]
        if body.isdigit():
            if not body.isascii():
                return _parse_and_cache(text)
            if len(body) <= most:  # Kubernetes' int64 fast path: exact
                q = _alloc()
                q._c = int(body) << bits
                q._e = 0
                q._f = _BIN_SI
            elif body[0] != "0" and len(body) <= 19:
                # the slow path: the same value, capped at 2^63 − 1
                c = int(body) << bits
                q = _alloc()
                q._c = c if c <= _INT64_MAX else _INT64_MAX
                q._e = 0
                q._f = _BIN_SI
            else:
                return _parse_and_cache(text)
        else:
            # [digits].digits: Kubernetes' slow path, exact here because the value is
            # a whole number of nanos (at most 9 fraction digits); capped at 2^63 − 1,
            # and DecimalSI below 1
            whole, _, frac = body.partition(".")
            f = len(frac)
            digits = whole + frac
            if not (f and f <= 9 and len(whole) <= 19 and digits.isdigit() and digits.isascii()):
                return _parse_and_cache(text)
            c = int(digits) << bits  # value = c · 10^-f
            q = _alloc()
            if not c:
                q._c = 0
                q._e = 0
                q._f = _BIN_SI
            elif c > _BIN_CAP[f]:
                q._c = _INT64_MAX
                q._e = 0
                q._f = _BIN_SI
            else:
                q._c = c
                q._e = -f
                q._f = _BIN_SI if c >= _POW10[f] else _DEC_SI
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()  # start afresh: cheap, and follows a changing working set
    _cache[text] = q
    return q


def _parse_and_cache(text: str) -> Quantity:
    """The general scanner, for everything the fast paths of parse_quantity decline."""
    if type(text) is not str:
        if not isinstance(text, str):
            raise _error(repr(text), "quantities must be strings")
        text = str(text)
    q = _parse_general(text)
    if len(text) <= _CACHE_KEY_MAX:
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[text] = q
    return q


def _error(text: str, kubernetes_message: str) -> QuantityError:
    """The QuantityError for ``text``. It is raised from within parse_quantity's fast-path
    ``except`` clause (an unusual last character ends there), so the look-up error that
    sent the input to the general scanner is hidden: the traceback shows only this one."""
    shown = json.dumps(_shorten(text))
    err = QuantityError(f"{shown} is not a valid quantity: {kubernetes_message}")
    err.kubernetes_message = kubernetes_message
    err.input = text
    err.__suppress_context__ = True
    return err


def _shorten(text: str) -> str:
    return text if len(text) <= 120 else f"{text[:60]}…({len(text)} characters)…{text[-20:]}"


def _parse_general(text: str) -> Quantity:
    """Kubernetes' scanner, suffix lookup, fast path and slow path (docs §2, §5)."""
    m = _SCAN(text)
    if m is None or not text:
        raise _error(text, MSG_FORMAT)
    sign, ipart, fpart, letters, tail = m.groups()
    fpart = fpart or ""
    neg = sign == "-"
    suffix = letters + tail
    bits = 0
    p = _DEC_SUFFIX.get(suffix)
    if p is not None:
        fmt = _DEC_SI
    else:
        b = _BIN_SUFFIX.get(suffix)
        if b is not None:
            fmt, bits, p = _BIN_SI, b, 0
        else:
            p = _parse_exponent(letters, tail)
            if p is None:
                raise _error(text, MSG_SUFFIX)
            fmt = _DEC_EXP
    num = ipart.lstrip("0")
    n_digits = len(num) or 1
    f = len(fpart)

    if not bits:
        if n_digits + f <= 18 and p - f >= -9:  # Kubernetes' int64 fast path: exact
            v = int((num or "0") + fpart)
            return _new(-v if neg else v, p - f, fmt)
        return _parse_slow_decimal(text, neg, ipart, fpart, p, fmt)
    if not f and n_digits <= _BIN_FAST_DIGITS.get(bits, 0):
        v = int(num or "0") << bits
        return _new(-v if neg else v, 0, fmt)
    return _parse_slow_binary(text, neg, ipart, fpart, bits)


def _parse_exponent(letters: str, tail: str) -> int | None:
    """``e``/``E`` followed by a signed integer within ±(2^31−1) (pinned choice (c))."""
    if letters not in ("e", "E"):
        return None
    m = _EXPONENT(tail)
    if m is None or not tail or tail in "+-":
        return None
    digits = m.group(2)
    if len(digits) > 10:
        return None
    v = int(digits or "0")
    if v > _EXP_LIMIT:
        return None
    return -v if m.group(1) == "-" else v


def _parse_slow_decimal(
    text: str, neg: bool, ipart: str, fpart: str, p: int, fmt: Format
) -> Quantity:
    """Arbitrary precision: exact, then the magnitude is rounded up to a whole nano unit."""
    digits = ipart + fpart
    if not digits:
        raise _error(text, MSG_NUMERIC)
    f = len(fpart)
    s = digits.lstrip("0")
    if not s:
        return _new(0, 0, fmt)
    t = s.rstrip("0")
    e = p - f + (len(s) - len(t))
    if e < -9:
        t = _ceil_digits(t, -9 - e)
        e = -9
        t2 = t.rstrip("0")
        e += len(t) - len(t2)
        t = t2
    return _new(_coef(neg, t), e, fmt)


def _parse_slow_binary(text: str, neg: bool, ipart: str, fpart: str, bits: int) -> Quantity:
    """BinarySI beyond int64 precision: nano round-up, cap at 2^63−1, DecimalSI below 1."""
    digits = ipart + fpart
    if not digits:
        raise _error(text, MSG_NUMERIC)
    s = digits.lstrip("0")
    if not s:
        return _new(0, 0, _BIN_SI)
    if len(ipart.lstrip("0")) > 19:
        nanos = None  # at least 10^19: above the cap
    else:
        t = s.rstrip("0")
        places = len(fpart) - (len(s) - len(t))  # value = int(t) · 10^-places · 2^bits
        nanos = _binary_nanos(t, places, bits)
    if nanos is None or nanos > _INT64_MAX * 1_000_000_000:
        return _new(-_INT64_MAX if neg else _INT64_MAX, 0, _BIN_SI)
    fmt = _BIN_SI if nanos >= 1_000_000_000 else _DEC_SI
    return _new(-nanos if neg else nanos, -9, fmt)


def _binary_nanos(t: str, places: int, bits: int, keep: int = 60) -> int:
    """⌈int(t) · 2^bits / 10^(places−9)⌉ without building numbers much longer than ``keep``.

    ``t`` has no leading or trailing zeros and at most 19 digits before the point. When
    ``t`` is very long, only its first ``keep`` digits enter the division; the rest
    decide, by comparing digit strings, whether the quotient rounds up once or twice.
    """
    if places <= 9:
        return (int(t) << bits) * _pow10(9 - places)
    if places >= len(t) + 28:  # value < 10^(len(t)−places) · 2^60 < 10^-9: one nano
        return 1
    s = places - 9
    r = len(t) - keep  # dropped digits: T0, non-zero because t has no trailing zeros
    shift = s - r  # >= keep - 28 (at most 19 digits before the point)
    if len(t) <= keep + bits or shift < 19:
        # short enough to divide exactly; also when keep < 47 leaves 10^shift <= 2^bits,
        # where comparing digit strings below would not decide the rounding
        return -(-(int(t) << bits) // _pow10(s))
    x = int(t[:keep]) << bits  # from here 2^bits <= 2^60 < 10^19 <= 10^shift
    unit = _pow10(shift)
    q, rem = divmod(x, unit)
    gap = unit - rem
    if gap >= 1 << bits:
        return q + 1
    # the dropped part adds T0·2^bits/10^r to rem; it crosses the next unit iff T0 > gap·10^r/2^bits
    threshold = str(gap * _pow5(bits)).rjust(bits, "0")
    tail = t[keep:]
    head = tail[:bits]
    if head > threshold or (head == threshold and tail[bits:].strip("0")):
        return q + 2
    return q + 1


def _ceil_digits(t: str, drop: int) -> str:
    """Digits of ⌈int(t) / 10^drop⌉ for a positive digit string without trailing zeros."""
    if drop >= len(t):
        return "1"
    head = t[: len(t) - drop]  # the dropped digits are non-zero: round up
    stripped = head.rstrip("9")
    if not stripped:
        return "1" + "0" * len(head)
    return stripped[:-1] + chr(ord(stripped[-1]) + 1) + "0" * (len(head) - len(stripped))


def _coef(neg: bool, digits: str) -> _Coef:
    if len(digits) > _BIG_DIGITS:
        return _Digits(neg, digits)
    v = int(digits)
    return -v if neg else v


# ---- exact integer helpers ----------------------------------------------------------------


def _as_int(c: _Coef) -> int:
    """The integer of a coefficient (quadratic for _Digits: only on demand)."""
    if type(c) is int:
        return c
    assert isinstance(c, _Digits)
    v = _int_from_digits(c.digits)
    return -v if c.neg else v


def _int_from_digits(s: str) -> int:
    if len(s) <= _BIG_DIGITS:
        return int(s)
    half = len(s) // 2
    return _int_from_digits(s[:half]) * _pow10(len(s) - half) + _int_from_digits(s[half:])


def _int_to_digits(n: int) -> str:
    """Decimal digits of n >= 0, also past CPython's 4300-digit str() limit."""
    if n < _BIG_LIMIT:
        return str(n)
    k = (n.bit_length() * 3) // 20  # about half the digit count
    hi, lo = divmod(n, _pow10(k))
    return _int_to_digits(hi) + _int_to_digits(lo).rjust(k, "0")


def _sign_digits(c: _Coef) -> tuple[bool, str]:
    if type(c) is int:
        return (True, _int_to_digits(-c)) if c < 0 else (False, _int_to_digits(c))
    assert isinstance(c, _Digits)
    return c.neg, c.digits


def _ndigits(c: _Coef) -> int:
    """Number of decimal digits of |c| (c != 0)."""
    if type(c) is int:
        n = -c if c < 0 else c
        if n < _BIG_LIMIT:
            return len(str(n))
        d = (n.bit_length() - 1) * 30103 // 100000  # 10^d <= n, within one digit
        return d + 1 if n < 10 ** (d + 1) else d + 2
    assert isinstance(c, _Digits)
    return len(c.digits)


def _strip_zeros(c: int, e: int) -> tuple[int, int]:
    while not c % 10_000_000_000_000_000:
        c //= 10_000_000_000_000_000
        e += 16
    while not c % 10:
        c //= 10
        e += 1
    return c, e


def _ceil_div_pow10(c: int, k: int) -> int:
    """⌈c / 10^k⌉ for k > 0, without building 10^k when the answer is obvious."""
    if k > 18 and c.bit_length() <= 3 * k:  # |c| < 2^bits <= 8^k < 10^k
        return 1 if c > 0 else 0
    return -(-c // _pow10(k))


def _ceil_away(n: int, k: int) -> int:
    """n / 10^k rounded away from zero (k > 0)."""
    m = -n if n < 0 else n
    r = _ceil_div_pow10(m, k)
    return -r if n < 0 else r


def _digits_mod(c: _Digits, modulus: int) -> int:
    """|int(c)| mod ``modulus``, in linear time from the digit string."""
    h = 0
    s = c.digits
    for i in range(0, len(s), 1000):
        chunk = s[i : i + 1000]
        h = (h * pow(10, len(chunk), modulus) + int(chunk)) % modulus
    return h


def _digits_hash(c: _Digits) -> int:
    """hash(int(c)) computed from the digit string in linear time."""
    h = _digits_mod(c, _HASH_MODULUS)
    if c.neg:
        h = -h
    return -2 if h == -1 else h


def _cmp(a: Quantity, b: Quantity) -> int:
    """Compare exact values: -1, 0 or 1."""
    ca, ea, cb, eb = a._c, a._e, b._c, b._e
    if type(ca) is int and type(cb) is int:
        if ea == eb:
            return (ca > cb) - (ca < cb)
        d = ea - eb
        if -18 <= d <= 18 and -_INT64_MAX <= ca <= _INT64_MAX and -_INT64_MAX <= cb <= _INT64_MAX:
            if d > 0:
                ca *= _POW10[d]
            else:
                cb *= _POW10[-d]
            return (ca > cb) - (ca < cb)
    sa, sb = a.sign(), b.sign()
    if sa != sb:
        return (sa > sb) - (sa < sb)
    if sa == 0:
        return 0
    # same sign, both non-zero: compare magnitudes by leading-digit position first
    na, ea = a._normalized()
    nb, eb = b._normalized()
    pa = _ndigits(na) + ea
    pb = _ndigits(nb) + eb
    if pa != pb:
        return sa if pa > pb else -sa
    ia, ib = _as_int(na), _as_int(nb)
    if ea > eb:
        ia *= 10 ** (ea - eb)
    elif eb > ea:
        ib *= 10 ** (eb - ea)
    return (ia > ib) - (ia < ib)


def _add(a: Quantity, b: Quantity, fmt_source: Quantity) -> Quantity:
    """a + b, exact (b already negated for Sub). The format is a's, or ``fmt_source``'s
    when a is zero, as in Kubernetes' Add/Sub. Cost: O(digits) for aligned operands."""
    ca, cb = a._c, b._c
    ea, eb = a._e, b._e
    fmt = a._f if ca != 0 else fmt_source._f
    if type(ca) is int and type(cb) is int:
        if ea == eb:
            return _new(ca + cb, ea, fmt)
        if -18 <= ea - eb <= 18:
            if ea > eb:
                return _new(ca * _POW10[ea - eb] + cb, eb, fmt)
            return _new(ca + cb * _POW10[eb - ea], ea, fmt)
    if cb == 0:
        return _new(ca, ea, fmt)
    if ca == 0:
        return _new(cb, eb, fmt)
    if abs(ea - eb) > _MAX_SHIFT:
        raise QuantityError(
            f"{json.dumps(_shorten(str(a)))} and {json.dumps(_shorten(str(b)))} are too far"
            f" apart in magnitude to add exactly (more than {_MAX_SHIFT} digits)"
        )
    ia, ib = _as_int(ca), _as_int(cb)
    if ea > eb:
        ia *= _pow10(ea - eb)
        ea = eb
    elif eb > ea:
        ib *= _pow10(eb - ea)
    return _new(ia + ib, ea, fmt)


# ---- BinarySI printing --------------------------------------------------------------------


def _binary_text(c: _Coef, e: int) -> str | None:
    """Canonical BinarySI text, or None when Kubernetes prints it as DecimalSI.

    Values strictly between -1024 and 1024, and non-integers, print as DecimalSI. So do
    (podfit's choice) integers longer than 4300 digits, which Kubernetes would write
    out in full; only arithmetic with huge DecimalSI values can produce them. Factors
    of 1024 beyond ``Ei`` stay in the mantissa (``1024Ei``) instead of losing the suffix.
    """
    if e < 0 or e > _MAX_PRINT_DIGITS or type(c) is not int:
        return None
    n = c * _pow10(e)
    m = -n if n < 0 else n
    if m < 1024:
        return None
    low = (m & -m).bit_length() - 1
    k = min(low // 10, 6)
    m >>= 10 * k
    text = _int_to_digits(m) + _BIN_BY_POWER.get(k, "")
    return "-" + text if n < 0 else text


def _pow10(k: int) -> int:
    """10^k for k >= 0 (cached below 40)."""
    if k < 40:
        return _POW10[k]
    r: int = 10**k
    return r


def _pow5(k: int) -> int:
    r: int = 5**k
    return r
