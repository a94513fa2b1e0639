"""A resident walking through the survey flow with the test client, like a browser without JavaScript."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask.testing import FlaskClient

from tests.web.client import csrf_of


@dataclass
class Resident:
    """Drives the flow through the test client like a browser without JavaScript would."""

    client: FlaskClient
    slug: str
    token: str = ""
    visited: list[str] = field(default_factory=list)

    def open_landing(self, language: str = "sv") -> str:
        response = self.client.get(f"/enkat/{self.slug}?lang={language}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        self.token = csrf_of(html)
        return html

    def start(self, language: str = "sv", code: str | None = None):
        self.open_landing(language)
        data = {"csrf_token": self.token, "language": language}
        if code is not None:
            data["code"] = code
        return self.client.post(f"/enkat/{self.slug}/borja", data=data)

    def post_page(self, path: str, answers: dict[str, object], action: str = "next"):
        return self.client.post(path, data={"csrf_token": self.token, "action": action, **answers})

    def fields_on(self, path: str) -> tuple[str, list[str]]:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        html = response.get_data(as_text=True)
        return html, sorted(set(re.findall(r'name="(q_[a-z0-9_]+)"', html)))

    def complete(self, choose: Callable[[str, str, str], object], language: str = "sv") -> str:
        """Answer every page with `choose(field, page_html, path)` (None leaves it blank); returns the summary path."""
        response = self.start(language)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        path = response.location
        for _ in range(60):
            if "sammanfattning" in path:
                return path
            html, fields = self.fields_on(path)
            self.visited.append(path)
            answers = {}
            for name in fields:
                value = choose(name, html, path)
                if value is not None:
                    answers[name] = value
            response = self.post_page(path, answers)
            assert response.status_code == 302, (path, answers, response.get_data(as_text=True)[:2000])
            path = response.location
        raise AssertionError("the flow did not reach the summary")

    def send(self):
        return self.client.post(f"/enkat/{self.slug}/skicka", data={"csrf_token": self.token})


def first_option(name: str, html: str, path: str) -> object:
    """The first offered option of a choice field; a plausible value for text and number fields."""
    match = re.search(rf'name="{name}" value="([^"]+)"', html)  # radios and checkboxes put value right after name
    if match:
        return match.group(1)
    if name == "q_birth_year":
        return str(dt.date.today().year - 40)
    if name == "q_age":
        return "14"
    return None
