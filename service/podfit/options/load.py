"""Loading input through the schemas of :mod:`podfit.schemas`: every edge's options
as the core's values, every error a ``ConfigError`` naming the input's field paths.

:func:`load_options` (any options schema), :func:`load_config` (the one scheduler
configuration), :func:`query_values` (query parameters as JSON values),
:func:`option_names` (the input names a schema takes) and :func:`flatten_messages`
(marshmallow's nested errors as podfit's field errors).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields

from podfit.errors import ConfigError, FieldError
from podfit.scheduler.config import SchedulerConfig
from podfit.schemas.config import SchedulerConfigSchema


def option_names(schema: Schema) -> tuple[str, ...]:
    """The input names of a schema's fields (the envelope keys it takes)."""
    return tuple(f.data_key or name for name, f in schema.fields.items())


def load_options(schema: Schema, data: Mapping[str, Any]) -> Any:
    """``schema.load(data)``; a ``ConfigError`` listing every bad field by its path."""
    try:
        return schema.load(dict(data))
    except ValidationError as exc:
        # marshmallow files a bad dict value under "<key>.value"; the key is the field
        errors = [
            FieldError(e.path.removesuffix(".value"), e.message)
            for e in flatten_messages(exc.messages)
        ]
        raise ConfigError(errors[0].message, errors[0].path, errors) from None


def query_values(schema: Schema, query: Mapping[str, str]) -> dict[str, Any]:
    """Query parameters as the JSON values of the schema's fields of the same name: a
    boolean field takes exactly ``true`` or ``false`` (anything else: ``ConfigError``
    naming the parameter); other fields take the text."""
    values: dict[str, Any] = {}
    for name, text in query.items():
        if isinstance(schema.fields[name], fields.Boolean):
            if text not in ("true", "false"):
                raise ConfigError(f"must be true or false, not {text!r}", path=name)
            values[name] = text == "true"
        else:
            values[name] = text
    return values


def load_config(data: Mapping[str, Any]) -> SchedulerConfig:
    """The scheduler configuration of ``data`` (options by their one spelling)."""
    config: SchedulerConfig = load_options(_CONFIG, data)
    return config


# Shared by every caller: a schema keeps no state between loads.
_CONFIG = SchedulerConfigSchema()


def flatten_messages(messages: Any, prefix: str = "") -> Iterable[FieldError]:
    """Turn marshmallow's nested ``messages`` into ``FieldError`` s with indexed paths.

    >>> [str(e) for e in flatten_messages({"pods": {3: {"name": ["Missing data."]}}})]
    ['pods[3].name: Missing data.']
    >>> [str(e) for e in flatten_messages({"_schema": ["Invalid input type."]})]
    ['Invalid input type.']
    """
    if isinstance(messages, Mapping):
        for key in messages:
            yield from flatten_messages(messages[key], _child(prefix, key))
    elif isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            for message in messages:
                yield FieldError(prefix, message)
        else:
            for message in messages:
                yield from flatten_messages(message, prefix)
    else:
        yield FieldError(prefix, str(messages))


def _child(prefix: str, key: object) -> str:
    """``pods`` + 3 → ``pods[3]``; ``a`` + ``b`` → ``a.b``; ``_schema`` names the object."""
    if key == "_schema":
        return prefix
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else str(key)
