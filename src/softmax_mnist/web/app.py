"""``create_app``: the Starlette application of ``softmax-mnist serve``.

Safe by default:

- the page's assets are read from the package once, when the app is made, and served
  from memory by name: no request can name a file on disk;
- request bodies over ``max_body`` bytes are refused with 413 while they are read (or
  at once when their Content-Length says so), images over ``max_pixels`` with 400
  before their pixels are decoded;
- every error is ``{"error": message}`` JSON with its status — never a traceback;
- every response carries a Content-Security-Policy that allows nothing but this
  server's own scripts, styles and images (no inline script), ``nosniff``, no framing,
  no referrer;
- with ``allowed_hosts`` (``serve`` passes the loopback names when it binds to
  loopback) a request naming any other host is refused: a web page elsewhere cannot
  reach the server through DNS rebinding.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from importlib import resources

import anyio
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import api
from .inputs import MAX_BODY, MAX_PIXELS
from .served import ServedModel

WORKERS = 2
"""Requests decoding and classifying at once (the rest wait): bounds the memory that
large images take while they are decoded."""
MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
               ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data: blob:; connect-src 'self'; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
log = logging.getLogger(__name__)


def create_app(models: Sequence[ServedModel], *, allowed_hosts: Sequence[str] | None = None,
               max_body: int = MAX_BODY, max_pixels: int = MAX_PIXELS) -> Starlette:
    """The app serving ``models`` (at least one; the first is the API's default)."""
    if not models:
        raise ValueError("create_app needs at least one model")
    assets = read_assets()
    routes = [
        Route("/", lambda request: _asset(assets, "index.html")),
        Route("/static/{name}", lambda request: _asset(assets, request.path_params["name"])),
        Route("/api/models", api.list_models),
        Route("/api/templates", api.templates),
        Route("/api/predict", api.predict, methods=["POST"]),
    ]
    middleware = [Middleware(SecurityHeaders)]
    if allowed_hosts is not None:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts)))
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={HTTPException: _http_error, Exception: _server_error})
    app.state.models = {m.name: m for m in models}
    app.state.max_pixels = max_pixels
    app.state.max_body = max_body
    app.state.limiter = anyio.CapacityLimiter(WORKERS)
    return app


def read_assets() -> dict[str, tuple[bytes, str]]:
    """Every file of ``web/static`` by name: (content, media type)."""
    folder = resources.files(__package__) / "static"
    return {f.name: (f.read_bytes(), MEDIA_TYPES[f.name[f.name.rfind("."):]])
            for f in folder.iterdir() if f.is_file() and "." in f.name
            and f.name[f.name.rfind("."):] in MEDIA_TYPES}


def _asset(assets: dict[str, tuple[bytes, str]], name: str) -> Response:
    if name not in assets:
        raise HTTPException(404, "no such page.")
    content, media_type = assets[name]
    return Response(content, media_type=media_type, headers={"Cache-Control": "no-cache"})


class SecurityHeaders:
    """ASGI middleware: :data:`SECURITY_HEADERS` on every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers[key] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    routing = {404: f"nothing at {request.url.path[:80]}: the page is / and the API is GET "
                    f"/api/models, GET /api/templates?model=NAME, POST /api/predict?model=NAME.",
               405: f"{request.method} is not allowed here; use "
                    f"{(exc.headers or {}).get('Allow', 'GET')}.",
               413: f"the body is too large: at most {request.app.state.max_body:,} bytes "
                    f"(for a photo, shrink it first)."}
    message = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else \
        routing.get(exc.status_code, exc.detail)
    return JSONResponse({"error": message}, status_code=exc.status_code,
                        headers={**(exc.headers or {}), **api.NO_STORE})


def _server_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("internal error answering %s %s", request.method, request.url.path)
    return JSONResponse({"error": "internal error: the server could not answer this request."},
                        status_code=500, headers=dict(SECURITY_HEADERS))
