"""The network page in a real browser (Playwright driving Debian's chromium): the drawing holds
what the JSON lists, the legend hides a kind of tie, a click opens a node's page, and nothing is
fetched from another host."""

import httpx

from tests.browser import assert_stayed_local, offline_page
from tests.conftest import ApiServer


def _drawn(page: object) -> None:
    page.locator("#network-graph canvas").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
    page.wait_for_function("() => window.jalinanNetwork !== undefined")  # type: ignore[attr-defined]


def test_mosti_network_draws_as_many_nodes_and_edges_as_its_json_lists(
    browser: object, api_server: ApiServer, http: httpx.Client
) -> None:
    doc = http.get("/id/mosti/network").json()
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/id/mosti/network"))  # type: ignore[attr-defined]
        _drawn(page)
        drawn = page.evaluate("() => window.jalinanNetwork.nodes().map(n => n.id()).sort()")  # type: ignore[attr-defined]
        edges = page.evaluate("() => window.jalinanNetwork.edges().length")  # type: ignore[attr-defined]
        shown = page.locator("#network-showing").inner_text()  # type: ignore[attr-defined]
    assert drawn == sorted(node["id"] for node in doc["nodes"])
    assert edges == len(doc["edges"])
    assert f"{doc['showing']['nodes']} of {doc['showing']['totalNodes']}" in shown
    assert_stayed_local(log)


def test_unchecking_a_kind_of_tie_hides_those_edges_only(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/id/anwar-ibrahim/network"))  # type: ignore[attr-defined]
        _drawn(page)
        visible = 'kind => window.jalinanNetwork.edges(`[tie = "${kind}"]`).filter(e => e.visible()).length'
        others = 'kind => window.jalinanNetwork.edges(`[tie != "${kind}"]`).filter(e => e.visible()).length'
        before = page.evaluate(visible, "witnessed")  # type: ignore[attr-defined]
        rest = page.evaluate(others, "witnessed")  # type: ignore[attr-defined]
        assert before > 0 and rest > 0
        page.locator('#network-legend input[data-tie="witnessed"]').uncheck()  # type: ignore[attr-defined]
        assert page.evaluate(visible, "witnessed") == 0  # type: ignore[attr-defined]
        assert page.evaluate(others, "witnessed") == rest  # type: ignore[attr-defined]
        assert page.locator('tr[data-tie="witnessed"]:visible').count() == 0  # type: ignore[attr-defined]
        page.locator('#network-legend input[data-tie="witnessed"]').check()  # type: ignore[attr-defined]
        assert page.evaluate(visible, "witnessed") == before  # type: ignore[attr-defined]
    assert_stayed_local(log)


def test_clicking_a_node_opens_its_page(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser, viewport={"width": 1280, "height": 1800}) as (page, log):
        page.goto(api_server.url("/id/mosti/network"))  # type: ignore[attr-defined]
        _drawn(page)
        target = page.evaluate(  # type: ignore[attr-defined]
            """() => {
                const cy = window.jalinanNetwork;
                const node = cy.nodes().filter(n => n.id() !== "mosti")[0];
                const box = cy.container().getBoundingClientRect();
                const at = node.renderedPosition();
                return {href: node.data("href"), x: box.left + at.x, y: box.top + at.y};
            }"""
        )
        page.mouse.click(target["x"], target["y"])  # type: ignore[attr-defined]
        page.wait_for_url(f"**{target['href']}")  # type: ignore[attr-defined]
    assert_stayed_local(log)


def test_overview_draws_every_body_and_opens_a_body_network(
    browser: object, api_server: ApiServer, http: httpx.Client
) -> None:
    doc = http.get("/network").json()
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/network"))  # type: ignore[attr-defined]
        _drawn(page)
        assert page.evaluate("() => window.jalinanNetwork.nodes().length") == len(doc["nodes"])  # type: ignore[attr-defined]
    assert_stayed_local(log)
