"""The web page at ``GET /``: paste, upload or pick manifests, run, and see the cluster fill up.

Plain HTML and CSS rendered on the server (the bars are server-side SVG from
:mod:`podfit.web.render`); no script, no CDN, nothing fetched from outside the app.

``GET /`` shows the form. ``POST /`` (a normal HTML form post, ``multipart/form-data``)
takes any mix of

* a bundled fixture for the workloads and/or one for the nodes (``fixtures/`` of the
  project checkout, or the directory named by ``PODFIT_FIXTURES_DIR`` in the app config
  or the environment),
* pasted YAML/JSON in the *workloads* and *nodes* text areas,
* uploaded YAML/JSON files,

plus the strategy and the Kubernetes version, loads each with
:func:`podfit.manifests.load_text` under the service's limits and answers the planning
question whose button was pressed (the ``question`` field), on the same page:

* *where does each pod go?* — :func:`podfit.schedule` on the input's nodes: the summary
  (counts linking to the sections), the pods left Pending with their message and
  shortfall, then one bar per node and resource;
* *how many more replicas of these templates fit?* — :func:`podfit.planning.fit.how_many_fit`
  with the templates pasted or picked in their own field;
* *how many new nodes of these shapes, at what price?* —
  :func:`podfit.planning.nodes_needed.nodes_needed` for the pods left Pending: per shape the
  planned nodes drawn the same way, the lower bound, the gap and the cost;
* *what if these nodes / any one node / this zone go away?* —
  :func:`podfit.planning.whatif.what_if`.

Every answer links its document (the same JSON the HTTP API returns) as a download.
Amounts are shown by :mod:`podfit.units`' one rule. Bad input is answered with the
page, the form still filled in, and a list of what is wrong (field path and value): 400 for
a form problem, 411 for a body without ``Content-Length``, 413 for input over a limit, 422
for invalid manifests or options, 503 past the request time limit. Never a traceback page.
"""

from __future__ import annotations

import base64
import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final

from flask import Blueprint, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from podfit.errors import ConfigError, FieldError, LimitExceeded, PodfitError
from podfit.http import envelope
from podfit.http.body import check_text_bounds, check_time, request_deadline, service_config
from podfit.http.config import ServiceConfig, env_name
from podfit.http.problem import Problem
from podfit.http.responses import json_response
from podfit.manifests import VALIDATE_MODES, Workload, load_text
from podfit.manifests.validation import DEFAULT_VALIDATE
from podfit.options import ScheduleOptions
from podfit.options.load import load_config
from podfit.planning.whatif import DEFAULT_ZONE_LABEL
from podfit.resources import MEMORY
from podfit.scheduler.config import DEFAULT_STRATEGY, SchedulerConfig
from podfit.scheduler.features import DEFAULT_VERSION, SUPPORTED_VERSIONS
from podfit.scheduler.scores import STRATEGIES as SCORING_STRATEGIES
from podfit.units import human, human_resources
from podfit.web import render

bp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/podfit",
)

# The choices offered are the scheduler's own (one source of truth for names).
STRATEGY_NAMES: tuple[str, ...] = tuple(SCORING_STRATEGIES)
VERSIONS: tuple[str, ...] = SUPPORTED_VERSIONS
QUESTIONS = {
    "schedule": "Where does each pod go?",
    "fit": "How many more replicas of these templates fit?",
    "nodes": "How many new nodes of these shapes are needed, at what price?",
    "drain-nodes": "What if these nodes go away?",
    "drain-any": "What if any one node goes away?",
    "drain-zone": "What if this zone goes away?",
}
"""Each question's form value and the text of the button that asks it."""
FIT_MODES = ("sequence", "interleave")
PLAN_ALGORITHMS = ("podfit", "ffd")  # "exact" needs the optional OR-tools extra
MAX_SHAPES = 10
DOWNLOAD_LINK_MAX_BYTES = 1 << 20
"""Answers up to 1 MiB of JSON are linked in the page; larger ones are posted for again."""
FIT_MAX_REPLICAS = 10_000  # the CLI's default bound on replicas added in all
FIXTURE_SUFFIXES = (".yaml", ".yml", ".json")
MAX_FIXTURES = 200
FIXTURES_SETTING = "PODFIT_FIXTURES_DIR"

