"""HTML to tagged PDF (PDF/UA-1) with WeasyPrint, for the documents a BRÅ council reads.

The document is rendered from the same templates and data as the pages. WeasyPrint fetches nothing from outside:
its URL fetcher serves only this app's static files from disk and refuses every other address, so a document can
never make a request to another host (or be made to, by text in it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

STATIC = Path(__file__).resolve().parent / "static"
STATIC_PREFIX = "trygg-static:/"


class RefusedFetch(ValueError):
    pass


def _fetch_static_only(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    if not url.startswith(STATIC_PREFIX):
        raise RefusedFetch(url)
    path = (STATIC / url[len(STATIC_PREFIX):].lstrip("/")).resolve()
    if STATIC not in path.parents or not path.is_file():
        raise RefusedFetch(url)
    mime = {"css": "text/css", "svg": "image/svg+xml", "png": "image/png"}.get(path.suffix.lstrip("."), "")
    return {"string": path.read_bytes(), "mime_type": mime, "redirected_url": url}


def render_pdf(html: str) -> bytes:
    """The HTML as a tagged PDF/UA-1 document; its title and language come from <title> and <html lang>."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    document = HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=_fetch_static_only)
    pdf = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True, custom_metadata=True)
    if pdf is None:  # only with a target; without one WeasyPrint returns the bytes
        raise RuntimeError("WeasyPrint wrote no PDF")
    return pdf


def pdf_response(pdf: bytes, filename: str) -> Any:
    from flask import Response

    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def render_document(body_template: str, *, title: str, subtitle: str, status: str,
                    contents: list[tuple[str, str]], sources: list[str], **context: Any) -> bytes:
    """A printed document: cover, contents with page numbers, `body_template` rendered with `context`, and the
    method appendix naming `sources`."""
    from flask import render_template
    from markupsafe import Markup

    body = Markup(render_template(body_template, **context))  # noqa: S704  # rendered by Jinja, autoescaped
    appendix = Markup(render_template("print/method.html", sources=sources))  # noqa: S704
    html = render_template("print/document.html", body=body, appendix=appendix, contents=contents,
                           document_title=title, document_subtitle=subtitle, document_status=status)
    return render_pdf(html)
