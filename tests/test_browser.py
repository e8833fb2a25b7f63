"""The explorer in a real browser (Debian's chromium, driven by playwright) on a hostile corpus.

Asserts: the graph canvas is drawn, no console error, no request to any host but the app's,
and no document text runs as script, after hovering every node and showing its details.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
SERVER_START = 60  # seconds: a cold start of Streamlit on a 2-core CI machine
DRAWN = 30_000  # milliseconds to wait for a graph to be drawn
PWN = "window.__pwned=1"

HOSTILE_ARTICLE = f"""---
title: "<img src=x onerror={PWN}> </script><script>{PWN}</script> see href"
excerpt: "<a href=\\"javascript:{PWN}\\">click</a> ![img](https://evil.example/x.png) [link](javascript:{PWN})"
publishedDateTime: 2021-03-01T10:00:00Z
webUrl: "https://hostile.example/story?a=%22%3E%3Cscript%3E{PWN}%3C/script%3E"
quality: 50
provider:
  name: "</script><script>{PWN}</script><img src=x onerror={PWN}>"
  domain: hostile.example
topics:
  - "<svg onload={PWN}>"
  - ":red[href] $x$"
images:
  - url: "https://evil.example/image.jpg"
related:
  - title: "<a href=x onmouseover={PWN}>href</a>"
    webUrl: "https://other.example/b"
    provider:
      name: "<b onmouseover={PWN}>Other</b>"
      domain: other.example
  - title: "javascript link"
    webUrl: "javascript:{PWN}"
---
body
"""
SECOND_ARTICLE = f"""---
title: "Second <iframe src=javascript:{PWN}>"
publishedDateTime: 2021-03-02T10:00:00Z
webUrl: "https://second.example/c"
provider:
  name: "Second"
  domain: second.example
topics:
  - "<svg onload={PWN}>"
related:
  - title: "back"
    webUrl: "https://hostile.example/story?a=%22%3E%3Cscript%3E{PWN}%3C/script%3E"
---
"""
BROKEN = "---\ntitle: [unclosed\n---\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def hostile_corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "a.md").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    (folder / "b.md").write_text(SECOND_ARTICLE, encoding="utf-8")
    (folder / "broken.md").write_text(BROKEN, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def server():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start: {process.stderr.read().decode(errors='replace')[-2000:]}")
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        yield browser
        browser.close()


class Watch:
    """Console errors, page errors and every request made by the page and its frames."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("websocket", lambda socket: self.requests.append(socket.url))

    def foreign(self) -> list[str]:
        return [
            url for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob", "about") and urlsplit(url).hostname not in LOCAL_HOSTS
        ]


def graph_frame(page, timeout_ms: int = DRAWN):
    """The frame of the drawn graph (the page inside st.iframe), once vis-network has drawn it.

    Every wait is bounded: a frame that never gets a script context (a blocked navigation)
    times out instead of hanging the test.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        for frame in page.main_frame.child_frames:
            try:
                frame.wait_for_function("document.body && document.body.dataset.drawn === '1'", timeout=250)
                return frame
            except PlaywrightError:  # not drawn yet, or replaced by a rerun: look again
                continue
        page.wait_for_timeout(100)
    raise AssertionError("the graph was not drawn in time")


def node_points(page, frame) -> list[tuple[str, float, float]]:
    """Every node's id and its position on the page (frame offset plus canvas position)."""
    box = frame.frame_element().bounding_box()
    points = frame.evaluate(
        "(() => { const p = graphView.getPositions(); return Object.keys(p).map(id => {"
        " const d = graphView.canvasToDOM(p[id]); const r = document.getElementById('graph').getBoundingClientRect();"
        " return [id, d.x + r.left, d.y + r.top]; }); })()"
    )
    return [(n, box["x"] + x, box["y"] + y) for n, x, y in points]


def settle(page) -> None:
    """Wait until Streamlit has finished running the script (its status widget is gone)."""
    page.wait_for_timeout(200)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=DRAWN)


def hover_and_show_details(page, attempts: int = 3) -> int:
    """Hover every node of the drawn graph (tooltips) and click it (details panel); return the node count.

    A rerun may replace the graph's frame meanwhile: then start again on the new one.
    """
    for attempt in range(attempts):
        settle(page)
        frame = graph_frame(page)
        try:
            points = node_points(page, frame)
            for _, x, y in points:
                page.mouse.move(x, y)
                page.wait_for_timeout(180)  # the tooltip delay is 120 ms
                page.mouse.click(x, y)
                page.wait_for_timeout(30)
            frame.evaluate("document.body.dataset.drawn")  # still the same frame
            return len(points)
        except PlaywrightError:
            if attempt == attempts - 1:
                raise
    return 0


def assert_nothing_ran(page) -> None:
    """``window.__pwned`` is undefined in every frame (a frame that cannot answer in 5 s fails too)."""
    for frame in page.frames:
        try:
            frame.wait_for_function("typeof window.__pwned === 'undefined'", timeout=5_000)
        except PlaywrightError as err:
            raise AssertionError(f"document text ran as script (or a foreign frame appeared) in {frame.url}") from err


def switch_view(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).or_(page.get_by_role("radio", name=name, exact=True)).first.click()


def test_browser_hostile_corpus_runs_no_script_and_stays_local(server, browser, hostile_corpus, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    watch = Watch(page)
    page.set_default_timeout(DRAWN)
    page.goto(f"{server}/?source=folder&folder={quote(str(hostile_corpus))}")
    assert hover_and_show_details(page) >= 1
    page.get_by_text("broken.md:", exact=False).first.wait_for()
    page.screenshot(path=str(tmp_path / "stories.png"), full_page=True)
    assert_nothing_ran(page)
    timings = {}
    for view in ("Story", "Article", "Provider", "Topic"):
        started = time.monotonic()
        switch_view(page, view)
        settle(page)
        graph_frame(page)
        timings[view] = time.monotonic() - started
        assert hover_and_show_details(page) >= 2, view
        page.screenshot(path=str(tmp_path / f"{view.lower()}.png"), full_page=True)
        assert_nothing_ran(page)
    shots = os.environ.get("GRAPH_SCREENSHOTS")
    if shots:  # keep the pictures for a person to look at
        for png in tmp_path.glob("*.png"):
            Path(shots, png.name).write_bytes(png.read_bytes())
    assert watch.errors == []
    assert watch.foreign() == []
    assert all(seconds < 10 for seconds in timings.values()), timings
    page.close()
