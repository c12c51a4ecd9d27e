"""Safe, bounded YAML and JSON reading that sees numbers the way kubectl sends them.

YAML is read with PyYAML's C parser (``CSafeLoader``; pure-Python ``SafeLoader`` when
libyaml is missing), but objects are built here from the event stream, iteratively:

* **aliases, anchors and ``<<`` merge keys are refused** (a 400-byte alias bomb would
  otherwise expand to gigabytes), as are custom tags and duplicate keys;
* the number of documents and the nesting depth are capped (:class:`Limits`);
* plain scalars are typed like ``gopkg.in/yaml.v2`` (what kubectl uses), not like
  PyYAML's YAML 1.1 resolver: ``0x10`` → 16, ``010`` → 8, ``0o10`` → 8, ``1_000`` → 1000,
  ``1e3`` → the float 1000 (PyYAML would keep the string), ``1:30`` stays a string,
  ``y``/``n``/``on``/``off`` are booleans. Numbers become :class:`Number` values that
  remember the JSON text kubectl would send (``1.050`` → ``1.05``, ``1e3`` → ``1000``),
  which is what a quantity field then parses (``1050m``, ``1k``).

JSON is read with the standard library; a number keeps its literal text (``1e3`` stays
``1e3``, ``1.5`` → ``1500m`` as a quantity), as the API server's decoder sees it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

from podfit.errors import LimitExceeded, ManifestError

try:
    _BaseLoader: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on the work one input may cause; exceeding one raises ``LimitExceeded``.

    ``max_pods`` counts pods after expanding replicas (checked *before* expanding);
    ``max_aliases`` must stay 0 (aliases are never expanded).
    """

    max_pods: int = 100_000
    max_nodes: int = 20_000
    max_documents: int = 20_000
    max_aliases: int = 0
    max_depth: int = 64
    max_bytes: int = 64 * 1024 * 1024


DEFAULT_LIMITS = Limits()


class Number:
    """A number read from YAML or JSON, with the JSON text Kubernetes' decoder would see.

    ``value`` is the Python int/float; ``text`` the JSON literal (``"1.05"``, ``"1e3"``).
    """

    __slots__ = ("text", "value")

    def __init__(self, value: int | float, text: str) -> None:
        self.value = value
        self.text = text

    def __repr__(self) -> str:
        return f"Number({self.text})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Number):
            return self.value == other.value
        if isinstance(other, int | float) and not isinstance(other, bool):
            return self.value == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.value)


