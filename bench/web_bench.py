"""Benchmark: the web page's answer to "Where does each pod go?" on a large cluster.

Run with ``.venv/bin/python bench/web_bench.py [--browser]``. Builds 10,000 pods
(20 Deployments of 500 replicas, 100m–2 cpu and 128Mi–4Gi each) and 500 nodes (8 cpu,
32Gi, 110 pods), posts them to ``POST /`` through Flask's test client (after one warm-up
post) and prints the server time of each of 3 runs and the size of the page (and of its
JSON download link). With ``--browser`` it also serves the app on a loopback port and
prints, for 3 runs, the time from pressing the button to the page being loaded in
headless Chromium (``/usr/bin/chromium`` or ``PODFIT_CHROMIUM``, through playwright).
Speed is measured here only, never asserted in tests.
"""

from __future__ import annotations

import json
import os
import platform
import re
import sys
import threading
import time

from podfit.http.app import create_app

RUNS = 3
CPUS = ("100m", "250m", "500m", "1", "2")
MEMORIES = ("128Mi", "512Mi", "1Gi", "2Gi", "4Gi")


def workloads(deployments: int = 20, replicas: int = 500) -> str:
    """``deployments`` Deployments as one JSON List."""
    items = []
    for i in range(deployments):
        name = f"app-{i}"
        items.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": name},
                "spec": {
                    "replicas": replicas,
                    "selector": {"matchLabels": {"app": name}},
                    "template": {
                        "metadata": {"labels": {"app": name}},
                        "spec": {
                            "containers": [
                                {
                                    "name": "c",
                                    "resources": {
                                        "requests": {
                                            "cpu": CPUS[i % len(CPUS)],
                                            "memory": MEMORIES[(i // 2) % len(MEMORIES)],
                                        }
                                    },
                                }
                            ]
                        },
                    },
                },
            }
        )
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": items})


def nodes(count: int = 500) -> str:
    """``count`` identical nodes in the compact node-list format."""
    node = {"cpu": "8", "memory": "32Gi", "pods": "110"}
    return json.dumps({"nodes": [{"name": f"node-{i}", "allocatable": node} for i in range(count)]})


def server_runs() -> None:
    app = create_app()
    client = app.test_client()
    form = {"workloads": workloads(), "nodes": nodes(), "question": "schedule"}
    client.post("/", data=form, content_type="multipart/form-data")  # warm-up
    for run in range(RUNS):
        start = time.perf_counter()
        response = client.post("/", data=form, content_type="multipart/form-data")
        elapsed = time.perf_counter() - start
        html = response.get_data()
        link = re.search(rb'href="(data:application/json;base64,[^"]*)"', html)
        download = len(link.group(1)) if link else 0
        print(
            f"server run {run + 1}: status {response.status_code}, {elapsed:.2f} s, "
            f"page {len(html) / 2**20:.1f} MiB (of which the JSON download link "
            f"{download / 2**20:.1f} MiB)"
        )


def browser_runs() -> None:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    app = create_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    chromium = os.environ.get("PODFIT_CHROMIUM", "/usr/bin/chromium")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for run in range(RUNS):
                page.goto(f"http://127.0.0.1:{server.server_port}/")
                page.fill("#workloads", workloads())
                page.fill("#nodes", nodes())
                start = time.perf_counter()
                with page.expect_navigation(wait_until="load", timeout=120_000):
                    page.click("#run")
                elapsed = time.perf_counter() - start
                print(f"browser run {run + 1}: page loaded {elapsed:.2f} s after the click")
            browser.close()
    finally:
        server.shutdown()
        thread.join(timeout=10)


def main() -> None:
    print(f"python {platform.python_version()}, {os.cpu_count()} cpus, load {os.getloadavg()}")
    server_runs()
    if "--browser" in sys.argv[1:]:
        browser_runs()


if __name__ == "__main__":
    main()
