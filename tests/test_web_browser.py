"""The web page in a real browser: headless Debian Chromium driven by playwright, at a
desktop width (1280 px) and a phone width (390 px).

The app is served on a loopback port by werkzeug in a thread; it sends the
Content-Security-Policy ``default-src 'self'`` (checked), and any console error fails a
test, so a page that needs inline script or style, or anything from elsewhere, fails here.
playwright launches the system browser (``/usr/bin/chromium``, or ``PODFIT_CHROMIUM``) and
downloads nothing. Chromium is started
with the flags this closed network needs (no background networking, no QUIC, no component
updates) and a fresh profile directory.

If the browser truly cannot start (playwright not installed, no Chromium, or launching
fails) the tests are skipped with a loud banner on stderr saying why; `.ci/run` installs
both. Screenshots go under ``artifacts/`` (a CI artefact, gitignored); the answer of the
desktop schedule run is also written to ``docs/screenshot.png``, the README's picture, so
the picture is always the page as it is now (commit it after changing the page).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from flask import Flask
from werkzeug.serving import make_server

from podfit.manifests import load_text
from podfit.scheduler import schedule
from podfit.web.page import QUESTIONS

ROOT = Path(__file__).parent.parent
WEB_DATA = Path(__file__).parent / "data" / "web"
ARTIFACTS = ROOT / "artifacts"
SCREENSHOT = ROOT / "docs" / "screenshot.png"
CHROMIUM = os.environ.get("PODFIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NODE_NAMES = ["general-1", "general-2", "gpu-1"]
CSP = "default-src 'self'"
WIDTHS = {"desktop": 1280, "phone": 390}
ZONED_NODES = "\n---\n".join(
    f"apiVersion: v1\nkind: Node\nmetadata:\n  name: {name}\n"
    f"  labels: {{kubernetes.io/hostname: {name}, topology.kubernetes.io/zone: {zone}}}\n"
    "status:\n  allocatable: {cpu: '4', memory: 16Gi, pods: '110'}\n"
    for name, zone in (("a-1", "zone-a"), ("a-2", "zone-a"), ("b-1", "zone-b"))
)


def loud_skip(request: pytest.FixtureRequest, reason: str) -> NoReturn:
    """Skip, with a banner on the real stderr (past pytest's capture) and a warning in the
    summary, so a CI log shows that the browser test did not run and why."""
    banner = "#" * 78
    text = f"\n{banner}\n# BROWSER TEST SKIPPED: {reason}\n{banner}\n"
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            sys.stderr.write(text)
    else:
        sys.stderr.write(text)
    warnings.warn(f"BROWSER TEST SKIPPED: {reason}", pytest.PytestWarning, stacklevel=2)
    pytest.skip(f"BROWSER TEST SKIPPED: {reason}")


@pytest.fixture(scope="module")
def base_url(app: Flask) -> Iterator[str]:
    """The test app (conftest's ``app``: the test fixtures offered) on a loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """A headless Chromium context with a fresh profile, or a loud skip if none can start."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        loud_skip(request, f"playwright is not installed ({exc}); pip install -e '.[test]'")
    if not Path(CHROMIUM).exists():
        loud_skip(request, f"no Chromium at {CHROMIUM}; apt-get install chromium (see .ci/run)")
    playwright = sync_playwright().start()
    try:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": WIDTHS["desktop"], "height": 900},
            accept_downloads=True,
        )
    except Exception as exc:  # any launch failure means the browser cannot start here
        playwright.stop()
        first_lines = " | ".join([ln.strip() for ln in str(exc).splitlines() if ln.strip()][:4])
        loud_skip(request, f"Chromium at {CHROMIUM} did not start: {first_lines}")
    try:
        yield context
    finally:
        context.close()
        playwright.stop()


class Page:
    """One browser tab at a width, recording what a user would not see but must not
    happen: failed requests and console errors (a CSP violation is one)."""

    def __init__(self, browser: Any, base_url: str, width: int) -> None:
        self.page = browser.new_page()
        self.page.set_viewport_size({"width": width, "height": 900})
        self.width = width
        self.failed: list[str] = []
        self.console: list[str] = []
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on(
            "console", lambda m: self.console.append(m.text) if m.type == "error" else None
        )
        answer = self.page.goto(base_url + "/")
        # the app's own policy: a page that needs inline script or style fails every test
        assert CSP in answer.headers["content-security-policy"]

    def ask(self, question: str) -> Any:
        """Press the button named after ``question`` and wait for the answer page."""
        button = self.page.get_by_role("button", name=QUESTIONS[question], exact=True)
        with self.page.expect_navigation():
            button.click()
        return self.page

    def clean(self) -> None:
        """Nothing failed to load and the browser reported no error (no CSP violation)."""
        assert self.failed == []
        assert self.console == []

    def fits_the_screen(self) -> None:
        """Only the chart boxes scroll sideways: the page itself is no wider than the screen."""
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.width, f"the page is {width} px wide at {self.width} px"

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"web-{name}-{self.width}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        return path


def visible_text_has_no_raw_amounts(text: str) -> None:
    """The one unit rule: no raw byte counts (7+ digits), no Ki/m spellings of large
    amounts as in ``4288944Ki`` or ``189100m``, no Python/JSON nothing."""
    assert not re.search(r"\b\d{7,}\b", text), re.search(r"\b\d{7,}\b", text)
    assert not re.search(r"\b\d{5,}(Ki|m)\b", text), re.search(r"\b\d{5,}(Ki|m)\b", text)
    assert not re.search(r"\b(None|null)\b", text), re.search(r"\b(None|null)\b", text)


def expected_pending_message() -> str:
    """The library's FailedScheduling message for the fixture pair (the page must show it)."""
    shop = load_text((WEB_DATA / "shop.yaml").read_text(encoding="utf-8"), name="shop")
    nodes = load_text((WEB_DATA / "nodes.yaml").read_text(encoding="utf-8"), name="nodes")
    result = schedule(shop.pods, nodes.nodes, daemonsets=shop.daemonsets).to_dict()
    (pending,) = [p for p in result["pods"] if p["phase"] == "Pending"]
    message: str = pending["conditions"][0]["message"]
    return message


def shop_run(browser: Any, base_url: str, width: int, question: str = "schedule") -> Page:
    tab = Page(browser, base_url, width)
    tab.page.select_option("#fixture_workloads", "shop.yaml")
    tab.page.select_option("#fixture_nodes", "nodes.yaml")
    tab.page.select_option("#strategy", "LeastAllocated")
    tab.ask(question)
    return tab


def boxes(page: Any, selector: str) -> list[dict[str, float]]:
    found: list[dict[str, float]] = page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y, w: r.width, h: r.height, t: e.textContent}; })",
    )
    return found


