"""House rule: ``podfit.schemas`` holds only marshmallow Schema and Field classes.

Document builders live in :mod:`podfit.documents`, loaders in :mod:`podfit.options`;
a public function or non-schema class defined under ``schemas/`` belongs there instead.
Constants (field metadata keys, tuples of names) are allowed.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

from marshmallow import Schema, fields

import podfit.schemas


def _modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"podfit.schemas.{info.name}")
        for info in pkgutil.iter_modules(podfit.schemas.__path__)
    ]


def _offenders(module: ModuleType) -> list[str]:
    """Public functions and classes defined in ``module`` that are not a Schema or Field."""
    bad = []
    for name, value in vars(module).items():
        if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
            continue
        if inspect.isclass(value):
            if not issubclass(value, Schema | fields.Field):
                bad.append(f"{module.__name__}.{name} (class)")
        elif callable(value):
            bad.append(f"{module.__name__}.{name} (function)")
    return bad


def test_schemas_define_only_schema_and_field_classes() -> None:
    modules = _modules()
    assert len(modules) >= 5  # the walk found the package's modules
    assert [bad for m in modules for bad in _offenders(m)] == []


def test_the_guard_names_a_function_and_a_plain_class() -> None:
    """The check itself fails on what it guards against."""
    probe = ModuleType("podfit.schemas.probe")

    def helper() -> None: ...

    class Options:
        pass

    class Good(Schema):
        pass

    for value in (helper, Options, Good):
        value.__module__ = probe.__name__
    probe.helper = helper  # type: ignore[attr-defined]
    probe.Options = Options  # type: ignore[attr-defined]
    probe.Good = Good  # type: ignore[attr-defined]
    probe.LIMIT = 3  # type: ignore[attr-defined]
    assert _offenders(probe) == [
        "podfit.schemas.probe.helper (function)",
        "podfit.schemas.probe.Options (class)",
    ]
