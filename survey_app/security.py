"""What a request is trusted for and what every response carries: the proxies believed, the Host accepted, links
printed on the public address, and security headers (no inline script, no framing, no sniffing, no referrer leaks)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, current_app, request, url_for
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: another site still learns nothing (not even that a survey link was followed), but
    # our own form posts carry the Referer that the strict CSRF check over HTTPS requires (WTF_CSRF_SSL_STRICT).
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Pages that no browser or proxy cache keeps, besides the staff pages (auth/access.py) and the survey flow: the login
# form holds a CSRF token tied to one session, and what was typed into it.
NEVER_STORED = frozenset({"auth.login"})


def register_security_headers(app: Flask) -> None:
    production = app.config["TRYGG_ENV"] == "production"
    _trust_configured_proxies(app)

    def refuse_unusable_host() -> None:
        # Werkzeug turns a Host outside TRUSTED_HOSTS into a routing error, and a Host with characters no host name
        # has into "". Nothing may run on such a request (the login check would build a redirect to it): a 400.
        if isinstance(request.routing_exception, SecurityError) or (request.headers.get("Host") and not request.host):
            abort(400)

    # First of all before-request checks, ahead of the login check and CSRF that register_auth and csrf put earlier.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unusable_host)

    @app.before_request
    def refuse_nul_characters() -> None:
        # No text anyone types contains NUL; PostgreSQL refuses it in a query, which would be a 500, not a 400.
        if "\x00" in request.path or any("\x00" in value for value in request.args.values()):
            abort(400)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint in NEVER_STORED:
            response.headers["Cache-Control"] = "no-store"
        return response


def _trust_configured_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For, -Proto and -Host from exactly PROXY_HOPS proxies, and from nobody when it is 0.

    The client address (login throttling), the scheme (Secure cookies, the HTTPS Referer check) and the host come
    from the proxy nearest the app; a client sending such headers itself cannot reach past them. gunicorn is told to
    believe no forwarded header (server.py), so this is the one place that decides.
    """
    hops = app.config["PROXY_HOPS"]
    if hops:
        # Flask's documented way to add WSGI middleware; mypy refuses any assignment to a method
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link for print or mail, on the configured public address, never on the Host a request named.

    Without PUBLIC_URL (only allowed in development and tests) it is the address the request came to.
    """
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base + url_for(endpoint, **values).removeprefix(request.script_root)
