"""The podfit error family.

The core raises these; only the edges (CLI, HTTP API) translate them into exit codes
or problem+json responses. Every error caused by input is a ``ValueError`` and can
name the field path (``spec.containers[1].resources.requests.cpu``) and the
offending value, so both edges print the same message for the same bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

_Item = TypeVar("_Item")
_Value = TypeVar("_Value")


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem at one place in the input: ``path`` is a dotted/indexed field path."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PodfitError(ValueError):
    """Base class: the input is wrong. ``errors`` lists every problem found (at least one)."""

    def __init__(self, message: str, path: str = "", errors: list[FieldError] | None = None):
        self.errors: list[FieldError] = errors if errors else [FieldError(path, message)]
        self.path = path
        super().__init__(str(self.errors[0]) if len(self.errors) == 1 else self._join())

    def _join(self) -> str:
        return f"{len(self.errors)} errors: " + "; ".join(str(e) for e in self.errors)

    def at(self, prefix: str) -> PodfitError:
        """Return a copy of this error whose paths are prefixed by ``prefix``."""
        errors = [FieldError(_join_path(prefix, e.path), e.message) for e in self.errors]
        clone = type(self).__new__(type(self))
        clone.__dict__.update(vars(self))  # keep subclass details (QuantityError.input …)
        PodfitError.__init__(clone, errors[0].message, errors[0].path, errors)
        return clone


class QuantityError(PodfitError):
    """A string is not a Kubernetes quantity; the message holds Kubernetes' own error text."""

    kubernetes_message: str = ""  # set by podfit.quantity.parse_quantity
    input: str = ""


class ManifestError(PodfitError):
    """A manifest (YAML/JSON Kubernetes object or compact form) is malformed or invalid."""


class LimitExceeded(PodfitError):
    """The input is larger than the configured bounds (body size, pod count, YAML aliases…).

    ``limit`` names the bound that was exceeded, as a field of
    :class:`podfit.manifests.Limits` or of the service's settings (``max_pods``,
    ``max_depth``, ``max_bytes``…), or ``""`` when none applies. The edges map it to their
    own setting (the HTTP service: ``PODFIT_MAX_PODS``), so messages need no parsing.
    """

    def __init__(
        self,
        message: str,
        path: str = "",
        errors: list[FieldError] | None = None,
        *,
        limit: str = "",
    ):
        self.limit = limit
        super().__init__(message, path, errors)


class ConfigError(PodfitError):
    """A scheduler/planner option is invalid (unknown strategy, weight out of range…)."""


def _join_path(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


def parse_each(
    parse: Callable[[_Item, str], _Value], items: Iterable[_Item], prefix: str
) -> list[_Value]:
    """``parse(item, "<prefix>[i]")`` of every item, in order. Every item is tried: the
    errors of all bad items are raised together as one ``ConfigError`` (its message and
    path the first error's), so one answer names every bad item. Cost: one ``parse`` per
    item."""
    values: list[_Value] = []
    errors: list[FieldError] = []
    for i, item in enumerate(items):
        try:
            values.append(parse(item, f"{prefix}[{i}]"))
        except PodfitError as exc:
            errors.extend(exc.errors)
    if errors:
        raise ConfigError(errors[0].message, errors[0].path, errors)
    return values