# Where the project's bundled fixtures live when podfit runs from a checkout:
# service/podfit/web/page.py -> the repository root's fixtures/ directory.
_DEFAULT_FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"


class FormError(PodfitError):
    """The form itself is wrong (nothing to run, unknown fixture or strategy): HTTP 400."""


DRA_CHOICES = ("default", "on", "off")
"""DynamicResources in the profile: the version's default (on from 1.34), on, or off."""


@dataclass
class Form:
    """What the user sent, kept to fill the form in again on the answer page."""

    fixture_workloads: str = ""
    fixture_nodes: str = ""
    workloads: str = ""
    nodes: str = ""
    strategy: str = DEFAULT_STRATEGY
    version: str = DEFAULT_VERSION
    dra: str = "default"
    preemption: bool = True
    question: str = "schedule"
    shapes: str = ""
    headroom: str = "100"
    algorithm: str = "podfit"
    mix: bool = False
    region: str = ""
    zones: str = ""
    validate: str = DEFAULT_VALIDATE
    fixture_templates: str = ""
    templates: str = ""
    mode: str = "sequence"
    drain_nodes: str = ""
    zone: str = ""
    zone_label: str = DEFAULT_ZONE_LABEL
    uploads: list[str] = field(default_factory=list)

    def scheduler_config(self) -> SchedulerConfig:
        """The scheduler configuration of the form's choices, through the schema every
        edge uses (``dra``: the version's default, on, or off; ``preemption``: evict
        lower-priority pods as kube-scheduler does, or only name them)."""
        return load_config(
            {
                "strategy": self.strategy,
                "kubernetesVersion": self.version,
                "dra": {"on": True, "off": False}.get(self.dra),
                "preemption": self.preemption,
            }
        )


@dataclass(frozen=True, slots=True)
class Source:
    """One input to load: ``name`` is how error messages refer to it."""

    name: str
    text: str


def fixtures_dir() -> Path:
    """The fixture directory: ``PODFIT_FIXTURES_DIR`` from the app config or the
    environment, else the checkout's ``fixtures/`` (a missing directory offers none)."""
    configured = current_app.config.get(FIXTURES_SETTING) or os.environ.get(FIXTURES_SETTING)
    return Path(configured) if configured else _DEFAULT_FIXTURES


def fixture_names(directory: Path) -> list[str]:
    """Relative POSIX paths of the YAML/JSON files under ``directory``, sorted (at most 200)."""
    if not directory.is_dir():
        return []
    names = sorted(
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_file() and p.suffix.lower() in FIXTURE_SUFFIXES
    )
    return names[:MAX_FIXTURES]


@functools.lru_cache(maxsize=MAX_FIXTURES * 2)
def _holds_only_nodes(path: str, mtime_ns: int, size: int) -> bool:
    """The file's objects are nodes and nothing that makes pods (cached per version of the
    file: ``mtime_ns`` and ``size`` are part of the key). A file that does not load is
    offered as a workload (it shows its error when run)."""
    try:
        loaded = load_text(Path(path).read_text(encoding="utf-8"), name=path)
    except (OSError, UnicodeError, PodfitError):
        return False
    return bool(loaded.nodes) and not loaded.pods and not loaded.daemonsets


def fixture_lists(directory: Path) -> tuple[list[str], list[str]]:
    """The bundled fixtures split for the two pickers: ``(workload files, node files)``.

    A node file holds only Node objects (or the node-list format); every other file —
    workloads, running pods, a mix, or a file that does not load — is a workload file.
    """
    workloads: list[str] = []
    nodes: list[str] = []
    for name in fixture_names(directory):
        path = directory / name
        try:
            stat = path.stat()
        except OSError:
            workloads.append(name)
            continue
        only_nodes = _holds_only_nodes(str(path), stat.st_mtime_ns, stat.st_size)
        (nodes if only_nodes else workloads).append(name)
    return workloads, nodes


