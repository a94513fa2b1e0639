"""`trygg serve` with production settings behind Debian's nginx terminating TLS, as a municipality runs it.

nginx and openssl are Debian's (`scripts/ensure-system.sh proxy`, which `make test` runs); a missing one fails these
tests, it never skips them. The database is the suite's (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
migrated and seeded by the usual fixtures; gunicorn and nginx run as child processes on free loopback ports.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app.models import Response, SurveyDraft
from tests.factories import PASSWORD, make_staff
from tests.web.client import csrf_of

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_URL = "https://trygg.exempelkommun.se"
EXPIRED = "Sidan har gått ut"  # the CSRF failure page: what a refused form post shows

NGINX_CONF = """\
daemon off;
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    # Run as root, nginx's workers are another user, who cannot enter pytest's private temp directory: keep request
    # and response bodies in memory (the app refuses bodies over 256 kB anyway).
    client_body_buffer_size 256k;
    proxy_max_temp_file_size 0;
{site}
}}
"""


def readme_site(*, run: Path, port: int, app_port: int) -> str:
    """The nginx example in README.md, on this test's ports, certificate and log.

    Its `$host` becomes `$http_host`, as the README says for a proxy on a port other than 443: the browser's Referer
    names the port, and the CSRF check compares it with the host the app is told.
    """
    site = re.search(r"```nginx\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)
    assert site, "README.md has no nginx example"
    text = site.group(1)
    for old, new in (("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"),
                     ("/etc/ssl/trygg/fullchain.pem", str(run / "cert.pem")),
                     ("/etc/ssl/trygg/privkey.pem", str(run / "key.pem")),
                     ("/var/log/nginx/trygg.log", str(run / "access.log")),
                     ("http://127.0.0.1:5000", f"http://127.0.0.1:{app_port}"),
                     ("$host;", "$http_host;")):
        assert old in text, f"the README's nginx example no longer has {old!r}"
        text = text.replace(old, new)
    return text


def _program(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if not found:
        pytest.fail(f"{name} is missing: run `make test` (it runs scripts/ensure-system.sh proxy)")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _running(command: list[str], *, port: int, log: Path, env: dict[str, str] | None = None) -> Iterator[None]:
    """A child process that is up once its port accepts connections, and ended (by its id) afterwards."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"{command[0]} stopped at start:\n{log.read_text(errors='replace')}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"{command[0]} did not listen on {port}:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextlib.contextmanager
def trygg_serve(directory: Path, database_url: str, *, hops: int) -> Iterator[int]:
    """`trygg serve` (gunicorn) in production on a loopback port; yields the port."""
    port = _free_port()
    runtime = directory / "xdg-runtime"
    runtime.mkdir()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("TRYGG_")}
    environment.update({
        "TRYGG_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": database_url,
        "TRYGG_PUBLIC_URL": PUBLIC_URL, "TRYGG_PROXY_HOPS": str(hops),
        "XDG_RUNTIME_DIR": str(runtime),  # where gunicorn would put its control socket
    })
    command = [sys.executable, "-m", "survey_app.cli", "serve", "--port", str(port), "--workers", "1"]
    with _running(command, port=port, log=directory / "gunicorn.log", env=environment):
        # Every gunicorn on a host would share $XDG_RUNTIME_DIR/gunicorn.ctl; trygg serve opens none.
        assert not (runtime / "gunicorn.ctl").exists()
        yield port


@contextlib.contextmanager
def nginx_in_front(directory: Path, app_port: int) -> Iterator[tuple[str, Path]]:
    """Debian's nginx with README's configuration and a fresh self-signed certificate; yields its https address and
    the certificate. Its access log is run/access.log."""
    nginx = _program("nginx")
    run = directory / "nginx"
    run.mkdir()
    subprocess.run(
        [_program("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(run / "key.pem"), "-out", str(run / "cert.pem")],
        check=True, capture_output=True,
    )
    port = _free_port()
    site = readme_site(run=run, port=port, app_port=app_port)
    (run / "nginx.conf").write_text(NGINX_CONF.format(run=run, site=site), encoding="utf-8")
    command = [nginx, "-p", str(run), "-c", str(run / "nginx.conf"), "-e", str(run / "error.log")]
    with _running(command, port=port, log=run / "stderr.log"):
        yield f"https://127.0.0.1:{port}", run / "cert.pem"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Visitor:
    """A browser as seen on the wire: it keeps cookies, reports redirects, and on a form post sends the page it was on
    as Referer, as the page's Referrer-Policy allows a browser to (referer="page": same-origin allows it, no-referrer
    does not), or sends none (referer=None) or a given one.

    Cookies are kept by hand, Secure or not, so the plain-HTTP checks can carry the session too.
    """

    def __init__(self, base: str, certificate: Path | None = None) -> None:
        self.base = base
        handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
        if certificate is not None:
            handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=str(certificate))))
        self.opener = urllib.request.build_opener(*handlers)
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []
        self.page = ""
        self.page_referrer_policy = ""

    def get(self, path: str) -> tuple[int, str, str]:
        result = self._send(path, None, {})
        self.page = self.base + path
        return result

    def post(self, path: str, data: dict[str, str], *, referer: str | None = "page",
             headers: dict[str, str] | None = None) -> tuple[int, str, str]:
        extra = dict(headers or {})
        if referer == "page":
            # Our pages post only to themselves or another page of the same origin.
            if self.page_referrer_policy != "no-referrer":
                extra["Referer"] = self.page
        elif referer is not None:
            extra["Referer"] = referer
        return self._send(path, urllib.parse.urlencode(data).encode(), extra)

    def _send(self, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, str, str]:
        request = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310 (our servers)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{name}={value}" for name, value in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            if body is None:
                self.page_referrer_policy = response.headers.get("Referrer-Policy", "")
            for header in response.headers.get_all("Set-Cookie") or []:
                self.set_cookie_headers.append(header)
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value
            return response.status, response.headers.get("Location", ""), response.read().decode()


