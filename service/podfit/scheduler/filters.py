"""The default profile's Filter plugins, returning reasons, not booleans (one import place).

Each plugin lives in its own module under :mod:`podfit.scheduler.plugins` and is composed
by the profile table (:mod:`podfit.scheduler.profile`); this module re-exports their
functions and strings. Each filter takes a :class:`~podfit.scheduler.model.PodInfo`, a
:class:`~podfit.scheduler.model.NodeInfo` and the :class:`FilterConfig` and returns ``None``
when the node passes, else a :class:`FilterStatus` holding the plugin name, the status code
and the exact reason strings kube-scheduler puts into ``FailedScheduling`` (§3.2 of the
scheduling notes):

==================  ==============================================================  =============
plugin              reason                                                          code
==================  ==============================================================  =============
NodeUnschedulable   ``node(s) were unschedulable``                                  Unresolvable
NodeName            ``node(s) didn't match the requested node name``                Unresolvable
TaintToleration     ``node(s) had untolerated taint {k: v}`` (≤1.33) /              Unresolvable
                    ``node(s) had untolerated taint(s)`` (1.34, 1.35)
NodeAffinity        ``node(s) didn't match Pod's node affinity/selector``           Unresolvable
NodePorts           ``node(s) didn't have free ports for the requested pod ports``  Unschedulable
NodeResourcesFit    ``Too many pods``, ``Insufficient <resource>``                  see below
==================  ==============================================================  =============

NodeResourcesFit is UnschedulableAndUnresolvable when some request exceeds the node's whole
allocatable (it could not fit even on the empty node), otherwise Unschedulable — where the
version's :class:`~podfit.scheduler.features.Features` have ``resource_fit_unresolvable``
(1.34 on); 1.33 reports every shortfall as Unschedulable, so DefaultPreemption still tries
such nodes. ``docs/kubernetes-versions.md`` tells where each version difference comes from.
:func:`run_filters` runs them in the profile's (upstream) order and stops at the first
failing plugin.
Every function is O(size of the pod's and node's lists); none allocates on success.
"""

from __future__ import annotations

from podfit.scheduler.features import DEFAULT_VERSION as DEFAULT_VERSION
from podfit.scheduler.features import SUPPORTED_VERSIONS as SUPPORTED_VERSIONS
from podfit.scheduler.framework import DEFAULT_FILTER_CONFIG as DEFAULT_FILTER_CONFIG
from podfit.scheduler.framework import UNRESOLVABLE as UNRESOLVABLE
from podfit.scheduler.framework import UNSCHEDULABLE as UNSCHEDULABLE
from podfit.scheduler.framework import FilterConfig as FilterConfig
from podfit.scheduler.framework import FilterStatus as FilterStatus
from podfit.scheduler.plugins.node_affinity import METADATA_NAME as METADATA_NAME
from podfit.scheduler.plugins.node_affinity import NODE_AFFINITY as NODE_AFFINITY
from podfit.scheduler.plugins.node_affinity import REASON_AFFINITY as REASON_AFFINITY
from podfit.scheduler.plugins.node_affinity import (
    REASON_AFFINITY_CONFLICT as REASON_AFFINITY_CONFLICT,
)
from podfit.scheduler.plugins.node_affinity import go_parse_int as go_parse_int
from podfit.scheduler.plugins.node_affinity import node_affinity as node_affinity
from podfit.scheduler.plugins.node_affinity import prefilter_node_names as prefilter_node_names
from podfit.scheduler.plugins.node_affinity import (
    required_affinity_matches as required_affinity_matches,
)
from podfit.scheduler.plugins.node_affinity import term_matches as term_matches
from podfit.scheduler.plugins.node_name import NODE_NAME as NODE_NAME
from podfit.scheduler.plugins.node_name import REASON_NODE_NAME as REASON_NODE_NAME
from podfit.scheduler.plugins.node_name import node_name as node_name
from podfit.scheduler.plugins.node_ports import NODE_PORTS as NODE_PORTS
from podfit.scheduler.plugins.node_ports import REASON_PORTS as REASON_PORTS
from podfit.scheduler.plugins.node_ports import node_ports as node_ports
from podfit.scheduler.plugins.node_ports import ports_conflict as ports_conflict
from podfit.scheduler.plugins.node_resources_fit import NODE_RESOURCES_FIT as NODE_RESOURCES_FIT
from podfit.scheduler.plugins.node_resources_fit import (
    REASON_TOO_MANY_PODS as REASON_TOO_MANY_PODS,
)
from podfit.scheduler.plugins.node_resources_fit import (
    InsufficientResource as InsufficientResource,
)
from podfit.scheduler.plugins.node_resources_fit import (
    insufficient_resources as insufficient_resources,
)
from podfit.scheduler.plugins.node_resources_fit import node_resources_fit as node_resources_fit
from podfit.scheduler.plugins.node_unschedulable import NODE_UNSCHEDULABLE as NODE_UNSCHEDULABLE
from podfit.scheduler.plugins.node_unschedulable import (
    REASON_UNSCHEDULABLE as REASON_UNSCHEDULABLE,
)
from podfit.scheduler.plugins.node_unschedulable import node_unschedulable as node_unschedulable
from podfit.scheduler.plugins.taint_toleration import REASON_TAINTS as REASON_TAINTS
from podfit.scheduler.plugins.taint_toleration import TAINT_TOLERATION as TAINT_TOLERATION
from podfit.scheduler.plugins.taint_toleration import first_untolerated as first_untolerated
from podfit.scheduler.plugins.taint_toleration import taint_toleration as taint_toleration
from podfit.scheduler.plugins.taint_toleration import tolerated as tolerated
from podfit.scheduler.plugins.taint_toleration import tolerates as tolerates
from podfit.scheduler.profile import REASON_ABSENT as REASON_ABSENT
from podfit.scheduler.profile import dynamic_filters as dynamic_filters
from podfit.scheduler.profile import run_filters as run_filters
from podfit.scheduler.profile import static_filters as static_filters
