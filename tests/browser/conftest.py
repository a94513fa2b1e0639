"""Fixtures: a live server and a real headless Chromium with axe-core, on a phone-sized screen (helpers: pages.py).

Chromium and ChromeDriver are Debian's (`chromium`, `chromium-driver`); axe-core comes from the npm registry
(`package.json`). `make test` installs both. A missing browser fails these tests: it never skips them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from flask import Flask
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from survey_app import migrate
from tests.browser.pages import PHONE
from tests.live_server import LiveServer


@pytest.fixture(scope="session")
def database_url(empty_database_factory) -> str:
    """Browser tests check what a browser shows and does (axe-core, reflow, keyboard, the flows end to end), which does
    not depend on the database: they run once, on SQLite. The same pages and flows run on both databases in tests/web,
    which is where database behaviour (exactly once, locking, anonymity against a copy) is tested."""
    url = empty_database_factory("sqlite", "browser")
    migrate.upgrade(url)
    return url


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
