"""A production-grade server for `trygg serve`: gunicorn, configured in code."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

# No client address, user agent, referrer or time: an access line with those beside a survey submission would tie a
# resident to an answer. (Put the same rule on any reverse proxy in front: see README.)
ACCESS_LOG_FORMAT = '"%(m)s %(U)s" %(s)s %(b)s %(L)ss'


class PrivacyLogger(Logger):
    """Gunicorn's logger without access lines for the residents' survey pages."""

    def access(self, resp: Any, req: Any, environ: MutableMapping[str, Any], request_time: Any) -> None:
        if str(environ.get("PATH_INFO", "")).startswith("/enkat/"):
            return
        super().access(resp, req, environ, request_time)


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key == "control_socket_disable" and key not in self.cfg.settings:
                continue  # gunicorn before 25.1 has no control socket to disable
            self.cfg.set(key, value)

    # types-gunicorn types the WSGI environ as a MutableMapping, Flask as the dict that PEP 3333 requires and gunicorn
    # passes; the two stubs disagree, the app does not.
    def load(self) -> Flask:  # type: ignore[override]
        return self.application


def run_gunicorn(app: Flask, *, bind: str, workers: int, threads: int = 8) -> None:
    _Gunicorn(app, {
        "bind": bind, "workers": workers, "timeout": 60, "accesslog": "-",
        # Threads, not one request per process: a client that sends its request slowly (a phone on a bad line, or
        # someone holding connections open on purpose) occupies one thread, not a whole worker, so a few of them
        # cannot stop the site (sync workers: 3 slow connections blocked both). Behind nginx, which buffers whole
        # requests before passing them on, no slow client reaches the app at all (README).
        "worker_class": "gthread", "threads": threads,
        "access_log_format": ACCESS_LOG_FORMAT, "logger_class": PrivacyLogger,
        # gunicorn believes X-Forwarded-Proto from 127.0.0.1 by default. Here it believes no forwarded header: the
        # app alone decides, from TRYGG_PROXY_HOPS (security.py), so the two never disagree about who is a proxy.
        "forwarded_allow_ips": "", "secure_scheme_headers": {}, "forwarder_headers": "",
        # Every gunicorn of a user shares one control socket path ($XDG_RUNTIME_DIR/gunicorn.ctl), so a second
        # `trygg serve` would take over the first one's. Nothing here uses it: stop and reload go through signals.
        "control_socket_disable": True,
    }).run()
