"""The API server's validation of names, label keys and values, and resource names, with
its own message texts (``k8s.io/apimachinery/pkg/util/validation`` and
``pkg/apis/core/validation``). Each function returns the list of messages (empty: valid),
as upstream's ``Is*`` functions do; callers add the ``Invalid value: "<value>": `` prefix
with :func:`invalid`. The patterns are checked by linear scans that accept exactly their regular
languages (a 1 MB hostile name costs a few ms, where a backtracking regex took 100+ ms)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from podfit.manifests.fields import Doc, show
from podfit.quantity import Quantity

_QNAME_CHAR = "[A-Za-z0-9]"
_QNAME_EXT_CHAR = "[-A-Za-z0-9_.]"
QUALIFIED_NAME_FMT = f"({_QNAME_CHAR}{_QNAME_EXT_CHAR}*)?{_QNAME_CHAR}"
_QUALIFIED_NAME_ERR = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
    "an alphanumeric character"
)
QUALIFIED_NAME_MAX_LENGTH = 63
LABEL_VALUE_FMT = f"({QUALIFIED_NAME_FMT})?"
_LABEL_VALUE_ERR = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
    "or '.', and must start and end with an alphanumeric character"
)
LABEL_VALUE_MAX_LENGTH = 63
DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_ERR = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
DNS1123_LABEL_MAX_LENGTH = 63
DNS1123_SUBDOMAIN_FMT = f"{DNS1123_LABEL_FMT}(\\.{DNS1123_LABEL_FMT})*"
_DNS1123_SUBDOMAIN_ERR = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character"
)
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_ERR = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
    "an alphabetic character, and end with an alphanumeric character"
)

_LOWER_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_ALNUM = _LOWER_ALNUM | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LABEL_CHARS = _LOWER_ALNUM | {"-"}
_QNAME_CHARS = _ALNUM | {"-", "_", "."}
_SUBDOMAIN_CHARS = _LABEL_CHARS | {"."}


def _dns1123_label_ok(value: str) -> bool:
    """``value`` matches :data:`DNS1123_LABEL_FMT` (a linear scan, same language)."""
    return (
        bool(value)
        and value[0] in _LOWER_ALNUM
        and value[-1] in _LOWER_ALNUM
        and _LABEL_CHARS.issuperset(value)
    )


def _dns1123_subdomain_ok(value: str) -> bool:
    """Dot-separated DNS-1123 labels: each starts and ends with an alphanumeric
    character, so no ``..``, ``.-`` or ``-.`` anywhere."""
    return (
        bool(value)
        and value[0] in _LOWER_ALNUM
        and value[-1] in _LOWER_ALNUM
        and _SUBDOMAIN_CHARS.issuperset(value)
        and ".." not in value
        and ".-" not in value
        and "-." not in value
    )


def _dns1035_label_ok(value: str) -> bool:
    return _dns1123_label_ok(value) and value[0].isalpha()


def _qualified_ok(value: str) -> bool:
    """``value`` matches :data:`QUALIFIED_NAME_FMT`."""
    return (
        bool(value)
        and value[0] in _ALNUM
        and value[-1] in _ALNUM
        and _QNAME_CHARS.issuperset(value)
    )


def regex_error(message: str, fmt: str, *examples: str) -> str:
    """apimachinery's ``RegexError`` (its examples are joined with ``",  or "``, two
    spaces, as upstream prints them)."""
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{e}', " for e in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{fmt}')"


def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def is_dns1123_label(value: str) -> list[str]:
    """``IsDNS1123Label``: Namespace names, among others."""
    errs = []
    if len(value) > DNS1123_LABEL_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _dns1123_label_ok(value):
        if _dns1123_subdomain_ok(value):
            errs.append("must not contain dots")
        else:
            errs.append(regex_error(_DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errs


def is_dns1123_subdomain(value: str) -> list[str]:
    """``IsDNS1123Subdomain``: names of Pods, Deployments, Nodes and most objects."""
    errs = []
    if len(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _dns1123_subdomain_ok(value):
        errs.append(regex_error(_DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def is_dns1035_label(value: str) -> list[str]:
    """``IsDNS1035Label``: Service names."""
    errs = []
    if len(value) > DNS1123_LABEL_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _dns1035_label_ok(value):
        errs.append(regex_error(_DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errs


def is_qualified_name(value: str) -> list[str]:
    """``IsQualifiedName``: label and annotation keys, resource names (an optional DNS
    subdomain prefix and ``/``, then a name part of at most 63 characters)."""
    parts = value.split("/")
    errs: list[str] = []
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs += [f"prefix part {m}" for m in is_dns1123_subdomain(prefix)]
    else:
        return [
            "a qualified name "
            + regex_error(_QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > QUALIFIED_NAME_MAX_LENGTH:
        errs.append("name part " + max_len_error(QUALIFIED_NAME_MAX_LENGTH))
    if not _qualified_ok(name):
        errs.append(
            "name part "
            + regex_error(_QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
        )
    return errs


def is_valid_label_value(value: str) -> list[str]:
    """``IsValidLabelValue``: empty, or at most 63 characters of the qualified-name set."""
    errs = []
    if len(value) > LABEL_VALUE_MAX_LENGTH:
        errs.append(max_len_error(LABEL_VALUE_MAX_LENGTH))
    if value and not _qualified_ok(value):
        errs.append(regex_error(_LABEL_VALUE_ERR, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def invalid(value: object, message: str) -> str:
    """``field.Invalid``'s text: ``Invalid value: "<value>": <message>`` (long values are
    shortened to 80 characters)."""
    return f"Invalid value: {show(value)}: {message}"


# -- resource names (pkg/apis/core/validation, pkg/apis/core/helper) ----------------------------

STANDARD_RESOURCES = frozenset(
    {
        "cpu",
        "memory",
        "ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "storage",
        "requests.storage",
        "services.nodeports",
        "services.loadbalancers",
    }
)
"""``standardResources`` of pkg/apis/core/helper."""
STANDARD_CONTAINER_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage"})
DEFAULT_NAMESPACE_PREFIX = "kubernetes.io/"
REQUESTS_PREFIX = "requests."


def is_native_resource(name: str) -> bool:
    """``IsNativeResource``: no ``/``, or a ``kubernetes.io/`` prefixed name."""
    return "/" not in name or DEFAULT_NAMESPACE_PREFIX in name


def is_extended_resource_name(name: str) -> bool:
    """``IsExtendedResourceName``: not native, not ``requests.``-prefixed, and
    ``requests.<name>`` is a qualified name (so quota can name it)."""
    if is_native_resource(name) or name.startswith(REQUESTS_PREFIX):
        return False
    return not is_qualified_name(REQUESTS_PREFIX + name)


INTEGER_RESOURCES = frozenset(
    {
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "services.nodeports",
        "services.loadbalancers",
    }
)
"""``integerResources`` of pkg/apis/core/helper: object counts."""
NOT_INTEGER = "must be an integer"
"""``isNotIntegerErrorMsg`` (pkg/apis/core/validation)."""


def is_integer_resource(name: str) -> bool:
    """``IsIntegerResourceName``: an object count or an extended resource.

    >>> is_integer_resource("pods"), is_integer_resource("example.com/gpu")
    (True, True)
    >>> [is_integer_resource(n) for n in ("cpu", "kubernetes.io/x", "gpu", "resourcequotas")]
    [False, False, False, True]
    """
    return name in INTEGER_RESOURCES or is_extended_resource_name(name)


def integer_value_error(name: str, quantity: Quantity) -> str | None:
    """The integer half of ``ValidateResourceQuantityValue`` (a Node's ``status.capacity``
    and ``status.allocatable`` entries; the other half, not negative, is the reader's
    check of every resource list): an :func:`is_integer_resource` must hold a whole number
    as the API server tests it (``MilliValue()``, rounded away from zero, a multiple of
    1000). The message starts with the canonical quantity. The API server checks no
    resource *name* there: any key is accepted.

    >>> integer_value_error("pods", Quantity("1500m"))
    '1500m: must be an integer'
    >>> integer_value_error("example.com/gpu", Quantity("0.0001"))
    '100u: must be an integer'
    >>> integer_value_error("cpu", Quantity("1500m")), integer_value_error("x", Quantity("0.5"))
    (None, None)
    """
    if is_integer_resource(name) and quantity.milli_value() % 1000:
        return f"{quantity}: {NOT_INTEGER}"
    return None


def validate_resource_name(name: str) -> list[str]:
    """``validateResourceName``: a qualified name; without ``/``, a standard one."""
    errs = [invalid(name, m) for m in is_qualified_name(name)]
    if errs:
        return errs
    standard = name in STANDARD_RESOURCES or name.startswith(("hugepages-", "requests.hugepages-"))
    if "/" not in name and not standard:
        return [invalid(name, "must be a standard resource type or fully qualified")]
    return []


def validate_container_resource_name(name: str) -> list[str]:
    """``validateContainerResourceName``: the messages for a resource name in a
    container's (or the overhead's) requests or limits."""
    errs = validate_resource_name(name)
    if "/" not in name:
        if not (name in STANDARD_CONTAINER_RESOURCES or name.startswith("hugepages-")):
            errs.append(invalid(name, "must be a standard resource for containers"))
    elif not is_native_resource(name) and not is_extended_resource_name(name):
        errs.append(invalid(name, "doesn't follow extended resource name standard"))
    return errs


# -- ResourceQuota scopes (pkg/apis/core/validation, pkg/apis/core/helper) ---------------------

STANDARD_QUOTA_RESOURCES = STANDARD_RESOURCES - {"storage"}
"""``standardQuotaResources``: what ``IsStandardQuotaResourceName`` knows (plus the
``hugepages-`` / ``requests.hugepages-`` names)."""
_POD_COMPUTE_QUOTA = frozenset(
    {"cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"}
)
_ALL_POD_SCOPES = ("Terminating", "NotTerminating", "NotBestEffort", "PriorityClass")
QUOTA_SCOPES = frozenset({*_ALL_POD_SCOPES, "BestEffort", "CrossNamespacePodAffinity"})
"""``IsStandardResourceQuotaScope`` (v1.34: the standard scopes and
``CrossNamespacePodAffinity``)."""
_CONFLICTING_SCOPES = (("BestEffort", "NotBestEffort"), ("Terminating", "NotTerminating"))


def _scope_fits_resource(scope: str, resource: str) -> bool:
    """``IsResourceQuotaScopeValidForResource``: BestEffort tracks only ``pods``; the other
    pod scopes ``pods`` and the compute resources; anything else every resource."""
    if scope in _ALL_POD_SCOPES or scope == "CrossNamespacePodAffinity":
        return resource == "pods" or resource in _POD_COMPUTE_QUOTA
    if scope == "BestEffort":
        return resource == "pods"
    return True


def go_scopes(scopes: Sequence[str]) -> str:
    """The scopes as the API server prints them in a message (Go's ``%#v`` of a
    ``[]core.ResourceQuotaScope``)."""
    return "[]core.ResourceQuotaScope{" + ", ".join(json.dumps(s) for s in scopes) + "}"


def validate_quota_scopes(scopes: Sequence[str], hard: Iterable[str]) -> list[str]:
    """``validateResourceQuotaScopes``: the messages for ``spec.scopes`` (each with the
    whole list as its value): an unknown scope, a scope that cannot track a standard
    quota resource of ``spec.hard``, a conflicting pair."""
    if not scopes:
        return []
    shown = go_scopes(scopes)
    known = sorted(
        r for r in set(hard) if r in STANDARD_QUOTA_RESOURCES or r.startswith(_HUGEPAGE_QUOTA)
    )
    errs = []
    for scope in scopes:
        if scope not in QUOTA_SCOPES:
            errs.append(f"Invalid value: {shown}: unsupported scope")
        for resource in known:
            if not _scope_fits_resource(scope, resource):
                errs.append(f"Invalid value: {shown}: unsupported scope applied to resource")
    for pair in _CONFLICTING_SCOPES:
        if all(s in scopes for s in pair):
            errs.append(f"Invalid value: {shown}: conflicting scopes")
    return errs


_HUGEPAGE_QUOTA = ("hugepages-", "requests.hugepages-")


# -- object metadata ----------------------------------------------------------------------------

NAME_RULES: dict[str, Callable[[str], list[str]]] = {
    "Service": is_dns1035_label,
    "Namespace": is_dns1123_label,
    **dict.fromkeys(
        (
            "Pod",
            "Deployment",
            "ReplicaSet",
            "ReplicationController",
            "StatefulSet",
            "DaemonSet",
            "Job",
            "CronJob",
            "Node",
            "ConfigMap",
            "Secret",
            "ServiceAccount",
            "PersistentVolumeClaim",
            "PriorityClass",
            "LimitRange",
            "ResourceQuota",
            "PodDisruptionBudget",
            "HorizontalPodAutoscaler",
        ),
        is_dns1123_subdomain,
    ),
}
"""Name validation of the kinds podfit reads (``ValidateObjectMeta``'s name function:
``NameIsDNSSubdomain`` but for Services and Namespaces). Other kinds' names are not
checked: some take other forms (RBAC names are path segments, ``system:node:x``)."""


def check_labels(labels: Mapping[str, Any], path: str, d: Doc) -> None:
    """``ValidateLabels``: every key a qualified name, every value a label value; errors
    at ``path`` (``metadata.labels``), as upstream reports them."""
    for key, value in labels.items():
        for message in is_qualified_name(str(key)):
            d.error(path, invalid(key, message))
        if isinstance(value, str):
            for message in is_valid_label_value(value):
                d.error(path, invalid(value, message))


def check_object_meta(kind: str, meta: Mapping[str, Any], d: Doc, path: str = "metadata") -> None:
    """The name (by kind: :data:`NAME_RULES`), namespace (a DNS-1123 label) and labels of
    an object's ``metadata``, with the API server's messages."""
    name = meta.get("name")
    if isinstance(name, str) and name:
        rule = NAME_RULES.get(kind)
        for message in rule(name) if rule is not None else ():
            d.error(f"{path}.name", invalid(name, message))
    namespace = meta.get("namespace")
    if isinstance(namespace, str) and namespace:
        for message in is_dns1123_label(namespace):
            d.error(f"{path}.namespace", invalid(namespace, message))
    labels = meta.get("labels")
    if isinstance(labels, Mapping):
        check_labels(labels, f"{path}.labels", d)


def label_key_error(value: str) -> str | None:
    """Why ``value`` is not a label key as the API server accepts one (``IsQualifiedName``,
    its messages), else ``None``: the zone label of a drain or a check names a label key,
    so ``zoneLabel: ""`` is an error of that field, not a zone no node is in.

    >>> label_key_error("topology.kubernetes.io/zone") is None
    True
    >>> label_key_error("a b").startswith('must be a label key, not "a b": name part must')
    True
    """
    errors = is_qualified_name(value)
    if not errors:
        return None
    return f"must be a label key, not {json.dumps(value)}: {'; '.join(errors)}"
