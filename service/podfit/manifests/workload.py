"""What the reader returns: :class:`Workload` (pods, DaemonSet templates, nodes, warnings)
and :class:`Skipped` (an object that creates no pods, and why)."""

from __future__ import annotations

from dataclasses import dataclass, field

from podfit.nodes import Node
from podfit.pods import Pod


@dataclass(frozen=True, slots=True)
class Skipped:
    """An object that creates no pods here, and why."""

    kind: str
    name: str
    namespace: str = ""
    source: str = ""
    reason: str = "creates no pods"

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "source": self.source,
            "reason": self.reason,
        }

    def warning(self) -> str:
        """One line naming the object, where it was read and why it creates no pods:
        ``Deploymnet default/web (app.yaml document 1) skipped: creates no pods``."""
        name = f"{self.namespace}/{self.name}" if self.namespace else self.name
        source = f" ({self.source})" if self.source else ""
        return f"{self.kind} {name}{source} skipped: {self.reason}"


@dataclass(slots=True)
class Workload:
    """Everything read from the inputs, in input order.

    ``pods``: pods to place (plus bound and terminal pods, which keep ``node_name`` and
    ``phase``); ``daemonsets``: one template pod per DaemonSet; ``nodes``; ``skipped``:
    objects that create no pods; ``warnings``: things assumed (e.g. an unknown
    ``priorityClassName`` counted as priority 0); ``objects``: how many objects were read
    (a ``List`` counts, its items too), so that an empty ``List`` — ``kubectl get pods -o
    json`` in an empty namespace — is told apart from an input holding nothing.
    """

    pods: list[Pod] = field(default_factory=list)
    daemonsets: list[Pod] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    objects: int = 0

    def extend(self, other: Workload) -> None:
        """Append ``other``'s content."""
        self.objects += other.objects
        self.pods.extend(other.pods)
        self.daemonsets.extend(other.daemonsets)
        self.nodes.extend(other.nodes)
        self.skipped.extend(other.skipped)
        self.warnings.extend(other.warnings)

    def skipped_warnings(self) -> list[str]:
        """One warning per skipped object, in input order: a result that lists only the pods
        (``podfit schedule``, ``POST /v1/schedule``) must still show that a misspelt
        ``kind: Deploymnet`` was read and placed nothing."""
        return [s.warning() for s in self.skipped]
