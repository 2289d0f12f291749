"""Search in a real browser (Playwright driving Debian's chromium, `tests/browser.py`): the
journey from a typed acronym to the quote behind an agreement, the home page by keyboard
alone, facets without JavaScript (the search page on a phone: `test_explorer_browser`).
Every request must stay on 127.0.0.1.

Links are followed by their visible labels (the names in the curated facts), so the tests hold
while the entity pages are rebuilt.
"""

from tests.browser import assert_stayed_local, offline_page
from tests.conftest import ApiServer
from tests.support import curated_nodes


def _defined(entity_id: str) -> dict:
    """An entity as the curated facts define it (its label, its quote and article)."""
    return next(node for node in curated_nodes() if node["id"] == entity_id)


def test_search_mosti_then_its_ministry_its_mou_and_the_article_with_the_quote(
    browser: object, api_server: ApiServer
) -> None:
    ministry, mou = _defined("mosti"), _defined("mou-mosti-sti-people-exchange")
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/"))  # type: ignore[attr-defined]
        box = page.get_by_role("searchbox", name="Find a ministry, company, person or topic")  # type: ignore[attr-defined]
        box.fill("Mosti")
        box.press("Enter")
        page.wait_for_url("**/search?q=Mosti")  # type: ignore[attr-defined]
        page.get_by_role("link", name=ministry["label"], exact=True).first.click()  # type: ignore[attr-defined]
        page.wait_for_url("**/id/mosti")  # type: ignore[attr-defined]
        page.get_by_role("link", name=mou["label"], exact=True).first.click()  # type: ignore[attr-defined]
        page.wait_for_url(f"**/id/{mou['id']}")  # type: ignore[attr-defined]
        page.locator(f'a[href="/id/article/{mou["article"]}"]').first.click()  # type: ignore[attr-defined]
        page.wait_for_url(f"**/id/article/{mou['article']}")  # type: ignore[attr-defined]
        quote = " ".join(mou["quote"].split())
        page.get_by_text(quote[:80]).first.wait_for()  # type: ignore[attr-defined]
    assert_stayed_local(log)


def test_home_page_by_keyboard_reaches_the_search_box_and_entry_links_and_enter_follows(
    browser: object, api_server: ApiServer
) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/"))  # type: ignore[attr-defined]
        reached: list[dict] = []
        for _ in range(60):
            page.keyboard.press("Tab")  # type: ignore[attr-defined]
            focused = page.evaluate(  # type: ignore[attr-defined]
                """() => { const e = document.activeElement;
                const section = e.closest('section');
                return {id: e.id, tag: e.tagName, href: e.getAttribute('href') || '',
                        section: section ? section.getAttribute('aria-labelledby') || '' : ''}; }"""
            )
            reached.append(focused)
            if focused["section"] == "latest-heading" and focused["href"].startswith("/id/"):
                break
        ids = [r["id"] for r in reached]
        assert "site-search" in ids and "home-search" in ids, "Tab never reached a search box"
        entry = reached[-1]
        assert entry["section"] == "latest-heading", f"Tab never reached the latest agreements: {reached}"
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
        page.wait_for_url("**" + entry["href"])  # type: ignore[attr-defined]
    assert_stayed_local(log)


def test_the_home_search_box_submits_by_keyboard(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/"))  # type: ignore[attr-defined]
        for _ in range(30):
            page.keyboard.press("Tab")  # type: ignore[attr-defined]
            if page.evaluate("document.activeElement.id") == "home-search":  # type: ignore[attr-defined]
                break
        page.keyboard.type("science ministry")  # type: ignore[attr-defined]
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
        page.wait_for_url("**/search?q=science+ministry")  # type: ignore[attr-defined]
        assert page.get_by_role("link", name=_defined("mosti")["label"], exact=True).count() >= 1  # type: ignore[attr-defined]
    assert_stayed_local(log)


def test_facets_narrow_the_results_without_javascript(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser, java_script_enabled=False) as (page, log):
        page.goto(api_server.url("/search?q=Mosti"))  # type: ignore[attr-defined]
        assert page.get_by_role("heading", name="Agreements").count() == 1  # type: ignore[attr-defined]
        page.locator("aside.facets").get_by_role("link", name="Organisations").click()  # type: ignore[attr-defined]
        page.wait_for_url("**kind=Organization")  # type: ignore[attr-defined]
        assert page.get_by_role("heading", name="Agreements").count() == 0  # type: ignore[attr-defined]
        assert page.get_by_role("heading", name="Organisations").count() == 1  # type: ignore[attr-defined]
    assert_stayed_local(log)
