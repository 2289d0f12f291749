"""`make screenshots`: PNGs of the main pages, desktop (1280 px) and phone (375 px) wide.

Builds a store from the curated facts, starts the real server on a free loopback port, and
saves one PNG per page and width into the folder given (git ignores `screenshots/`). Look at
each before saying a page is done.
"""

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from jalinan.graph.namespaces import JL
from tests.browser import launched_browser, offline_page
from tests.conftest import build_store, run_server

PAGES = {
    "home": "/",
    "sparql": "/sparql",
    "sparql-results": "/sparql?"
    + urlencode({"format": "html", "query": f"SELECT ?ministry WHERE {{ ?ministry a <{JL}Ministry> }}"}),
    "article": "/id/article/05363b917c408ffc",
    "entity-ministry": "/id/mosti",
    "entity-agreement": "/id/mou-malaysia-ndrc-digital-economy",
    "entity-collection": "/id/documents-malaysia-china-li-visit",
    "entity-visit": "/id/visit-xi-malaysia-state-visit",
    "entity-person": "/id/xi-jinping",
    "ontology": "/ontology",
    "not-found": "/id/mostii",
    "agreements": "/agreements",
    "agreements-filtered": "/agreements?topic=digital-economy&year=2025",
    "agreements-sorted": "/agreements?status=signed&sort=a-z",
    "visits": "/visits",
    "organisations": "/organisations",
    "people": "/people",
    "queries": "/queries",
    "query-form": "/queries/agreements-by-party?party=Mosti",
    "query-people-rows": "/queries/people?_size=5",  # a list paged by rows: next by `_start`
    "search": "/search?q=Mosti",
    "search-words": "/search?q=data+center",
    "search-nothing": "/search?q=Ministry+of+Science+Technology+Innovation+Berhad",
    "docs": "/docs",
    "redoc": "/redoc",
    "network": "/id/mosti/network",
    "network-two-hops": "/id/anwar-ibrahim/network?hops=2",
    "network-overview": "/network",
    "timeline": "/timeline",
    "charts": "/charts",
}
# What shows that a page is drawn, for the pages a script draws after the load.
READY = {
    "docs": ".swagger-ui .opblock",
    "redoc": ".api-content",
    "sparql": ".yasqe .CodeMirror",
    "timeline": "#timeline-list li",  # (drawn on the axis by then, on a desktop; a phone shows the list)
}
READY.update({name: "#network-graph canvas" for name in ("network", "network-two-hops", "network-overview")})
WIDTHS = {"desktop": (1280, 900), "phone": (375, 740)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--only", nargs="*", metavar="PAGE", help="only these pages (names as above)")
    args = parser.parse_args()
    pages = {name: path for name, path in PAGES.items() if not args.only or name in args.only}
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = build_store(Path(tmp) / "store")
        with run_server(store, Path(tmp) / "serve.log") as server, launched_browser() as browser:
            for width_name, (width, height) in WIDTHS.items():
                for name, path in pages.items():
                    viewport = {"width": width, "height": height}
                    with offline_page(browser, viewport=viewport) as (page, log):
                        page.goto(server.url(path), wait_until="networkidle")  # type: ignore[attr-defined]
                        if name in READY:
                            page.locator(READY[name]).first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
                        target = args.out / f"{name}-{width_name}.png"
                        full = name not in ("ontology", "docs", "redoc")
                        page.screenshot(path=str(target), full_page=full)  # type: ignore[attr-defined]
                    outside = log.outside_requests
                    print(f"{target}{'  OUTSIDE: ' + ', '.join(outside) if outside else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
