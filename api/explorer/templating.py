"""Jinja2 templates for the explorer's pages (`api/templates/`), autoescaped.

Every page extends `base.html` (header with the search box and the navigation, one small
stylesheet of our own); `render` fills in what every page needs (the current path, for the
navigation's `aria-current`).
"""

import calendar
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
NAVIGATION = [
    ("Home", "/"),
    ("Agreements", "/agreements"),
    ("Visits", "/visits"),
    ("Organisations", "/organisations"),
    ("People", "/people"),
    ("Network", "/network"),
    ("Timeline", "/timeline"),
    ("Charts", "/charts"),
    ("Queries", "/queries"),
    ("SPARQL", "/sparql"),
    ("Ontology", "/ontology"),
]

# Pages may load only from this server: a vendored script that tries another host (ReDoc's logo
# from cdn.redoc.ly, an autocompleter asking LOV) is stopped by the browser, not just by us.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'self'"
)
PAGE_SCRIPTS = "script-src 'self'"  # our pages: no inline script
DOCS_SCRIPTS = "script-src 'self' 'unsafe-inline'"  # FastAPI's docs pages start with one

templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.globals["navigation"] = NAVIGATION


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page from template `name`; `Vary: Accept` since the same URL also answers programs."""
    response = templates.TemplateResponse(
        request,
        name,
        {"current_path": request.url.path, **context},
        status_code=status_code,
        headers={
            "Vary": "Accept",
            "Content-Security-Policy": f"{CONTENT_SECURITY_POLICY}; {PAGE_SCRIPTS}",
            **(headers or {}),
        },
    )
    return response


def period(label: str) -> str:
    """A date node's label (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) as a reader writes it: "16 April
    2025", "April 2025", "2025" (a bound keeps its word: "by 16 April 2025"); anything else
    unchanged."""
    for bound in ("by ", "from "):
        if label.startswith(bound):
            return bound + period(label.removeprefix(bound))
    parts = label.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {calendar.month_name[int(parts[1])]} {parts[0]}"
        if len(parts) == 2:
            return f"{calendar.month_name[int(parts[1])]} {parts[0]}"
    except (ValueError, IndexError):  # not a date label: shown as it is
        return label
    return label


templates.env.filters["period"] = period