# --- go-yaml v2 plain-scalar resolution ------------------------------------------------------

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})
_FALSE = frozenset({"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})
_SPECIAL_FLOATS = {
    ".inf": math.inf,
    ".Inf": math.inf,
    ".INF": math.inf,
    "+.inf": math.inf,
    "+.Inf": math.inf,
    "+.INF": math.inf,
    "-.inf": -math.inf,
    "-.Inf": -math.inf,
    "-.INF": -math.inf,
    ".nan": math.nan,
    ".NaN": math.nan,
    ".NAN": math.nan,
}
# strconv.ParseInt(s, 0, 64) after go-yaml removed underscores
_GO_INT = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")
_YAML_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INT64 = 2**63
_UINT64 = 2**64


def go_json_float(value: float) -> str:
    """The text Go's ``encoding/json`` writes for a float64 (shortest digits; ``e`` form
    below 1e-6 and from 1e21 on): ``1.05`` → ``1.05``, ``1000.0`` → ``1000``, ``1e21`` →
    ``1e+21``, ``1e-7`` → ``1e-7``.

    >>> go_json_float(1000.0), go_json_float(1.05), go_json_float(1e21), go_json_float(1e-7)
    ('1000', '1.05', '1e+21', '1e-7')
    """
    if math.isinf(value) or math.isnan(value):
        raise ValueError(f"json: unsupported value: {value}")
    d = Decimal(repr(value))
    a = abs(value)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        sign, digits, exp = d.as_tuple()
        assert isinstance(exp, int)
        ds = "".join(map(str, digits)).rstrip("0") or "0"
        e = exp + len(digits) - 1
        mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return ("-" if sign else "") + f"{mant}e{'-' if e < 0 else '+'}{abs(e):02d}".replace(
            "e-0", "e-"
        ).replace("e+0", "e+")
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "-0" if text == "-0" else text


def resolve_plain(text: str) -> Any:
    """Type one plain (unquoted) YAML scalar as go-yaml v2 does; numbers → :class:`Number`."""
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text in _SPECIAL_FLOATS:
        return Number(_SPECIAL_FLOATS[text], text)
    if not text or text[0] not in "0123456789+-.":
        return text
    plain = text.replace("_", "")
    if len(plain) <= 70 and _GO_INT.match(plain):  # longer: no int64 in any base, stays text
        body = plain.lstrip("+-")
        neg = plain.startswith("-")
        if body[:2] in ("0x", "0X"):
            n = int(body[2:], 16)
        elif body[:2] in ("0o", "0O"):
            n = int(body[2:], 8)
        elif body[:2] in ("0b", "0B"):
            n = int(body[2:], 2)
        elif len(body) > 1 and body[0] == "0":
            n = int(body[1:], 8)
        else:
            n = int(body)
        n = -n if neg else n
        if -_INT64 <= n < _INT64 or (not neg and n < _UINT64):
            return Number(n, str(n))
    if _YAML_FLOAT.match(plain):
        f = float(plain)
        if not math.isinf(f):
            return Number(f, go_json_float(f))
    return text


# --- YAML event stream -> objects -------------------------------------------------------------


def _where(event: Any) -> str:
    mark = getattr(event, "start_mark", None)
    return f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""


_STR_TAGS = frozenset({None, "!", "tag:yaml.org,2002:str"})
_OK_TAGS = frozenset(
    {
        None,
        "!",
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:map",
        "tag:yaml.org,2002:seq",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
    }
)


def _scalar(event: Any) -> Any:
    tag = event.tag
    if tag not in _OK_TAGS:
        raise ManifestError(f"YAML tag {tag} is not supported{_where(event)}")
    plain = event.implicit[0] and tag is None
    if plain:
        return resolve_plain(event.value)
    if tag in _STR_TAGS:
        return event.value
    value = resolve_plain(event.value)
    return value if value is not None or tag == "tag:yaml.org,2002:null" else event.value


def _key_text(key: Any, event: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, Number):
        return key.text
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    raise ManifestError(f"mapping keys must be scalars{_where(event)}")


def _documents_from_events(events: Any, limits: Limits, name: str) -> list[Any]:
    docs: list[Any] = []
    # stack of containers being built: (container, pending key or None)
    stack: list[list[Any]] = []
    root: list[Any] = []
    n_docs = 0

    def emit(value: Any, event: Any) -> None:
        if not stack:
            root.append(value)
            return
        frame = stack[-1]
        container = frame[0]
        if isinstance(container, list):
            container.append(value)
        elif frame[1] is _NO_KEY:
            if isinstance(value, dict | list):
                raise ManifestError(f"{name}: mapping keys must be scalars{_where(event)}")
            frame[1] = _key_text(value, event)
            if frame[1] == "<<" and isinstance(event, yaml.ScalarEvent) and event.implicit[0]:
                raise ManifestError(f"{name}: YAML merge keys (<<) are not allowed{_where(event)}")
        else:
            key = frame[1]
            if key in container:
                raise ManifestError(f'{name}: duplicate key "{key}"{_where(event)}')
            container[key] = value
            frame[1] = _NO_KEY

    for event in events:
        if isinstance(event, yaml.AliasEvent):
            raise LimitExceeded(
                f"{name}: YAML aliases (*{event.anchor}) are not allowed{_where(event)}",
                limit="max_aliases",
            )
        if getattr(event, "anchor", None) is not None:
            raise LimitExceeded(
                f"{name}: YAML anchors (&{event.anchor}) are not allowed{_where(event)}",
                limit="max_aliases",
            )
        if isinstance(event, yaml.DocumentStartEvent):
            n_docs += 1
            if n_docs > limits.max_documents:
                raise LimitExceeded(
                    f"{name}: more than {limits.max_documents} YAML documents",
                    limit="max_documents",
                )
            root.clear()
        elif isinstance(event, yaml.DocumentEndEvent):
            docs.append(root[0] if root else None)
        elif isinstance(event, yaml.ScalarEvent):
            emit(_scalar(event), event)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            if event.tag not in _OK_TAGS:
                raise ManifestError(f"{name}: YAML tag {event.tag} is not supported{_where(event)}")
            if len(stack) >= limits.max_depth:
                raise LimitExceeded(
                    f"{name}: nesting deeper than {limits.max_depth} levels{_where(event)}",
                    limit="max_depth",
                )
            is_map = isinstance(event, yaml.MappingStartEvent)
            stack.append([{} if is_map else [], _NO_KEY, event])
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            container, _key, start = stack.pop()
            emit(container, start)
    return docs


_NO_KEY = object()


def _utf8_text(text: str | bytes, name: str) -> str:
    """``text`` as str; bytes must be UTF-8 (``ManifestError`` naming ``name`` and the byte
    offset otherwise)."""
    if isinstance(text, str):
        return text
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def safe_load_all(
    text: str | bytes, limits: Limits = DEFAULT_LIMITS, name: str = "<input>"
) -> list[Any]:
    """All documents of a YAML (or JSON) stream as plain objects; empty documents are None.

    Raises ``ManifestError`` for syntax errors (with line and column), ``LimitExceeded``
    for aliases/anchors, too many documents or too deep nesting.
    """
    text = _utf8_text(text, name)
    if len(text) > limits.max_bytes:
        raise LimitExceeded(
            f"{name}: input larger than {limits.max_bytes} bytes", limit="max_bytes"
        )
    helm = helm_template_line(text)
    if helm is not None:
        raise ManifestError(f"{name}: line {helm}: {HELM_HINT}")
    try:
        return _documents_from_events(yaml.parse(text, Loader=_BaseLoader), limits, name)
    except yaml.YAMLError as exc:
        raise ManifestError(f"{name}: invalid YAML: {_yaml_message(exc)}") from None


_HELM = re.compile(
    r"\{\{-?\s*(?:\.Values|\.Release|\.Chart|\.Capabilities|\.Files|include\s|template\s|"
    r"toYaml\s|\$\.Values)"
)
HELM_HINT = "this looks like an unrendered Helm template: run `helm template` first"


def helm_template_line(text: str) -> int | None:
    """The 1-based line of the first Helm template expression in ``text`` (``{{ .Values…
    }}``, ``{{ include … }}``, …), or None. Go templates of other tools (``{{ $labels.x
    }}`` in alerting rules) are not Helm's and do not count. A YAML stream holding one is
    refused with :data:`HELM_HINT` before it is parsed. Cost: one regex scan."""
    if "{{" not in text:
        return None
    m = _HELM.search(text)
    if m is None:
        return None
    return text.count("\n", 0, m.start()) + 1


def _yaml_message(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        parts = [p for p in (exc.context, exc.problem) if p]
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return "; ".join(parts) + where
    return str(exc)


# --- JSON ------------------------------------------------------------------------------------


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ManifestError(f'duplicate field "{key}"')
            seen.add(key)
    return out


def _json_int(text: str) -> Number:
    if len(text) > 4000:  # past Python's int() digit limit and any int64 by far
        raise ManifestError(f"JSON integer of {len(text)} digits is too long")
    return Number(int(text), text)


def _json_float(text: str) -> Number:
    return Number(float(text), text)


def _json_constant(text: str) -> Number:
    raise ManifestError(f"invalid JSON number {text}")


def looks_like_json(text: str) -> bool:
    """kubectl's sniff: the first non-space character is ``{`` or ``[``."""
    stripped = text.lstrip()
    return stripped[:1] in ("{", "[")


def json_load_all(
    text: str, limits: Limits = DEFAULT_LIMITS, name: str = "<input>", *, depth_known: bool = False
) -> list[Any]:
    """All JSON values of a stream of concatenated JSON texts, numbers as :class:`Number`.
    ``depth_known``: the caller has already bounded the text's nesting by
    ``limits.max_depth`` (the HTTP edge parses a body plainly first), so it is not
    walked again."""
    if len(text) > limits.max_bytes:
        raise LimitExceeded(
            f"{name}: input larger than {limits.max_bytes} bytes", limit="max_bytes"
        )
    decoder = json.JSONDecoder(
        object_pairs_hook=_json_pairs,
        parse_int=_json_int,
        parse_float=_json_float,
        parse_constant=_json_constant,
    )
    docs: list[Any] = []
    pos = 0
    length = len(text)
    while True:
        while pos < length and text[pos] in " \t\r\n":
            pos += 1
        if pos >= length:
            break
        if len(docs) >= limits.max_documents:
            raise LimitExceeded(
                f"{name}: more than {limits.max_documents} JSON documents",
                limit="max_documents",
            )
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise ManifestError(
                f"{name}: invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
        except RecursionError:
            raise LimitExceeded(f"{name}: JSON nested too deeply", limit="max_depth") from None
        except ManifestError as exc:
            raise ManifestError(f"{name}: {exc}") from None
        if not depth_known:
            _check_depth(value, limits, name)
        docs.append(value)
    return docs


def _check_depth(value: Any, limits: Limits, name: str) -> None:
    """Breadth-first: the containers at each nesting level, scalars never visited."""
    level = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level:
        if depth >= limits.max_depth:
            raise LimitExceeded(
                f"{name}: nesting deeper than {limits.max_depth} levels", limit="max_depth"
            )
        nested: list[Any] = []
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            nested.extend(c for c in children if isinstance(c, dict | list))
        level = nested
        depth += 1


def load_all(
    text: str | bytes, limits: Limits = DEFAULT_LIMITS, name: str = "<input>"
) -> list[Any]:
    """JSON when it looks like JSON (kubectl's sniff), otherwise YAML."""
    text = _utf8_text(text, name)
    if looks_like_json(text):
        return json_load_all(text, limits, name)
    return safe_load_all(text, limits, name)