def _page(form: Form, *, status: int = 200, **context: Any) -> tuple[str, int]:
    workload_files, node_files = fixture_lists(fixtures_dir())
    html = render_template(
        "podfit/index.html",
        form=form,
        workload_fixtures=workload_files,
        node_fixtures=node_files,
        strategies=STRATEGY_NAMES,
        versions=VERSIONS,
        dra_choices=DRA_CHOICES,
        validate_modes=VALIDATE_MODES,
        questions=QUESTIONS,
        plan_algorithms=PLAN_ALGORITHMS,
        fit_modes=FIT_MODES,
        **context,
    )
    return html, status


@bp.app_template_filter("resources")
def resources_filter(resources: dict[str, str] | None) -> str:
    """``{cpu: 1500m, memory: 1Gi}`` as ``cpu 1.5, memory 1Gi`` (:mod:`podfit.units`)."""
    return human_resources(resources)


@bp.get("/")
def index() -> tuple[str, int]:
    """The empty form."""
    return _page(Form())


@bp.post("/")
def run() -> ResponseReturnValue:
    """Answer the question the form asks and show the page with the answer, or the errors;
    with ``?download=json`` (the download button of a large answer) the answer's JSON
    file instead of the page."""
    form = Form()
    if request.content_length is None:
        # Under gunicorn a chunked body over the size limit is silently truncated, so a
        # form must say how long it is (browsers always do).
        error = FieldError("", "the form must be sent with a Content-Length header")
        return _page(form, status=411, errors=[error])
    try:
        form, sources, template_sources = read_form()
        workload = load_sources(sources, form.validate)
        document, inputs = answer(form, workload, template_sources)
        if request.args.get("download") == "json":
            return json_file(document)
        check_time("drawing the page")  # O(pods + nodes) of rendering: not past the limit
        context = answer_context(form, document, inputs)
    except RequestEntityTooLarge:
        limit = service_config().max_body_bytes
        error = FieldError(
            "", f"the form is larger than {limit} bytes ({env_name('max_body_bytes')})"
        )
        return _page(form, status=413, errors=[error])
    except FormError as exc:
        return _page(form, status=400, errors=exc.errors)
    except LimitExceeded as exc:
        return _page(form, status=413, errors=exc.errors)
    except PodfitError as exc:
        return _page(form, status=422, errors=exc.errors)
    except Problem as exc:  # e.g. the request time limit (503)
        return _page(form, status=exc.status, errors=exc.errors or [FieldError("", exc.detail)])
    return _page(form, **context)


def answer(
    form: Form, workload: Workload, template_sources: Sequence[Source]
) -> tuple[dict[str, Any], list[Workload]]:
    """The document answering ``form.question`` (the HTTP API's: ScheduleResult,
    FitReport, NodesPlan or DrainReport) and the inputs it was computed from."""
    if form.question == "nodes":
        return plan_nodes(workload, form), [workload]
    if form.question == "fit":
        templates = load_sources(template_sources, form.validate)
        return plan_fit(workload, templates, form), [workload, templates]
    if form.question.startswith("drain-"):
        return plan_drain(workload, form), [workload]
    check_time("scheduling")
    options = ScheduleOptions(form.scheduler_config())
    result: dict[str, Any] = envelope.schedule_workload(
        workload, options, service_config(), request_deadline()
    )
    return result, [workload]


def answer_context(
    form: Form, document: dict[str, Any], inputs: Sequence[Workload]
) -> dict[str, Any]:
    """Everything the template shows for ``document``, the answer to ``form.question``."""
    if form.question == "nodes":
        context = plan_context(document, *inputs)
    elif form.question == "fit":
        context = fit_context(document, *inputs)
    elif form.question.startswith("drain-"):
        context = drain_context(document, *inputs)
    else:
        context = result_context(document, *inputs)
    return {**context, "download": download(document, form)}


def json_file(document: dict[str, Any]) -> Response:
    """The answer as a JSON file to save (``POST /?download=json``): the HTTP API's bytes,
    named after the document's kind."""
    response = json_response(document)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(document)}"'
    return response


