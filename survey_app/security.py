"""Security headers on every response: no inline script, no framing, no sniffing, no referrer leaks."""

from __future__ import annotations

from flask import Flask, Response, abort, request

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
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def register_security_headers(app: Flask) -> None:
    production = app.config["TRYGG_ENV"] == "production"

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
        return response
