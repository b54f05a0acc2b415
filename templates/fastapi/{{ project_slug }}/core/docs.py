"""The first pages a browser opens: Swagger UI and ReDoc served by the project itself, the
favicon, and the site root, which leads to the docs. The assets ship in the fastapi-offline
package, so the docs work offline and under a strict Content-Security-Policy. Behind a proxy that
serves the app under a path prefix (uvicorn --root-path), the pages link under that prefix."""

from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/api/docs-assets"
# ReDoc draws its "API docs by Redocly" badge from Redocly's CDN and has no option to stop it;
# the bundle is served with that one address swapped for an empty image of the same size.
REDOC_BADGE = "https://cdn.redoc.ly/redoc/logo-mini.svg"
NO_BADGE = "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='15' height='15'/>"
CACHED = {"Cache-Control": "public, max-age=3600"}


@cache
def redoc_bundle() -> bytes:
    script = (ASSETS / "redoc.standalone.js").read_text()
    return script.replace(REDOC_BADGE, NO_BADGE).encode()


def install_docs(app: FastAPI) -> None:
    openapi_url = app.openapi_url or "/api/openapi.json"

    # Before the mount of the other assets, so that this route answers for the bundle.
    @app.get(f"{ASSETS_URL}/redoc.standalone.js", include_in_schema=False)
    async def redoc_script() -> Response:
        return Response(redoc_bundle(), media_type="text/javascript", headers=CACHED)

    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> RedirectResponse:
        # A temporary redirect (302), so browsers do not remember it once the site has a home page.
        root = request.scope.get("root_path", "")
        return RedirectResponse(f"{root}/api/docs", status_code=302)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:
        """Browsers ask every site for /favicon.ico: answer with the docs' icon, not a 404."""
        return FileResponse(ASSETS / "favicon.png", media_type="image/png", headers=CACHED)

    @app.get("/api/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=app.title,
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters={"persistAuthorization": True},
        )

    @app.get("/api/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{openapi_url}",
            title=app.title,
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
