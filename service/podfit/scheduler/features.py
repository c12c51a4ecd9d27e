"""What changes with the Kubernetes version: one frozen :class:`Features` row per version.

Like kube-scheduler's ``plugins/feature.Features`` (the feature gates a plugin reads, handed
to it when the profile is built), the scheduler's modules never compare version strings:
they read a field of the row :func:`features` picks. Where each difference comes from
upstream is told in ``docs/kubernetes-versions.md``.

>>> features("1.33").taint_reason_names_taint, features("1.34").taint_reason_names_taint
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Features:
    """The behaviour of one Kubernetes version that podfit models.

    * ``taint_reason_names_taint``: TaintToleration's reason names the taint
      (``node(s) had untolerated taint {k: v}``) instead of ``node(s) had untolerated taint(s)``;
    * ``resource_fit_unresolvable``: NodeResourcesFit answers UnschedulableAndUnresolvable
      when a request exceeds the node's whole allocatable (else always Unschedulable);
    * ``dynamic_resources``: DynamicResources is in the default profile (the ``dra``
      option's default; its PostFilter adds ``no new claims to deallocate``);
    * ``pod_level_resources``: pod-level ``spec.resources`` is honoured (the
      PodLevelResources gate is on); when off, the API server drops the field.
    """

    version: str
    taint_reason_names_taint: bool
    resource_fit_unresolvable: bool
    dynamic_resources: bool
    pod_level_resources: bool


FEATURE_ROWS: tuple[Features, ...] = (
    Features("1.33", True, False, False, False),
    Features("1.34", False, True, True, True),
    Features("1.35", False, True, True, True),
)
"""One row per supported Kubernetes version, oldest first."""

BY_VERSION: dict[str, Features] = {f.version: f for f in FEATURE_ROWS}
"""Version → its row (what :func:`features` looks up; hot paths subscript it directly)."""

SUPPORTED_VERSIONS: tuple[str, ...] = tuple(f.version for f in FEATURE_ROWS)
DEFAULT_VERSION = "1.34"


def features(version: str) -> Features:
    """The :class:`Features` row of ``version``; ``KeyError`` for a version not in
    :data:`FEATURE_ROWS` (``make_config`` refuses those with a field path first). O(1)."""
    return BY_VERSION[version]
