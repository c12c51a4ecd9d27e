"""The ``CheckPolicy`` document: which scenarios a check runs, read strictly.

.. code-block:: yaml

    apiVersion: podfit/v1
    kind: CheckPolicy
    scenarios:
    - name: lose-a-zone-at-peak
      remove: anyZone            # anyNode | anyZone | {nodes: [a, b]}
      replicas: hpaMax           # hpaMax | hpaMin; absent: as the manifests say
      maxRequested: {cpu: 80%}   # after scheduling, no node above these (requests)
      respectPDB: true           # a PDB the removal would violate fails the variant
      zoneLabel: topology.kubernetes.io/zone

Every problem is reported at once, each naming its field path
(``scenarios[2].maxRequested.cpu``); unknown fields are errors (a misspelt ``remvoe``
must not pass silently); a field set to null is an absent one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from podfit.check.inputs import HPA_MAX, HPA_MIN
from podfit.errors import ConfigError, FieldError
from podfit.manifests.apivalidation import label_key_error
from podfit.planning.whatif import DEFAULT_ZONE_LABEL
from podfit.scheduler.result import API_VERSION
from podfit.yamlsafe import Number

__all__ = [
    "ANY_NODE",
    "ANY_ZONE",
    "DEFAULT_ZONE_LABEL",
    "Policy",
    "Scenario",
    "default_policy",
    "parse_policy",
]

POLICY_KIND = "CheckPolicy"
ANY_NODE = "anyNode"
ANY_ZONE = "anyZone"
_FIELDS = ("name", "replicas", "remove", "maxRequested", "respectPDB", "zoneLabel")
_PERCENT = re.compile(r"^([0-9]{1,3})(\.[0-9]{1,6})?%$")
_RESOURCE = re.compile(
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
MAX_NAME = 253


@dataclass(frozen=True, slots=True)
class Scenario:
    """One scenario. ``remove`` is None (nothing), ``anyNode``, ``anyZone`` or a tuple of
    node names; ``max_requested`` maps a resource to its limit as an exact fraction of
    allocatable (``80%`` → 4/5) with the text it was written as."""

    name: str
    replicas: str | None = None
    remove: str | tuple[str, ...] | None = None
    max_requested: Mapping[str, tuple[Fraction, str]] = field(default_factory=dict)
    respect_pdb: bool = True
    zone_label: str = DEFAULT_ZONE_LABEL


@dataclass(frozen=True, slots=True)
class Policy:
    """A parsed policy: its scenarios in document order."""

    scenarios: tuple[Scenario, ...]


def default_policy(has_autoscalers: bool) -> Policy:
    """The policy without ``--policy``: nothing Pending as-is, HPAs at maximum (only when
    the input has HPAs), and losing any one node."""
    scenarios = [Scenario("as-is")]
    if has_autoscalers:
        scenarios.append(Scenario("hpa-max", replicas=HPA_MAX))
    scenarios.append(Scenario("lose-any-node", remove=ANY_NODE))
    return Policy(tuple(scenarios))


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, Number):
        return f"the number {value.text}"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _percent(value: object, path: str, errors: list[FieldError]) -> tuple[Fraction, str] | None:
    """``"80%"`` → (4/5, "80%"); a percentage above 0 and at most 100, exactly."""
    if not isinstance(value, str) or not _PERCENT.match(value):
        errors.append(FieldError(path, f'must be a percentage such as "80%", not {_kind(value)}'))
        return None
    number = Fraction(value[:-1])
    if not 0 < number <= 100:
        errors.append(FieldError(path, f"must be above 0% and at most 100%, not {value}"))
        return None
    return number / 100, value


def _remove(value: object, path: str, errors: list[FieldError]) -> str | tuple[str, ...] | None:
    if value in (ANY_NODE, ANY_ZONE):
        assert isinstance(value, str)
        return value
    if isinstance(value, dict):
        extra = sorted(set(value) - {"nodes"})
        for key in extra:
            errors.append(FieldError(f"{path}.{key}", "unknown field (expected nodes)"))
        nodes = value.get("nodes")
        if not isinstance(nodes, list) or not nodes:
            errors.append(
                FieldError(
                    f"{path}.nodes", f"must be a non-empty list of node names, not {_kind(nodes)}"
                )
            )
            return None
        names: list[str] = []
        for i, n in enumerate(nodes):
            if not isinstance(n, str) or not n:
                errors.append(
                    FieldError(f"{path}.nodes[{i}]", f"must be a node name, not {_kind(n)}")
                )
            elif n in names:
                errors.append(FieldError(f"{path}.nodes[{i}]", f'repeats node "{n}"'))
            else:
                names.append(n)
        return tuple(names)
    errors.append(
        FieldError(path, f"must be anyNode, anyZone or {{nodes: [...]}}, not {_kind(value)}")
    )
    return None


def _scenario(doc: object, path: str, errors: list[FieldError]) -> Scenario | None:
    if not isinstance(doc, dict):
        errors.append(FieldError(path, f"must be an object, not {_kind(doc)}"))
        return None
    before = len(errors)
    for key in doc:
        if key not in _FIELDS:
            errors.append(
                FieldError(f"{path}.{key}", f"unknown field (expected one of {', '.join(_FIELDS)})")
            )
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        errors.append(
            FieldError(
                f"{path}.name",
                f"must be a non-empty string of at most {MAX_NAME} characters, not {_kind(name)}",
            )
        )
    replicas = doc.get("replicas")
    if replicas is not None and replicas not in (HPA_MAX, HPA_MIN):
        errors.append(
            FieldError(f"{path}.replicas", f"must be hpaMax or hpaMin, not {_kind(replicas)}")
        )
    remove = None if doc.get("remove") is None else _remove(doc["remove"], f"{path}.remove", errors)
    limits: dict[str, tuple[Fraction, str]] = {}
    max_requested = doc.get("maxRequested")
    if max_requested is not None:
        if not isinstance(max_requested, dict) or not max_requested:
            errors.append(
                FieldError(
                    f"{path}.maxRequested",
                    f"must be an object of resource: percentage, not {_kind(max_requested)}",
                )
            )
        else:
            for resource, value in max_requested.items():
                where = f"{path}.maxRequested.{resource}"
                if not isinstance(resource, str) or not _RESOURCE.match(resource):
                    errors.append(FieldError(where, "is not a resource name"))
                    continue
                limit = _percent(value, where, errors)
                if limit is not None:
                    limits[resource] = limit
    respect = True if doc.get("respectPDB") is None else doc["respectPDB"]
    if not isinstance(respect, bool):
        errors.append(
            FieldError(f"{path}.respectPDB", f"must be true or false, not {_kind(respect)}")
        )
    zone_label = DEFAULT_ZONE_LABEL if doc.get("zoneLabel") is None else doc["zoneLabel"]
    if not isinstance(zone_label, str):
        errors.append(
            FieldError(f"{path}.zoneLabel", f"must be a label key, not {_kind(zone_label)}")
        )
    elif (bad_key := label_key_error(zone_label)) is not None:
        errors.append(FieldError(f"{path}.zoneLabel", bad_key))
    if len(errors) > before:
        return None
    assert isinstance(name, str) and isinstance(respect, bool) and isinstance(zone_label, str)
    return Scenario(name, replicas, remove, limits, respect, zone_label)


def parse_policy(doc: Any, source: str = "policy") -> Policy:
    """Read a decoded ``CheckPolicy`` document; raise ``ConfigError`` listing every
    problem, each path starting at the document (``scenarios[1].remove``) and the message
    naming ``source``. Cost: O(size of the document)."""
    errors: list[FieldError] = []
    if not isinstance(doc, dict):
        raise ConfigError(f"a {POLICY_KIND} must be an object, not {_kind(doc)} ({source})", "")
    if doc.get("apiVersion") != API_VERSION:
        errors.append(
            FieldError("apiVersion", f"must be {API_VERSION}, not {_kind(doc.get('apiVersion'))}")
        )
    if doc.get("kind") != POLICY_KIND:
        errors.append(FieldError("kind", f"must be {POLICY_KIND}, not {_kind(doc.get('kind'))}"))
    for key in doc:
        if key not in ("apiVersion", "kind", "metadata", "scenarios"):
            errors.append(
                FieldError(
                    str(key), "unknown field (expected apiVersion, kind, metadata, scenarios)"
                )
            )
    if doc.get("metadata") is not None and not isinstance(doc["metadata"], dict):
        errors.append(FieldError("metadata", f"must be an object, not {_kind(doc['metadata'])}"))
    raw = doc.get("scenarios")
    scenarios: list[Scenario] = []
    if not isinstance(raw, list) or not raw:
        errors.append(FieldError("scenarios", f"must be a non-empty list, not {_kind(raw)}"))
    else:
        seen: dict[str, int] = {}
        for i, item in enumerate(raw):
            scenario = _scenario(item, f"scenarios[{i}]", errors)
            name = item.get("name") if isinstance(item, dict) else None
            if isinstance(name, str) and name in seen:
                errors.append(
                    FieldError(
                        f"scenarios[{i}].name", f'repeats "{name}" (also scenarios[{seen[name]}])'
                    )
                )
                continue
            if isinstance(name, str):
                seen[name] = i
            if scenario is not None:
                scenarios.append(scenario)
    if errors:
        raise ConfigError(errors[0].message, errors[0].path, errors)
    return Policy(tuple(scenarios))
