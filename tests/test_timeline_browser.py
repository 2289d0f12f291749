"""The timeline and the charts in a real browser (Playwright driving Debian's chromium).

Each test opens pages through `offline_page`, which records every request, and ends by
checking that none left 127.0.0.1. What the pages should show is read from the timeline's own
JSON, so a new article changes both sides alike.
"""

import httpx

from tests.browser import assert_stayed_local, offline_page
from tests.conftest import ApiServer


def _dated_visits(http: httpx.Client) -> list[dict]:
    return http.get("/timeline", params={"kind": "Visit", "_size": "1000"}).json()["items"]


def test_the_timeline_shows_every_dated_visit_in_date_order_with_its_dates(
    browser: object, api_server: ApiServer, http: httpx.Client
) -> None:
    visits = _dated_visits(http)
    assert visits, "the curated facts date two visits"
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/timeline"))  # type: ignore[attr-defined]
        page.locator("#timeline-chart[data-drawn]").wait_for(timeout=15_000)  # type: ignore[attr-defined]
        # drawn: one item per dated visit, in the visits' lane, at the instant the JSON gives
        drawn = page.eval_on_selector_all(  # type: ignore[attr-defined]
            ".vis-item.kind-Visit [data-start]", "nodes => nodes.map(n => [n.textContent, n.dataset.start])"
        )
        expected = [[v["label"], v["start"]["earliest"] or v["start"]["latest"]] for v in visits]
        assert sorted(drawn) == sorted(expected)
        # listed: newest first, each with its date in words
        listed = page.locator("#timeline-list li.kind-Visit")  # type: ignore[attr-defined]
        assert listed.count() == len(visits)
        for index, visit in enumerate(visits):
            entry = listed.nth(index)
            assert entry.locator(".what a").inner_text() == visit["label"]
            assert entry.locator("time").inner_text() == entry.get_attribute("data-when")
        shown = [listed.nth(i).locator("time").get_attribute("datetime") for i in range(listed.count())]
        assert shown == sorted(shown, reverse=True)
        assert "16 April 2025" in " ".join(listed.all_inner_texts())
    assert_stayed_local(log)


def test_clicking_a_drawn_item_opens_its_page(
    browser: object, api_server: ApiServer, http: httpx.Client
) -> None:
    visit = _dated_visits(http)[0]
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/timeline?kind=Visit"))  # type: ignore[attr-defined]
        page.locator("#timeline-chart[data-drawn]").wait_for(timeout=15_000)  # type: ignore[attr-defined]
        page.locator(".vis-item.kind-Visit", has_text=visit["label"]).first.click()  # type: ignore[attr-defined]
        page.wait_for_url("**" + visit["href"])  # type: ignore[attr-defined]
    assert_stayed_local(log)


def test_without_scripts_the_timeline_is_the_dated_list(
    browser: object, api_server: ApiServer, http: httpx.Client
) -> None:
    items = http.get("/timeline", params={"_size": "1000"}).json()["items"]
    with offline_page(browser, java_script_enabled=False) as (page, log):
        page.goto(api_server.url("/timeline"))  # type: ignore[attr-defined]
        assert page.locator("#timeline-chart").is_hidden()  # type: ignore[attr-defined]
        assert page.locator("#timeline-list > li").count() == len(items)  # type: ignore[attr-defined]
        page.get_by_label("Kind").select_option("Visit")  # type: ignore[attr-defined]
        page.get_by_role("button", name="Show").click()  # type: ignore[attr-defined]
        page.wait_for_url("**/timeline?*kind=Visit*")  # type: ignore[attr-defined]
        assert page.locator("#timeline-list > li").count() == len(_dated_visits(http))  # type: ignore[attr-defined]
    assert_stayed_local(log)


def test_the_charts_render(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/charts"))  # type: ignore[attr-defined]
        drawings = page.locator(".chart-drawing svg")  # type: ignore[attr-defined]
        assert drawings.count() == 3
        for index in range(3):
            box = drawings.nth(index).bounding_box()
            assert box and box["width"] > 200 and box["height"] > 100
            assert drawings.nth(index).locator("rect").count() > 2  # a background and bars or cells
        page.goto(api_server.url("/charts/most-connected.svg"))  # type: ignore[attr-defined]
        assert page.locator("svg title").first.text_content() == "The most connected organisations"  # type: ignore[attr-defined]
    assert_stayed_local(log)