def read_form() -> tuple[Form, list[Source], list[Source]]:
    """Read and check the posted form; every named input becomes a :class:`Source`: the
    cluster's (workloads and nodes), then the templates' (for the replicas question).

    Every problem of the form is listed at once (a :class:`FormError`, 400), in the order
    of the page's fields; inputs over ``PODFIT_MAX_YAML_BYTES`` together are a
    ``LimitExceeded`` (413).
    """
    form = _form(request.form)
    errors = [*_check_question(form), *_check_choices(form)]
    sources = [
        *_fixture_sources(form, errors),
        *_pasted_sources(form),
        *_uploaded_sources(form, errors),
    ]
    templates = _template_sources(form, errors)
    if not sources and not errors:
        errors.append(
            FieldError(
                "",
                "nothing to schedule: paste or upload workloads and nodes, or pick fixtures",
            )
        )
    if errors:
        raise FormError(errors[0].message, errors[0].path, errors)
    _check_total_size([*sources, *templates])
    return form, sources, templates


def _checkbox(values: Mapping[str, str], name: str, *, default: bool) -> bool:
    """A checkbox that is on by default: a browser sends nothing for an unchecked box, so
    the page also sends ``<name>_shown``; without it (a post from elsewhere) the default."""
    if f"{name}_shown" not in values:
        return default
    return values.get(name, "") == "on"


def _form(values: Mapping[str, str]) -> Form:
    """The posted fields, an empty choice taken as its default."""
    return Form(
        fixture_workloads=values.get("fixture_workloads", ""),
        fixture_nodes=values.get("fixture_nodes", ""),
        workloads=values.get("workloads", ""),
        nodes=values.get("nodes", ""),
        strategy=values.get("strategy", DEFAULT_STRATEGY) or DEFAULT_STRATEGY,
        version=values.get("version", DEFAULT_VERSION) or DEFAULT_VERSION,
        dra=values.get("dra", "default") or "default",
        preemption=_checkbox(values, "preemption", default=True),
        question=values.get("question", "schedule") or "schedule",
        shapes=values.get("shapes", ""),
        headroom=values.get("headroom", "100").strip() or "100",
        algorithm=values.get("algorithm", "podfit") or "podfit",
        mix=values.get("mix", "") == "on",
        region=values.get("region", "").strip(),
        zones=values.get("zones", "").strip(),
        validate=values.get("validate", DEFAULT_VALIDATE) or DEFAULT_VALIDATE,
        fixture_templates=values.get("fixture_templates", ""),
        templates=values.get("templates", ""),
        mode=values.get("mode", "sequence") or "sequence",
        drain_nodes=values.get("drain_nodes", ""),
        zone=values.get("zone", "").strip(),
        zone_label=values.get("zone_label", "").strip() or DEFAULT_ZONE_LABEL,
    )


def _check_choices(form: Form) -> list[FieldError]:
    """The scheduler choices must be ones the page offers (a select cannot send others)."""
    errors: list[FieldError] = []
    if form.strategy not in STRATEGY_NAMES:
        errors.append(
            FieldError("strategy", f"{form.strategy!r} is not one of {', '.join(STRATEGY_NAMES)}")
        )
    if form.version not in VERSIONS:
        errors.append(
            FieldError("version", f"{form.version!r} is not one of {', '.join(VERSIONS)}")
        )
    if form.dra not in DRA_CHOICES:
        errors.append(FieldError("dra", f"{form.dra!r} is not one of {', '.join(DRA_CHOICES)}"))
    if form.validate not in VALIDATE_MODES:
        modes = ", ".join(VALIDATE_MODES)
        errors.append(FieldError("validate", f"{form.validate!r} is not one of {modes}"))
    return errors


def _fixture_sources(
    form: Form,
    errors: list[FieldError],
    keys: Sequence[str] = ("fixture_workloads", "fixture_nodes"),
) -> list[Source]:
    """The bundled fixtures the form picked; an unknown or unreadable one is an error."""
    sources: list[Source] = []
    known = fixture_names(fixtures_dir())
    for key in keys:
        name = getattr(form, key)
        if not name:
            continue
        if name not in known:
            errors.append(FieldError(key, f"{name!r} is not a bundled fixture"))
            continue
        try:
            text = (fixtures_dir() / name).read_text(encoding="utf-8")
        except (OSError, UnicodeError) as exc:
            # strerror, not str(exc): the latter would show the server's directory
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            errors.append(FieldError(key, f"bundled fixture {name!r} cannot be read: {reason}"))
            continue
        sources.append(Source(f"fixtures/{name}", text))
    return sources


