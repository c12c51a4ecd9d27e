"""The reader: dispatches documents by kind, expands workloads into pods, counts them against
:class:`~podfit.yamlsafe.Limits` before building them, and runs admission (PriorityClass
values, LimitRanges) once every object is read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal, TypeVar

from podfit.deadline import NO_DEADLINE, Deadline
from podfit.errors import FieldError, LimitExceeded, ManifestError, PodfitError
from podfit.manifests.apivalidation import check_labels, check_object_meta
from podfit.manifests.fields import Doc, show, type_name, unsupported
from podfit.manifests.limitranges import LimitRangeItem, read_limit_range
from podfit.manifests.names import generated_name, template_hash
from podfit.manifests.nodes import node_pool, read_compact_node, read_node
from podfit.manifests.objects import (
    controller_of,
    describe,
    read_controller,
    read_hpa,
    read_namespace,
    read_pdb,
    read_resource_quota,
    read_service,
)
from podfit.manifests.podspec import (
    check_env,
    check_resource_names,
    read_affinity,
    read_containers,
    read_preempted,
    read_start_time,
    read_tolerations,
    unmodelled_fields,
)
from podfit.manifests.quota import QuotaAdmission
from podfit.manifests.replicas import NameRange
from podfit.manifests.snapshot import (
    TEMPLATE_HASH_LABEL,
    PodEntry,
    TakenNames,
    WorkloadEntry,
    reconcile,
    status_resources,
)
from podfit.manifests.topology import (
    read_pod_affinity,
    read_spread_constraints,
    topology_selector,
)
from podfit.manifests.validation import (
    DECODE_PREFIX,
    DEFAULT_SCHEMA_VERSION,
    DEFAULT_VALIDATE,
    VALIDATE_MODES,
    check_object,
    load_schema,
)
from podfit.manifests.workload import Skipped, Workload
from podfit.pods import (
    DAEMONSET_TOLERATIONS,
    NETWORK_UNAVAILABLE_TOLERATION,
    Pod,
    default_pod_level_requests,
    replicas,
    validate_resources,
)
from podfit.topology import LabelSelector
from podfit.yamlsafe import Limits, load_all

SPREAD_SELECTOR_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController")
"""Workloads whose selector kube-scheduler's default spreading reads (a Deployment through
the ReplicaSet it creates)."""

#: Built-in PriorityClasses (``pkg/apis/scheduling``).
SYSTEM_PRIORITIES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}
PREEMPT_LOWER = "PreemptLowerPriority"
"""The default preemptionPolicy (of a PriorityClass, and of a pod without a class)."""

POD_KINDS = (
    "Pod",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
    "Job",
    "CronJob",
    "DaemonSet",
)

CONTROLLER_KINDS = (
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
    "Job",
    "DaemonSet",
)
"""Kinds listed in ``Workload.controllers`` (with their selectors)."""

_OBJECT_READERS: dict[str, tuple[str, Any]] = {
    "PodDisruptionBudget": ("disruption_budgets", read_pdb),
    "HorizontalPodAutoscaler": ("autoscalers", read_hpa),
    "Service": ("services", read_service),
    "Namespace": ("namespaces", lambda doc, d, name, _ns: read_namespace(doc, d, name)),
    "ResourceQuota": ("resource_quotas", read_resource_quota),
}
"""Kinds read into :mod:`podfit.manifests.objects` values: Workload attribute, reader."""

POD_PHASES = ("Failed", "Pending", "Running", "Succeeded", "Unknown")
PREEMPTION_POLICIES = ("Never", PREEMPT_LOWER)

_FIELD_OF = {"initContainers": "init_containers", "containers": "containers"}

LOADING_PHASE = "loading the manifests"
"""The phase the reader names when its deadline stops it (the HTTP views' name for it)."""
OBJECTS_PER_CHECK = 256
"""Objects read, compact node entries read, or pods admitted between two deadline checks.
A check reads the clock (well under a microsecond) and reading one object costs tens of
microseconds, so checking every 256th adds nothing measurable to a small input while
bounding what runs past the deadline to 256 objects' work (milliseconds)."""
_CHECK_MASK = OBJECTS_PER_CHECK - 1

_T = TypeVar("_T")


def _checking(items: Iterable[_T], deadline: Deadline) -> Iterator[_T]:
    """``items``, with ``deadline`` checked before the first and then every
    :data:`OBJECTS_PER_CHECK` items (phase :data:`LOADING_PHASE`)."""
    for i, item in enumerate(items):
        if not i & _CHECK_MASK:
            deadline.check(LOADING_PHASE)
        yield item


class Reader:
    """Reads documents into one :class:`Workload`; :meth:`finish` runs admission and raises
    every error found, each with its field path. ``deadline`` is checked every
    :data:`OBJECTS_PER_CHECK` objects read and pods admitted (phase :data:`LOADING_PHASE`), so a
    large input stops soon after it passes."""

    def __init__(
        self,
        limits: Limits,
        validate: str = DEFAULT_VALIDATE,
        schema_version: str = DEFAULT_SCHEMA_VERSION,
        *,
        deadline: Deadline = NO_DEADLINE,
    ) -> None:
        if validate not in VALIDATE_MODES:
            raise ManifestError(unsupported(validate, VALIDATE_MODES), "validate")
        self.limits = limits
        self.deadline = deadline
        self.validate = validate
        self.schema = load_schema(schema_version)
        self.custom: dict[str, int] = {}  # "Kind (apiVersion)" -> objects not checked
        self.workload = Workload()
        self.errors: list[FieldError] = []
        self.reserved = {"pods": 0, "nodes": 0}  # counted before anything is built
        # name -> (value, preemptionPolicy); the globalDefault class's pair
        self.priority_classes: dict[str, tuple[int, str]] = {}
        self.global_default: tuple[int, str] | None = None
        # (pods of one template, priorityClassName, path) for templates without
        # spec.priority: resolved once every PriorityClass is known (finish)
        self.deferred: list[tuple[list[Pod], str, str, bool, bool]] = []
        self.limit_ranges: dict[str, list[LimitRangeItem]] = {}
        self.names: dict[tuple[str, str], str] = {}
        self.generated: dict[tuple[str, str], int] = {}  # (namespace, generateName) -> next
        # Pod objects and workloads in input order, reconciled in finish()
        self.entries: list[PodEntry | WorkloadEntry] = []

    # -- input ----------------------------------------------------------------------------
    def read_text(self, text: str | bytes, name: str) -> None:
        docs = load_all(text, self.limits, name)
        self.read_documents(docs, name)

    def read_documents(self, docs: list[Any], name: str) -> None:
        multi = len(docs) > 1
        for i, doc in enumerate(docs):
            label = f"{name} document {i + 1}" if multi else name
            self._document(doc, label)

    def _document(self, doc: Any, label: str) -> None:
        if doc is None:
            return
        if isinstance(doc, list):
            for i, item in enumerate(doc):
                self._document(item, f"{label} [{i}]")
            return
        if not isinstance(doc, Mapping):
            self.errors.append(
                FieldError("", f"expected an object, got {type_name(doc)} {show(doc)} (in {label})")
            )
            return
        self.workload.objects += 1
        if not self.workload.objects & _CHECK_MASK:
            self.deadline.check(LOADING_PHASE)
        kind = doc.get("kind")
        if kind is None:
            if "nodes" in doc and isinstance(doc.get("nodes"), list):
                for i, entry in enumerate(_checking(doc["nodes"], self.deadline)):
                    self._compact_node(entry, f"nodes[{i}]", label)
                return
            if "name" in doc and any(k in doc for k in ("allocatable", "capacity", "preset")):
                self._compact_node(doc, "", label)
                return
            self.errors.append(
                FieldError(
                    "kind", f"Required value: an object needs apiVersion and kind (in {label})"
                )
            )
            return
        if not isinstance(kind, str):
            self.errors.append(FieldError("kind", f"must be a string (in {label})"))
            return
        if kind == "List" or (kind.endswith("List") and isinstance(doc.get("items"), list)):
            items = doc.get("items") or []
            if not isinstance(items, list):
                self.errors.append(FieldError("items", f"must be an array (in {label})"))
                return
            for i, item in enumerate(items):
                self._document(item, f"{label} items[{i}]")
            return
        raw_meta = doc.get("metadata")
        meta: Mapping[str, Any] = raw_meta if isinstance(raw_meta, Mapping) else {}
        name = meta.get("name") if isinstance(meta.get("name"), str) else ""
        namespace = meta.get("namespace") if isinstance(meta.get("namespace"), str) else ""
        generate = meta.get("generateName")
        if not name and isinstance(generate, str) and generate:
            name = f"(generateName {generate})"
        what = f"{kind} {namespace + '/' if namespace else ''}{name or '(no name)'}, {label}"
        d = Doc(what)
        if self.validate != "ignore":
            self._validate(doc, kind, d, what)
        try:
            self._object(kind, doc, d, label)
        except PodfitError as exc:
            if isinstance(exc, LimitExceeded):
                raise
            for e in exc.errors:
                d.error(e.path, e.message)
        decoded = {e.path for e in d.errors if e.message.startswith(DECODE_PREFIX)}
        if decoded:  # the API server stops at decoding: the readers' own text is moot
            d.errors = [
                e for e in d.errors if e.path not in decoded or e.message.startswith(DECODE_PREFIX)
            ]
        self.errors.extend(d.errors)

    def _validate(self, doc: Mapping[str, Any], kind: str, d: Doc, what: str) -> None:
        """Unknown kinds and fields (:mod:`.validation`): errors when strict, else
        warnings; custom resources counted for one summary line."""
        findings, custom = check_object(self.schema, doc, kind)
        if custom:
            api = doc.get("apiVersion")
            key = f"{kind} ({api})" if isinstance(api, str) else kind
            self.custom[key] = self.custom.get(key, 0) + 1
        for f in findings:
            if self.validate == "strict" or f.decode:
                d.error(f.path, f.message)
            else:
                self.workload.warnings.append(f"{what}: {f.path}: {f.message}")

    def _object(self, kind: str, doc: Mapping[str, Any], d: Doc, source: str) -> None:
        meta = d.mapping(doc.get("metadata"), "metadata")
        check_object_meta(kind, meta, d)
        name = d.string(meta.get("name"), "metadata.name")
        namespace = d.string(meta.get("namespace"), "metadata.namespace") or "default"
        spec = d.mapping(doc.get("spec"), "spec")
        if kind == "Node":
            self._node(doc, d, name)
            return
        if kind == "PriorityClass":
            value = d.integer(doc.get("value"), "value", 0, lo=-(2**31), hi=1_000_000_000)
            policy = d.string(doc.get("preemptionPolicy"), "preemptionPolicy", PREEMPT_LOWER)
            if policy not in PREEMPTION_POLICIES:
                d.error("preemptionPolicy", unsupported(policy, PREEMPTION_POLICIES))
            self.priority_classes[name] = (value, policy)
            if doc.get("globalDefault") is True:
                self.global_default = (value, policy)
            self.workload.skipped.append(
                Skipped(kind, name, "", source, "creates no pods; its value sets pod priorities")
            )
            return
        if kind == "LimitRange":
            item = read_limit_range(spec, d, f"{namespace}/{name}")
            if item is not None:
                self.limit_ranges.setdefault(namespace, []).append(item)
            self.workload.skipped.append(
                Skipped(
                    kind,
                    name,
                    namespace,
                    source,
                    "creates no pods; its container defaults and bounds apply to the "
                    f"pods of namespace {namespace}",
                )
            )
            return
        if kind in _OBJECT_READERS and name:
            attr, read = _OBJECT_READERS[kind]
            obj = read(doc, d, name, namespace)
            getattr(self.workload, attr).append(obj)
            self.workload.skipped.append(
                Skipped(
                    kind,
                    name,
                    "" if kind == "Namespace" else namespace,
                    source,
                    f"creates no pods; {describe(obj)}",
                )
            )
            return
        if kind not in POD_KINDS:
            self.workload.skipped.append(
                Skipped(kind, name, namespace if namespace else "", source)
            )
            return
        if not name and not (kind == "Pod" and meta.get("generateName")):
            d.error("metadata.name", "Required value: name or generateName is required")
            return
        if kind == "Pod":
            pod_name = name or self._generate_name(
                d.string(meta.get("generateName"), "metadata.generateName"), namespace
            )
            owner = _owner_reference(meta)
            self._reserve("pods", 1, "metadata.name")
            pods = self._build(doc, "", d, [pod_name], namespace, owner, source, bound=True)
            for pod in self._register(pods, d):
                self.entries.append(
                    PodEntry(
                        pod,
                        controller_of(meta),
                        meta.get("deletionTimestamp") is not None,
                        _timestamp(meta),
                    )
                )
            return
        owner = f"{kind}/{name}"
        if kind in CONTROLLER_KINDS:
            self.workload.controllers.append(read_controller(kind, doc, d, name, namespace))
        if kind == "CronJob":
            job = d.mapping(spec.get("jobTemplate"), "spec.jobTemplate")
            self._job(
                kind,
                doc,
                d.mapping(job.get("spec"), "spec.jobTemplate.spec"),
                "spec.jobTemplate.spec",
                d,
                name,
                namespace,
                owner,
                source,
            )
            return
        if kind == "Job":
            self._job(kind, doc, spec, "spec", d, name, namespace, owner, source)
            return
        template = d.mapping(spec.get("template"), "spec.template")
        if kind == "DaemonSet":
            pods = self._build(template, "spec.template", d, [name], namespace, owner, source)
            if pods:
                pod = pods[0]
                ds = _as_daemonset_template(pod, name)
                if self.deferred and self.deferred[-1][0] is pods:
                    # the stored template is the copy: its priorityClassName is resolved
                    self.deferred[-1] = ([ds], *self.deferred[-1][1:])
                self.workload.daemonsets.append(ds)
            self.entries.append(self._entry(kind, doc, d, name, namespace, [], 0, source, ""))
            return
        replicas = d.integer(spec.get("replicas"), "spec.replicas", 1)
        if replicas == 0:
            self.workload.skipped.append(
                Skipped(kind, name, namespace, source, "spec.replicas is 0: no pods")
            )
            self.entries.append(
                self._entry(kind, doc, d, name, namespace, [], 0, source, "spec.replicas")
            )
            return
        self._reserve("pods", replicas, "spec.replicas", commit=False)
        if kind == "Deployment":  # its ReplicaSet's pods carry the hash label
            h = template_hash(template)
            pattern = f"{name}-{h}-{{}}"
            extra_labels = {TEMPLATE_HASH_LABEL: h}
        else:
            pattern = f"{name}-{{}}"
            extra_labels = None
        pods = self._build(
            template,
            "spec.template",
            d,
            [pattern.format(0)],
            namespace,
            owner,
            source,
            owner_selector=self._spread_selector(kind),
            extra_labels=extra_labels,
        )
        entry = self._entry(
            kind, doc, d, name, namespace, pods, replicas, source, "spec.replicas", pattern
        )
        if kind == "StatefulSet":
            ordinals = d.mapping(spec.get("ordinals"), "spec.ordinals")
            entry.ordinal_start = d.integer(ordinals.get("start"), "spec.ordinals.start", 0)
        self.entries.append(entry)

    def _spread_selector(self, kind: str) -> LabelSelector | None:
        """The selector default spreading reads for the pods of the workload just read (its
        Controller, the last one listed): a ReplicaSet's, StatefulSet's or
        ReplicationController's, a Deployment's own (the scheduler adds the pods'
        ``pod-template-hash``, final only after reconciliation: its ReplicaSet's)."""
        controllers = self.workload.controllers
        if kind not in SPREAD_SELECTOR_KINDS or not controllers or controllers[-1].selector is None:
            return None
        return topology_selector(controllers[-1].selector)

    def _entry(
        self,
        kind: str,
        doc: Mapping[str, Any],
        d: Doc,
        name: str,
        namespace: str,
        pods: list[Pod],
        desired: int,
        source: str,
        count_path: str,
        pattern: str = "",
        template: Mapping[str, Any] | None = None,
    ) -> WorkloadEntry:
        """A :class:`WorkloadEntry` for reconciliation; new pods are named ``pattern``
        formatted with 0, 1, … (names already taken are skipped)."""
        meta = d.mapping(doc.get("metadata"), "metadata")
        spec = d.mapping(doc.get("spec"), "spec")
        controller = self.workload.controllers[-1] if kind in CONTROLLER_KINDS else None
        tpl = template if template is not None else d.mapping(spec.get("template"), "")
        tmeta = tpl.get("metadata")
        labels = meta.get("labels")
        if not isinstance(labels, Mapping) and isinstance(tmeta, Mapping):
            labels = tmeta.get("labels")

        def make_names(count: int, taken: TakenNames) -> Sequence[str]:
            self._reserve("pods", count, count_path)
            first = _fresh_names(pattern, namespace, count, taken)
            if first is not None:
                return first
            out: list[str] = []
            i = 0
            while len(out) < count:
                n = pattern.format(i)
                i += 1
                if (namespace, n) not in taken:
                    out.append(n)
            return out

        return WorkloadEntry(
            kind,
            name,
            namespace,
            pods,
            desired,
            controller.selector if controller is not None else None,
            controller.owner if controller is not None else controller_of(meta),
            tpl,
            labels if isinstance(labels, Mapping) else {},
            _timestamp(meta),
            source,
            make_names,
        )

    def _job(
        self,
        kind: str,
        doc: Mapping[str, Any],
        spec: Mapping[str, Any],
        path: str,
        d: Doc,
        name: str,
        namespace: str,
        owner: str,
        source: str,
    ) -> None:
        parallelism = d.integer(spec.get("parallelism"), f"{path}.parallelism", 1)
        completions = d.integer(spec.get("completions"), f"{path}.completions", parallelism)
        count = min(parallelism, completions)
        template = d.mapping(spec.get("template"), f"{path}.template")
        suspended = spec.get("suspend") is True
        pods: list[Pod] = []
        if suspended:
            self.workload.skipped.append(
                Skipped(kind, name, namespace, source, f"{path}.suspend is true: no pods")
            )
        elif count == 0:
            reason = f"no pods (parallelism {parallelism}, completions {completions})"
            self.workload.skipped.append(Skipped(kind, name, namespace, source, reason))
        else:
            self._reserve("pods", count, f"{path}.parallelism", commit=False)
            pods = self._build(
                template, f"{path}.template", d, [f"{name}-0"], namespace, owner, source
            )
        entry = self._entry(
            kind,
            doc,
            d,
            name,
            namespace,
            pods,
            parallelism if not suspended and count else 0,
            source,
            f"{path}.parallelism",
            f"{name}-{{}}",
            template,
        )
        if kind == "Job":
            # SetDefaults_Job: completions stays unset (a work queue) only when
            # parallelism is set; both unset means both 1
            work_queue = spec.get("completions") is None and spec.get("parallelism") is not None
            entry.completions = None if work_queue else completions
            status = d.mapping(doc.get("status"), "status")
            entry.succeeded = d.integer(status.get("succeeded"), "status.succeeded", 0)
            policy = d.string(spec.get("podReplacementPolicy"), f"{path}.podReplacementPolicy")
            if not policy:  # defaulting: Failed when a podFailurePolicy is set
                policy = "Failed" if spec.get("podFailurePolicy") else "TerminatingOrFailed"
            entry.replace_terminating = policy != "Failed"
            entry.suspended = suspended
        else:  # CronJob: one run of its job template
            entry.desired = count if not suspended else 0
        self.entries.append(entry)

    def _register(self, pods: list[Pod], d: Doc) -> list[Pod]:
        """The pods whose (namespace, name) is not taken yet, now taken; an error for each
        duplicate."""
        out = []
        for pod in pods:
            key = (pod.namespace, pod.name)
            if key in self.names:
                d.error("metadata.name", f'duplicate pod "{pod.key}" (also from {self.names[key]})')
                continue
            self.names[key] = pod.owner or pod.source
            out.append(pod)
        return out

    def _generate_name(self, base: str, namespace: str) -> str:
        """A name for a pod given only ``generateName``: :func:`generated_name`, skipping
        any already taken in the namespace."""
        ordinal = self.generated.get((namespace, base), 0)
        while True:
            name = generated_name(base, namespace, ordinal)
            ordinal += 1
            if (namespace, name) not in self.names:
                self.generated[namespace, base] = ordinal
                return name

    def _reserve(
        self, what: Literal["pods", "nodes"], count: int, path: str, commit: bool = True
    ) -> None:
        """Count ``count`` more pods or nodes, refusing past ``Limits.max_<what>`` before any
        of them is built (``replicas: 1000000000`` costs nothing). ``commit=False`` only
        checks: a workload's replicas are checked when read and counted when its new pods
        are made (existing pods may stand for some of them)."""
        total = self.reserved[what] + count
        limit: int = getattr(self.limits, f"max_{what}")
        if total > limit:
            raise LimitExceeded(
                f"{count} {what} would bring the total to {total}, "
                f"above the limit of {limit} {what}",
                path=path,
                limit=f"max_{what}",
            )
        if commit:
            self.reserved[what] = total

    # -- pod template -> pods ---------------------------------------------------------------
    def _build(
        self,
        template: Mapping[str, Any],
        path: str,
        d: Doc,
        names: list[str],
        namespace: str,
        owner: str | None,
        source: str,
        bound: bool = False,
        owner_selector: LabelSelector | None = None,
        extra_labels: Mapping[str, str] | None = None,
    ) -> list[Pod]:
        """The pods ``names`` of ``template`` (a Pod object with ``bound``: its status is
        read too), or none when it has errors (collected in ``d``). ``owner_selector``:
        the selector default spreading reads for them (their controller's);
        ``extra_labels`` are added to the template's after they are validated (a
        Deployment's ``pod-template-hash``)."""
        prefix = f"{path}." if path else ""
        before = len(d.errors)
        meta = d.mapping(template.get("metadata"), f"{prefix}metadata")
        labels = d.str_map(meta.get("labels"), f"{prefix}metadata.labels")
        if prefix:  # a template's labels (a Pod's were checked with its metadata)
            check_labels(labels, f"{prefix}metadata.labels", d)
        spec = d.mapping(template.get("spec"), f"{prefix}spec")
        sp = f"{prefix}spec"
        containers = read_containers(spec.get("containers"), f"{sp}.containers", d, init=False)
        if not template.get("spec"):
            d.error(sp, "Required value")
        elif not d.seq(spec.get("containers"), f"{sp}.containers") and len(d.errors) == before:
            d.error(f"{sp}.containers", "Required value")
        init = read_containers(spec.get("initContainers"), f"{sp}.initContainers", d, init=True)
        seen: dict[str, str] = {}
        for group, items in (("initContainers", init), ("containers", containers)):
            for i, c in enumerate(items):
                if c.name in seen:
                    d.error(f"{sp}.{group}[{i}].name", f'Duplicate value: "{c.name}"')
                else:
                    seen[c.name] = group
        for group, items in (("initContainers", init), ("containers", containers)):
            for i, c in enumerate(items):
                check_env(c, f"{sp}.{group}[{i}].env", seen, d)
        overhead = d.resources(spec.get("overhead"), f"{sp}.overhead")
        check_resource_names(overhead, f"{sp}.overhead", d)
        pres = d.mapping(spec.get("resources"), f"{sp}.resources")
        pod_requests = d.resources(pres.get("requests"), f"{sp}.resources.requests")
        pod_limits = d.resources(pres.get("limits"), f"{sp}.resources.limits")
        if pod_requests or pod_limits:
            # defaulting (containers' aggregated requests, else the pod-level limit) comes
            # before validation, as in the API server
            pod_requests = default_pod_level_requests(pod_requests, pod_limits, containers, init)
            for e in validate_resources(pod_requests, pod_limits, f"{sp}.resources"):
                d.error(e.path, e.message)
        priority_name = d.string(spec.get("priorityClassName"), f"{sp}.priorityClassName")
        priority = d.integer(spec.get("priority"), f"{sp}.priority", 0, lo=-(2**31))
        # admitted objects carry both; manifests usually neither: the Priority admission
        # plugin sets what is absent from the PriorityClass (finish)
        deferred_priority = spec.get("priority") is None
        deferred_policy = spec.get("preemptionPolicy") is None
        node_name = d.string(spec.get("nodeName"), f"{sp}.nodeName") or None
        phase = None
        qos = None
        start_time = None
        nominated = None
        preempted = False
        if bound:
            status = d.mapping(template.get("status"), "status")
            nominated = (
                d.string(status.get("nominatedNodeName"), "status.nominatedNodeName") or None
            )
            preempted = meta.get("deletionTimestamp") is not None and read_preempted(
                status.get("conditions"), d
            )
            phase = d.string(status.get("phase"), "status.phase") or None
            if phase is not None and phase not in POD_PHASES:
                d.error("status.phase", unsupported(phase, POD_PHASES))
            qos = d.string(status.get("qosClass"), "status.qosClass") or None
            start_time = read_start_time(status.get("startTime"), d)
            resized = status_resources(containers, init, status, d)
            if resized is not None:  # an in-place resize: what the scheduler counts
                containers, init = list(resized[0]), list(resized[1])
        host_network = d.boolean(spec.get("hostNetwork"), f"{sp}.hostNetwork")
        if host_network:
            for group, items in (("initContainers", init), ("containers", containers)):
                for i, c in enumerate(items):
                    for j, port in enumerate(c.ports):
                        if port.host_port not in (0, port.container_port):
                            d.error(
                                f"{sp}.{group}[{i}].ports[{j}].hostPort",
                                f"Invalid value: {port.host_port}: must match `containerPort` "
                                "when `hostNetwork` is true",
                            )
        preemption_policy = d.string(
            spec.get("preemptionPolicy"), f"{sp}.preemptionPolicy", PREEMPT_LOWER
        )
        if preemption_policy not in PREEMPTION_POLICIES:
            d.error(f"{sp}.preemptionPolicy", unsupported(preemption_policy, PREEMPTION_POLICIES))
        required, preferred = read_affinity(spec.get("affinity"), f"{sp}.affinity", d)
        spread = read_spread_constraints(
            spec.get("topologySpreadConstraints"), f"{sp}.topologySpreadConstraints", d
        )
        pod_affinity = read_pod_affinity(spec.get("affinity"), f"{sp}.affinity", d, namespace)
        tolerations = read_tolerations(spec.get("tolerations"), f"{sp}.tolerations", d)
        unmodelled = unmodelled_fields(spec, sp)
        if len(d.errors) > before:
            return []
        if extra_labels:
            labels = {**labels, **extra_labels}
        # the field paths as written (Pod.unmodelled): the scheduler and plans model them
        base = Pod(
            name=names[0],
            namespace=namespace,
            owner=owner,
            labels=labels,
            containers=tuple(containers),
            init_containers=tuple(init),
            overhead=overhead,
            pod_requests=pod_requests,
            pod_limits=pod_limits,
            priority=priority,
            preemption_policy=preemption_policy,
            node_name=node_name,
            phase=phase,
            node_selector=d.str_map(spec.get("nodeSelector"), f"{sp}.nodeSelector"),
            required_node_affinity=required,
            preferred_node_affinity=preferred,
            tolerations=tolerations,
            host_network=host_network,
            status_qos_class=qos,
            source=source,
            unmodelled=unmodelled,
            spread=spread,
            pod_affinity=pod_affinity,
            owner_selector=owner_selector,
            terminating=bound and meta.get("deletionTimestamp") is not None,
            start_time=start_time,
            nominated_node=nominated,
            preempted=preempted,
        )
        pods = [base] if len(names) == 1 else replicas(base, names)  # base is names[0]
        if deferred_priority or deferred_policy:
            self.deferred.append((pods, priority_name, sp, deferred_priority, deferred_policy))
        return pods

    def _priority(self, name: str, sp: str, who: str) -> tuple[int, str]:
        """(priority, preemptionPolicy) of a template with ``priorityClassName`` ``name``, as
        the Priority admission plugin computes them: the class's value and policy; without
        a name the globalDefault class's, else 0 and PreemptLowerPriority. A class missing
        from the input counts as 0 / PreemptLowerPriority, with a warning naming ``who``
        (``namespace/Kind/name``)."""
        if not name:
            return self.global_default or (0, PREEMPT_LOWER)
        if name in SYSTEM_PRIORITIES:
            return SYSTEM_PRIORITIES[name], PREEMPT_LOWER
        if name in self.priority_classes:
            return self.priority_classes[name]
        warning = (
            f'{who}: {sp}.priorityClassName: PriorityClass "{name}" not in the input; '
            "priority 0 assumed"
        )
        if warning not in self.workload.warnings:
            self.workload.warnings.append(warning)
        return 0, PREEMPT_LOWER

    # -- nodes ------------------------------------------------------------------------------
    def _node(self, doc: Mapping[str, Any], d: Doc, name: str) -> None:
        node = read_node(doc, d, name)
        if node is not None:
            self._reserve("nodes", 1, "metadata.name")
            self.workload.nodes.append(node)

    def _compact_node(self, raw: Any, path: str, label: str) -> None:
        d = Doc(f"node {path}, {label}" if path else f"node, {label}")
        node, count = read_compact_node(raw, path, d)
        if d.errors:
            self.errors.extend(d.errors)
            return
        p = f"{path}." if path else ""
        self._reserve("nodes", 1 if count is None else count, f"{p}count")
        self.workload.nodes.extend(node_pool(node, count))

    # -- finish -------------------------------------------------------------------------------
    def _resolve_priorities(self) -> dict[int, dict[str, Any]]:
        """``id(pod) -> field changes`` (``priority``, ``preemption_policy``) for the pods
        whose PriorityClass (or the global default) changes what their spec left out; one
        look-up per template. Values written in the spec are kept, as in an admitted
        object (podfit does not refuse a spec value that differs from the class's, as the
        API server does on create: the class may be missing from the input). The pods are
        held by ``self.deferred``, so their ids stay unique. Any change makes every pod
        (``Workload.pods``: a workload's replicas join its list when made)."""
        found: list[tuple[list[Pod], dict[str, Any]]] = []
        for pods, name, sp, need_priority, need_policy in self.deferred:
            first = pods[0]  # replicas share the template's fields
            who = f"{first.namespace}/{first.owner or 'Pod/' + first.name}"
            priority, policy = self._priority(name, sp, who)
            changes: dict[str, Any] = {}
            if need_priority and priority != first.priority:
                changes["priority"] = priority
            if need_policy and policy != first.preemption_policy:
                changes["preemption_policy"] = policy
            if changes:
                found.append((pods, changes))
        changed: dict[int, dict[str, Any]] = {}
        if found:
            _ = self.workload.pods  # the replicas, added to their lists
        for pods, changes in found:
            changed.update(dict.fromkeys(map(id, pods), changes))
        return changed

    def _admit(self, pod: Pod, admitted: Mapping[int, Mapping[str, Any]]) -> Pod:
        """Admission after every object is read: PriorityClass values and LimitRanges.

        As in the API server: mutating admission (LimitRange defaults), then the object's
        validation (a defaulted limit below the written request is refused like a written
        one), and only for a valid object the LimitRanger's constraints (Container and Pod
        min / max / maxLimitRequestRatio). A pod read with a status (``kubectl get pods``)
        was admitted when it was created: LimitRanges apply to new pods only."""
        changes: dict[str, Any] = dict(admitted.get(id(pod), {}))
        ranges = () if pod.phase is not None else self.limit_ranges.get(pod.namespace, ())
        if not ranges:
            return replace(pod, **changes) if changes else pod
        groups = {"initContainers": pod.init_containers, "containers": pod.containers}
        for item in ranges:
            for group, containers in groups.items():
                new = tuple(item.apply(c) for c in containers)
                if new != containers:
                    item.defaulted += sum(1 for a, b in zip(new, containers, strict=True) if a != b)
                    changes[_FIELD_OF[group]] = new
                    groups[group] = new
        found: list[tuple[str, str, str]] = []  # (path, message, LimitRange)
        names = ", ".join(item.name for item in ranges)
        for group, containers in groups.items():
            for i, c in enumerate(containers):
                where = f"spec.{group}[{i}].resources"
                found += [
                    (e.path, e.message, names)
                    for e in validate_resources(c.requests, c.limits, where)
                ]
        admitted_pod = replace(pod, **changes) if changes else pod
        if not found:  # validating admission sees only valid objects
            for item in ranges:
                for group, containers in groups.items():
                    for i, c in enumerate(containers):
                        where = f"spec.{group}[{i}].resources"
                        found += [(where, m, item.name) for m in item.violations(c)]
                found += [("spec", m, item.name) for m in item.pod_violations(admitted_pod)]
        for path, message, source in found:
            text = f"{message} (LimitRange {source}; pod {pod.key})"
            self.errors.append(FieldError(path, text))
        return admitted_pod

    def _quota(self) -> None:
        """ResourceQuota admission (:mod:`.quota`) of the new pods, in input order: a pod
        over a quota is refused (``Workload.refused``, one warning per workload), the rest
        goes on."""
        wl = self.workload
        admission = QuotaAdmission(wl.resource_quotas, [p for p in wl.pods if p.phase])
        for q in admission.not_enforced:
            wl.warnings.append(
                f"ResourceQuota {q.namespace}/{q.name}: scopes {', '.join(q.scopes) or '-'}"
                f"{' and a scopeSelector' if q.has_scope_selector else ''} not modelled: "
                "not enforced"
            )
        kept: list[Pod] = []
        by_owner: dict[str, list[tuple[str, str]]] = {}
        for pod in _checking(wl.pods, self.deadline):
            message = "" if pod.phase else admission.admit(pod)
            if not message:
                kept.append(pod)
                continue
            wl.refused.append((pod.key, message))
            who = f"{pod.namespace}/{pod.owner or 'Pod/' + pod.name}"
            by_owner.setdefault(who, []).append((pod.key, message))
        wl.pods = kept
        for who, refused in by_owner.items():
            key, message = refused[0]
            wl.warnings.append(
                f"{who}: {len(refused)} pods refused by quota admission (first, {key}: {message})"
            )

    def _reconcile(self) -> None:
        """Existing pods and workloads reconciled (:mod:`.snapshot`) into
        ``Workload.pods``, each workload's outcome in ``Workload.reconciled``.

        The entries are dropped once reconciled: a workload's name maker refers back to
        this reader, a cycle that would keep the reader, its workload and its pods alive
        until the cyclic garbage collector found them; without it reference counting
        frees them as soon as the caller lets go."""
        taken = TakenNames(self.names)
        pods, results, dropped = reconcile(self.entries, taken)
        self.entries = []
        wl = self.workload
        if not pods.distinct_names():  # else no two pods share a name
            self._duplicates(pods)
        wl.keep_runs(pods)  # Workload.pods made from them when first read
        wl.reconciled = results
        wl.unscheduled_terminating = dropped
        for r in results:
            if r.reported:
                wl.warnings.append(r.line())
        if dropped:
            wl.warnings.append(
                f"{len(dropped)} terminating pods not bound to a node dropped (the scheduler "
                f"skips pods being deleted): {', '.join(dropped[:5])}"
                + (", …" if len(dropped) > 5 else "")
            )

    def _duplicates(self, pods: Sequence[Pod]) -> None:
        """An error for each new pod whose (namespace, name) an earlier new pod has; a pod
        named as an existing one is that pod (checked when read). Cost O(pods)."""
        seen = set(self.names)
        for pod in pods:
            key = (pod.namespace, pod.name)
            if key in self.names:
                continue  # an existing pod (checked when read)
            if key in seen:
                self.errors.append(
                    FieldError("metadata.name", f'duplicate pod "{pod.key}" (from {pod.owner})')
                )
                continue
            seen.add(key)

    def _check_node_names(self) -> None:
        """An error for each node whose name an earlier node has."""
        seen: set[str] = set()
        for node in self.workload.nodes:
            if node.name in seen:
                self.errors.append(FieldError("nodes", f'duplicate node name "{node.name}"'))
            seen.add(node.name)

    def _raise_errors(self) -> None:
        """Every error collected so far, in one :class:`ManifestError` (none: nothing)."""
        if self.errors:
            raise ManifestError(self.errors[0].message, self.errors[0].path, list(self.errors))

    def finish(self) -> Workload:
        self._reconcile()
        self._check_node_names()
        self._raise_errors()  # admission would only work on objects that are not sound
        priorities = self._resolve_priorities()
        if priorities or self.limit_ranges:  # else admission changes nothing
            wl = self.workload
            wl.pods = [self._admit(p, priorities) for p in _checking(wl.pods, self.deadline)]
            wl.daemonsets = [self._admit(p, priorities) for p in wl.daemonsets]
        for items in self.limit_ranges.values():
            for item in items:
                if item.defaulted:
                    self.workload.warnings.append(
                        f"LimitRange {item.name}: defaults applied to {item.defaulted} containers"
                    )
        self._raise_errors()
        if self.workload.resource_quotas:
            self._quota()
        if self.custom:  # the loader's last warning
            counts = ", ".join(f"{n} {k}" for k, n in sorted(self.custom.items()))
            self.workload.warnings.append(f"custom resources not validated: {counts}")
        return self.workload


def _fresh_names(pattern: str, namespace: str, count: int, taken: TakenNames) -> NameRange | None:
    """``pattern`` (one ``{}``) formatted with 0 … ``count`` - 1, as a :class:`NameRange`
    (each name made when read), when none of those names is ``taken`` in ``namespace``
    (a workload whose replicas are all new), else None: the caller skips the taken ones.
    The same names as formatting and checking one by one. Cost O(taken names of the
    namespace), plus O(count) for a taken range the names may share."""
    prefix, brace, suffix = pattern.partition("{}")
    if not brace or "{" in prefix + suffix or "}" in prefix + suffix:
        return None
    names = NameRange(prefix, suffix, count)
    return names if taken.none_of(namespace, names) else None


def _timestamp(meta: Mapping[str, Any]) -> str:
    value = meta.get("creationTimestamp")
    return value if isinstance(value, str) else ""


def _owner_reference(meta: Mapping[str, Any]) -> str | None:
    refs = meta.get("ownerReferences")
    if isinstance(refs, list):
        for ref in refs:
            if isinstance(ref, Mapping) and isinstance(ref.get("kind"), str):
                return f"{ref['kind']}/{ref.get('name', '')}"
    return None


def _as_daemonset_template(pod: Pod, name: str) -> Pod:
    extra = list(DAEMONSET_TOLERATIONS)
    if pod.host_network:
        extra.append(NETWORK_UNAVAILABLE_TOLERATION)
    tolerations = list(pod.tolerations)
    for t in extra:
        if t not in tolerations:
            tolerations.append(t)
    return replace(pod, daemonset=name, tolerations=tuple(tolerations))
