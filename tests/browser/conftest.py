"""A live server and a real headless Chromium with axe-core, on a phone-sized screen.

Chromium and ChromeDriver are Debian's (`chromium`, `chromium-driver`); axe-core comes from the npm registry
(`package.json`). `make test` installs both. A missing browser fails these tests: it never skips them.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = (390, 844)  # CSS pixels of a common phone
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _require(path: str | None, what: str) -> str:
    if not path:
        pytest.fail(f"{what} is missing: run `make test` (it installs Debian's chromium and chromium-driver)")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[webdriver.Chrome]:
    chromium = _require(shutil.which("chromium") or shutil.which("chromium-browser"), "Chromium")
    driver_path = _require(shutil.which("chromedriver"), "ChromeDriver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-extensions", f"--window-size={PHONE[0]},{PHONE[1]}", "--lang=sv-SE",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


class _OneRequestPerConnection(WSGIRequestHandler):
    # Without keep-alive each request thread ends with its request, so closing the server can join them at once.
    protocol_version = "HTTP/1.0"


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_OneRequestPerConnection)
        # Request threads are joined on close, so no request of this test still holds a database transaction when the
        # next test empties the tables.
        self.server.daemon_threads = False
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def fresh_browser(browser: webdriver.Chrome) -> Iterator[webdriver.Chrome]:
    """The shared browser with its cookies cleared, so every test starts as a new visitor."""
    browser.get("about:blank")
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})  # every host and port; delete_all_cookies() is per page
    browser.set_window_size(*PHONE)
    yield browser
    browser.get("about:blank")  # stop whatever the page was still loading before the server goes away


def click_and_wait(driver: webdriver.Chrome, selector: str) -> None:
    """Click a link or submit button and wait until the next page has loaded in place of this one.

    A marker on the old page's window tells the pages apart (a new document starts with a fresh window object);
    waiting for a stale element instead fails now and then, because ChromeDriver may report on the page it left.
    """
    driver.execute_script("window.__leaving = true")
    element = driver.find_element(By.CSS_SELECTOR, selector)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    try:
        element.click()
    except WebDriverException as error:  # the navigation went on; only the report about the old page failed
        if "does not belong to the document" not in str(error):
            raise
    WebDriverWait(driver, 15, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return window.__leaving === undefined && document.readyState === 'complete'")
    )


def axe_violations(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """Runs axe-core (WCAG 2.1 A and AA rules) on the current page and returns its violations, shortened."""
    if not AXE_SOURCE.exists():
        pytest.fail("axe-core is missing: run `make test` (it runs `npm ci`)")
    driver.execute_script(AXE_SOURCE.read_text(encoding="utf-8"))
    violations = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
           .then(result => done(result.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}))))
           .catch(error => done([{id: 'axe-error', help: String(error), nodes: []}]));
        """,
        WCAG_TAGS,
    )
    return list(violations)


def assert_accessible(driver: webdriver.Chrome, what: str = "") -> None:
    violations = axe_violations(driver)
    assert violations == [], f"axe-core violations on {what or driver.current_url}: {violations}"


def assert_no_horizontal_scroll(driver: webdriver.Chrome) -> None:
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px on a phone-sized screen"