def _template_sources(form: Form, errors: list[FieldError]) -> list[Source]:
    """The pod templates of the replicas question (picked and/or pasted); asking that
    question without any is an error. Other questions read none."""
    if form.question != "fit":
        return []
    sources = _fixture_sources(form, errors, ("fixture_templates",))
    if form.templates.strip():
        sources.append(Source("templates (pasted)", form.templates))
    if not sources and not errors:
        errors.append(FieldError("templates", "paste or pick the pod templates to add replicas of"))
    return sources


def _pasted_sources(form: Form) -> list[Source]:
    """The text areas that hold more than white space."""
    return [
        Source(f"{key} (pasted)", text)
        for key in ("workloads", "nodes")
        if (text := getattr(form, key)).strip()
    ]


def _uploaded_sources(form: Form, errors: list[FieldError]) -> list[Source]:
    """The uploaded files (their names kept in ``form.uploads``); one that is not UTF-8
    is an error."""
    sources: list[Source] = []
    for key in ("workloads_file", "nodes_file"):
        for upload in request.files.getlist(key):
            source = _upload_source(key, upload, errors)
            if source is not None:
                form.uploads.append(source.name)
                sources.append(source)
    return sources


def _check_total_size(sources: Sequence[Source]) -> None:
    """All inputs together are bounded by ``PODFIT_MAX_YAML_BYTES`` (UTF-8 bytes)."""
    total = sum(len(s.text.encode("utf-8")) for s in sources)
    limit = service_config().max_yaml_bytes
    if total > limit:
        raise LimitExceeded(
            f"the inputs add up to {total} bytes; at most {limit} are accepted "
            f"({env_name('max_yaml_bytes')}); send large clusters as JSON to the API",
            limit="max_yaml_bytes",
        )


def _upload_source(key: str, upload: FileStorage, errors: list[FieldError]) -> Source | None:
    if not upload.filename:
        return None  # the file input was left empty
    raw = upload.read()
    name = f"{key.removesuffix('_file')} upload {upload.filename!r}"
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        errors.append(FieldError(name, f"is not UTF-8 text (byte {exc.start})"))
        return None
    return Source(name, text)


def load_sources(sources: Sequence[Source], validate: str = DEFAULT_VALIDATE) -> Workload:
    """Load every source under the service limits into one workload (``validate``: the
    loader's validation mode).

    Each source is read on its own, so errors name it, with what is left of the pod and
    node budgets (``PODFIT_MAX_PODS``, ``PODFIT_MAX_NODES`` bound all sources together, so
    no source builds pods past them); then the DaemonSets' expansion is bounded as on the
    API (:func:`podfit.http.envelope.check_expansion`), before any DaemonSet pod is built.
    """
    config = service_config()
    limits = replace(envelope.limits_for(config), max_bytes=config.max_yaml_bytes)
    workload = Workload()
    for source in sources:
        check_time(f"loading {source.name}")
        check_text_bounds(source.text, source.name)  # the API's bounds on every body
        budget = replace(
            limits,
            max_pods=config.max_pods - len(workload.pods),
            max_nodes=config.max_nodes - len(workload.nodes),
        )
        try:
            loaded = load_text(
                source.text,
                name=source.name,
                limits=budget,
                validate=validate,
                deadline=request_deadline(),
            )
        except LimitExceeded as exc:
            raise _source_limit(exc, source, workload, config) from None
        workload.extend(loaded)
    envelope.check_expansion(workload, config)
    return workload


_SETTINGS = frozenset(f.name for f in fields(ServiceConfig))


def _source_limit(
    exc: LimitExceeded, source: Source, before: Workload, config: ServiceConfig
) -> LimitExceeded:
    """``exc`` naming the source, what the sources before it used of a shared budget, and
    the ``PODFIT_*`` setting of the bound."""
    name = "max_yaml_bytes" if exc.limit == "max_bytes" else exc.limit
    notes = [f"in {source.name}"]
    used = {"max_pods": len(before.pods), "max_nodes": len(before.nodes)}.get(exc.limit, 0)
    if used:
        noun = exc.limit.removeprefix("max_")
        notes.append(
            f"the inputs before it have {used} {noun} of the {getattr(config, name)} allowed in all"
        )
    setting = env_name(name) if name in _SETTINGS else ""
    errors = []
    for error in exc.errors:
        named = [*notes, setting] if setting and setting not in error.message else notes
        errors.append(FieldError(error.path, f"{error.message} ({'; '.join(named)})"))
    return LimitExceeded(errors[0].message, errors[0].path, errors, limit=exc.limit)


