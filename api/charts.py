"""Charts as SVG, with the numbers behind them as CSV and JSON (`/charts/{name}.{svg,csv,json}`).

- `agreements-per-year` (`by=kind`, the default, or `by=topic`): agreements and collections of
  documents dated in each year. By kind, a stacked bar per year (each agreement has one class,
  so the bar is the year's total); by topic, a grid of years against the busiest topics with
  the count in each cell (an agreement on several topics counts under each, so stacked bars
  would overstate the year: a grid does not add them up).
- `most-connected`: the organisations party to the most agreements, as horizontal bars.

Why SVG drawn from a small Jinja template (`templates/charts/*.svg`) rather than a charting
library: the charts must print and embed, be accessible (a `<title>` and `<desc>` naming what
is shown, `role="img"`, every bar and cell labelled with its number in text, not only by its
size), load nothing from another host, and be the same bytes for the same data (they are
cached and tagged like every answer). pygal writes SVG but links a tooltip script from a CDN
by default and puts its own styling in; matplotlib's SVG backend draws text as paths (not
selectable or read aloud) unless told otherwise, adds no title or description, and is a
large dependency the server does not otherwise need (it is in the bench extra only). Two bar
layouts and a grid are a few dozen lines of arithmetic here, in the open.

The numbers come from plain SPARQL files in `queries/charts/`, run through the store like
every canned query; CSV and JSON are made from the same rows the SVG is drawn from.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from jinja2 import Environment, FileSystemLoader, select_autoescape

from jalinan.api import querying
from jalinan.api.caching import NOT_MODIFIED, cached
from jalinan.api.dependencies import StoreDep
from jalinan.api.errors import not_found, unprocessable
from jalinan.api.pages import local_href, short
from jalinan.graph import GraphStore
from jalinan.queries.catalogue import QUERIES_DIR

QUERIES = QUERIES_DIR / "charts"
TEMPLATES = Path(__file__).resolve().parent / "templates" / "charts"
CHARTS = ("agreements-per-year", "most-connected")
GROUPINGS = ("kind", "topic")
FORMATS = {"svg": "image/svg+xml", "csv": "text/csv; charset=utf-8", "json": "application/json"}
TOP_TOPICS = 12  # rows of the topic grid; the rest are summed into "other topics"
NO_YEAR = "no year"
# colour-blind-safe (Okabe–Ito), darkest first so white labels stay readable
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000", "#999999"]
_svg = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["svg"]))

router = APIRouter(tags=["Timeline and charts"], responses=NOT_MODIFIED)


@cache
def _sparql(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


@cache
def _topic_labels() -> dict[str, str]:
    # (imported here: the explorer package, which holds the ontology's labels, imports this module)
    from jalinan.api.explorer.ontology_doc import topics

    return {c.iri: c.labels.get("en") or short(c.iri) for c in topics()}


def _class_label(iri: str) -> str:
    from jalinan.api.explorer.ontology_doc import documentation

    term = documentation().term("jl:" + short(iri))
    return (term.labels.get("en") if term else None) or short(iri)


@dataclass
class Chart:
    """What a chart shows: a title, a description, and its table (columns and rows)."""

    name: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[Any]]
    links: list[str | None] = field(default_factory=list)  # per row, the page of its subject
    note: str = ""


def agreements_per_year(store: GraphStore, by: str) -> Chart:
    """Years against kinds or topics; one row per (year, group) with a count."""
    rows, _ = querying.rows(store, _sparql(f"agreements-per-year-by-{by}"))
    table: list[list[Any]] = []
    for row in rows.rows:
        year = row["year"].value if row.get("year") is not None else NO_YEAR
        group = row.get("type" if by == "kind" else "topic")
        if group is None:
            name = "no topic"
        elif by == "kind":
            name = _class_label(group.value)
        else:
            name = _topic_labels().get(group.value, short(group.value))
        table.append([year, name, int(row["agreements"].value)])
    table.sort(key=lambda r: (r[0] == NO_YEAR, r[0], r[1]))
    what = "kind" if by == "kind" else "topic"
    note = (
        "An agreement on several topics counts under each."
        if by == "topic"
        else "Each agreement counts once, under its kind."
    )
    return Chart(
        name="agreements-per-year",
        title=f"Agreements per year, by {what}",
        description=(
            "Agreements and collections of documents reported together, by the year of their date "
            f"and by {what}. "
            f"“{NO_YEAR}”: undated, or dated only by a bound (“by 17 April 2025”, “2024 or later”). {note}"
        ),
        columns=["year", what, "agreements"],
        rows=table,
        note=note,
    )


def most_connected(store: GraphStore) -> Chart:
    rows, _ = querying.rows(store, _sparql("most-connected"))
    table, links = [], []
    for row in rows.rows:
        iri = row["organisation"].value
        label = row["label"].value if row.get("label") is not None else short(iri)
        table.append([label, int(row["agreements"].value)])
        links.append(local_href(iri))
    return Chart(
        name="most-connected",
        title="The most connected organisations",
        description=(
            "The organisations (not countries) party to the most agreements and collections of "
            "documents, with the number of each."
        ),
        columns=["organisation", "agreements"],
        rows=table,
        links=links,
    )


def chart_data(store: GraphStore, name: str, by: str) -> Chart:
    return agreements_per_year(store, by) if name == "agreements-per-year" else most_connected(store)


# --- drawing ---------------------------------------------------------------------------------


def _ink_on(colour: str) -> str:
    """White or near-black text, whichever reads better on `colour` (#rrggbb)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#1c1f23" if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "#ffffff"


def _nice_max(value: int) -> int:
    """The axis top: the smallest of 1, 2, 5 × 10^n at or above `value` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= factor * step:
                return factor * step
        step *= 10


def _years_and_groups(chart: Chart) -> tuple[list[str], dict[str, int], list[str]]:
    """A (year, group, count) table's years in order, each group's total, the groups busiest first."""
    years = list(dict.fromkeys(r[0] for r in chart.rows))
    totals: dict[str, int] = {}
    for _, group, count in chart.rows:
        totals[group] = totals.get(group, 0) + count
    return years, totals, sorted(totals, key=lambda g: (-totals[g], g))


def _stacked_bars(chart: Chart) -> dict[str, Any]:
    years, totals_by_group, groups = _years_and_groups(chart)
    colours = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    counts = {(r[0], r[1]): r[2] for r in chart.rows}
    totals = {y: sum(counts.get((y, g), 0) for g in groups) for y in years}
    top = _nice_max(max(totals.values(), default=1))
    left, plot_height, bar_gap, bar_width = 56, 300, 14, max(28, min(70, 640 // max(1, len(years)) - 14))
    width = left + len(years) * (bar_width + bar_gap) + 20
    legend_top = 40 + plot_height + 50
    bars = []
    for index, year in enumerate(years):
        x = left + bar_gap + index * (bar_width + bar_gap)
        y_cursor = 40 + plot_height
        segments = []
        for group in groups:
            count = counts.get((year, group), 0)
            if not count:
                continue
            height = plot_height * count / top
            y_cursor -= height
            segments.append(
                {"y": round(y_cursor, 2), "height": round(height, 2), "colour": colours[group],
                 "group": group, "count": count, "label": height >= 14, "ink": _ink_on(colours[group])}
            )  # fmt: skip
        bars.append({"x": x, "year": year, "total": totals[year], "segments": segments,
                     "top": round(y_cursor, 2)})  # fmt: skip
    ticks = [{"value": top * i // 4, "y": round(40 + plot_height - plot_height * i / 4, 2)} for i in range(5)]
    legend = [{"group": g, "colour": colours[g], "total": totals_by_group[g]} for g in groups]
    return {
        "width": max(width, 420), "height": legend_top + 22 * len(legend) + 10, "left": left,
        "plot_top": 40, "plot_bottom": 40 + plot_height, "bar_width": bar_width, "bars": bars,
        "ticks": ticks, "legend": legend, "legend_top": legend_top,
    }  # fmt: skip


def _grid(chart: Chart) -> dict[str, Any]:
    years, _, ranked = _years_and_groups(chart)
    shown = ranked[:TOP_TOPICS]
    counts: dict[tuple[str, str], int] = {}
    for year, group, count in chart.rows:
        key = (year, group if group in shown else "other topics")
        counts[key] = counts.get(key, 0) + count
    rows = shown + (["other topics"] if len(ranked) > TOP_TOPICS else [])
    highest = max(counts.values(), default=1)
    label_width, cell_w, cell_h, top = 230, 64, 30, 70
    cells = []
    for r, group in enumerate(rows):
        for c, year in enumerate(years):
            count = counts.get((year, group), 0)
            share = count / highest if highest else 0
            cells.append(
                {"x": label_width + c * cell_w, "y": top + r * cell_h, "count": count, "year": year,
                 "group": group, "dark": share > 0.5,
                 "fill": f"rgba(0, 114, 178, {0.08 + 0.85 * share:.2f})" if count else "#f4f6f5"}
            )  # fmt: skip
    return {
        "width": label_width + len(years) * cell_w + 20, "height": top + len(rows) * cell_h + 20,
        "label_width": label_width, "cell_w": cell_w, "cell_h": cell_h, "top": top,
        "years": [{"year": y, "x": label_width + i * cell_w + cell_w / 2} for i, y in enumerate(years)],
        "rows": [{"group": g, "y": top + i * cell_h + cell_h / 2} for i, g in enumerate(rows)],
        "cells": cells,
    }  # fmt: skip


def _horizontal_bars(chart: Chart) -> dict[str, Any]:
    highest = _nice_max(max((r[1] for r in chart.rows), default=1))
    # room for the longest name (about 7 px a character at this size)
    longest = max((len(str(r[0])) for r in chart.rows), default=10)
    label_width, plot_width, bar_h, gap, top = min(520, 20 + 7 * longest), 420, 22, 8, 50
    bars = []
    for i, ((label, count), href) in enumerate(
        zip(chart.rows, chart.links or [None] * len(chart.rows), strict=False)
    ):
        length = plot_width * count / highest
        bars.append({"y": top + i * (bar_h + gap), "length": round(length, 2), "label": label, "count": count,
                     "href": href, "inside": length > 40})  # fmt: skip
    return {
        "width": label_width + plot_width + 60, "height": top + len(bars) * (bar_h + gap) + 20,
        "label_width": label_width, "bar_h": bar_h, "bars": bars,
    }  # fmt: skip


def svg(chart: Chart, by: str = "kind") -> str:
    """The chart drawn as a standalone, accessible SVG document."""
    if chart.name == "most-connected":
        template, layout = "horizontal-bars.svg", _horizontal_bars(chart)
    elif by == "topic":
        template, layout = "grid.svg", _grid(chart)
    else:
        template, layout = "stacked-bars.svg", _stacked_bars(chart)
    ident = f"{chart.name}-{by}" if chart.name == "agreements-per-year" else chart.name
    return _svg.get_template(template).render(chart=chart, layout=layout, ident=ident)


def table_csv(chart: Chart) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(chart.columns)
    writer.writerows(chart.rows)
    return out.getvalue()


def table_json(chart: Chart) -> str:
    rows = [dict(zip(chart.columns, row, strict=True)) for row in chart.rows]
    for row, href in zip(rows, chart.links, strict=False):
        row["href"] = href
    return json.dumps(
        {"title": chart.title, "description": chart.description, "columns": chart.columns, "rows": rows},
        ensure_ascii=False,
    )


def refuse_unknown(request: Request, accepted: tuple[str, ...]) -> None:
    """422 naming a parameter a chart does not take, or one given twice (charts do not page)."""
    seen: set[str] = set()
    for key, _ in request.query_params.multi_items():
        if key not in accepted:
            takes = f"it takes {', '.join(accepted)}" if accepted else "it takes none"
            raise unprocessable(f"unknown parameter `{key}` for {request.url.path}; {takes}", parameter=key)
        if key in seen:
            raise unprocessable(f"`{key}` is given more than once", parameter=key)
        seen.add(key)


def chart_request(request: Request, name: str, by: str | None) -> str:
    """The grouping asked for; 404 for an unknown chart, 422 naming a bad `by` or parameter."""
    if name not in CHARTS:
        raise not_found(f"no chart {name!r}; the charts are {', '.join(CHARTS)}")
    accepted = ("by",) if name == "agreements-per-year" else ()
    refuse_unknown(request, accepted)
    grouping = (by or "kind").strip().lower()
    if grouping not in GROUPINGS:
        raise unprocessable(f"`by` must be one of: {', '.join(GROUPINGS)} (not {by!r})", parameter="by")
    return grouping


@router.get(
    "/charts/{name}.{extension}",
    summary="A chart as SVG, or the numbers behind it as CSV or JSON",
    description=(
        "`/charts/agreements-per-year.svg?by=kind` (or `by=topic`), `/charts/most-connected.svg`; "
        "the same path ending `.csv` or `.json` gives the table the chart is drawn from."
    ),
)
async def chart(
    request: Request,
    store: StoreDep,
    name: str,
    extension: str,
    by: Annotated[
        str | None, Query(description="kind or topic (agreements-per-year)", examples=["topic"])
    ] = None,
) -> Response:
    if extension not in FORMATS:
        raise not_found(f"no chart format {extension!r}; use .svg, .csv or .json")
    grouping = chart_request(request, name, by)

    async def produce() -> Response:
        data = await run_in_threadpool(chart_data, store, name, grouping)
        body = {"svg": svg, "csv": lambda c, _: table_csv(c), "json": lambda c, _: table_json(c)}[extension](
            data, grouping
        )
        return Response(body, media_type=FORMATS[extension])

    return await cached(request, ("chart", name, extension, grouping), produce, vary=None)


def catalogue() -> list[dict[str, str]]:
    """Every chart view: its title and the URLs of its drawing and its numbers."""
    views = [("agreements-per-year", "kind"), ("agreements-per-year", "topic"), ("most-connected", "")]
    titles = {
        ("agreements-per-year", "kind"): "Agreements per year, by kind",
        ("agreements-per-year", "topic"): "Agreements per year, by topic",
        ("most-connected", ""): "The most connected organisations",
    }
    listed = []
    for name, by in views:
        query = f"?by={by}" if by else ""
        listed.append(
            {"name": name, "by": by, "title": titles[(name, by)]}
            | {extension: f"/charts/{name}.{extension}{query}" for extension in FORMATS}
        )
    return listed


@router.get("/charts", summary="The charts, with the URLs of each as SVG, CSV and JSON")
async def charts_index(request: Request) -> dict[str, Any]:
    refuse_unknown(request, ())
    return {"charts": catalogue()}
