"""The plugin framework: status codes, the filter configuration and the :class:`Plugin` record.

Like kube-scheduler's ``pkg/scheduler/framework``: a plugin is a name plus the extension
points it implements. podfit declares each plugin as one frozen :class:`Plugin` row of the
profile table (:mod:`podfit.scheduler.profile`), naming what it reads of the pod and the
node and how its answer may change while pods are bound (:class:`Dynamism`); the filter
chains, the equivalence-class keys and the score sums are derived from those rows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from podfit.scheduler.features import DEFAULT_VERSION, Features, features
from podfit.scheduler.model import NodeInfo, PodInfo

if TYPE_CHECKING:
    from podfit.scheduler.scoring import Scorer

UNSCHEDULABLE = "Unschedulable"
UNRESOLVABLE = "UnschedulableAndUnresolvable"

PRE_FILTER = "PreFilter"
FILTER = "Filter"
POST_FILTER = "PostFilter"
PRE_SCORE = "PreScore"
SCORE = "Score"
NORMALIZE_SCORE = "NormalizeScore"
EXTENSION_POINTS = (PRE_FILTER, FILTER, POST_FILTER, PRE_SCORE, SCORE, NORMALIZE_SCORE)


class FilterStatus(NamedTuple):
    """A failing filter: which plugin, its code and its reasons (exact upstream strings)."""

    plugin: str
    code: str
    reasons: tuple[str, ...]


class FilterConfig(NamedTuple):
    """What the filters need beyond pod and node: version and NodeResourcesFit ignores."""

    version: str = DEFAULT_VERSION
    ignored_resources: frozenset[str] = frozenset()
    ignored_groups: frozenset[str] = frozenset()

    @property
    def features(self) -> Features:
        """What changes with :attr:`version` (:func:`podfit.scheduler.features.features`)."""
        return features(self.version)


DEFAULT_FILTER_CONFIG = FilterConfig()


class Dynamism(Enum):
    """Whether a plugin's answer for a pod class on a node can change as pods are bound.

    * ``STATIC``: reads only the node object (labels, taints, ...): computed once per node
      and pod class for a whole run;
    * ``NODE``: also reads what is bound on that node (requests, pods, ports): recomputed
      for a node when a pod is bound there;
    * ``CLUSTER``: reads what is bound on other nodes too (topology spreading, inter-pod
      affinity): recomputed for every node after any bind.
    """

    STATIC = "static"
    NODE = "per-node dynamic"
    CLUSTER = "cluster dynamic"


FilterFn = Callable[[PodInfo, NodeInfo, FilterConfig], FilterStatus | None]
"""Filter: None when the node passes, else the failing status (no exception for "no")."""
ScoreFn = Callable[["Scorer", PodInfo, NodeInfo], int]
"""Score: the unweighted score (raw before NormalizeScore) of the pod on the node."""
SkipFn = Callable[["Scorer", PodInfo], bool]
"""PreScore Skip: True when the plugin scores every node 0 for this pod."""
AppliesFn = Callable[[PodInfo], bool]
"""The inverse of a PreFilter Skip: False when the plugin lets every node pass for this pod."""


class PostFilterInput(NamedTuple):
    """What the PostFilter plugins of a failed cycle see: whether DynamicResources is in
    the profile (``dra``), whether a PreFilter rejected the pod, and DefaultPreemption's
    outcome (its message, ``""`` when it found a candidate)."""

    dra: bool
    prefilter_rejected: bool
    preemption: str


POST_SUCCESS, POST_UNSCHEDULABLE, POST_ERROR = "Success", "Unschedulable", "Error"


class PostFilterStatus(NamedTuple):
    """A PostFilter plugin's status: ``code`` (:data:`POST_SUCCESS` ends the phase with no
    message, :data:`POST_ERROR` ends it with ``message``, :data:`POST_UNSCHEDULABLE`
    adds ``message`` and lets the next plugin run)."""

    code: str
    message: str


PostFilterFn = Callable[[PostFilterInput], PostFilterStatus | None]
"""PostFilter: the plugin's status for a failed cycle; None when the plugin is not in the
profile for it (DynamicResources without the feature)."""


@dataclass(frozen=True, slots=True)
class ClusterHooks:
    """The extension points of a cluster-dynamic plugin, which read the whole cluster:

    * ``prefilter(pod, nodes, context)`` → the PreFilter state (None: Skip, every node
      passes), computed once per cycle over **all** nodes;
    * ``filter(state, pod, node)`` → the node's status from that state;
    * ``scores(pod, nodes, feasible, context)`` → the normalised 0..100 scores of the
      ``feasible`` nodes, in their order (None: PreScore Skip, 0 everywhere).

    * ``counts(pod, nodes, context)`` → the same PreFilter/PreScore sums for one pod
      class, kept from bind to bind (:class:`ClusterCounts`): what the engine's
      equivalence index reads instead of calling ``prefilter`` every cycle; None when
      both PreFilter and PreScore skip the class as long as no bound pod has affinity
      terms (``context.affinity_bound``).

    ``context`` is the run's (:class:`podfit.scheduler.topologyplugins.TopologyPlugins`:
    Namespace labels, ``hardPodAffinityWeight``).
    """

    prefilter: Callable[[PodInfo, Sequence[NodeInfo], Any], object]
    filter: Callable[[Any, PodInfo, NodeInfo], FilterStatus | None]
    scores: Callable[[PodInfo, Sequence[NodeInfo], Sequence[int], Any], list[int] | None]
    counts: Callable[[PodInfo, Sequence[NodeInfo], Any], ClusterCounts | None]


class ClusterCounts(Protocol):
    """A cluster-dynamic plugin's PreFilter and PreScore sums for one pod class, kept up
    to date node by node (U76: a bind or an eviction changes one node's pods, so the
    sums are corrected by that node's difference instead of being recomputed over the
    cluster). The answers it gives must equal the plugin's own PreFilter/Filter/Score on
    the cluster as it is; the reference-equivalence tests check that.
    """

    def node_changed(self, i: int, node: NodeInfo) -> None:
        """Node ``i``'s pods changed: recount it and correct the sums. O(its pods × terms)."""

    fixed_keys: bool
    """Whether :meth:`value_keys` stays the same for the life of the sums."""

    @property
    def may_filter(self) -> bool:
        """False when :meth:`filter_state` is None (Filter passes every node) for the life
        of the sums."""

    def value_keys(self) -> Collection[str]:
        """The node label keys whose values the answers read (may grow as pods are bound)."""

    def own_part(self, i: int) -> object:
        """What node ``i`` alone adds under the hostname key (its own domain): with unique
        hostnames, the node's answers are a function of its values for
        :meth:`value_keys` other than the hostname, plus this."""

    def filter_state(self) -> object:
        """The state the plugin's ``filter`` hook takes, as PreFilter would build it now."""

    def scores(
        self, pod: PodInfo, nodes: Sequence[NodeInfo], reps: Sequence[int], sizes: Sequence[int]
    ) -> list[int] | None:
        """Normalised 0..100 scores of the feasible nodes given as one representative per
        group of equal answers (``reps``, with ``sizes`` nodes each), in their order; None
        for a PreScore Skip. The list is read-only (the sums may keep and return it
        again)."""


