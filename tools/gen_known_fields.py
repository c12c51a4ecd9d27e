"""Generate ``service/podfit/data/known-fields.json``: the field names of every built-in
Kubernetes kind, from the OpenAPI-derived JSON schemas bundled in the ``kubernetes-validate``
package (a dev-only dependency: ``pip install kubernetes-validate``), for the Kubernetes
versions podfit supports.

Run from the repository root: ``python tools/gen_known_fields.py``. The output is
deterministic (sorted keys). Format (read by :mod:`podfit.manifests.validation`):

``{"source": ..., "versions": {"1.34": {"kinds": {apiVersion: {kind: type}},
"variants": {type: key}}}, "types": {key: {field: ref}}}``

A ``ref`` is ``0`` (a scalar or a free-form value: not descended), ``"i32"`` / ``"i64"``
(an integer field: int32 or int64), ``"T"`` (an object of type T), ``"[]T"`` (a list of T)
or ``"{}T"`` (a map of T). ``types`` holds each type once
under its name, or under ``name@version`` where a version's fields differ from the common
one (``variants`` maps the name to that key for the version).
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any

import kubernetes_validate

VERSIONS = ("1.33", "1.34", "1.35")
OUT = Path(__file__).resolve().parent.parent / "service" / "podfit" / "data" / "known-fields.json"
PREFIXES = ("io.k8s.api.", "io.k8s.apimachinery.pkg.apis.", "io.k8s.apimachinery.pkg.", "io.k8s.")


def short(name: str) -> str:
    for prefix in PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return short(ref.rsplit("/", 1)[-1]) if isinstance(ref, str) else None


def field_ref(schema: dict[str, Any]) -> Any:
    """The compact reference for a property schema."""
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        return 0
    types = schema.get("type")
    if "integer" in (types if isinstance(types, list) else [types]):
        return "i32" if schema.get("format") == "int32" else "i64"
    name = ref_name(schema)
    if name:
        return name
    items = schema.get("items")
    if isinstance(items, dict) and ref_name(items):
        return "[]" + str(ref_name(items))
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and ref_name(extra):
        return "{}" + str(ref_name(extra))
    return 0


def type_fields(schema: dict[str, Any]) -> dict[str, Any] | None:
    """Field → ref of an object type, or None for a type that is not checked (scalar,
    free-form, preserve-unknown-fields)."""
    props = schema.get("properties")
    if schema.get("x-kubernetes-preserve-unknown-fields") or not isinstance(props, dict):
        return None
    return {k: field_ref(v) for k, v in sorted(props.items())}


def one_version(root: Path, version: str) -> tuple[dict[str, dict[str, str]], dict[str, Any]]:
    defs = json.loads((root / f"v{version}.0-local-strict" / "_definitions.json").read_text())
    defs = defs["$defs"]
    types: dict[str, Any] = {}
    kinds: dict[str, dict[str, str]] = {}
    for name, schema in defs.items():
        fields = type_fields(schema)
        if fields is not None:
            types[short(name)] = fields
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            api = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            if fields is not None and "kind" in fields:
                kinds.setdefault(api, {})[gvk["kind"]] = short(name)
    return kinds, types


def main() -> int:
    root = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    per_version = {v: one_version(root, v) for v in VERSIONS}
    common: dict[str, Any] = {}
    for v in VERSIONS:  # the newest definition of a name is the common one
        common.update(per_version[v][1])
    types = dict(common)
    versions: dict[str, Any] = {}
    for v in VERSIONS:
        kinds, vtypes = per_version[v]
        variants = {}
        for name, fields in vtypes.items():
            if fields != common[name]:
                key = f"{name}@{v}"
                types[key] = fields
                variants[name] = key
        versions[v] = {"kinds": kinds, "variants": dict(sorted(variants.items()))}
    out = {
        "source": f"kubernetes-validate {dist_version('kubernetes-validate')} "
        "(OpenAPI-derived JSON schemas, *-local-strict)",
        "versions": versions,
        "types": dict(sorted(types.items())),
    }
    OUT.write_text(json.dumps(out, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"{OUT.name}: {OUT.stat().st_size} bytes, {len(types)} types", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