def _check_question(form: Form) -> list[FieldError]:
    """The planning fields are checked only when the question needs them."""
    errors: list[FieldError] = []
    if form.question not in QUESTIONS:
        errors.append(
            FieldError("question", f"{form.question!r} is not one of {', '.join(QUESTIONS)}")
        )
    if form.question == "fit" and form.mode not in FIT_MODES:
        errors.append(FieldError("mode", f"{form.mode!r} is not one of {', '.join(FIT_MODES)}"))
    if form.question == "drain-nodes" and not form.drain_nodes.split():
        errors.append(FieldError("drain_nodes", "name at least one node to take away"))
    if form.question == "drain-zone" and not form.zone:
        errors.append(FieldError("zone", "name the zone to take away (e.g. us-east-1a)"))
    if form.question != "nodes":
        return errors
    specs = form.shapes.split()
    if not specs:
        errors.append(FieldError("shapes", "name at least one node shape (e.g. aws/m5.large)"))
    elif len(specs) > MAX_SHAPES:
        errors.append(FieldError("shapes", f"{len(specs)} shapes; at most {MAX_SHAPES}"))
    if form.algorithm not in PLAN_ALGORITHMS:
        errors.append(
            FieldError(
                "algorithm", f"{form.algorithm!r} is not one of {', '.join(PLAN_ALGORITHMS)}"
            )
        )
    # isascii: "²" and "①" are digits to str.isdigit but not to int()
    if not (form.headroom.isascii() and form.headroom.isdigit() and 1 <= int(form.headroom) <= 100):
        errors.append(FieldError("headroom", f"{form.headroom!r} is not a whole number 1–100"))
    return errors


def plan_nodes(workload: Workload, form: Form) -> dict[str, Any]:
    """How many new nodes of each shape the pods left Pending need: the NodesPlan dict.

    The input's nodes are the existing cluster; the shapes use the CLI's syntax
    (``aws/m5.large@0.096`` or ``big:cpu=8,memory=32Gi,pods=110``), whitespace-separated.
    """
    from podfit.http.plan import bounded_exact  # the exact solver in a bounded child
    from podfit.manifests.workload import add_input_warnings  # the one warnings list
    from podfit.options.plan import parse_shapes
    from podfit.planning.catalog import (
        price_shapes,
        require_prices,
        shape_spec,  # the one shape-syntax parser
    )
    from podfit.planning.nodes_needed import nodes_needed
    from podfit.planning.zones import check_zones

    specs = [shape_spec(text, f"shapes[{i}]") for i, text in enumerate(form.shapes.split())]
    shapes = price_shapes(parse_shapes(specs, "shapes"), region=form.region or None)
    zones = check_zones([z.strip() for z in form.zones.split(",")]) if form.zones else ()
    if form.mix:
        if zones:
            raise ConfigError("the cheapest mix does not model zones; clear one of them", "zones")
        require_prices(shapes, "shapes")
    check_time("planning")
    plan = nodes_needed(
        workload.pods,
        shapes,
        existing_nodes=workload.nodes,
        **workload.cluster_objects(),
        algorithm=form.algorithm,
        headroom_percent=int(form.headroom),
        config=form.scheduler_config(),
        # called after each shape: past the request time limit, answer 503 instead of going on
        progress=lambda done: check_time(f"planning shape {done + 1}"),
        exact_solver=bounded_exact(len(shapes), service_config()),
        deadline=request_deadline(),
        zones=zones,
        region=form.region or None,
    )
    if form.mix:
        from podfit.planning.mix import cheapest_mix

        check_time("the cheapest mix")
        plan.cheapest = cheapest_mix(
            plan, exact=form.algorithm == "exact", time_limit=5.0, deadline=request_deadline()
        )
    add_input_warnings(plan, workload)
    data: dict[str, Any] = plan.to_dict()
    return data


