"""`/charts` for browsers: each chart drawn inline (SVG, so it prints and can be copied into a
story), with links to it as a file and to its numbers (CSV, JSON), and the numbers as a table
beneath it. The drawing and the table come from the same rows (`api/charts.py`).
"""

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from markupsafe import Markup

from jalinan.api.caching import cached
from jalinan.api.charts import catalogue, chart_data, refuse_unknown, svg
from jalinan.api.dependencies import StoreDep
from jalinan.api.explorer.routing import page_router
from jalinan.api.explorer.templating import render
from jalinan.graph import GraphStore

router = page_router()


def _figures(store: GraphStore) -> list[dict[str, object]]:
    figures = []
    for view in catalogue():
        by = view["by"] or "kind"
        chart = chart_data(store, view["name"], by)
        links = {extension: view[extension] for extension in ("svg", "csv", "json")}
        drawing = Markup(svg(chart, by))  # our own template, autoescaped when rendered
        figures.append({"name": view["name"], "by": view["by"], "title": view["title"], "chart": chart,
                        "drawing": drawing, "links": links})  # fmt: skip
    return figures


@router.get("/charts")
async def charts_page(request: Request, store: StoreDep) -> Response:
    refuse_unknown(request, ("format", "_format"))

    async def produce() -> Response:
        figures = await run_in_threadpool(_figures, store)
        return render(request, "charts.html", {"figures": figures})

    return await cached(request, ("page", "charts"), produce)
