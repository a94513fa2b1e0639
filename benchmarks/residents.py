"""The residents of the load benchmark: one browser each (its own cookies), following the survey flow by reading the
pages as a person would, and the figures they collect (latencies, acknowledged sends by marker, failures)."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

SLUG = "belastning"
MARKER = re.compile(r"lasttest-(\d{6})")
SEND_TRIES = 4
SEND_RETRY_AFTER = 3.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    acknowledged: set[int] = field(default_factory=set)
    refused_sends: set[int] = field(default_factory=set)  # a send answered with an error or nothing at all
    send_retries: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, why: str) -> None:
        with self.lock:
            self.failed[why] = self.failed.get(why, 0) + 1


class Resident:
    """One browser: its own cookies, following the flow by reading the pages like a person would."""

    def __init__(self, base: str, figures: Figures) -> None:
        self.base = base
        self.figures = figures
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        headers = {"Referer": self.base + path} if data is not None else {}
        started = time.perf_counter()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body, headers=headers),  # noqa: S310
                                  timeout=30) as answer:
                status, text, location = answer.status, answer.read().decode(), answer.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            status, text, location = error.code, error.read().decode(errors="replace"), error.headers.get(
                "Location", "")
        except OSError:  # the worker was killed under the request, or the connection dropped: no answer
            status, text, location = 0, "", ""
        with self.figures.lock:
            self.figures.latencies.append(time.perf_counter() - started)
        return status, text, location

    def flow(self, number: int) -> None:
        csrf = self.to_summary(number)
        if csrf is not None:
            self.send(number, csrf)

    def to_summary(self, number: int) -> str | None:
        """Start and answer every page, up to the summary; the CSRF token, or None when a step failed."""
        status, page, _ = self.request(f"/enkat/{SLUG}")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if status != 200 or token is None:
            self.figures.fail(f"landing {status}")
            return None
        csrf = token.group(1)
        status, _, location = self.request(f"/enkat/{SLUG}/borja", {"csrf_token": csrf, "language": "sv"})
        if status != 302:
            self.figures.fail(f"start {status}")
            return None
        for _ in range(60):
            path = urllib.parse.urlsplit(location).path
            if path.endswith("/sammanfattning"):
                break
            status, page, _ = self.request(path)
            if status != 200:
                self.figures.fail(f"page {status}")
                return None
            answers: dict[str, str] = {"csrf_token": csrf, "action": "next"}
            for name in sorted(set(re.findall(r'name="(q_[a-z0-9_]+)"', page))):
                option = re.search(rf'name="{name}" value="([^"]+)"', page)
                if name == "q_suggestions":
                    answers[name] = f"lasttest-{number:06d}"
                elif name == "q_birth_year":
                    answers[name] = "1980"
                elif option:
                    answers[name] = option.group(1)
            status, _, location = self.request(path, answers)
            if status != 302:
                self.figures.fail(f"answer {status}")
                return None
        return csrf

    def send(self, number: int, csrf: str, tries: int = SEND_TRIES) -> None:
        """Send, and like a person send again a little later when that failed."""
        status = 0
        for attempt in range(tries):  # like a person: a send that failed is sent again a little later
            status, _, location = self.request(f"/enkat/{SLUG}/skicka", {"csrf_token": csrf})
            if status == 302 and location.endswith("/tack"):
                with self.figures.lock:
                    self.figures.acknowledged.add(number)
                    self.figures.send_retries += attempt
                return None
            with self.figures.lock:
                self.figures.refused_sends.add(number)
            time.sleep(SEND_RETRY_AFTER)
        self.figures.fail(f"send {status}")
        return None