def overlapping(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_schedule_run_shows_pending_first_then_the_bars(
    browser: Any, base_url: str, width: int
) -> None:
    tab = shop_run(browser, base_url, width)
    page = tab.page
    for resource in ("cpu", "memory", "nvidia.com/gpu"):
        nodes = page.eval_on_selector_all(
            f'g.bar[data-resource="{resource}"]', "els => els.map(e => e.dataset.node)"
        )
        assert nodes == NODE_NAMES
    assert page.locator("g.bar").count() == 9
    pending = page.inner_text("#pending")
    assert "Not scheduled (1)" in pending
    assert expected_pending_message() in pending
    # the Pending pods come before the node chart, whatever the cluster's size
    top = {s: page.locator(s).bounding_box()["y"] for s in ("#summary", "#pending", "#cluster")}
    assert top["#summary"] < top["#pending"] < top["#cluster"]
    # the stylesheet applied (hatched free space is a pattern fill)
    fill = page.eval_on_selector("g.bar rect.free", "e => getComputedStyle(e).fill")
    assert "podfit-free" in fill
    swatch = page.eval_on_selector(".legend svg.swatch rect", "e => getComputedStyle(e).fill")
    assert swatch.startswith("rgb(")  # legend colours without inline style
    visible_text_has_no_raw_amounts(page.inner_text("body"))
    tab.fits_the_screen()
    tab.clean()
    tab.shot("schedule")
    if width == WIDTHS["desktop"]:
        # the README's picture: the answer part of this page, as it is now
        answer = ARTIFACTS / "web-answer.png"
        page.locator("#answer").screenshot(path=str(answer))
        shutil.copyfile(answer, SCREENSHOT)
    page.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_summary_counts_link_to_their_sections(browser: Any, base_url: str, width: int) -> None:
    tab = shop_run(browser, base_url, width)
    page = tab.page
    counts = page.locator("#summary ul.counts")
    assert counts.get_by_role("link", name="1 not scheduled").get_attribute("href") == "#pending"
    to_nodes = counts.get_by_role("link", name="9 of 10 pods on 3 nodes")
    to_nodes.click()
    assert page.evaluate("location.hash") == "#cluster"
    # the chart's heading is on screen after the jump
    heading = page.locator("#cluster-title").bounding_box()
    assert 0 <= heading["y"] < 900
    tab.clean()
    page.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_chart_headers_never_overlap(browser: Any, base_url: str, width: int) -> None:
    """Resource names, totals, axis labels and the pods column: no two boxes intersect."""
    tab = shop_run(browser, base_url, width)
    labels = boxes(tab.page, "svg.cluster text.col, svg.cluster text.total, svg.cluster text.axis")
    assert len(labels) == 3 * 4 + 2  # three resources × 4 texts, the pods column's 2
    clashes = [
        (a["t"], b["t"]) for i, a in enumerate(labels) for b in labels[i + 1 :] if overlapping(a, b)
    ]
    assert clashes == []
    tab.page.close()


def test_at_phone_width_the_form_stacks_and_only_the_chart_scrolls(
    browser: Any, base_url: str
) -> None:
    tab = shop_run(browser, base_url, WIDTHS["phone"])
    page = tab.page
    workloads = page.locator("fieldset", has=page.locator("#workloads")).bounding_box()
    nodes = page.locator("fieldset", has=page.locator("#nodes")).bounding_box()
    assert nodes["y"] >= workloads["y"] + workloads["height"]  # stacked, not side by side
    assert workloads["width"] <= WIDTHS["phone"]
    chart = page.locator("#cluster .chart")
    scroll, client = chart.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert scroll > client  # the chart is wider than the screen and scrolls in its box
    assert chart.bounding_box()["width"] <= WIDTHS["phone"]
    tab.fits_the_screen()
    page.close()


def test_hovering_a_pod_shows_its_requests_and_owner(browser: Any, base_url: str) -> None:
    tab = shop_run(browser, base_url, WIDTHS["desktop"])
    segment = tab.page.locator('g.bar[data-node="gpu-1"][data-resource="nvidia.com/gpu"] rect.pod')
    segment.hover()
    # the hovered piece is outlined, and its <title> is the tooltip the browser shows
    assert segment.evaluate("e => getComputedStyle(e).stroke") == "rgb(0, 0, 0)"
    title = segment.locator("title").text_content() or ""
    assert "default/trainer (no owner)" in title
    assert "nvidia.com/gpu 1" in title
    tab.page.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_bad_input_in_chromium_shows_the_error_box(browser: Any, base_url: str, width: int) -> None:
    tab = Page(browser, base_url, width)
    page = tab.page
    page.fill("#workloads", "kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, "
              "resources: {requests: {cpu: 1.5.5}}}]}\n")  # fmt: skip
    page.select_option("#fixture_nodes", "nodes.yaml")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("#run")
    assert answer.value.status == 422
    box = page.inner_text("#errors")
    assert '"1.5.5" is not a valid quantity' in box
    assert page.input_value("#workloads").startswith("kind: Pod")
    tab.fits_the_screen()
    page.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_pickers_list_workload_files_and_node_files_apart(
    browser: Any, base_url: str, width: int
) -> None:
    tab = Page(browser, base_url, width)
    options = "els => els.map(e => e.value).filter(v => v)"
    page = tab.page
    assert page.eval_on_selector_all("#fixture_workloads option", options) == ["shop.yaml"]
    assert page.eval_on_selector_all("#fixture_nodes option", options) == ["nodes.yaml"]
    assert page.eval_on_selector_all("#fixture_templates option", options) == ["shop.yaml"]
    tab.fits_the_screen()
    tab.clean()
    page.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_every_control_is_labelled_and_focus_follows_the_page(
    browser: Any, base_url: str, width: int
) -> None:
    """Each field has an accessible name; Tab visits the controls in the order they are
    shown (no positive tabindex), the question buttons among them, named after their
    question; the chart keeps its description."""
    tab = shop_run(browser, base_url, width)
    page = tab.page
    unnamed = page.eval_on_selector_all(
        "form input:not([type=hidden]), form select, form textarea",
        "els => els.filter(e => !(e.labels && e.labels.length) && !e.ariaLabel).map(e => e.id)",
    )
    assert unnamed == []
    in_order = page.eval_on_selector_all(
        "form input:not([type=hidden]), form select, form textarea, form button",
        "els => els.map(e => e.id)",
    )
    page.focus("#fixture_workloads")
    visited = ["fixture_workloads"]
    for _ in range(len(in_order) - 1):
        page.keyboard.press("Tab")
        visited.append(page.evaluate("document.activeElement.id"))
    assert visited == in_order
    names = [page.inner_text(f"#{i}") for i in in_order if i == "run" or i.startswith("ask-")]
    assert names == list(QUESTIONS.values())
    svg = page.locator("#cluster svg.cluster")
    assert svg.get_attribute("role") == "img"
    assert svg.get_attribute("aria-label") == "3 nodes by cpu, memory, nvidia.com/gpu"
    chart = page.locator("#cluster .chart")
    hint = chart.get_attribute("aria-describedby")
    assert hint and "hover for requests" in page.inner_text(f"#{hint}")
    page.close()


def download_json(page: Any) -> dict[str, Any]:
    """Click the summary's download link; the file is the answer's JSON document."""
    with page.expect_download() as info:
        page.click("#download")
    path = info.value.path()
    document: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_answer_downloads_as_the_same_json_the_library_gives(
    browser: Any, base_url: str, width: int
) -> None:
    tab = shop_run(browser, base_url, width)
    document = download_json(tab.page)
    assert document["kind"] == "ScheduleResult"
    shop = load_text((WEB_DATA / "shop.yaml").read_text(encoding="utf-8"), name="shop")
    nodes = load_text((WEB_DATA / "nodes.yaml").read_text(encoding="utf-8"), name="nodes")
    library = schedule(shop.pods, nodes.nodes, daemonsets=shop.daemonsets).to_dict()
    assert document["pods"] == library["pods"]
    assert document["nodes"] == library["nodes"]
    tab.clean()
    tab.page.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_large_answer_downloads_through_its_button(
    browser: Any, base_url: str, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the page's link limit, the download is a button that posts the form again; the
    file is the same document, and the page stays where it was."""
    import podfit.web.page

    monkeypatch.setattr(podfit.web.page, "DOWNLOAD_LINK_MAX_BYTES", 100)
    tab = shop_run(browser, base_url, width)
    button = tab.page.get_by_role("button", name="Download the answer as JSON")
    assert button.count() == 1
    document = download_json(tab.page)
    assert document["kind"] == "ScheduleResult"
    assert document["summary"] == {
        "pods": 10,
        "scheduled": 9,
        "pending": 1,
        "nodes": 3,
        "preempted": 0,
    }
    assert tab.page.inner_text("#summary-title") == QUESTIONS["schedule"]
    # Chromium ends a navigation that turns into a download as an aborted request
    assert tab.failed == [f"{base_url}/?download=json"]
    tab.failed.clear()
    tab.fits_the_screen()
    tab.clean()
    tab.page.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_how_many_new_nodes_draws_each_shape_with_its_price(
    browser: Any, base_url: str, width: int
) -> None:
    tab = Page(browser, base_url, width)
    page = tab.page
    page.select_option("#fixture_workloads", "shop.yaml")
    page.fill("#shapes", "aws/m5.large@0.096 big:cpu=16,memory=64Gi,pods=110@0.5")
    page.fill("#headroom", "80")
    tab.ask("nodes")
    assert page.inner_text("#summary-title") == QUESTIONS["nodes"]
    shapes = page.eval_on_selector_all("article.shape", "els => els.map(e => e.dataset.shape)")
    assert shapes == ["aws/m5.large", "big"]
    big = page.locator('article.shape[data-shape="big"]')
    assert big.locator('g.bar[data-resource="cpu"]').count() >= 1
    assert big.locator("line.limit").count() >= 1  # the 80 % fill limit is drawn
    assert "does not fit an empty node" in big.inner_text()
    cost = big.locator("dd.cost").inner_text()
    assert cost.endswith("× 0.5 per node)")
    document = download_json(page)
    assert document["kind"] == "NodesPlan"
    assert [s.get("price") for s in document["shapes"]] == ["0.096", "0.5"]
    visible_text_has_no_raw_amounts(page.inner_text("body"))
    tab.fits_the_screen()
    tab.clean()
    tab.shot("nodes-needed")
    page.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_how_many_more_replicas_fit(browser: Any, base_url: str, width: int) -> None:
    tab = Page(browser, base_url, width)
    page = tab.page
    page.select_option("#fixture_nodes", "nodes.yaml")
    page.fill(
        "#templates",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: worker}\n"
        "spec: {containers: [{name: c, resources: {requests: {cpu: '1', memory: 1Gi}}}]}\n",
    )
    tab.ask("fit")
    assert page.inner_text("#summary-title") == QUESTIONS["fit"]
    # 3920m, 3920m and 7910m free: 3 + 3 + 7 one-core replicas
    assert page.inner_text("dd.summary-replicas") == "13"
    article = page.locator('article.template[data-template="worker"]')
    assert "Insufficient cpu" in article.inner_text()
    assert download_json(page)["kind"] == "FitReport"
    visible_text_has_no_raw_amounts(page.inner_text("body"))
    tab.fits_the_screen()
    tab.clean()
    tab.shot("fit")
    page.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize(
    ("question", "fields", "scenarios"),
    [
        ("drain-nodes", {"#drain_nodes": "a-1 a-2"}, ["drain a-1, a-2"]),
        ("drain-any", {}, ["lose a-1", "lose a-2", "lose b-1"]),
        ("drain-zone", {"#zone": "zone-a"}, ["lose zone zone-a"]),
    ],
)
def test_what_if_nodes_go_away(
    browser: Any,
    base_url: str,
    width: int,
    question: str,
    fields: dict[str, str],
    scenarios: list[str],
) -> None:
    tab = Page(browser, base_url, width)
    page = tab.page
    page.select_option("#fixture_workloads", "shop.yaml")
    page.fill("#nodes", ZONED_NODES)
    for selector, value in fields.items():
        page.fill(selector, value)
    tab.ask(question)
    assert page.inner_text("#summary-title") == QUESTIONS[question]
    rows = page.eval_on_selector_all(
        "#scenarios tbody tr", "els => els.map(e => e.cells[0].textContent)"
    )
    assert rows == scenarios
    document = download_json(page)
    assert document["kind"] == "DrainReport"
    assert [s["name"] for s in document["scenarios"]] == scenarios
    tab.fits_the_screen()
    tab.clean()
    page.close()


PREEMPTION_WORKLOAD = (
    "apiVersion: v1\nkind: Pod\nmetadata: {name: low}\nspec:\n  nodeName: n1\n"
    "  containers: [{name: c, resources: {requests: {cpu: 1500m}}}]\n"
    "status: {phase: Running}\n---\n"
    "apiVersion: v1\nkind: Pod\nmetadata: {name: high}\nspec:\n  priority: 100\n"
    "  containers: [{name: c, resources: {requests: {cpu: '1'}}}]\n"
)
PREEMPTION_NODES = (
    "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n"
    "status: {allocatable: {cpu: '2', memory: 8Gi, pods: '110'}}\n"
)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_preemption_checkbox_evicts_or_only_names(
    browser: Any, base_url: str, width: int
) -> None:
    """ "Preempt lower-priority pods" is on by default, as in a cluster: the higher-priority
    pod evicts the one in its way and the page lists the eviction; unchecked, nothing is
    evicted and the pod stays Pending; the answer page keeps the choice."""
    tab = Page(browser, base_url, width)
    page = tab.page
    box = page.get_by_label("Preempt lower-priority pods (as kube-scheduler)")
    assert box.is_checked()
    page.fill("#workloads", PREEMPTION_WORKLOAD)
    page.fill("#nodes", PREEMPTION_NODES)
    tab.ask("schedule")
    assert "preempted from n1 by default/high" in page.inner_text("body")
    assert download_json(page)["summary"]["preempted"] == 1
    assert page.get_by_label("Preempt lower-priority pods (as kube-scheduler)").is_checked()
    tab.fits_the_screen()
    page.get_by_label("Preempt lower-priority pods (as kube-scheduler)").uncheck()
    tab.ask("schedule")
    assert "preempted from" not in page.inner_text("body")
    document = download_json(page)
    assert document["summary"]["preempted"] == 0
    (high,) = [p for p in document["pods"] if p["name"] == "high"]
    assert high["phase"] == "Pending"
    assert not page.get_by_label("Preempt lower-priority pods (as kube-scheduler)").is_checked()
    tab.fits_the_screen()
    tab.clean()
    page.close()