def plan_fit(workload: Workload, templates: Workload, form: Form) -> dict[str, Any]:
    """How many more replicas of each template fit the cluster: the FitReport dict.

    One template per owner (a Deployment's first replica) and every bare pod of the
    templates input, as ``podfit plan fit -t`` takes them; at most
    :data:`FIT_MAX_REPLICAS` replicas in all.
    """
    from podfit.manifests.workload import add_input_warnings
    from podfit.options.plan import templates_of
    from podfit.planning.fit import how_many_fit

    pods = templates_of(templates.pods)
    if not pods:
        raise FormError("the templates hold no pod template (Pods or workloads)", "templates")
    check_time("planning")
    report = how_many_fit(
        pods,
        workload.pods,
        workload.nodes,
        **workload.cluster_objects(),
        mode=form.mode,
        max_replicas=FIT_MAX_REPLICAS,
        config=form.scheduler_config(),
        progress=lambda done: check_time(f"placing replica {done + 1}"),
        deadline=request_deadline(),
    )
    add_input_warnings(report, workload, templates)
    data: dict[str, Any] = report.to_dict()
    return data


#: The planner's option names as this page's form fields name them (error paths).
_DRAIN_FIELDS: Final = {"drain": "drain_nodes", "loseZone": "zone", "zoneLabel": "zone_label"}


def plan_drain(workload: Workload, form: Form) -> dict[str, Any]:
    """What if the named nodes, any one node, or a zone go away: the DrainReport dict.
    An invalid choice (an unknown node, a zone no node is in) is a 422 naming the form's
    field (``drain_nodes``, ``zone``, ``zone_label``), not the API's option."""
    from podfit.manifests.workload import add_input_warnings
    from podfit.planning.whatif import what_if

    check_time("planning")
    try:
        report = what_if(
            workload.pods,
            workload.nodes,
            **workload.cluster_objects(),
            drain=form.drain_nodes.split() if form.question == "drain-nodes" else (),
            lose_zone=form.zone if form.question == "drain-zone" else None,
            zone_label=form.zone_label,
            lose_any_one=form.question == "drain-any",
            config=form.scheduler_config(),
            progress=lambda done: check_time(f"scenario {done + 1}"),
            deadline=request_deadline(),
        )
    except ConfigError as exc:
        errors = [FieldError(_DRAIN_FIELDS.get(e.path, e.path), e.message) for e in exc.errors]
        raise ConfigError(errors[0].message, errors[0].path, errors) from None
    add_input_warnings(report, workload)
    data: dict[str, Any] = report.to_dict()
    return data


def file_name(document: dict[str, Any]) -> str:
    """``podfit-nodesplan.json``: the download's name, after the document's kind."""
    return f"podfit-{str(document.get('kind') or 'answer').lower()}.json"


def download(document: dict[str, Any], form: Form) -> dict[str, Any]:
    """How the page offers the answer as a JSON file (the HTTP API's bytes).

    Up to :data:`DOWNLOAD_LINK_MAX_BYTES` of JSON, ``href`` is a ``data:`` URL of it: a
    plain link, nothing stored on the server, allowed under ``default-src 'self'`` (a
    download is not a fetch). A larger answer would make the page several times heavier
    (a 10,000-pod ScheduleResult is about 8 MiB), so it gets ``href`` None and a button
    that posts the form again to ``/?download=json``; ``uploads`` says the files must be
    chosen again first (the browser does not keep them). ``size`` is the file's size.
    """
    data = json_response(document).get_data()
    href = None
    if len(data) <= DOWNLOAD_LINK_MAX_BYTES:
        href = "data:application/json;base64," + base64.b64encode(data).decode("ascii")
    return {
        "href": href,
        "name": file_name(document),
        "size": f"{human(MEMORY, len(data))}B",
        "uploads": bool(form.uploads),
    }


