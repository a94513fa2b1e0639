"""What browser tests do on a page: click and wait for the next one, log in, submit, and check it with axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = (390, 844)  # CSS pixels of a common phone
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


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


def check_page(driver: webdriver.Chrome, url: str | None = None, what: str = "") -> None:
    """Open `url` (or stay on the page), and find a heading, no axe-core violation and no sideways scrolling."""
    if url:
        driver.get(url)
    assert driver.find_element(By.TAG_NAME, "h1").text
    assert_accessible(driver, what or driver.current_url)
    assert_no_horizontal_scroll(driver)


# WCAG 1.4.10 reflow: 320 CSS pixels wide, which is what a 640 × 800 px screen zoomed to 200 % lays out.
NARROW = (320, 400)
HEADER_SHARE = 0.2  # the site header may take at most this share of the screen's height


@contextmanager
def narrow_screen(driver: webdriver.Chrome, width: int = NARROW[0], height: int = NARROW[1]) -> Iterator[None]:
    """Lay pages out at `width` × `height` CSS pixels, as a phone does (a mobile viewport, not a small window)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.set_window_size(*PHONE)


def assert_reflows(driver: webdriver.Chrome, what: str = "") -> None:
    """No sideways scrolling and a header that leaves the screen to the content.

    A mobile viewport grows to fit content that is too wide (so `window.innerWidth` grows too): compare the
    document's scroll width with its client width instead, which stays the screen's width.
    """
    scroll, client, header, height, name_cut = driver.execute_script(
        """const root = document.documentElement, header = document.querySelector('.site-header'),
                 name = document.querySelector('.site-name');
           return [root.scrollWidth, root.clientWidth, header.getBoundingClientRect().height, window.innerHeight,
                   name.scrollWidth > name.clientWidth + 1];""")
    where = what or driver.current_url
    assert scroll <= client, f"{where} scrolls sideways by {scroll - client}px at {client}px"
    assert header < HEADER_SHARE * height, f"{where}: the header takes {header:.0f} of {height}px"
    assert not name_cut, f"{where}: the site's name is cut"


def browser_log_in(driver, base_url: str, email: str, language: str = "sv") -> None:
    driver.get(f"{base_url}/logga-in?lang={language}")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    click_and_wait(driver, "form.stack button[type=submit]")
    assert "/dialoger/" in driver.current_url


def fetch(driver, url: str) -> bytes:
    """A download over HTTP from the live server with the browser's session: what the user would get."""
    import urllib.request

    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    request = urllib.request.Request(url, headers={"Cookie": cookies})  # noqa: S310 (the live server: http)
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (the test's own live server)
        assert response.status == 200, url
        return response.read()


def submit(driver) -> None:
    """Submit the page's main form and wait for the next page."""
    click_and_wait(driver, "form.stack button[type=submit]")
