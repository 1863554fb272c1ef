"""Security headers on every answer: pages, the API, embed.js, feeds, static files and errors.

No page of Samtal may be framed by anyone (the moderation queue's buttons in someone else's
frame would be clickjacking); scripts run only from Samtal's own files, never inline, so a
stored script that slipped past the sanitiser would still not run. The embed widget is
unaffected: it is a script the blog loads and an API it calls, neither of which is framed.
"""

from __future__ import annotations

from flask import Flask, Response, request

# Images in posts may come from anywhere on https (a blog's own media host); nothing else may.
# Style attributes stay allowed for the post sanitiser's table alignment (text-align only).
PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' https: data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
# Data (JSON, feeds, scripts, styles) is never a document: it may load nothing at all.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
HSTS = "max-age=31536000"


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    is_page = response.mimetype in ("text/html", "application/xhtml+xml")
    headers.setdefault("Content-Security-Policy", PAGE_POLICY if is_page else DATA_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if is_page:
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
