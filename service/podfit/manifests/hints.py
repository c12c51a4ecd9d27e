"""Hints where a user is probably wrong, added to an error message at the edge where it is
reported (they never change what is accepted): a quantity written with a unit of another
world (``1.5gb``, ``1K``), and an unrendered Helm template (a YAML stream holding one is
refused by :func:`podfit.yamlsafe.safe_load_all`; a JSON string holding one gets the hint
where it is read as a quantity)."""

from __future__ import annotations

import re

from podfit.errors import QuantityError
from podfit.quantity import parse_quantity
from podfit.yamlsafe import HELM_HINT, helm_template_line

_QUANTITY_TYPO = re.compile(r"([+-]?[0-9]*\.?[0-9]+)\s*([A-Za-z]+)")
_DECIMAL = {"k": "k", "m": "M", "g": "G", "t": "T", "p": "P", "e": "E"}


def _parses(text: str) -> bool:
    try:
        parse_quantity(text)
    except QuantityError:
        return False
    return True


def quantity_suggestions(text: str) -> list[str]:
    """Valid quantities the user probably meant by an invalid ``text``: ``1.5gb`` → 1.5G,
    1.5Gi; ``1K`` → 1k, 1Ki; ``1GiB`` → 1Gi; ``1 Gi`` → 1Gi. Empty when ``text`` is valid
    or nothing close is.

    >>> quantity_suggestions("1.5gb")
    ['1.5G', '1.5Gi']
    >>> quantity_suggestions("1K")
    ['1k', '1Ki']
    >>> quantity_suggestions("512MiB")
    ['512Mi']
    """
    m = _QUANTITY_TYPO.fullmatch(text.strip())
    if m is None or _parses(text):
        return []
    number, unit = m.groups()
    if _parses(number + unit):  # e.g. "1 Gi", "500 m": only the space was wrong
        return [number + unit]
    lowered = unit.lower()
    binary_only = lowered.endswith(("ib", "i"))
    stem = lowered.removesuffix("b").removesuffix("i")
    if stem not in _DECIMAL:
        return []
    binary = f"{number}{stem.upper()}i"
    options = [binary] if binary_only else [f"{number}{_DECIMAL[stem]}", binary]
    return [o for o in options if _parses(o)]


def quantity_hint(text: object) -> str:
    """`` (did you mean 1.5G or 1.5Gi?)`` for an invalid quantity string with a likely
    typo, the Helm hint for a template expression, else ``""``."""
    if not isinstance(text, str):
        return ""
    if helm_template_line(text) is not None:
        return f" ({HELM_HINT})"
    options = quantity_suggestions(text)
    return f" (did you mean {' or '.join(options)}?)" if options else ""