@pytest.fixture
def seeded(app, staff_db, make_wave) -> dict[str, object]:
    """An admin and an open wave with invitation codes, committed to the suite database that gunicorn will use."""
    make_staff(staff_db, "admin", email="admin@kommun.se")
    staff_db.commit()
    survey = make_wave(codes=True, link=False)
    return {"email": "admin@kommun.se", "survey_id": survey.id, "slug": survey.slug}


def _log_in(visitor: Visitor, email: str, **post_options: object) -> tuple[int, str, str]:
    token = csrf_of(visitor.get("/logga-in")[2])
    return visitor.post("/logga-in", {"csrf_token": token, "email": email, "password": PASSWORD}, **post_options)


def test_behind_nginx_over_https_staff_and_residents_get_through(
    tmp_path: Path, database_url: str, seeded: dict[str, object], staff_db
) -> None:
    with trygg_serve(tmp_path, database_url, hops=1) as app_port, nginx_in_front(tmp_path, app_port) as (base, cert):
        staff = Visitor(base, cert)
        status, location, _ = _log_in(staff, str(seeded["email"]))
        assert (status, location) == (302, "/dialoger/")
        assert all("Secure" in header for header in staff.set_cookie_headers)  # the app knows it is on HTTPS

        detail = f"/admin/enkater/{seeded['survey_id']}"
        token = csrf_of(staff.get(detail)[2])
        status, _, sheet = staff.post(f"{detail}/koder", {"csrf_token": token, "count": "2"})
        assert status == 200
        codes = re.findall(r'class="code-slip__code">([A-Z0-9-]+)<', sheet)
        assert len(codes) == 2
        # The printed link is the configured public address, not the host this request came through.
        assert f"{PUBLIC_URL}/enkat/{seeded['slug']}" in sheet
        assert "127.0.0.1" not in sheet

        resident = Visitor(base, cert)
        landing = f"/enkat/{seeded['slug']}"
        token = csrf_of(resident.get(landing)[2])
        status, first_page, _ = resident.post(f"{landing}/borja", {"csrf_token": token, "language": "sv",
                                                                    "code": codes[0]})
        assert status == 302
        assert first_page == f"{landing}/sida/1"
        token = csrf_of(resident.get(first_page)[2])
        status, second_page, _ = resident.post(first_page, {"csrf_token": token, "action": "next",
                                                            "q_unsafe_evening": "very_unsafe"})
        assert (status, second_page) == (302, f"{landing}/sida/2")

        # Chosen failure mode: over HTTPS a post without a Referer (a browser under `no-referrer`) is refused with
        # the "page has expired" page, and so is one from another origin (README, "Behind a reverse proxy").
        refused = Visitor(base, cert)
        status, _, page = _log_in(refused, str(seeded["email"]), referer=None)
        assert status == 400
        assert EXPIRED in page
        status, _, page = _log_in(refused, str(seeded["email"]), referer="https://evil.example/logga-in")
        assert status == 400
        assert EXPIRED in page

    # README's log format keeps no client address and no line for the residents' pages.
    access_log = (tmp_path / "nginx" / "access.log").read_text(encoding="utf-8")
    assert '"POST /logga-in" 302' in access_log
    assert "/enkat/" not in access_log
    assert "127.0.0.1" not in access_log

    staff_db.expire_all()
    draft = staff_db.scalars(select(SurveyDraft)).one()
    assert draft.answers == {"unsafe_evening": "very_unsafe"}
    assert staff_db.scalar(select(func.count()).select_from(Response)) == 0  # a page saved, nothing submitted yet


def test_without_trusted_proxies_forwarded_headers_are_ignored(
    tmp_path: Path, database_url: str, seeded: dict[str, object]
) -> None:
    # gunicorn's default believes X-Forwarded-Proto from 127.0.0.1: the app would think this plain-HTTP request is
    # HTTPS and refuse the post for its missing Referer. With TRYGG_PROXY_HOPS=0 nothing forwarded is believed.
    spoofed = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example", "X-Forwarded-For": "203.0.113.9"}
    with trygg_serve(tmp_path, database_url, hops=0) as app_port:
        visitor = Visitor(f"http://127.0.0.1:{app_port}")
        status, location, page = _log_in(visitor, str(seeded["email"]), referer=None, headers=spoofed)
        assert EXPIRED not in page
        assert (status, location) == (302, "/dialoger/")
