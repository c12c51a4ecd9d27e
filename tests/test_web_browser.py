"""The web page in a real browser: headless Debian Chromium driven by playwright.

The app is served on a loopback port by werkzeug in a thread; playwright launches the
system browser (``/usr/bin/chromium``, or ``PODFIT_CHROMIUM``) and downloads nothing.
Chromium is started with the flags this closed network needs (no background networking,
no QUIC, no component updates) and a fresh profile directory.

If the browser truly cannot start (playwright not installed, no Chromium, or launching
fails) the tests are skipped with a loud banner on stderr saying why; `.ci/run` installs
both. A screenshot of the page is saved under ``artifacts/`` (a CI artefact, gitignored);
with ``PODFIT_UPDATE_SCREENSHOT=1`` it is also written to ``docs/screenshot.png``.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from werkzeug.serving import make_server

from podfit.http.app import create_app
from podfit.manifests import load_text
from podfit.scheduler import schedule

ROOT = Path(__file__).parent.parent
WEB_DATA = Path(__file__).parent / "data" / "web"
ARTIFACTS = ROOT / "artifacts"
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
def base_url() -> Iterator[str]:
    """The real app (with the test fixtures offered) on a free loopback port."""
    app = create_app()
    app.config["PODFIT_FIXTURES_DIR"] = str(WEB_DATA)
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
            viewport={"width": 1360, "height": 900},
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


def expected_pending_message() -> str:
    """The library's FailedScheduling message for the fixture pair (the page must show it)."""
    shop = load_text((WEB_DATA / "shop.yaml").read_text(encoding="utf-8"), name="shop")
    nodes = load_text((WEB_DATA / "nodes.yaml").read_text(encoding="utf-8"), name="nodes")
    result = schedule(shop.pods, nodes.nodes, daemonsets=shop.daemonsets).to_dict()
    (pending,) = [p for p in result["pods"] if p["phase"] == "Pending"]
    message: str = pending["conditions"][0]["message"]
    return message


def test_a_fixture_run_in_chromium_shows_the_bars_and_the_pending_message(
    browser: Any, base_url: str
) -> None:
    page = browser.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(base_url + "/")
    page.select_option("#fixture_workloads", "shop.yaml")
    page.select_option("#fixture_nodes", "nodes.yaml")
    page.select_option("#strategy", "LeastAllocated")
    page.click("#run")
    page.wait_for_selector("svg.cluster")

    for resource in ("cpu", "memory", "nvidia.com/gpu"):
        nodes = page.eval_on_selector_all(
            f'g.bar[data-resource="{resource}"]', "els => els.map(e => e.dataset.node)"
        )
        assert nodes == NODE_NAMES
    assert page.locator("g.bar").count() == 9
    pending = page.inner_text("#pending")
    assert "Not scheduled (1)" in pending
    assert expected_pending_message() in pending
    # the stylesheet applied (hatched free space is a pattern fill), nothing failed to load
    fill = page.eval_on_selector("g.bar rect.free", "e => getComputedStyle(e).fill")
    assert "podfit-free" in fill
    assert failed == []

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "web-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("PODFIT_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, ROOT / "docs" / "screenshot.png")
    page.close()


def test_hovering_a_pod_shows_its_requests_and_owner(browser: Any, base_url: str) -> None:
    page = browser.new_page()
    page.goto(base_url + "/")
    page.select_option("#fixture_workloads", "shop.yaml")
    page.select_option("#fixture_nodes", "nodes.yaml")
    page.click("#run")
    segment = page.locator('g.bar[data-node="gpu-1"][data-resource="nvidia.com/gpu"] rect.pod')
    segment.hover()
    # the hovered piece is outlined, and its <title> is the tooltip the browser shows
    assert segment.evaluate("e => getComputedStyle(e).stroke") == "rgb(0, 0, 0)"
    title = segment.locator("title").text_content() or ""
    assert "default/trainer (no owner)" in title
    assert "nvidia.com/gpu 1" in title
    page.close()


def test_bad_input_in_chromium_shows_the_error_box(browser: Any, base_url: str) -> None:
    page = browser.new_page()
    page.goto(base_url + "/")
    page.fill("#workloads", "kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, "
              "resources: {requests: {cpu: 1.5.5}}}]}\n")  # fmt: skip
    page.select_option("#fixture_nodes", "nodes.yaml")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("#run")
    assert answer.value.status == 422
    box = page.inner_text("#errors")
    assert '"1.5.5" is not a valid quantity' in box
    assert page.input_value("#workloads").startswith("kind: Pod")
    page.close()


def test_the_nodes_needed_question_in_chromium_draws_each_shape(
    browser: Any, base_url: str
) -> None:
    page = browser.new_page()
    page.goto(base_url + "/")
    page.select_option("#fixture_workloads", "shop.yaml")
    page.select_option("#question", "nodes")
    page.fill("#shapes", "aws/m5.large big:cpu=16,memory=64Gi,pods=110")
    page.fill("#headroom", "80")
    page.click("#run")
    page.wait_for_selector("#shapes-plan")
    shapes = page.eval_on_selector_all("article.shape", "els => els.map(e => e.dataset.shape)")
    assert shapes == ["aws/m5.large", "big"]
    big = page.locator('article.shape[data-shape="big"]')
    assert big.locator('g.bar[data-resource="cpu"]').count() >= 1
    assert big.locator("line.limit").count() >= 1  # the 80 % fill limit is drawn
    assert "does not fit an empty node" in big.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-page-nodes-needed.png"), full_page=True)
    page.close()