@dataclass(frozen=True, slots=True)
class Plugin:
    """One row of the profile table: a plugin and what it does at each extension point.

    ``pod_reads`` / ``node_reads`` name every ``PodInfo`` / ``NodeInfo`` attribute the
    plugin's functions read (a test walks their code and fails on an undeclared read);
    the equivalence-class keys are built from them. ``reasons`` are the plugin's fixed
    reason strings (a reason with parameters, like ``Insufficient <resource>``, is built
    by the plugin). ``weight`` is the Score weight, ``normalize_reverse`` the
    NormalizeScore direction (None: the score is not normalised), ``skip`` the PreScore
    Skip. ``applies`` (cluster-dynamic plugins) tells whether the plugin has anything to
    check for a pod; while it does, the engine places that pod through its class's
    topology cells (:mod:`podfit.scheduler.cells`), since the plain equivalence index
    cannot see binds on other nodes (None: always). ``cluster`` holds
    a cluster-dynamic plugin's PreFilter/Filter/Score functions (:class:`ClusterHooks`),
    which read every node; such a row has no ``filter``/``score`` of its own.
    ``post_filter`` is a PostFilter plugin's function (rows run in table order).
    """

    name: str
    points: tuple[str, ...]
    dynamism: Dynamism
    pod_reads: tuple[str, ...] = ()
    node_reads: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    filter: FilterFn | None = None
    score: ScoreFn | None = None
    weight: int = 0
    normalize_reverse: bool | None = None
    skip: SkipFn | None = None
    applies: AppliesFn | None = None
    cluster: ClusterHooks | None = None
    post_filter: PostFilterFn | None = None

    def __post_init__(self) -> None:
        unknown = [p for p in self.points if p not in EXTENSION_POINTS]
        if unknown:
            raise ValueError(f"{self.name}: unknown extension point(s) {unknown}")
        if (self.post_filter is not None) != (POST_FILTER in self.points):
            raise ValueError(f"{self.name}: a post_filter function exactly with {POST_FILTER}")
        if self.cluster is not None:
            if self.dynamism is not Dynamism.CLUSTER or self.filter or self.score:
                raise ValueError(f"{self.name}: cluster hooks replace filter and score functions")
            if (SCORE in self.points) != (self.weight >= 1):
                raise ValueError(f"{self.name}: a weight exactly with {SCORE}")
            return
        if (self.filter is not None) != (FILTER in self.points):
            raise ValueError(f"{self.name}: a filter function exactly when it has {FILTER}")
        if (self.score is not None) != (SCORE in self.points) or (
            self.score is not None and self.weight < 1
        ):
            raise ValueError(f"{self.name}: a score function and a weight exactly with {SCORE}")
        if (self.normalize_reverse is not None) != (NORMALIZE_SCORE in self.points):
            raise ValueError(f"{self.name}: a normalize direction exactly with {NORMALIZE_SCORE}")