def result_context(result: dict[str, Any], workload: Workload | None = None) -> dict[str, Any]:
    """Everything the template shows for a result (the SVG is trusted markup we built)."""
    entries, more_owners = render.legend(result)
    columns = render.chart_columns(result)
    groups = render.pending_groups(result)
    return {
        **page_notes(result, workload),
        "result": result,
        "summary": result.get("summary", {}),
        "utilization": render.utilization(result, columns),
        # render_svg escapes every text and attribute value it writes
        "svg": Markup(render.render_svg(result, columns)),
        "legend": entries,
        "more_owners": more_owners,
        "pending": [g for g in groups if not g.finished],
        "finished": [g for g in groups if g.finished],
    }


@dataclass(frozen=True, slots=True)
class ShapeView:
    """One shape of a NodesPlan, ready for the template."""

    plan: dict[str, Any]
    svg: Markup
    legend: list[render.LegendEntry]
    more_owners: int
    left_out: list[render.PendingGroup]
    bound: str


def bound_text(bound: dict[str, Any]) -> str:
    """A shape's lower bound in words: ``2 (L1 cpu 2, memory 1; L2 2 on cpu)``, each part
    only when the plan has it (no ``None`` when nothing could be placed: ``0``)."""
    parts = []
    if bound.get("l1"):
        parts.append("L1 " + ", ".join(f"{r} {n}" for r, n in bound["l1"].items()))
    if bound.get("l2Resource"):
        parts.append(f"L2 {bound.get('l2')} on {bound['l2Resource']}")
    if bound.get("hostPorts"):
        parts.append(f"host ports {bound['hostPorts']}")
    best = bound.get("best", 0)
    return f"{best} ({'; '.join(parts)})" if parts else str(best)


def plan_context(plan: dict[str, Any], workload: Workload | None = None) -> dict[str, Any]:
    """Everything the template shows for a NodesPlan: summary, then each shape's nodes."""
    groups = plan.get("groups") or []
    shapes = []
    for shape in plan.get("shapes") or []:
        drawn = render.plan_result(shape, groups)
        entries, more = render.legend(drawn)
        shapes.append(
            ShapeView(
                shape,
                Markup(render.render_svg(drawn)),  # every value inside is escaped
                entries,
                more,
                render.pending_groups(drawn),
                bound_text(shape.get("lowerBound") or {}),
            )
        )
    best = (plan.get("summary") or {}).get("best") or {}
    best_cost = next(
        (s.get("cost") for s in plan.get("shapes") or [] if s.get("shape") == best.get("shape")),
        None,
    )
    return {
        "plan": plan,
        "best_cost": best_cost,
        "summary": plan.get("summary", {}),
        "shape_views": shapes,
        **page_notes(plan, workload),
    }


def fit_context(report: dict[str, Any], workload: Workload, templates: Workload) -> dict[str, Any]:
    """Everything the template shows for a FitReport: replicas per template, where they
    went, why the next one did not fit, and what stays free but unusable."""
    stranded = report.get("fragmentation", {}).get("totalStranded") or {}
    return {
        "fit": report,
        "summary": report.get("summary", {}),
        "stranded": human_resources(stranded) if stranded else "",
        **page_notes(report, workload, templates),
    }


def drain_context(report: dict[str, Any], workload: Workload) -> dict[str, Any]:
    """Everything the template shows for a DrainReport: one row per scenario, then each
    scenario's Pending pods with their FailedScheduling message."""
    return {
        "drain": report,
        "summary": report.get("summary", {}),
        **page_notes(report, workload),
    }


def page_notes(document: dict[str, Any], *workloads: Workload | None) -> dict[str, Any]:
    """The page's notes under an answer: ``skipped`` (objects that created no pods; the
    page lists them one line per kind) and ``warnings`` — the loader's, then the
    document's (e.g. constraints plan nodes' packer does not honour), each once; a skipped object is
    listed with its kind, not again as a warning."""
    inputs = [w for w in workloads if w is not None]
    listed = {text for w in inputs for text in w.skipped_warnings()}
    loaded = [text for w in inputs for text in w.warnings]
    return {
        "skipped": [
            {**s.to_dict(), "general": s.general_reason} for w in inputs for s in w.skipped
        ],
        "warnings": [
            w for w in dict.fromkeys([*loaded, *document.get("warnings", [])]) if w not in listed
        ],
    }
