"""`/docs` (Swagger UI) and `/redoc` (ReDoc) from vendored files, so they render offline.

FastAPI's own pages load their scripts, styles, favicon (and ReDoc its fonts) from CDNs; the
app turns those off (`docs_url=None`, `redoc_url=None`) and serves these instead.
"""

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from jalinan.api.explorer.assets import STATIC_PATH, vendor_url
from jalinan.api.explorer.templating import CONTENT_SECURITY_POLICY, DOCS_SCRIPTS

router = APIRouter(include_in_schema=False)
FAVICON = f"{STATIC_PATH}/favicon.svg"


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    return _confined(
        get_swagger_ui_html(
            openapi_url=request.app.openapi_url,
            title="Jalinan API",
            swagger_js_url=vendor_url("swagger-ui", "swagger-ui-bundle.js"),
            swagger_css_url=vendor_url("swagger-ui", "swagger-ui.css"),
            swagger_favicon_url=FAVICON,
            # No badge fetched from validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    return _confined(
        get_redoc_html(
            openapi_url=request.app.openapi_url,
            title="Jalinan API",
            redoc_js_url=vendor_url("redoc", "redoc.standalone.js"),
            redoc_favicon_url=FAVICON,
            with_google_fonts=False,
        )
    )


def _confined(response: HTMLResponse) -> HTMLResponse:
    """The page may load only from this server (ReDoc's sidebar shows a logo from its CDN)."""
    response.headers["Content-Security-Policy"] = f"{CONTENT_SECURITY_POLICY}; {DOCS_SCRIPTS}"
    return response
