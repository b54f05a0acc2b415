"""API docs served by the service itself: Swagger UI and ReDoc assets come from the
fastapi-offline package, so no page loads anything from a CDN."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"


def install_docs(app: FastAPI, title: str) -> None:
    app.mount("/api/docs/assets", StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")  # behind the proxy: /realtime
        return get_swagger_ui_html(
            openapi_url=f"{root}/api/openapi.json",
            title=f"{title}: API docs",
            swagger_js_url=f"{root}/api/docs/assets/swagger-ui-bundle.js",
            swagger_css_url=f"{root}/api/docs/assets/swagger-ui.css",
            swagger_favicon_url=f"{root}/api/docs/assets/favicon.png",
        )

    @app.get("/api/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}/api/openapi.json",
            title=f"{title}: API reference",
            redoc_js_url=f"{root}/api/docs/assets/redoc.standalone.js",
            redoc_favicon_url=f"{root}/api/docs/assets/favicon.png",
            with_google_fonts=False,
        )
